"""Settings for the Celery worker that test_worker_stopped.py starts as a real subprocess:
the normal settings, with e-mail written to files the test reads back."""

import os

from luukku.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["LUUKKU_TEST_EMAIL_DIR"]
