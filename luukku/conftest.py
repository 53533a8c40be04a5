"""Project-wide pytest fixtures, including the one headless Chromium (Debian's) that every
browser test in a pytest process shares.

Playwright's sync API may start only once per process, so its fixtures live here rather than in
each app's tests/browser/ directory. It is imported inside the fixtures: runs without browser
tests never load it. Playwright runs an event loop in the test thread, which makes Django refuse
database calls from that thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the browser tests only
touch the database to set up data before the browser acts, never concurrently with it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import translation

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("LUUKKU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """For tests that call the WSGI app directly (schemathesis): Django closes the connection
    after each request, which inside the test's transaction would end the transaction on
    PostgreSQL (Django's test client prevents the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def allow_sync_db_in_event_loop() -> Iterator[None]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def chromium(allow_sync_db_in_event_loop: None) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see make browser)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context per test: no cookies or session carried over."""
    context = chromium.new_context(locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
