"""The public feedback pages, mounted under a language prefix in luukku/urls.py (/palaute/)."""

from django.urls import path

from . import views_public

app_name = "intake_public"

urlpatterns = [
    path("", views_public.start, name="start"),
    path("uusi/", views_public.write, name="write"),
    path("seuranta/", views_public.find, name="find"),
    path("seuranta/<str:service_request_id>/", views_public.status, name="status"),
]
