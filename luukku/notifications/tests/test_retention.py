"""The outbox keeps delivered notifications only for the retention period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from luukku.accounts.tests.factories import UserFactory
from luukku.notifications import services, tasks
from luukku.notifications.models import Notification

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def row(*, channel, status, sent_days_ago=None, read_days_ago=None, **fields):
    sent_at = NOW - timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    read_at = NOW - timedelta(days=read_days_ago) if read_days_ago is not None else None
    return Notification.objects.create(
        kind="test",
        subject="Asia A1",
        body="Asia A1 on nyt sinun vastuullasi.",
        channel=channel,
        status=status,
        sent_at=sent_at,
        read_at=read_at,
        address="" if channel == Notification.Channel.IN_APP else "kayttaja@example.fi",
        recipient=UserFactory.create() if channel == Notification.Channel.IN_APP else None,
        **fields,
    )


def test_delivered_notifications_older_than_the_retention_period_are_deleted(settings):
    settings.LUUKKU_NOTIFICATION_RETENTION_DAYS = 30
    sent, in_app = Notification.Status.SENT, Notification.Channel.IN_APP
    row(channel=Notification.Channel.EMAIL, status=sent, sent_days_ago=31)
    recent_email = row(channel=Notification.Channel.EMAIL, status=sent, sent_days_ago=29)
    row(channel=in_app, status=sent, sent_days_ago=60, read_days_ago=31)
    old_unread = row(channel=in_app, status=sent, sent_days_ago=60)
    failed = row(channel=Notification.Channel.EMAIL, status=Notification.Status.FAILED, attempts=8)
    Notification.objects.filter(pk=failed.pk).update(created_at=NOW - timedelta(days=90))

    assert services.prune_delivered(now=NOW) == 2
    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {recent_email.pk, old_unread.pk, failed.pk}


def test_the_daily_task_prunes_with_the_configured_period(settings):
    settings.LUUKKU_NOTIFICATION_RETENTION_DAYS = 1
    row(channel=Notification.Channel.SMS, status=Notification.Status.SENT, sent_days_ago=2)
    assert tasks.prune_delivered() == 1
    assert not Notification.objects.exists()
