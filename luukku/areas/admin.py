"""Areas and their population figures in the admin (changed by the region admin only)."""

from __future__ import annotations

from django.contrib import admin

from .models import Area, PopulationGroup


class PopulationGroupInline(admin.TabularInline):
    model = PopulationGroup
    fk_name = "municipality"
    extra = 0
    fields = ("year", "age_band", "sex", "population", "approximate", "source")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name_fi", "name_sv", "code", "area_type", "parent")
    list_filter = ("area_type",)
    search_fields = ("name_fi", "name_sv", "name_en", "code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    inlines = [PopulationGroupInline]
