"""Test settings: the same as production's shape, with fast hashing and no throttling noise."""

import os

# The development defaults (the demo key among them), also for the subprocesses tests start;
# pytest-django still runs each test with DEBUG off.
os.environ.setdefault("DJANGO_DEBUG", "1")

from .settings import *  # noqa: E402, F403
from .settings import REST_FRAMEWORK  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
# Every test posts from 127.0.0.1: the form's rate-limit tests set their own small rate.
INTAKE_FORM_RATE = "100000/3600"
SURVEYS_SUBMIT_RATE = ""
