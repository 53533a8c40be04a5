"""Organisations in the admin: catalogue managers look them up, the region admin changes them."""

from __future__ import annotations

from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "organisation_type", "business_id", "parent", "municipality")
    list_filter = ("organisation_type",)
    search_fields = ("name_fi", "name_sv", "name_en", "business_id", "slug")
    list_select_related = ("parent", "municipality")
    autocomplete_fields = ("parent", "municipality")
    prepopulated_fields = {"slug": ("name_fi",)}
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name_fi", "name_sv", "name_en", "slug", "organisation_type")}),
        (None, {"fields": ("business_id", "parent", "municipality")}),
        ("PTV", {"fields": ("ptv_id", "created_at", "updated_at")}),
    )
