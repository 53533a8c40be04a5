"""Request limits per client IP and per API key, counted in the shared cache.

A fixed window counter (one atomic INCR per request) rather than DRF's throttle classes: those
keep a list of every request's time per client and rewrite it on each request, which at the
API's POST rate costs more than the request itself and loses counts under races.

With Redis as the cache the counter is one pipelined round trip (INCR + EXPIRE NX) on a client
kept for the process: Django's cache API builds a new Redis client for every call and needs
two calls (add, then incr), which together cost more than a request's own database query.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from functools import cache as memoize

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$", re.I)
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEY_PREFIX = "luukku:open311:throttle"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int


def parse_rate(rate: str) -> Rate | None:
    """ "120/minute" → Rate(120, 60); an empty or malformed rate is None (no limit)."""
    match = _RATE_RE.match(rate or "")
    if match is None:
        return None
    return Rate(int(match.group(1)), _PERIODS[match.group(2)[0].lower()])


def is_valid_rate(rate: str) -> bool:
    return parse_rate(rate) is not None


def validate_rate(rate: str) -> None:
    """Model-field validator: an API client's own rate must be one the throttle understands."""
    if rate and not is_valid_rate(rate):
        raise ValidationError(_("Give the rate as requests/period, e.g. 120/minute."))


def default_rate(kind: str) -> str:
    return str(getattr(settings, "OPEN311_THROTTLE_RATES", {}).get(kind, ""))


def allow(*, scope: str, ident: str, rate: str) -> int | None:
    """Count one request; None when it is allowed, else the seconds until the window turns."""
    parsed = parse_rate(rate)
    if parsed is None:
        return None
    now = int(time.time())
    window = now // parsed.seconds
    key = f"{KEY_PREFIX}:{scope}:{ident}:{window}"
    try:
        count = _count(key, ttl=parsed.seconds + 1)
    except redis.RedisError as error:
        # A limit we cannot count must not turn away the residents' feedback: let it through.
        logger.warning("Open311 throttle not counted: %s", type(error).__name__)
        return None
    if count > parsed.requests:
        return max((window + 1) * parsed.seconds - now, 1)
    return None


@memoize
def _redis() -> redis.Redis | None:
    """The process's own client of the cache's Redis, or None when the cache is not Redis."""
    if not isinstance(caches["default"], RedisCache):
        return None
    location = settings.CACHES["default"]["LOCATION"]
    return redis.Redis.from_url(location if isinstance(location, str) else location[0])


def _count(key: str, *, ttl: int) -> int:
    client = _redis()
    if client is not None:
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, ttl, nx=True)
        count, _ = pipeline.execute()
        return int(count)
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this request opens a new window
        cache.set(key, 1, timeout=ttl)
        return 1
