"""Staff panel pages, mounted under /staff/panels/."""

from django.urls import URLPattern

app_name = "panels_staff"

urlpatterns: list[URLPattern] = []
