"""Admin for the router: model versions (activate an earlier one), examples and triage items.

Only the region admin sees these: the examples and triage items are customers' own words, and a
model version changes how every message in the region is routed. Opening an example or a triage
item is a read of what a customer wrote: it is written to the audit log. Triage is decided in
the staff work queue, not here; here nothing is added or edited by hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from luukku.accounts.permissions import is_region_admin
from luukku.core import audit
from luukku.core.models import AuditEvent

from . import training
from .models import RouterModel, RoutingExample, TriageItem


class _RegionAdminOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_region_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_region_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _AuditedReads(_RegionAdminOnly):
    read_purpose = ""

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            shown = self.get_object(request, object_id)
            if shown is not None:
                audit.record_read(
                    actor=request.user, target=shown, purpose=self.read_purpose, request=request
                )
        return response


@admin.register(RouterModel)
class RouterModelAdmin(_RegionAdminOnly):
    list_display = ("version", "created_at", "is_active", "algorithm", "cross_validated_top1")
    readonly_fields = ("version", "created_at", "is_active", "algorithm", "parameters", "report")
    fields = readonly_fields
    actions = ["activate"]

    @admin.display(description=_("cross-validated top-1"))
    def cross_validated_top1(self, obj: RouterModel) -> str:
        value = obj.report.get("cross_validation", {}).get("top1")
        return f"{100 * value:.1f} %" if isinstance(value, int | float) else "–"

    def get_queryset(self, request: HttpRequest) -> QuerySet[RouterModel]:
        return super().get_queryset(request).defer("blob")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the action; every field stays read-only.
        return is_region_admin(request.user)

    @admin.action(description=_("Make the selected version the active one"))
    def activate(self, request: HttpRequest, queryset: QuerySet[RouterModel]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return
        model = queryset.get()
        training.activate_version(model)
        audit.record(
            action=AuditEvent.Action.UPDATE,
            actor=request.user,
            target=model,
            purpose="activate router model version",
            request=request,
        )
        self.message_user(request, _("Router model v%(v)s is now active.") % {"v": model.version})


@admin.register(RoutingExample)
class RoutingExampleAdmin(_AuditedReads):
    list_display = ("service", "language", "source", "created_at")
    list_filter = ("source", "language")
    list_select_related = ("service",)
    readonly_fields = ("text", "service", "language", "source", "created_at")
    fields = readonly_fields
    read_purpose = "admin: routing example"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A wrong example would teach every later model the mistake.
        return is_region_admin(request.user)


@admin.register(TriageItem)
class TriageItemAdmin(_AuditedReads):
    list_display = ("created_at", "source", "source_id", "status", "decided_service")
    list_filter = ("status", "source")
    list_select_related = ("decided_service",)
    readonly_fields = (
        "text",
        "language",
        "suggestions",
        "source",
        "source_id",
        "status",
        "decided_service",
        "decided_by",
        "decided_at",
        "created_at",
    )
    fields = readonly_fields
    read_purpose = "admin: triage item"
