"""The issue's check: "the outbox with the worker stopped".

Real pieces only: the local Redis broker (a database number of its own), a real
`celery -A luukku worker` subprocess, and the PostgreSQL test database, which the worker reaches
because a transactional test commits its rows. Notifications written while no worker runs stay
pending, including one written while the broker itself was unreachable; once the worker starts
every one is delivered exactly once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email import message_from_string
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from django.conf import settings
from django.db import connection, transaction

from luukku.celery import app
from luukku.notifications.models import Notification
from luukku.notifications.services import notify

BROKER_URL = os.environ.get("LUUKKU_TEST_BROKER_URL", "redis://127.0.0.1:6379/11")
UNREACHABLE_BROKER_URL = "redis://127.0.0.1:1/11"
WORKER_DEADLINE_SECONDS = 30
REPO_ROOT = Path(settings.BASE_DIR)

pytestmark = pytest.mark.django_db(transaction=True)


def redis_or_skip() -> Any:
    import redis

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis broker at {BROKER_URL}")
    return client


def database_url() -> str:
    """The test database (test_luukku_<x>) as a URL for the worker's DATABASE_URL."""
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def use_broker(url: str) -> None:
    """Point the already-configured Celery app at `url`, with eager mode off."""
    app.conf.update(
        task_always_eager=False,
        broker_url=url,
        broker_connection_retry=False,
        broker_transport_options={"max_retries": 0},
        task_publish_retry=False,
    )
    drop_connections()


def drop_connections() -> None:
    """Celery keeps its connection and producer pools for the URL they were made with.

    The pools live in kombu's process-wide registry keyed by broker URL: closing one without
    clearing the registry leaves the closed pool there for every later task in this process
    (eager ones included), which then fail with "Acquire on closed pool".
    """
    celery_app: Any = app
    kombu.pools.reset()  # closes every pool and empties the registry
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def real_broker() -> Iterator[Any]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker subprocess must see the test's rows: run with a PostgreSQL DATABASE_URL"
        )
    client = redis_or_skip()
    client.flushdb()  # this test's own database number: stale messages from earlier runs go
    saved = {
        key: app.conf[key]
        for key in (
            "task_always_eager",
            "broker_url",
            "broker_connection_retry",
            "broker_transport_options",
            "task_publish_retry",
        )
    }
    yield client
    use_broker(BROKER_URL)
    app.conf.update(saved)
    drop_connections()
    client.flushdb()


def start_worker(email_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "luukku.notifications.tests.worker_settings",
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": BROKER_URL,
        "LUUKKU_TEST_EMAIL_DIR": str(email_dir),
        "LOG_LEVEL": "WARNING",
    }
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(  # noqa: S603 - our own venv's celery, fixed arguments
        [
            str(celery),
            "-A",
            "luukku",
            "worker",
            "--pool=threads",
            "--concurrency=2",  # two drains at once, as with several workers
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> str:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)  # warm shutdown
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
    assert worker.stdout is not None
    return worker.stdout.read().decode(errors="replace")


def subjects_in(email_dir: Path) -> Counter[str]:
    """Subjects of every e-mail the file backend wrote (one file per connection, messages
    separated by a line of 79 dashes)."""
    subjects: Counter[str] = Counter()
    for path in email_dir.glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                subjects[str(message_from_string(chunk.strip())["Subject"])] += 1
    return subjects


def test_outbox_waits_for_a_stopped_worker_and_delivers_each_once_when_it_returns(
    real_broker: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    # 1. The broker is down: the change commits, the row waits, the request does not fail.
    use_broker(UNREACHABLE_BROKER_URL)
    with caplog.at_level(logging.WARNING), transaction.atomic():
        notify(
            kind="escalation",
            subject="Written while the broker was down",
            body="b",
            address="lead@example.fi",
        )
    assert "drain not queued" in caplog.text

    # 2. The broker is up but no worker runs: drains are queued, nothing is sent.
    use_broker(BROKER_URL)
    for number in range(5):
        with transaction.atomic():
            notify(
                kind="assignment",
                subject=f"Assignment {number}",
                body="b",
                address=f"handler{number}@example.fi",
            )
    with transaction.atomic():
        notify(kind="customer_update", subject="Rolled back", body="b", address="x@example.fi")
        transaction.set_rollback(True)
    time.sleep(1)
    assert real_broker.llen("celery") == 5  # one queued drain per committed transaction
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 6
    assert not list(tmp_path.glob("*.log"))

    # 3. The worker starts: everything committed is delivered, exactly once.
    worker = start_worker(tmp_path)
    output = ""
    try:
        deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
        while time.monotonic() < deadline and worker.poll() is None:
            if not Notification.objects.filter(status=Notification.Status.PENDING).exists():
                break
            time.sleep(0.3)
        time.sleep(1)  # let the remaining queued drains run: they must find nothing to send
    finally:
        output = stop_worker(worker)

    pending = Notification.objects.filter(status=Notification.Status.PENDING).count()
    assert pending == 0, f"worker did not deliver within {WORKER_DEADLINE_SECONDS} s:\n{output}"
    assert subjects_in(tmp_path) == Counter(
        ["Written while the broker was down"] + [f"Assignment {n}" for n in range(5)]
    )
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
