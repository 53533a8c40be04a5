"""The unread count in the site header: one COUNT query, only for logged-in users."""

from __future__ import annotations

from typing import Any

from django import template

from ..services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context) -> int:
    user: Any = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user)
