"""Survey answer API, mounted under /api/v1/surveys/."""

from django.urls import URLPattern

app_name = "surveys_api"

urlpatterns: list[URLPattern] = []
