"""A database that is down answers 503 with Retry-After, not 500 with a traceback.

While PostgreSQL restarts (a failover, an upgrade, a crash) every request that touches it fails.
Without this a client gets a 500 "server error", which says "our bug" and invites no retry, and
the log fills with one traceback per request. With it the client gets 503 and Retry-After,
which well-behaved clients (and the Open311 clients' idempotent retries) wait out; the log gets
one warning line per request. Nothing is stored in a request that failed this way: the
transaction never committed, so retrying the same submission is safe.

Only the database's "cannot talk to it" errors qualify (OperationalError, InterfaceError: refused
or dropped connections, a server shutting down or starting up); constraint violations and
programming errors stay 500s.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """Turns a view's lost database connection into 503 + Retry-After (see the module)."""

    sync_capable = True
    async_capable = True

    def __init__(
        self, get_response: Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]
    ) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self.__acall__(request)
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return await cast(Awaitable[HttpResponse], self.get_response(request))

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning(
            "Database unavailable, answered 503: %s %s (%s)",
            request.method,
            request.path,
            type(exception).__name__,
        )
        return unavailable_response(request)


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 in the form the caller reads: GeoReport's error list for Open311 (.json), DRF's
    {"detail": ...} for the JSON API, a line of text otherwise."""
    message = _("The service is temporarily unavailable. Please try again in a moment.")
    path = request.path
    if path.endswith(".json") and "/open311/" in path:
        body = json.dumps([{"code": 503, "description": message}])
        response = HttpResponse(body, status=503, content_type="application/json")
    elif path.startswith("/api/"):
        response = HttpResponse(
            json.dumps({"detail": message}), status=503, content_type="application/json"
        )
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
