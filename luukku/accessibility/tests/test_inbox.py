"""The staff inbox: only those who handle accessibility feedback see it, deadlines are visible,
answers are recorded, and every look at a sender's contact details is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from luukku.accessibility.models import AccessibilityFeedback
from luukku.accessibility.selectors import days_left, open_items
from luukku.accessibility.tests.factories import received_feedback
from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.core.models import AuditEvent

INBOX = "/en/saavutettavuus/palautteet/"
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def handler(db):
    return user_with_role(Role.REGION_ADMIN)


def item_url(feedback: AccessibilityFeedback) -> str:
    return f"{INBOX}{feedback.pk}/"


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert "/staff/kirjaudu/" in response["Location"]
    assert "next=" in response["Location"]


@pytest.mark.parametrize(
    "role", [Role.CUSTOMER_SERVICE_AGENT, Role.ANALYST, Role.ORGANISATION_ADMIN]
)
def test_staff_without_the_permission_are_refused(client, db, role):
    feedback = received_feedback()
    client.force_login(user_with_role(role))

    assert client.get(INBOX).status_code == 403
    assert client.get(item_url(feedback)).status_code == 403
    assert client.post(item_url(feedback), {"answer": "Korjattu."}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


def test_region_admin_sees_open_items_with_days_left_and_overdue_flag(client, handler):
    now = timezone.now()
    fresh = received_feedback(received_at=now - timedelta(days=2), description="Tuore")
    late = received_feedback(received_at=now - timedelta(days=20), description="Myöhässä")
    client.force_login(handler)

    response = client.get(INBOX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(late.reference) < html.index(fresh.reference)  # most urgent first
    late_row = html[html.index(late.reference) :]
    late_row = late_row[: late_row.index("</tr>")]
    assert 'class="status--overdue"' in late_row
    assert "Overdue by 6 days" in late_row
    fresh_row = html[html.index(fresh.reference) :]
    fresh_row = fresh_row[: fresh_row.index("</tr>")]
    assert "<td>12</td>" in fresh_row
    assert "status--overdue" not in fresh_row


def test_days_left_count_calendar_days_and_turn_negative_after_the_deadline(db):
    received = datetime(2026, 11, 25, 10, tzinfo=HELSINKI)
    feedback = received_feedback(received_at=received)

    assert days_left(feedback, now=received) == 14
    assert days_left(feedback, now=datetime(2026, 11, 26, 23, 59, tzinfo=HELSINKI)) == 13
    assert days_left(feedback, now=datetime(2026, 12, 9, 9, 59, tzinfo=HELSINKI)) == 0
    assert days_left(feedback, now=datetime(2026, 12, 9, 10, 0, tzinfo=HELSINKI)) == -1
    assert days_left(feedback, now=datetime(2026, 12, 12, 8, tzinfo=HELSINKI)) == -3


def test_open_items_flag_only_the_overdue_ones(db):
    now = timezone.now()
    received_feedback(received_at=now - timedelta(days=15))
    received_feedback(received_at=now - timedelta(days=12))
    received_feedback(received_at=now)

    items = open_items(now=now)

    assert [item.is_overdue for item in items] == [True, False, False]
    assert [item.is_due_soon for item in items] == [False, True, False]


def test_viewing_an_item_with_contact_details_is_audited(client, handler):
    feedback = received_feedback()
    client.force_login(handler)

    html = client.get(item_url(feedback)).content.decode()

    assert "maija@example.fi" in html
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ)
    assert event.actor == handler
    assert event.object_id == str(feedback.pk)
    assert event.purpose == "answering accessibility feedback"


def test_viewing_an_anonymous_item_reads_no_personal_data(client, handler):
    feedback = received_feedback(contact_name="", contact_email="", wants_answer=False)
    client.force_login(handler)

    assert client.get(item_url(feedback)).status_code == 200
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


def test_answering_records_the_answer_who_and_when(client, handler):
    feedback = received_feedback()
    client.force_login(handler)
    before = timezone.now()

    response = client.post(item_url(feedback), {"answer": "Painike korjattu 1.12."}, follow=True)

    feedback.refresh_from_db()
    assert response.redirect_chain == [(INBOX, 302)]
    assert feedback.status == AccessibilityFeedback.Status.ANSWERED
    assert feedback.answer == "Painike korjattu 1.12."
    assert feedback.answered_by == handler
    assert feedback.answered_at is not None
    assert feedback.answered_at >= before
    html = response.content.decode()
    assert f"The answer to {feedback.reference} was saved." in html
    answered = html[html.index("<h2>Answered</h2>") :]
    assert feedback.reference in answered
    waiting = html[html.index("<h2>Waiting for an answer</h2>") : html.index("<h2>Answered</h2>")]
    assert feedback.reference not in waiting
    update = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE)
    assert update.actor == handler
    assert update.details == {"on_time": True}


def test_an_empty_answer_is_refused_with_a_linked_error(client, handler):
    feedback = received_feedback()
    client.force_login(handler)

    response = client.post(item_url(feedback), {"answer": " "})

    feedback.refresh_from_db()
    assert response.status_code == 200
    assert feedback.status == AccessibilityFeedback.Status.RECEIVED
    assert '<a href="#id_answer">Answer: Write the answer.</a>' in response.content.decode()


def test_unknown_item_is_404(client, handler):
    client.force_login(handler)

    assert client.get(f"{INBOX}999999/").status_code == 404
