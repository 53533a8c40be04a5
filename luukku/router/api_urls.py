"""Routes of the routing API, mounted at /api/v1/routing/."""

from django.urls import path

from luukku.router import api

app_name = "routing-api"
urlpatterns = [
    path("suggest", api.SuggestView.as_view(), name="suggest"),
]
