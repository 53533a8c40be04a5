"""notify() writes the outbox row with the caller's change, and only then is it delivered."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from luukku.accounts.tests.factories import UserFactory
from luukku.notifications.models import Notification
from luukku.notifications.services import NotificationError, notify

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_notification_of_a_rolled_back_change_is_never_written_nor_sent(
    django_capture_on_commit_callbacks,
):
    def change_that_fails() -> None:
        with transaction.atomic():
            notify(kind="assignment", subject="New task", body="x", address="a@example.fi")
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        change_that_fails()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_committed_notification_is_sent_once_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory.create(email="lead@example.fi")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            notification = notify(kind="assignment", subject="New task", body="Hi", recipient=user)
            notify(kind="assignment", subject="Another", body="Hi", recipient=user)
        # Nothing is sent inside the transaction.
        assert mail.outbox == []
    # One drain is queued for both rows.
    assert len(callbacks) == 1
    callbacks[0]()
    assert sorted(m.subject for m in mail.outbox) == ["Another", "New task"]
    assert mail.outbox[0].to == ["lead@example.fi"]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_same_dedupe_key_twice_writes_one_notification():
    first = notify(
        kind="escalation",
        subject="Late",
        body="b",
        address="x@example.fi",
        dedupe_key="escalation:case:17:2026-11-25",
    )
    second = notify(
        kind="escalation",
        subject="Late again",
        body="b",
        address="x@example.fi",
        dedupe_key="escalation:case:17:2026-11-25",
    )
    assert second.pk == first.pk
    assert Notification.objects.count() == 1


def test_sms_needs_a_number_and_in_app_a_recipient():
    with pytest.raises(NotificationError) as error:
        notify(kind="k", subject="s", body="b", channel=Notification.Channel.SMS)
    assert error.value.field == "address"
    with pytest.raises(NotificationError) as error:
        notify(kind="k", subject="s", body="b", channel=Notification.Channel.IN_APP)
    assert error.value.field == "recipient"
    assert not Notification.objects.exists()
