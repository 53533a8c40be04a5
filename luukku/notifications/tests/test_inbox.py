"""A staff member sees and marks read only their own in-app notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from luukku.accounts.tests.factories import UserFactory
from luukku.notifications.models import Notification
from luukku.notifications.services import mark_read, notify, unread_for

pytestmark = pytest.mark.django_db


def in_app(user: Any, subject: str) -> Notification:
    return notify(
        kind="assignment",
        subject=subject,
        body=f"Body of {subject}",
        recipient=user,
        channel=Notification.Channel.IN_APP,
    )


def test_in_app_notification_is_delivered_on_write():
    user = UserFactory.create()
    notification = in_app(user, "New task")
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert list(unread_for(user)) == [notification]


def test_inbox_needs_login(client: Client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_inbox_lists_only_my_unread_and_header_shows_the_count(client: Client):
    me, other = UserFactory.create(), UserFactory.create()
    in_app(me, "Case 17 is yours")
    in_app(me, "Case 18 is yours")
    in_app(other, "Someone else's case")
    notify(kind="assignment", subject="By e-mail only", body="b", recipient=me)
    client.force_login(me)

    response = client.get(reverse("notifications:inbox"))

    content = response.content.decode()
    assert "Case 17 is yours" in content
    assert "Case 18 is yours" in content
    assert "Someone else" not in content
    assert "By e-mail only" not in content
    assert "2 lukematonta" in content  # the header's badge, in the default Finnish
    english = client.get("/en/staff/notifications/").content.decode()
    assert "2 unread notifications" in english


def test_header_count_is_one_query(django_assert_num_queries: Any):
    from django.template import Context, Template

    me = UserFactory.create()
    in_app(me, "One")
    template = Template("{% load notification_tags %}{% unread_notification_count as n %}{{ n }}")
    with django_assert_num_queries(1):
        assert template.render(Context({"user": me})) == "1"


def test_mark_one_read_and_others_ids_are_ignored(client: Client):
    me, other = UserFactory.create(), UserFactory.create()
    mine = in_app(me, "Mine")
    kept = in_app(me, "Still unread")
    theirs = in_app(other, "Theirs")
    client.force_login(me)

    response = client.post(
        reverse("notifications:mark_read"),
        {"notification": [str(mine.pk), str(theirs.pk)]},
    )

    assert response.status_code == 302
    assert list(unread_for(me)) == [kept]
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Äskettäin luetut" in page


def test_mark_all_read():
    me = UserFactory.create()
    in_app(me, "a")
    in_app(me, "b")
    assert mark_read(user=me) == 2
    assert not unread_for(me).exists()


def test_mark_read_is_post_only(client: Client):
    me = UserFactory.create()
    in_app(me, "a")
    client.force_login(me)
    assert client.get(reverse("notifications:mark_read")).status_code == 405
    assert unread_for(me).count() == 1
