"""ASGI entry point: HTTP through Django, WebSockets through Django Channels.

The production server runs this under gunicorn with uvicorn workers (deploy/gunicorn.conf.py).
WebSockets pass the origin check (ALLOWED_HOSTS) and session authentication before a route sees
them; real-time events between processes go through the channel layer (Redis in production,
settings.CHANNEL_LAYERS).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
# Set up Django (apps, models) before importing anything that touches them.
django_asgi_app = get_asgi_application()

# channels ships no type information.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import (  # noqa: E402
    ProtocolTypeRouter,
    URLRouter,
)
from channels.security import websocket as channels_websocket  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from luukku.core.text import warm_up  # noqa: E402
from luukku.notifications.routing import websocket_urlpatterns  # noqa: E402

http_app = django_asgi_app
if os.environ.get("LUUKKU_SERVE_STATIC") == "1":
    # `make run-prod` on one machine only: the app serves /static/ itself. A real deploy puts a
    # web server (or a CDN) in front that serves the collected files (STATIC_ROOT).
    http_app = ASGIStaticFilesHandler(django_asgi_app)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": channels_websocket.AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Load the search dictionaries (about 3 s and 400 MB for Finnish) before the first request
# rather than during it; with a pre-forking server (gunicorn --preload) the workers share them.
warm_up()
