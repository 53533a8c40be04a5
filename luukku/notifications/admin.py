"""The outbox in the admin: what is pending, what failed and why, and a way to try again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification
from .services import schedule_drain


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["kind", "dedupe_key", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [
        "kind",
        "channel",
        "recipient",
        "address",
        "subject",
        "body",
        "language",
        "dedupe_key",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "sent_at",
        "read_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Notifications are written by notify() with the change they report, never by hand.
        return False

    @admin.action(description=_("Send again now (failed or pending)"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = queryset.exclude(status=Notification.Status.SENT).update(
            status=Notification.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
        )
        if count:
            schedule_drain()
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued for sending.",
                "%(count)d notifications queued for sending.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
