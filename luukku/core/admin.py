"""The audit log in the admin: read-only, for holders of the audit-log permission."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes audit rows here: the trail is append-only.

    Who may read it comes from `core.view_auditevent` (granted by roles); which rows, from the
    user model's `audit_actor_scope()` (the region admin reads all, an organisation admin the
    events of their organisations' staff).
    """

    list_display = (
        "at",
        "actor_label",
        "action",
        "content_type",
        "object_id",
        "purpose",
        "ip_address",
    )
    list_filter = ("action", "content_type")
    search_fields = ("actor_label", "object_id", "purpose")
    date_hierarchy = "at"
    list_select_related = ("content_type",)
    fields = (
        "at",
        "actor",
        "actor_label",
        "action",
        "content_type",
        "object_id",
        "purpose",
        "ip_address",
        "details",
    )
    readonly_fields = fields
    show_full_result_count = False  # a count(*) over millions of rows on every page is slow

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        events = super().get_queryset(request)
        user: Any = request.user
        if user.is_superuser:
            return events
        scope = getattr(user, "audit_actor_scope", None)
        actors = scope() if callable(scope) else user.__class__.objects.none()
        if actors is None:
            return events
        return events.filter(actor__in=actors)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
