"""The Open311 request limits counted in Redis, as production runs them (the other tests use the
in-memory cache): the window's count, its expiry, and a Redis outage that must not refuse."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from luukku.intake.open311 import throttling

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_throttle(monkeypatch) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the CI machine and `make run-prod` have one)")
    monkeypatch.setattr(throttling, "_redis", lambda: client)
    yield client
    for key in client.scan_iter(f"{throttling.KEY_PREFIX}:*"):
        client.delete(key)


def test_the_limit_refuses_the_request_after_the_allowed_count(redis_throttle):
    ident = uuid.uuid4().hex
    waits = [throttling.allow(scope="ip", ident=ident, rate="3/minute") for _ in range(5)]
    assert waits[:3] == [None, None, None]
    assert all(wait is not None and 1 <= wait <= 60 for wait in waits[3:])


def test_each_ident_and_scope_has_its_own_count(redis_throttle):
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert throttling.allow(scope="ip", ident=first, rate="1/minute") is None
    assert throttling.allow(scope="ip", ident=second, rate="1/minute") is None
    assert throttling.allow(scope="key", ident=first, rate="1/minute") is None
    assert throttling.allow(scope="ip", ident=first, rate="1/minute") is not None


def test_the_window_expires_with_its_period(redis_throttle):
    ident = uuid.uuid4().hex
    throttling.allow(scope="ip", ident=ident, rate="5/minute")
    throttling.allow(scope="ip", ident=ident, rate="5/minute")
    [key] = list(redis_throttle.scan_iter(f"{throttling.KEY_PREFIX}:ip:{ident}:*"))
    assert redis_throttle.get(key) == b"2"
    # Set once by the first request of the window and not pushed back by later ones.
    assert 0 < redis_throttle.ttl(key) <= 61


def test_a_redis_outage_lets_requests_through(monkeypatch, caplog):
    broken = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(throttling, "_redis", lambda: broken)
    assert throttling.allow(scope="ip", ident="10.0.0.1", rate="1/minute") is None
    assert "not counted" in caplog.text
    assert "10.0.0.1" not in caplog.text
