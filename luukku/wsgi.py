"""WSGI entry point for app servers (gunicorn, uwsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from luukku.core.text import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
application = get_wsgi_application()

# Load the search dictionaries (about 3 s and 400 MB for Finnish) before the first request
# rather than during it; with a pre-forking server (gunicorn --preload) the workers share them.
warm_up()
