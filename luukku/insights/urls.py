"""Staff insight pages, mounted under /staff/insights/."""

from django.urls import URLPattern

app_name = "insights"

urlpatterns: list[URLPattern] = []
