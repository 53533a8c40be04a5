"""The header's unread badge: accessible in every language, kept live by its script, and right
without the script.

The test server speaks HTTP only, so the browser's WebSocket is answered by Playwright standing
in for the consumer (luukku/notifications/tests/test_live.py tests the consumer itself, and
bench/run_prod_check.py both together against the production server).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from luukku.accounts.models import User
from luukku.accounts.tests.factories import UserFactory
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path
from luukku.notifications.models import Notification
from luukku.notifications.services import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGE = "[data-live-unread]"


def staff_with_unread(count: int) -> User:
    user = UserFactory.create()
    for number in range(count):
        notify(
            kind="assignment",
            subject=f"Task {number}",
            body="",
            recipient=user,
            channel=Notification.Channel.IN_APP,
        )
    return user


@pytest.mark.parametrize("language", LANGUAGES)
def test_inbox_with_unread_badge_has_no_axe_violations(page: Page, live_server: Any, language):
    user = staff_with_unread(2)
    log_in(page, live_server.url, user)
    open_page(page, live_server.url + path("notifications:inbox", language))
    badge = page.locator(BADGE)
    assert badge.get_attribute("aria-live") == "polite"
    assert badge.inner_text() != ""

    assert_no_axe_violations(page, "notifications-inbox", language)


def test_badge_follows_the_socket_and_is_announced_politely(page: Page, live_server: Any):
    user = staff_with_unread(1)
    sockets: list[WebSocketRoute] = []

    def stand_in_for_the_consumer(socket: WebSocketRoute) -> None:
        sockets.append(socket)

    page.route_web_socket("**/ws/notifications/**", stand_in_for_the_consumer)
    log_in(page, live_server.url, user)
    open_page(page, live_server.url + path("accounts:home", "sv"))
    badge = page.locator(BADGE)
    expect(badge).to_have_text("(1 oläst)")

    for _ in range(50):
        if sockets:
            break
        page.wait_for_timeout(100)
    assert len(sockets) == 1, "the script opened no socket"
    assert sockets[0].url.endswith("/ws/notifications/?lang=sv")
    assert sockets[0].url.startswith("ws://")

    sockets[0].send(json.dumps({"type": "unread", "count": 3, "label": "(3 olästa)"}))
    expect(badge).to_have_text("(3 olästa)")
    sockets[0].send(json.dumps({"type": "unread", "count": 0, "label": ""}))
    expect(badge).to_have_text("")
    # Anything else on the socket leaves the badge alone.
    sockets[0].send("not json")
    sockets[0].send(json.dumps({"type": "something-else", "label": "(9 olästa)"}))
    page.wait_for_timeout(200)
    expect(badge).to_have_text("")
    assert page.url.endswith(path("accounts:home", "sv")), "the page was not reloaded"


def test_badge_is_right_without_javascript(chromium: Browser, live_server: Any):
    user = staff_with_unread(2)
    context = chromium.new_context(java_script_enabled=False, locale="fi-FI")
    try:
        page = context.new_page()
        log_in(page, live_server.url, user)
        open_page(page, live_server.url + path("accounts:home", "en"))
        expect(page.locator(BADGE)).to_have_text("(2 unread)")
    finally:
        context.close()


def test_anonymous_pages_do_not_load_the_script(page: Page, live_server: Any):
    open_page(page, live_server.url + path("catalogue:home", "fi"))
    assert page.locator(BADGE).count() == 0
    assert page.locator("script[src*='live-unread']").count() == 0
