"""Admin for staff ideas: the region admin looks and removes, the pages do the rest.

Ideas, comments and the history are read-only here: status changes must go through
`services.change_status` so that the history row is written and the author is told. The region
admin may delete an idea or a comment, which is how a customer's details pasted in by mistake
are taken out.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luukku.accounts.permissions import is_region_admin

from .models import Idea, IdeaComment, IdeaStatusChange


class RegionAdminModeration(admin.ModelAdmin):
    """Visible to the region admin only; never changed here, but may be deleted."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_region_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_region_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_region_admin(request.user)


class StatusChangeInline(admin.TabularInline):
    model = IdeaStatusChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "from_status", "to_status", "changed_by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Idea)
class IdeaAdmin(RegionAdminModeration):
    list_display = ("title", "kind", "status", "author_unit", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "description")
    list_select_related = ("author_unit",)
    inlines = [StatusChangeInline]


@admin.register(IdeaComment)
class IdeaCommentAdmin(RegionAdminModeration):
    list_display = ("idea", "author", "created_at")
    search_fields = ("body",)
    list_select_related = ("idea", "author")
