"""A staff member's in-app notifications: only one's own, listed and marked read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Notification

UNREAD_SHOWN = 200
RECENTLY_READ_SHOWN = 20


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unread = services.unread_for(user)
    recently_read = (
        Notification.objects.filter(
            recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=False
        )
        .only("subject", "body", "created_at", "read_at")
        .order_by("-read_at", "-pk")[:RECENTLY_READ_SHOWN]
    )
    unread_list = list(unread[:UNREAD_SHOWN])
    # Counted only when the list is cut: the usual short list costs no second query.
    total = unread.count() if len(unread_list) == UNREAD_SHOWN else len(unread_list)
    return render(
        request,
        "notifications/inbox.html",
        {
            "unread": unread_list,
            "unread_total": total,
            "recently_read": recently_read,
        },
    )


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    ids: list[int] | None = None
    if not request.POST.get("all"):
        ids = [int(value) for value in request.POST.getlist("notification") if value.isdigit()]
    count = services.mark_read(user=user, notification_ids=ids)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.",
            "%(count)d notifications marked read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications:inbox")
