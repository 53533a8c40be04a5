"""The rights of the data subject on the demo region, as issue 7 checks them: a demo resident who
sent feedback, has a case, answered a survey and signed up for a panel is exported whole, then
erased with every dashboard figure unchanged; and with the clock moved ten years on, the
retention jobs leave nothing expired identifiable while the figures stay the same.

Loading the demo takes most of a minute, so the module loads it once, in a transaction that is
rolled back at the end; each test runs in a savepoint inside it."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from luukku.accessibility import gdpr as accessibility_gdpr
from luukku.accounts import gdpr as accounts_gdpr
from luukku.cases import gdpr as cases_gdpr
from luukku.cases import services as cases
from luukku.cases.metrics import case_metrics
from luukku.cases.models import Case, Customer, Task
from luukku.core import tasks as core_tasks
from luukku.core.gdpr import ERASED
from luukku.core.models import ConsentText
from luukku.demo.services import load_demo_region
from luukku.insights.extract import refresh_extract
from luukku.insights.queries import InsightFilter, satisfaction
from luukku.intake import gdpr as intake_gdpr
from luukku.intake import services as intake
from luukku.intake.models import ServiceRequest
from luukku.notifications import gdpr as notifications_gdpr
from luukku.notifications.services import prune_delivered
from luukku.notifications.tasks import drain
from luukku.panels import services as panels
from luukku.panels.models import Panel, Volunteer
from luukku.panels.tasks import erase_due
from luukku.panels.tests.factories import ConsentTextFactory
from luukku.router import gdpr as router_gdpr
from luukku.surveys import retention as survey_retention
from luukku.surveys.demo import CUSTOMER_SURVEY_ID
from luukku.surveys.models import Answer, Question, Response, Survey

pytestmark = pytest.mark.django_db

RESIDENT_CASE = "DEMO-005"  # Mikko Laitinen's open matter
PHONE = "044 555 0123"


@pytest.fixture(scope="module")
def demo_region(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_demo_region(with_demo_users=True)
        yield
        transaction.set_rollback(True)


@dataclass
class DemoResident:
    email: str
    customer: Customer
    case: Case
    request: ServiceRequest
    response: Response
    volunteer: Volunteer


@pytest.fixture
def resident(demo_region: None, client: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """The customer of a demo case sends feedback, their case closes, they answer the (now
    identified) survey with consent, and they sign up for the open panel — all through the
    services and pages residents and staff use."""
    case = Case.objects.select_related("customer").get(reference=RESIDENT_CASE)
    customer = case.customer
    assert customer is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = intake.submit_request(
            description="Kirjaston ovi on raskas, en saa sitä auki rollaattorin kanssa.",
            service=case.tasks.first().service,  # type: ignore[union-attr]
            kind=ServiceRequest.Kind.COMPLAINT,
            email=customer.email,
            first_name="Mikko",
            last_name="Laitinen",
            phone=PHONE,
            consent=True,
            channel=ServiceRequest.Channel.WEB,
        ).request
    request.refresh_from_db()
    close(request.case)  # the feedback's own case, opened by the hand-off

    mail.outbox.clear()  # the feedback's confirmation
    # The region makes its survey identified, with the consent wording respondents agree to.
    Survey.objects.filter(public_id=CUSTOMER_SURVEY_ID).update(identified=True)
    ConsentTextFactory.create(purpose=ConsentText.Purpose.SURVEY_IDENTIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        close(case)
    drain()
    [message] = [sent for sent in mail.outbox if sent.to == [customer.email]]
    link = re.search(r"https?://[^/\s]+(/\S+)", str(message.body))
    assert link is not None
    words = "Mikko tässä, jonotin."
    form = {"nonce": "gdpr-1", "q-overall": "2", "q-what_wrong": words, "consent": "on"}
    client.post(link.group(1), form)
    response = Response.objects.get(invitation__case=case)

    panel = next(p for p in Panel.objects.all() if p.is_open_for_signup())
    consent = ConsentText.current(ConsentText.Purpose.PANEL_MEMBERSHIP)
    assert consent is not None
    volunteer = panels.sign_up(
        panel=panel,
        name="Mikko Laitinen",
        email=customer.email,
        phone=PHONE,
        birth_year=timezone.localdate().year - max(panel.min_age, 20),
        municipality=panels.panel_areas(panel).first(),  # type: ignore[arg-type]
        sex="male",
        customer_type="person",
        consent_id=consent.pk,
        consent_given=True,
    )
    return DemoResident(customer.email, customer, case, request, response, volunteer)


def close(case: Case) -> None:
    """Finish the case's work and close it, as its owner does."""
    for task in case.tasks.filter(status__in=Task.ACTIVE):
        cases.update_task(task=task, actor=case.owner, status=Task.Status.DONE)
    cases.close_case(case=case, outcome=Case.Outcome.SOLVED, actor=case.owner)


def export(*selector: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("export_person", *selector, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def figures(extract: Path, now: datetime) -> dict[str, Any]:
    """What the dashboards show: case metrics by every dimension, and the insights' weighted
    satisfaction by month, service and municipality (rounded: DuckDB may sum in any order)."""
    refresh_extract(extract)
    shown: dict[str, Any] = {
        dimension: case_metrics(by=dimension, now=now)
        for dimension in ("service", "unit", "organisation")
    }
    for by in (("month",), ("service",), ("municipality",), ()):
        table = satisfaction(InsightFilter(), by=by, path=extract)
        shown[f"satisfaction by {by}"] = [
            (row.group, row.n, _rounded(row.weighted.value), _rounded(row.unweighted.value))
            for row in table.rows
        ]
    return shown


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 9)


def test_the_export_holds_the_residents_feedback_case_answer_and_panel(resident):
    document = export("--email", resident.email)

    data = document["data"]
    assert document["found"] is True
    [request] = data["intake"]["service_requests"]["records"]
    assert request["service_request_id"] == resident.request.service_request_id
    references = {case["reference"] for case in data["cases"]["cases"]["records"]}
    assert RESIDENT_CASE in references
    assert resident.request.case.reference in references  # opened from the feedback
    # The demo's customer record (with an identity code) and the one the feedback made.
    masked = {c["identity_code_masked"] for c in data["cases"]["customers"]["records"]}
    assert any(code.endswith("*****") for code in masked)
    [answer] = data["surveys"]["survey_responses"]["records"]
    assert {"question": "what_wrong", "number": None, "choices": [], "text": "Mikko tässä, jonotin."} in answer["answers"]  # fmt: skip  # noqa: E501
    assert answer["consent"]
    assert data["panels"]["panel_volunteers"]["records"][0]["name"] == "Mikko Laitinen"
    assert "notifications" in data  # the survey invitation went to their address
    assert export("--phone", "+358445550123")["data"].keys() >= {"intake", "panels"}


def test_after_erasure_nothing_identifies_the_resident_and_the_figures_stand(
    resident, tmp_path, django_capture_on_commit_callbacks
):
    now = timezone.now()
    before = figures(tmp_path / "before.duckdb", now)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_person", "--email", resident.email, "--yes", stdout=io.StringIO())

    assert figures(tmp_path / "after.duckdb", now) == before
    assert export("--email", resident.email)["found"] is False
    assert export("--phone", PHONE)["found"] is False
    held = json.dumps(
        [
            list(Customer.objects.filter(pk=resident.customer.pk).values()),
            list(ServiceRequest.objects.filter(pk=resident.request.pk).values()),
            list(Answer.objects.filter(response=resident.response).values()),
            list(Volunteer.objects.filter(pk=resident.volunteer.pk).values()),
        ],
        default=str,
    )
    for trace in ("Mikko", "Laitinen", resident.email, "555 0123", "rollaattori"):
        assert trace not in held
    assert Case.objects.get(pk=resident.case.pk).title == ERASED
    assert Response.objects.get(pk=resident.response.pk).status == Response.Status.COMPLETE


def test_ten_years_on_the_retention_jobs_leave_nothing_expired_identifiable(resident, tmp_path):
    now = timezone.now()
    before = figures(tmp_path / "before.duckdb", now)
    later = now + timedelta(days=10 * 365)

    survey_retention.apply_retention(later)
    erase_due(now=later)
    prune_delivered(now=later)
    intake_gdpr.apply_retention(later)
    cases_gdpr.apply_retention(later)
    accessibility_gdpr.apply_retention(later)
    router_gdpr.apply_retention(later)
    notifications_gdpr.apply_retention(later)
    accounts_gdpr.apply_retention(later)
    core_tasks.prune_audit_log(later)

    assert figures(tmp_path / "after.duckdb", now) == before
    closed_requests = ServiceRequest.objects.filter(status=ServiceRequest.Status.CLOSED)
    assert closed_requests.exists()
    assert not closed_requests.exclude(email="", first_name="", description=ERASED).exists()
    closed_cases = Case.objects.filter(status=Case.Status.CLOSED)
    assert set(closed_cases.values_list("title", flat=True)) == {ERASED}
    open_customers = Customer.objects.filter(cases__status=Case.Status.OPEN)
    assert open_customers.exclude(name=ERASED).exists()  # an open matter is not expired
    people = Customer.objects.filter(kind=Customer.Kind.PERSON).exclude(pk__in=open_customers)
    assert set(people.values_list("name", "email", "identity_code_hash")) == {(ERASED, "", "")}
    answered = Response.objects.filter(status=Response.Status.COMPLETE)
    assert not answered.filter(anonymised_at__isnull=True).exists()
    assert not Answer.objects.filter(question__kind=Question.Kind.FREE_TEXT).exists()
    # Only the members of a panel still at work keep their contact details.
    kept = Volunteer.objects.filter(anonymised_at__isnull=True)
    assert set(kept.values_list("status", flat=True)) <= {Volunteer.Status.SELECTED}
    assert not kept.filter(panel__status=Panel.Status.RECRUITING).exists()
    assert export("--email", resident.email)["data"].keys() <= {"cases", "core", "panels"}
