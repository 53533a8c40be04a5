"""Draining the outbox: sending, retrying with backoff, giving up visibly, masking."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from luukku.accounts.tests.factories import UserFactory
from luukku.notifications import senders
from luukku.notifications.models import Notification
from luukku.notifications.services import notify, schedule_drain
from luukku.notifications.tasks import backoff_after, drain

PHONE = "040 123 4567"


class FailingSmsSender:
    """An SMS gateway that is down; its error quotes the number, as real gateways do."""

    calls = 0

    def send(self, address: str, body: str) -> None:
        FailingSmsSender.calls += 1
        raise ConnectionError(f"gateway refused {address}")


class RecordingSmsSender:
    sent: list[tuple[str, str]] = []

    def send(self, address: str, body: str) -> None:
        RecordingSmsSender.sent.append((address, body))


@pytest.fixture(autouse=True)
def _reset_senders() -> None:
    FailingSmsSender.calls = 0
    RecordingSmsSender.sent = []


def sms(text: str = "Your case was updated") -> Notification:
    return notify(
        kind="customer_update",
        subject="Update",
        body=text,
        channel=Notification.Channel.SMS,
        address=PHONE,
    )


@pytest.mark.django_db
def test_failed_sms_is_retried_with_growing_pauses_then_marked_failed(settings: Any):
    settings.LUUKKU_SMS_BACKEND = "luukku.notifications.tests.test_delivery.FailingSmsSender"
    settings.LUUKKU_NOTIFICATION_MAX_ATTEMPTS = 3
    notification = sms()
    start = timezone.now()

    assert drain(now=start).retried == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert notification.next_attempt_at == start + timedelta(minutes=1)
    assert "ConnectionError" in notification.last_error
    assert "4567" not in notification.last_error  # the number is masked in the admin too

    # Not due yet: nobody calls the gateway.
    assert drain(now=start + timedelta(seconds=30)) == drain(now=start)  # both empty
    assert FailingSmsSender.calls == 1

    second = start + timedelta(minutes=1)
    drain(now=second)
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.next_attempt_at == second + timedelta(minutes=2)

    result = drain(now=second + timedelta(minutes=2))
    assert result.failed == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3
    assert notification.sent_at is None
    # A failed notification is never picked again.
    drain(now=start + timedelta(days=1))
    assert FailingSmsSender.calls == 3


def test_backoff_doubles_and_is_capped():
    assert [backoff_after(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert backoff_after(30) == timedelta(hours=6)


@pytest.mark.django_db
def test_gateway_that_comes_back_delivers_the_waiting_sms(settings: Any):
    settings.LUUKKU_SMS_BACKEND = "luukku.notifications.tests.test_delivery.FailingSmsSender"
    notification = sms("Your permit is ready")
    drain()
    settings.LUUKKU_SMS_BACKEND = "luukku.notifications.tests.test_delivery.RecordingSmsSender"
    drain(now=timezone.now() + timedelta(minutes=2))
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.last_error == ""
    assert RecordingSmsSender.sent == [(PHONE, "Your permit is ready")]


@pytest.mark.django_db
def test_a_message_with_a_secret_is_sent_in_full_then_emptied_in_the_outbox(settings: Any):
    settings.LUUKKU_SMS_BACKEND = "luukku.notifications.tests.test_delivery.RecordingSmsSender"
    notification = notify(
        kind="survey_invitation",
        subject="How did we do?",
        body="Answer here: https://example.fi/kysely/k/secret-token/",
        channel=Notification.Channel.SMS,
        address=PHONE,
        forget_body_when_sent=True,
    )
    drain()

    notification.refresh_from_db()
    assert RecordingSmsSender.sent == [
        (PHONE, "Answer here: https://example.fi/kysely/k/secret-token/")
    ]
    assert notification.status == Notification.Status.SENT
    assert notification.body == ""


@pytest.mark.django_db
def test_default_sms_sender_logs_with_the_number_masked(caplog: pytest.LogCaptureFixture):
    sms(f"Call us back at {PHONE}")
    with caplog.at_level(logging.INFO, logger="luukku.notifications.senders"):
        drain()
    assert "SMS to" in caplog.text
    assert "4567" not in caplog.text
    assert Notification.objects.get().status == Notification.Status.SENT


@pytest.mark.django_db
def test_email_to_a_user_without_address_is_failed_not_raised():
    user = UserFactory.create(email="")
    notification = notify(kind="assignment", subject="New task", body="b", recipient=user)
    assert notification.status == Notification.Status.FAILED
    assert "no e-mail address" in notification.last_error
    drain()
    assert mail.outbox == []


@pytest.mark.django_db
def test_broker_down_keeps_the_row_and_logs_no_personal_data(
    caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(kind="assignment", subject="s", body="b", address="maija@example.fi")
    broken = OperationalError(
        "Error connecting to redis://:secret@broker:6379 for maija@example.fi"
    )
    with (
        mock.patch("luukku.notifications.tasks.deliver_pending.delay", side_effect=broken),
        caplog.at_level(logging.WARNING),
    ):
        for callback in callbacks:
            callback()
    assert Notification.objects.get().status == Notification.Status.PENDING
    assert "OperationalError" in caplog.text
    assert "maija" not in caplog.text
    assert "secret" not in caplog.text
    # The periodic drain sends it.
    drain()
    assert [m.to for m in mail.outbox] == [["maija@example.fi"]]


@pytest.mark.django_db
def test_admin_lists_failed_notifications_and_sends_them_again(client: Client, settings: Any):
    settings.LUUKKU_SMS_BACKEND = "luukku.notifications.tests.test_delivery.FailingSmsSender"
    settings.LUUKKU_NOTIFICATION_MAX_ATTEMPTS = 1
    notification = sms()
    drain()
    admin_user = UserFactory.create(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    changelist = reverse("admin:notifications_notification_changelist")

    page = client.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "ConnectionError" in page

    settings.LUUKKU_SMS_BACKEND = "luukku.notifications.tests.test_delivery.RecordingSmsSender"
    client.post(
        changelist,
        {"action": "retry_now", "_selected_action": [notification.pk]},
    )
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT  # eager drain in tests
    assert len(RecordingSmsSender.sent) == 1


@pytest.mark.django_db
def test_schedule_drain_sends_due_rows_only():
    notify(kind="k", subject="Due", body="b", address="a@example.fi")
    later = notify(kind="k", subject="Later", body="b", address="b@example.fi")
    Notification.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    schedule_drain()  # eager in tests: runs the task at once
    assert [m.subject for m in mail.outbox] == ["Due"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_send_every_notification_exactly_once(settings: Any):
    """Four workers drain the same outbox at once: SKIP LOCKED gives each row to one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL; SQLite runs one worker")
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            kind="k",
            subject=f"Message {number}",
            body="b",
            address=f"person{number}@example.fi",
            next_attempt_at=now,
        )
        for number in range(40)
    )
    senders_by_subject: Counter[str] = Counter()
    threads_that_sent: set[str] = set()
    lock = threading.Lock()

    def slow_send(address: str, subject: str, body: str) -> None:
        time.sleep(0.01)  # long enough for the other drains to reach the same rows
        with lock:
            senders_by_subject[subject] += 1
            threads_that_sent.add(threading.current_thread().name)

    def worker() -> None:
        try:
            drain(batch_size=3)
        finally:
            connection.close()

    with mock.patch.object(senders, "send_email", slow_send):
        threads = [threading.Thread(target=worker, name=f"drain-{n}") for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert sorted(senders_by_subject) == sorted(f"Message {n}" for n in range(40))
    assert set(senders_by_subject.values()) == {1}
    assert len(threads_that_sent) > 1
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()


def test_beat_drains_the_outbox_every_minute(settings: Any):
    from luukku.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["notifications-deliver-pending"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 60
