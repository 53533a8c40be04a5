"""Helpers shared by the apps' browser tests: URLs per language, page loads that must succeed,
a logged-in browser, and the axe check every page must pass in fi, sv and en.

The playwright fixtures (`chromium`, `page`) live in luukku/conftest.py.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page

if TYPE_CHECKING:
    # Only for the type checker (Django's test client wants the project's user model): core
    # does not depend on accounts at run time.
    from luukku.accounts.models import User

LANGUAGES = ["fi", "sv", "en"]
# site.css paints the header this colour: contrast checks mean nothing without the stylesheet.
SITE_HEADER_BACKGROUND = "rgb(0, 52, 122)"

_AXE = Axe()


def path(name: str, language: str, *args: object, query: str = "") -> str:
    with translation.override(language):
        return reverse(name, args=args) + query


def open_page(page: Page, url: str, status: int = 200) -> None:
    """Load url and insist it answered itself: a redirect (say, to the login page) would
    otherwise let the test check the wrong page."""
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}"
    assert page.url == url, f"{url} was redirected to {page.url}"


def log_in(page: Page, base_url: str, user: User) -> None:
    """Put a Django session for user into the browser, skipping the login form."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "url": base_url,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        ]
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']} {node['failureSummary']}" for node in violation["nodes"]
        )
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, name: str, language: str) -> None:
    """The page is in language, styled by site.css, and axe-core finds nothing to fix."""
    assert page.locator("html").get_attribute("lang") == language
    header_background = page.evaluate(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )
    assert header_background == SITE_HEADER_BACKGROUND, "site.css did not load"
    results = _AXE.run(page)
    assert results.response["passes"], "axe checked nothing: was it blocked?"
    violations = results.response["violations"]
    assert violations == [], (
        f"{name} [{language}] {page.url}\n{describe(violations)}\n"
        f"{json.dumps(violations, indent=1)[:4000]}"
    )
