"""Reporting an accessibility problem: the form, its errors, the receipt and the 14-day rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from luukku.accessibility.forms import page_reference
from luukku.accessibility.models import AccessibilityFeedback
from luukku.accessibility.services import answer_due, submit_feedback
from luukku.core.models import AuditEvent

FEEDBACK = "/saavutettavuus/palaute/"


def test_due_date_is_fourteen_days_after_receipt():
    received = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    assert answer_due(received) == datetime(2026, 12, 9, 9, 30, tzinfo=UTC)


def test_submitting_stores_the_feedback_with_due_date_and_reference(db):
    received = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)

    feedback = submit_feedback(
        description="  Kuvalla ei ole tekstivastinetta. ",
        page_url="/palvelut/kirjasto/",
        language="sv",
        received_at=received,
    )

    stored = AccessibilityFeedback.objects.get()
    assert stored == feedback
    assert stored.description == "Kuvalla ei ole tekstivastinetta."
    assert stored.due_at == datetime(2026, 12, 9, 9, 30, tzinfo=UTC)
    assert stored.reference == f"SAA-2026-{stored.pk:05d}"
    assert stored.status == AccessibilityFeedback.Status.RECEIVED
    assert stored.language == "sv"


def test_the_form_is_prefilled_with_the_page_the_user_came_from(client, db):
    html = client.get(FEEDBACK, {"next": "/palvelut/rakennuslupa/?municipality=297"}).content

    assert b'value="/palvelut/rakennuslupa/?municipality=297"' in html


def test_the_referer_is_used_when_there_is_no_next(client, db):
    html = client.get(FEEDBACK, HTTP_REFERER="http://testserver/sv/haku/?q=bygglov").content

    assert b'value="/sv/haku/?q=bygglov"' in html


@pytest.mark.parametrize(
    "candidate",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "javascript:alert(1)",
        "/saavutettavuus/palaute/",
        "x" * 600,
    ],
)
def test_unsafe_or_foreign_pages_are_not_prefilled(candidate):
    assert (
        page_reference(candidate, host="testserver", exclude_prefix="/saavutettavuus/palaute/")
        == ""
    )


def test_a_valid_report_leads_to_a_receipt_with_its_reference(client, db):
    with translation.override("en"):
        path = reverse("accessibility:feedback")

    response = client.post(
        path,
        {
            "description": "The search button has no visible focus.",
            "page_url": "/en/haku/",
            "wants_answer": "on",
            "contact_name": "Matti",
            "contact_email": "matti@example.fi",
        },
        follow=True,
    )

    feedback = AccessibilityFeedback.objects.get()
    assert response.redirect_chain == [("/en/saavutettavuus/palaute/kuittaus/", 302)]
    html = response.content.decode()
    assert feedback.reference in html
    assert "within 14 days" in html
    assert feedback.language == "en"
    assert feedback.wants_answer
    assert feedback.contact_email == "matti@example.fi"
    assert feedback.due_at == feedback.received_at + timedelta(days=14)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_id=str(feedback.pk)
    ).exists()


def test_an_anonymous_report_without_answer_is_fine(client, db):
    response = client.post(FEEDBACK, {"description": "Liian pieni teksti."})

    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert not feedback.wants_answer
    assert feedback.contact_email == ""


def test_the_receipt_cannot_be_opened_without_sending_feedback(client, db):
    response = client.get(FEEDBACK + "kuittaus/")

    assert response.status_code == 302
    assert response["Location"] == FEEDBACK


def test_a_missing_description_is_reported_and_linked_to_its_field(client, db):
    response = client.post("/en" + FEEDBACK, {"description": "  "})

    html = response.content.decode()
    assert response.status_code == 200
    assert not AccessibilityFeedback.objects.exists()
    assert "<title>Error:" in html
    summary = html[html.index('class="error-summary"') :]
    assert '<a href="#id_description">What is the problem?: Describe the problem.</a>' in summary
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_description_error id_description_hint"' in html
    assert '<p class="field-error" id="id_description_error">Describe the problem.</p>' in html


def test_asking_for_an_answer_needs_an_email_address(client, db):
    response = client.post(
        "/en" + FEEDBACK, {"description": "Kontrasti on heikko.", "wants_answer": "on"}
    )

    html = response.content.decode()
    assert not AccessibilityFeedback.objects.exists()
    assert "Give your e-mail address so that we can answer you." in html
    assert 'aria-describedby="id_contact_email_error id_contact_email_hint"' in html


def test_an_invalid_email_address_is_explained(client, db):
    response = client.post("/en" + FEEDBACK, {"description": "x", "contact_email": "maija@"})

    assert "Enter the e-mail address in the form name@example.fi." in response.content.decode()
    assert not AccessibilityFeedback.objects.exists()


def test_typed_text_is_kept_after_an_error(client, db):
    response = client.post(
        "/en" + FEEDBACK, {"description": "Kontrasti <b>heikko</b>", "wants_answer": "on"}
    )

    assert "Kontrasti &lt;b&gt;heikko&lt;/b&gt;" in response.content.decode()
