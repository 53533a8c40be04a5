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
