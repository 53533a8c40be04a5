"""Live in-app notifications: a staff member's open pages learn their unread count at once.

A browser tab opens /ws/notifications/ with its session cookie (luukku/asgi.py puts the origin
check and session authentication in front). The socket joins one group per user; the
notifications service sends to that group after a transaction that wrote or read the user's
in-app notifications commits (services.announce_unread_after_commit). The message carries only
the count and its label, never a notification's text: the inbox page shows that, to its owner.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import ngettext

from . import services


def unread_message(count: int, language: str) -> dict[str, Any]:
    """What a socket receives: the count and the header badge's text exactly as the server
    renders it in base.html, in the page's language (empty when nothing is unread)."""
    with translation.override(language):
        label = (
            "("
            + ngettext("%(counter)s unread", "%(counter)s unread", count) % {"counter": count}
            + ")"
            if count
            else ""
        )
    return {"type": "unread", "count": count, "label": label}


def page_language(query_string: bytes) -> str:
    """The `lang` the page asked for, if the site speaks it; otherwise the default language."""
    codes = {code for code, _name in settings.LANGUAGES}
    for part in query_string.decode("latin-1").split("&"):
        key, _sep, value = part.partition("=")
        if key == "lang" and value in codes:
            return value
    return str(settings.LANGUAGE_CODE)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """One open staff page. Receives only; anything the browser sends is ignored."""

    group: str = ""
    language: str = ""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Closing before accepting refuses the handshake (HTTP 403); the page's script gives
            # up after a few refusals.
            await self.close()
            return
        self.language = page_language(self.scope.get("query_string", b""))
        self.group = services.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # The count now: a page that reconnects after a break catches up at once.
        await self.send_unread()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The browser has nothing to say; a message from it changes nothing."""

    async def notifications_unread(self, event: dict[str, Any]) -> None:
        """The service's event: the user's in-app notifications changed, so count them again.

        Counting here rather than trusting a number in the event keeps every tab right even
        when events from two quick transactions arrive out of order."""
        await self.send_unread()

    async def send_unread(self) -> None:
        count = await self._count()
        await self.send_json(unread_message(count, self.language))

    @database_sync_to_async
    def _count(self) -> int:
        return services.unread_count(self.scope["user"])
