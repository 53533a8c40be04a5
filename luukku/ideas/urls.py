"""Staff ideas pages, mounted under /staff/ideas/."""

from django.urls import URLPattern

app_name = "ideas"

urlpatterns: list[URLPattern] = []
