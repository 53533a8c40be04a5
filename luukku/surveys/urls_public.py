"""Public survey pages (answering, kiosk), mounted under /kysely/."""

from django.urls import URLPattern

app_name = "surveys"

urlpatterns: list[URLPattern] = []
