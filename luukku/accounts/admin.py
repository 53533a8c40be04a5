"""Staff accounts and roles in the admin.

Accounts are created and changed by the region admin. Organisation admins grant and remove roles
in their own organisations (and units), but never the region admin role.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import ForeignKey, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Membership, User
from .permissions import is_region_admin, organisation_scope
from .roles import MANAGE_MEMBERS, Role


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("organisation", "role", "granted_at")
    readonly_fields = ("granted_at",)
    autocomplete_fields = ("organisation",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin without groups and model permissions: roles replace them."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("is_staff", "last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", "memberships__role")
    filter_horizontal = ()
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organisation", "granted_at")
    list_filter = ("role",)
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "organisation__name_fi",
    )
    list_select_related = ("user", "organisation")
    # The organisation is a plain select: it lists only the organisations the user manages.
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        memberships = super().get_queryset(request)
        scope = organisation_scope(request.user, MANAGE_MEMBERS)
        return memberships if scope is None else memberships.filter(organisation__in=scope)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        if db_field.name == "organisation":
            scope = organisation_scope(request.user, MANAGE_MEMBERS)
            if scope is not None:
                kwargs["queryset"] = scope
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.TypedChoiceField | None:
        if db_field.name == "role" and not is_region_admin(request.user):
            kwargs["choices"] = [
                (value, label) for value, label in Role.choices if value != Role.REGION_ADMIN
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_touch(request, obj)

    def _may_touch(self, request: HttpRequest, obj: Membership | None) -> bool:
        """Only the region admin changes or removes a region admin role."""
        return obj is None or obj.role != Role.REGION_ADMIN or is_region_admin(request.user)
