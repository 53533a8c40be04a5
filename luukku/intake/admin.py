"""Admin for API clients, service attributes and incoming requests, scoped by organisation.

Requests arrive from customers: nobody adds or deletes them here. Opening a request shows
its contact details, a read of personal data: it is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from luukku.accounts.permissions import has_permission, is_region_admin, organisation_scope
from luukku.accounts.roles import MANAGE_CATALOGUE, VIEW_STAFF_PAGES
from luukku.core import audit

from . import services
from .models import ApiClient, RequestEvent, ServiceAttribute, ServiceRequest


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Keys are installation-wide, so only the region admin manages them."""

    list_display = (
        "name",
        "key_prefix",
        "organisation",
        "is_active",
        "throttle_rate",
        "created_at",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "created_at")
    fields = ("name", "organisation", "is_active", "throttle_rate", "key_prefix", "created_at")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_region_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_region_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_region_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_region_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: past requests keep pointing at their client

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        raw_key = obj.set_new_key()
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _("The API key of %(name)s, shown only now: %(key)s")
            % {"name": obj.name, "key": raw_key},
        )


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ("service", "code", "datatype", "required", "order")
    list_select_related = ("service",)
    search_fields = ("service__slug", "code")
    autocomplete_fields = ("service",)

    def _allowed(self, request: HttpRequest) -> bool:
        return has_permission(request.user, MANAGE_CATALOGUE)

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

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceAttribute]:
        attributes = super().get_queryset(request)
        scope = organisation_scope(request.user, MANAGE_CATALOGUE)
        if scope is None:
            return attributes
        return attributes.filter(service__roles__organisation__in=scope).distinct()


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ("at", "state", "note", "handler")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


CONTACT_FIELDS = ("email", "first_name", "last_name", "phone", "consent", "consent_text")


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = (
        "service_request_id",
        "kind",
        "service",
        "status",
        "detailed_status",
        "moderation",
        "agency_responsible",
        "requested_at",
    )
    list_filter = ("status", "detailed_status", "moderation", "kind", "channel")
    list_select_related = ("service", "agency_responsible")
    search_fields = ("service_request_id",)
    date_hierarchy = "requested_at"
    inlines = (RequestEventInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "service_request_id",
                    "kind",
                    "service",
                    "agency_responsible",
                    "status",
                    "detailed_status",
                    "moderation",
                    "status_notes",
                )
            },
        ),
        (
            _("Feedback"),
            {"fields": ("title", "description", "attributes", "media_urls", "merged_into")},
        ),
        (
            _("Place"),
            {"fields": ("lat", "long", "address_string", "address_id", "service_object_id")},
        ),
        (_("Contact details (personal data)"), {"fields": CONTACT_FIELDS}),
        (
            _("Source"),
            {
                "fields": (
                    "channel",
                    "api_client",
                    "jurisdiction_id",
                    "locale",
                    "client_tracking_code",
                    "requested_at",
                    "updated_at",
                )
            },
        ),
    )
    editable = ("moderation", "status_notes")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        every: list[str] = []
        for _name, options in self.fieldsets:
            every.extend(str(field) for field in options["fields"])
        return [field for field in every if field not in self.editable]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_permission(request.user, VIEW_STAFF_PAGES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_permission(request.user, VIEW_STAFF_PAGES)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_permission(request.user, VIEW_STAFF_PAGES)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceRequest]:
        """Staff see the requests their organisations answer for; triage is the region's."""
        requests = super().get_queryset(request)
        scope = organisation_scope(request.user, VIEW_STAFF_PAGES)
        if scope is None:
            return requests
        return requests.filter(agency_responsible__in=scope)

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
                    actor=request.user,
                    target=shown,
                    purpose="admin: request with contact details",
                    request=request,
                )
        return response

    def save_model(
        self, request: HttpRequest, obj: ServiceRequest, form: Any, change: bool
    ) -> None:
        if "moderation" in form.changed_data:
            services.set_moderation(request=obj, moderation=obj.moderation)
        if "status_notes" in form.changed_data:
            obj.save(update_fields=["status_notes", "updated_at"])
