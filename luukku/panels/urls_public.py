"""Public panel pages (sign-up, published responses), mounted under /raati/."""

from django.urls import URLPattern

app_name = "panels"

urlpatterns: list[URLPattern] = []
