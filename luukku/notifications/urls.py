"""The staff's own in-app notifications, mounted under /staff/notifications/ in luukku/urls.py."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("luettu/", views.mark_read, name="mark_read"),
]
