"""ASGI entry point (for daphne/uvicorn; real-time features arrive with Channels)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
application = get_asgi_application()
