"""Admin for cases: the region admin looks, the services change.

Cases, tasks, consents and the timeline are read-only here: every change must go through
`services` so that it writes its event and keeps the one-owner rule. Notes are not shown at all
(they may hold social and health content, which the case page guards). Customers are shown
without their identity code, not even masked; opening one is an audited read. Service levels
are configuration, edited by the region admin and the catalogue managers of the service's own
organisations.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from luukku.accounts.admin_base import ReadOnlyInline, RegionAdminReadOnly
from luukku.accounts.permissions import has_permission, is_region_admin, organisation_scope
from luukku.accounts.roles import MANAGE_CATALOGUE
from luukku.catalogue.models import Service
from luukku.core import audit

from .models import Case, CaseEvent, Consent, Customer, ServiceLevel, Task


class TaskInline(ReadOnlyInline):
    model = Task
    fields = ("service", "organisation", "assignee", "status", "next_action_on", "due_at")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ("at", "kind", "actor", "from_owner", "to_owner", "reason")


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ("organisation", "scope", "includes_social_health", "given_at", "revoked_at")


@admin.register(Case)
class CaseAdmin(RegionAdminReadOnly):
    list_display = (
        "reference",
        "title",
        "status",
        "owner",
        "owner_unit",
        "next_action_on",
        "due_at",
        "owner_changes",
        "outcome",
    )
    list_filter = ("status", "outcome", "channel", "first_contact_resolution")
    list_select_related = ("owner", "owner_unit")
    search_fields = ("reference",)
    date_hierarchy = "opened_at"
    exclude = ("description",)
    inlines = (TaskInline, ConsentInline, CaseEventInline)


@admin.register(Customer)
class CustomerAdmin(RegionAdminReadOnly):
    list_display = ("name", "kind", "business_id", "municipality", "created_at")
    list_filter = ("kind",)
    search_fields = ("business_id",)
    exclude = ("identity_code_hash", "identity_code_masked")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        customer = self.get_object(request, object_id)
        if customer is not None and self.has_view_permission(request, customer):
            audit.record_read(
                actor=request.user,
                target=customer,
                purpose=str(_("Customer opened in the admin")),
                request=request,
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = ("service", "first_response_hours", "resolution_days", "stalled_after_days")
    list_select_related = ("service",)
    search_fields = ("service__slug",)
    autocomplete_fields = ("service",)

    def _allowed(self, request: HttpRequest) -> bool:
        return is_region_admin(request.user) or has_permission(request.user, MANAGE_CATALOGUE)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceLevel]:
        """A catalogue manager sees the levels of their own organisations' services only."""
        levels = super().get_queryset(request)
        scope = organisation_scope(request.user, MANAGE_CATALOGUE)
        if scope is None:
            return levels
        return levels.filter(service__in=Service.objects.filter(roles__organisation__in=scope))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        """A new level may be set only for a service of the user's own organisations."""
        if db_field.name == "service":
            scope = organisation_scope(request.user, MANAGE_CATALOGUE)
            if scope is not None:
                kwargs["queryset"] = Service.objects.filter(
                    pk__in=Service.objects.filter(roles__organisation__in=scope)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)
