"""Operational endpoints that belong to no feature."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Caches that live in the app server's own memory cannot be down; only a shared one is checked.
LOCAL_CACHE_BACKENDS = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    # A read of a key nobody writes: a round trip to Redis that changes nothing.
    cache.get("luukku:healthz")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make run-prod`: 200 when this app server can reach the database
    (and the shared cache, when one is configured), 503 naming the part that failed. No login,
    no personal data, no error text (it could carry a host name or credentials)."""
    checks = {"database": _check_database}
    if settings.CACHES["default"]["BACKEND"] not in LOCAL_CACHE_BACKENDS:
        checks["cache"] = _check_cache
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            logger.warning("Health check: %s failed (%s).", name, type(error).__name__)
            results[name] = "error"
        else:
            results[name] = "ok"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )
