"""Admin building blocks for records that only the region admin looks at and nobody edits.

Cases and survey answers change only through their services (events, audit, rules); the admin
is a window for the region admin, never a way around the staff pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .permissions import is_region_admin


class RegionAdminReadOnly(admin.ModelAdmin):
    """Visible to the region admin only, and never changed here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_region_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_region_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
