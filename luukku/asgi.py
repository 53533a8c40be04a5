"""ASGI entry point (for daphne/uvicorn; real-time features arrive with Channels)."""

import os

from django.core.asgi import get_asgi_application

from luukku.core.text import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
application = get_asgi_application()

# Load the search dictionaries (about 3 s and 400 MB for Finnish) before the first request
# rather than during it; with a pre-forking server (gunicorn --preload) the workers share them.
warm_up()
