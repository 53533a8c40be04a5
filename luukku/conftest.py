"""Project-wide pytest fixtures."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's default language (Finnish), whatever the test before it
    activated: a request to /en/ leaves English active in the worker thread otherwise."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_reference_data() -> Iterator[None]:
    """Open311 answers reuse a per-process copy of services and organisations: each test starts
    as a fresh app server would, since a rolled-back test leaves no save signal behind."""
    from luukku.intake import reference  # noqa: PLC0415

    reference.forget()
    yield
    reference.forget()
