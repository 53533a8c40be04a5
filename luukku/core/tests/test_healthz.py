"""/healthz/: what a load balancer sees of one app server."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

REDIS_DOWN = "redis://127.0.0.1:1/0"


def test_healthy_server_answers_ok_without_login_and_is_never_cached(client: Client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_database_down_is_503_naming_the_database(client: Client):
    with mock.patch(
        "luukku.core.views._check_database", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error"}}
    assert "refused" not in response.content.decode()


def test_a_real_database_failure_is_caught(client: Client):
    """Not a mock: the query itself fails (as on a closed connection) and the view says so."""
    from django.db import connection

    with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed")):
        response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


def test_shared_cache_is_checked_when_configured(client: Client, settings: Any):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_DOWN,
        }
    }
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "ok", "cache": "error"}}


def test_reachable_redis_cache_is_ok(client: Client, settings: Any):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/5"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_only_reads_are_allowed(client: Client):
    assert client.post("/healthz/").status_code == 405
    assert client.head("/healthz/").status_code == 200


def test_production_does_not_redirect_the_probe_to_https(client: Client, settings: Any):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    assert client.get("/healthz/").status_code == 200
    # ... while other pages are redirected: the exemption is what lets the probe through.
    assert client.get("/api/v1/services/").status_code == 301
