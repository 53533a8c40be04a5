"""Routes of the public JSON API (/api/v1/); the OpenAPI document is at /api/schema/."""

from django.urls import path

from luukku.catalogue import api

app_name = "api"
urlpatterns = [
    path("services", api.ServiceListView.as_view(), name="service-list"),
    path("services/<slug:slug>", api.ServiceDetailView.as_view(), name="service-detail"),
]
