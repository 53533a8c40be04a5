"""Router fixtures: a small catalogue, a trained model, and a process cache emptied per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from luukku.catalogue.models import Service
from luukku.router import services, training
from luukku.router.models import RouterModel

from .factories import create_small_catalogue


@pytest.fixture(autouse=True)
def _fresh_router_cache() -> Iterator[None]:
    """A rolled-back test leaves its model in the cache; every test starts as a new process."""
    services.forget_loaded_model()
    yield
    services.forget_loaded_model()


@pytest.fixture
def catalogue(db: None) -> dict[str, Service]:
    return create_small_catalogue()


def train_and_activate() -> RouterModel:
    return training.store(training.train(cross_validation=False))


@pytest.fixture
def trained(
    catalogue: dict[str, Service], django_capture_on_commit_callbacks: object
) -> RouterModel:
    return train_and_activate()
