"""Staff pages for feedback, mounted under /staff/palaute/ in luukku/urls.py."""

from django.urls import path

from . import staff_views

app_name = "intake_staff"

urlpatterns = [
    path("<str:service_request_id>/yhdista/", staff_views.merge, name="merge"),
]
