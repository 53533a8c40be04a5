"""Catalogue upkeep by staff in the Django admin, scoped to the staff member's organisations.

A user who manages the catalogue in some organisations sees and edits the services in which
those organisations (or their units) have a role, and the channels those organisations own.
The region admin sees everything. National code lists are read-only: `load_code_lists` owns them.
Saving a service's texts reindexes it for search (catalogue.signals).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from luukku.accounts.permissions import organisation_scope
from luukku.accounts.roles import MANAGE_CATALOGUE

from .models import (
    ChannelText,
    LifeEvent,
    MobileStop,
    Service,
    ServiceChannel,
    ServiceClass,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
    TargetGroup,
)


def _catalogue_scope(request: HttpRequest) -> QuerySet[Any] | None:
    return organisation_scope(request.user, MANAGE_CATALOGUE)


# --- Services ---------------------------------------------------------------------------------


class ServiceTextInline(admin.TabularInline):
    model = ServiceText
    extra = 0
    fields = ("language", "kind", "value")


class ScopedRolesFormSet(forms.BaseInlineFormSet):
    """A scoped user must leave one of their organisations in the service's roles.

    Otherwise the service would vanish from their own list the moment they saved it.
    """

    scope: QuerySet[Any] | None = None

    def clean(self) -> None:
        super().clean()
        if self.scope is None:
            return
        allowed = set(self.scope.values_list("pk", flat=True))
        kept = [
            form.cleaned_data["organisation"].pk
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("organisation") is not None
        ]
        if not allowed.intersection(kept):
            raise ValidationError(
                _("Give at least one of your own organisations a role in this service."),
                code="no_own_organisation",
            )


class ServiceOrganisationInline(admin.TabularInline):
    model = ServiceOrganisation
    formset = ScopedRolesFormSet
    extra = 1
    fields = ("organisation", "role", "provision_type")
    autocomplete_fields = ("organisation",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        # A new formset class per request: setting the scope on it does not leak between users.
        formset = cast(type[ScopedRolesFormSet], super().get_formset(request, obj, **kwargs))
        formset.scope = _catalogue_scope(request)
        return formset


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("slug", "finnish_name", "service_type", "domain", "area_type", "source")
    list_filter = ("domain", "service_type", "area_type", "source")
    search_fields = ("slug", "texts__value")
    autocomplete_fields = ("service_classes", "target_groups", "life_events", "areas", "channels")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("slug", "service_type", "domain", "charge_type", "accepts_feedback")}),
        (
            _("Classification"),
            {"fields": ("service_classes", "target_groups", "life_events", "languages")},
        ),
        (_("Where"), {"fields": ("area_type", "areas", "channels")}),
        (_("Source"), {"fields": ("ptv_id", "source", "created_at", "updated_at")}),
    )
    inlines = [ServiceTextInline, ServiceOrganisationInline]

    @admin.display(description=_("name (Finnish)"))
    def finnish_name(self, service: Service) -> str:
        return service.name("fi")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A service shared with other organisations is deleted only by the region admin."""
        if not super().has_delete_permission(request, obj):
            return False
        scope = _catalogue_scope(request)
        if obj is None or scope is None:
            return True
        return not obj.roles.exclude(organisation__in=scope).exists()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        services = super().get_queryset(request).prefetch_related("texts")
        scope = _catalogue_scope(request)
        if scope is None:
            return services
        return services.filter(pk__in=Service.objects.filter(roles__organisation__in=scope))


# --- Channels ---------------------------------------------------------------------------------


class ChannelTextInline(admin.TabularInline):
    model = ChannelText
    extra = 0
    fields = ("language", "kind", "value")


class ServiceHoursInline(admin.TabularInline):
    model = ServiceHours
    extra = 0
    fields = (
        "kind",
        "weekday",
        "opens",
        "closes",
        "is_closed",
        "valid_from",
        "valid_to",
        "description",
    )


class MobileStopInline(admin.TabularInline):
    model = MobileStop
    extra = 0
    fields = (
        "weekday",
        "arrives",
        "departs",
        "municipality",
        "place",
        "street_address",
        "latitude",
        "longitude",
    )
    autocomplete_fields = ("municipality",)


@admin.register(ServiceChannel)
class ServiceChannelAdmin(admin.ModelAdmin):
    list_display = (
        "slug",
        "finnish_name",
        "channel_type",
        "organisation",
        "municipality",
        "is_mobile",
    )
    list_filter = ("channel_type", "is_mobile")
    search_fields = ("slug", "texts__value", "street_address", "phone")
    list_select_related = ("organisation", "municipality")
    # The organisation is a plain select: it lists only the user's own organisations.
    autocomplete_fields = ("municipality", "areas")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("slug", "channel_type", "organisation", "is_mobile", "languages")}),
        (_("Contact"), {"fields": ("url", "phone", "phone_charge", "email")}),
        (
            _("Place"),
            {
                "fields": (
                    "street_address",
                    "postal_code",
                    "post_office",
                    "municipality",
                    "latitude",
                    "longitude",
                    "areas",
                )
            },
        ),
        (_("Source"), {"fields": ("ptv_id", "source", "created_at", "updated_at")}),
    )
    inlines = [ChannelTextInline, ServiceHoursInline, MobileStopInline]
    # An address typed without a scheme is taken as https (Django 6's default, and the right one).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("name (Finnish)"))
    def finnish_name(self, channel: ServiceChannel) -> str:
        return channel.name("fi")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceChannel]:
        channels = super().get_queryset(request).prefetch_related("texts")
        scope = _catalogue_scope(request)
        return channels if scope is None else channels.filter(organisation__in=scope)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "organisation":
            scope = _catalogue_scope(request)
            if scope is not None:
                kwargs["queryset"] = scope
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- National code lists (read-only) ----------------------------------------------------------


class CodeListAdmin(admin.ModelAdmin):
    list_display = ("code", "label_fi", "label_sv", "label_en", "parent")
    search_fields = ("code", "label_fi", "label_sv", "label_en")
    list_select_related = ("parent",)
    ordering = ("code",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.register(ServiceClass, CodeListAdmin)
admin.site.register(TargetGroup, CodeListAdmin)
admin.site.register(LifeEvent, CodeListAdmin)
