"""WebSocket routes of the notifications app, mounted by luukku/asgi.py."""

from django.urls import path

from .consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
