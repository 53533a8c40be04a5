"""Live unread counts over a WebSocket (consumers.py, routed by luukku/asgi.py).

The real ASGI application is driven by a WebSocket communicator from ordinary sync tests
(asgiref runs the async part; database calls from it come back to the test's thread, so they
see the test's transaction). The tests are transactional: an event is sent only after a commit.
channels.testing cannot be imported without daphne (its live-server part needs it), so the few
WebSocket steps are written here on asgiref's ApplicationCommunicator, as channels' own are.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any
from unittest import mock

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from luukku.accounts.models import User
from luukku.accounts.tests.factories import UserFactory
from luukku.notifications.models import Notification
from luukku.notifications.services import mark_read, notify

pytestmark = pytest.mark.django_db(transaction=True)

PATH = "/ws/notifications/"
QUIET_SECONDS = 0.3
WAIT_SECONDS = 5


@pytest.fixture(scope="module")
def application() -> Any:
    """luukku.asgi's application, without loading the search dictionaries (seconds, 400 MB)."""
    with mock.patch("luukku.core.text.warm_up"):
        return importlib.import_module("luukku.asgi").application


@pytest.fixture(autouse=True)
def in_memory_layer(settings: Any) -> None:
    """One process: the in-memory layer (bench/run_prod_check.py runs the Redis one)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class WebsocketCommunicator(ApplicationCommunicator):
    """A browser's socket, as the ASGI server would present it to the application."""

    def __init__(self, application: Any, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        route, _sep, query = path.partition("?")
        scope = {
            "type": "websocket",
            "path": route,
            "query_string": query.encode(),
            "headers": headers,
            "subprotocols": [],
        }
        super().__init__(application, scope)

    async def connect(self) -> bool:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(WAIT_SECONDS)
        return bool(response["type"] == "websocket.accept")

    async def receive_json_from(self, timeout: float = WAIT_SECONDS) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(WAIT_SECONDS)


def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={value}".encode()


def socket(
    application: Any,
    cookie: bytes | None,
    *,
    origin: bytes = b"http://testserver",
    language: str = "en",
) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"{PATH}?lang={language}", headers=headers)


def in_app(user: User, subject: str = "New task") -> Notification:
    return notify(
        kind="assignment",
        subject=subject,
        body=f"Body of {subject}",
        recipient=user,
        channel=Notification.Channel.IN_APP,
    )


def in_own_thread(function: Callable[[], None]) -> None:
    """Run function in a fresh thread and re-raise what it raised there.

    A browser test earlier in the same process leaves Playwright's event loop running in the
    test thread, and async_to_sync (the scenarios', and the service's after a commit) refuses to
    start in a thread with a running loop. The tests are transactional, so the thread's own
    database connection sees the rows the test made; it is closed before the thread ends."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            function()
        except BaseException as error:  # noqa: BLE001 - handed back to the test's thread
            raised.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the scenario did not finish in 60 s"
    if raised:
        raise raised[0]


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Drive an async scenario; its database calls (in_db) run in the scenario's thread."""
    in_own_thread(async_to_sync(scenario))


def in_db(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Run sync database code from the scenario in the test's own thread and connection."""
    return sync_to_async(function, thread_sensitive=True)


def test_anonymous_socket_is_refused(application: Any):
    async def scenario() -> None:
        communicator = socket(application, None)
        connected = await communicator.connect()
        assert not connected

    run(scenario)


def test_socket_from_another_site_is_refused_even_with_a_session(application: Any):
    cookie = session_cookie(UserFactory.create())

    async def scenario() -> None:
        communicator = socket(application, cookie, origin=b"https://evil.example")
        assert not await communicator.connect()
        # The same session from the site itself is let in.
        own_site = socket(application, cookie, origin=b"http://testserver")
        assert await own_site.connect()
        await own_site.disconnect()

    run(scenario)


def test_inactive_user_is_refused(application: Any):
    user = UserFactory.create()
    cookie = session_cookie(user)

    async def scenario() -> None:
        active = socket(application, cookie)
        assert await active.connect()
        await active.disconnect()
        await in_db(User.objects.filter(pk=user.pk).update)(is_active=False)
        assert not await socket(application, cookie).connect()

    run(scenario)


def test_own_notification_arrives_only_after_commit(application: Any):
    me = UserFactory.create()
    in_app(me, "Already waiting")

    cookie = session_cookie(me)

    async def scenario() -> None:
        communicator = socket(application, cookie)
        connected = await communicator.connect()
        assert connected
        # On connecting, the page learns the count as it is now.
        assert await communicator.receive_json_from(timeout=WAIT_SECONDS) == {
            "type": "unread",
            "count": 1,
            "label": "(1 unread)",
        }
        atomic = transaction.atomic()
        await in_db(atomic.__enter__)()
        await in_db(in_app)(me, "Assigned to you")
        assert await communicator.receive_nothing(timeout=QUIET_SECONDS), "sent before commit"
        await in_db(atomic.__exit__)(None, None, None)
        message = await communicator.receive_json_from(timeout=WAIT_SECONDS)
        assert message["count"] == 2
        assert message["label"] == "(2 unread)"
        await communicator.disconnect()

    run(scenario)


def test_rolled_back_notification_is_never_announced(application: Any):
    me = UserFactory.create()

    cookie = session_cookie(me)

    async def scenario() -> None:
        communicator = socket(application, cookie)
        assert await communicator.connect()
        assert (await communicator.receive_json_from(timeout=WAIT_SECONDS))["count"] == 0
        atomic = transaction.atomic()
        await in_db(atomic.__enter__)()
        await in_db(in_app)(me, "Never happened")
        error = RuntimeError("the change failed")
        await in_db(atomic.__exit__)(RuntimeError, error, None)
        assert await communicator.receive_nothing(timeout=QUIET_SECONDS)
        # The socket still works: the next committed one arrives, and counts only itself.
        await in_db(in_app)(me, "Real one")
        assert (await communicator.receive_json_from(timeout=WAIT_SECONDS))["count"] == 1
        await communicator.disconnect()

    run(scenario)


def test_another_users_notification_is_not_received(application: Any):
    me, colleague = UserFactory.create(), UserFactory.create()

    cookie = session_cookie(me)

    async def scenario() -> None:
        communicator = socket(application, cookie)
        assert await communicator.connect()
        await communicator.receive_json_from(timeout=WAIT_SECONDS)
        await in_db(in_app)(colleague, "For the colleague")
        assert await communicator.receive_nothing(timeout=QUIET_SECONDS)
        await in_db(in_app)(me, "For me")
        assert (await communicator.receive_json_from(timeout=WAIT_SECONDS))["count"] == 1
        await communicator.disconnect()

    run(scenario)


def test_marking_read_in_one_tab_lowers_the_badge_in_another(application: Any):
    me = UserFactory.create()
    in_app(me, "One")
    in_app(me, "Two")

    cookie = session_cookie(me)

    async def scenario() -> None:
        other_tab = socket(application, cookie, language="fi")
        assert await other_tab.connect()
        assert (await other_tab.receive_json_from(timeout=WAIT_SECONDS))["count"] == 2
        await in_db(lambda: mark_read(user=me))()
        message = await other_tab.receive_json_from(timeout=WAIT_SECONDS)
        assert message == {"type": "unread", "count": 0, "label": ""}
        await other_tab.disconnect()

    run(scenario)


def test_label_is_the_badge_the_server_renders(application: Any, client: Client):
    """The script swaps the badge's text for the message's label: they must read the same."""
    me = UserFactory.create()
    in_app(me, "One")
    in_app(me, "Two")
    client.force_login(me)
    page = client.get(reverse("notifications:inbox")).content.decode()
    received: list[dict[str, Any]] = []

    cookie = session_cookie(me)

    async def scenario() -> None:
        communicator = socket(application, cookie, language="fi")
        assert await communicator.connect()
        received.append(await communicator.receive_json_from(timeout=WAIT_SECONDS))
        await communicator.disconnect()

    run(scenario)
    label = received[0]["label"]
    assert label == "(2 lukematonta)"
    assert f'aria-live="polite" aria-atomic="true">{label}</span>' in page


def test_unknown_language_falls_back_to_finnish(application: Any):
    me = UserFactory.create()
    in_app(me)

    cookie = session_cookie(me)

    async def scenario() -> None:
        communicator = socket(application, cookie, language="xx")
        assert await communicator.connect()
        assert (await communicator.receive_json_from(timeout=WAIT_SECONDS))["label"] == (
            "(1 lukematon)"
        )
        await communicator.disconnect()

    run(scenario)


def test_a_channel_layer_that_is_down_does_not_break_the_write(
    settings: Any, caplog: pytest.LogCaptureFixture
):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    me = UserFactory.create()
    written: list[Notification] = []

    def write() -> None:
        with transaction.atomic():
            written.append(in_app(me, "Still delivered"))

    with caplog.at_level(logging.WARNING, logger="luukku.notifications.services"):
        in_own_thread(write)
    assert Notification.objects.filter(pk=written[0].pk, recipient=me).exists()
    assert "Live notification update not sent (ConnectionError)" in caplog.text
