"""The rights of the data subject: export_person finds everything held about a resident or a staff
member, erase_person anonymises it all while every statistic stays the same, and the retention
jobs anonymise what has expired and nothing else."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from luukku.accessibility import gdpr as accessibility_gdpr
from luukku.accessibility.models import AccessibilityFeedback
from luukku.accessibility.tests.factories import received_feedback
from luukku.accounts import gdpr as accounts_gdpr
from luukku.accounts.models import User
from luukku.cases import gdpr as cases_gdpr
from luukku.cases import services as case_services
from luukku.cases.metrics import case_metrics
from luukku.cases.models import Case, Customer, Note
from luukku.cases.tests.factories import (
    CaseEventFactory,
    CaseFactory,
    NoteFactory,
    TaskFactory,
    staff_member,
)
from luukku.core import audit, gdpr
from luukku.core import tasks as core_tasks
from luukku.core.gdpr import ERASED, Person, PersonError, normalise_phone, staff_pseudonym
from luukku.core.management.commands import erase_person, export_person
from luukku.core.models import AuditEvent, ConsentText
from luukku.ideas.models import Idea
from luukku.ideas.tests.factories import IdeaCommentFactory, IdeaFactory
from luukku.intake import gdpr as intake_gdpr
from luukku.intake.models import MediaAttachment, RequestEvent, ServiceRequest
from luukku.intake.tests.factories import ServiceRequestFactory
from luukku.notifications import gdpr as notifications_gdpr
from luukku.notifications.models import Notification
from luukku.panels.models import Volunteer
from luukku.panels.tests.factories import ConsentTextFactory, VolunteerFactory
from luukku.router import gdpr as router_gdpr
from luukku.router.models import TriageItem
from luukku.router.tests.factories import TriageItemFactory
from luukku.surveys.models import Invitation, Question, Response
from luukku.surveys.results import survey_results
from luukku.surveys.tests.factories import (
    AnswerFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db

EMAIL = "Matti.Meikalainen@example.fi"
IDENTITY_CODE = "131052-308T"  # the Digital and Population Data Services Agency's example
MASKED_CODE = "131052*****"
IMAGE = b"\x89PNG\r\n\x1a\n not really an image, only bytes to hash"


@dataclass
class Resident:
    customer: Customer
    request: ServiceRequest
    case: Case
    response: Response
    volunteer: Volunteer
    feedback: AccessibilityFeedback
    notification: Notification
    triage: TriageItem


def a_resident(email: str, code: str, phones: tuple[str, str, str]) -> Resident:
    """One resident with something in every app, as their matters would leave it; their phone
    number written three ways (customer record, feedback, panel sign-up)."""
    customer = case_services.find_or_create_customer(
        kind=Customer.Kind.PERSON,
        name="Matti Meikäläinen",
        identity_code=code,
        email=email,
        phone=phones[0],
    )
    request = ServiceRequestFactory.create(
        first_name="Matti",
        last_name="Meikäläinen",
        email=email.lower(),
        phone=phones[1],
        title="Katuvalo kotini edessä",
        description=f"Katuvalo ei pala osoitteessa Kotikatu 5. Tunnukseni {code}.",
        address_string="Kotikatu 5, Kuopio",
        lat="62.892561",
        long="27.678881",
        status=ServiceRequest.Status.CLOSED,
        detailed_status=ServiceRequest.DetailedStatus.DONE,
    )
    RequestEvent.objects.create(request=request, state="done", note="Korjattu, Matti.")
    MediaAttachment.objects.create(
        request=request,
        file=ContentFile(IMAGE, name="valo.png"),
        content_type="image/png",
        size=len(IMAGE),
        original_name="IMG_matti.png",
    )
    case = CaseFactory.create(
        closed=True,
        customer=customer,
        service_request=request,
        description="Matti soitti, kotikadun valo rikki.",
    )
    TaskFactory.create(case=case, done=True, description="Valon korjaus Kotikatu 5")
    NoteFactory.create(case=case, body="Matti kertoi myös terveydestään.")
    CaseEventFactory.create(case=case, kind="closed", reason="Valo korjattu, Matti tyytyväinen.")
    survey = SurveyFactory.create(identified=True)
    rating = QuestionFactory.create(
        survey=survey, kind=Question.Kind.RATING, measure=Question.Measure.SATISFACTION
    )
    words = QuestionFactory.create(survey=survey, kind=Question.Kind.FREE_TEXT)
    touchpoint = TouchpointFactory.create(survey=survey, kind="case_closed")
    invitation = Invitation.objects.create(
        survey=survey,
        touchpoint=touchpoint,
        token_hash=hashlib.sha256(email.encode()).hexdigest(),
        case=case,
        sent_via="email",
        expires_at=timezone.now() + timedelta(days=14),
    )
    response = ResponseFactory.create(
        survey=survey,
        invitation=invitation,
        touchpoint=touchpoint,
        age_band="65-74",
        consent=ConsentTextFactory.create(purpose=ConsentText.Purpose.SURVEY_IDENTIFIED),
        consented_at=timezone.now(),
    )
    AnswerFactory.create(response=response, question=rating, number=4)
    AnswerFactory.create(response=response, question=words, text="Matti täällä, hyvin meni.")
    volunteer = VolunteerFactory.create(email=email.upper(), phone=phones[2])
    feedback = received_feedback(contact_email=email, contact_name="Matti Meikäläinen")
    AccessibilityFeedback.objects.filter(pk=feedback.pk).update(
        status=AccessibilityFeedback.Status.ANSWERED, answer="Hei Matti", answered_at=timezone.now()
    )
    notification = Notification.objects.create(
        kind="survey_invitation",
        address=email,
        subject="Miten onnistuimme?",
        body="Hei Matti, vastaa kyselyyn.",
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
    )
    triage = TriageItemFactory.create(
        source="intake", source_id=request.service_request_id, text=request.description
    )
    audit.record_read(actor=case.owner, target=case, purpose="handling the case")
    return Resident(customer, request, case, response, volunteer, feedback, notification, triage)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def resident(media: Path) -> Resident:
    return a_resident(EMAIL, IDENTITY_CODE, ("040-123 4567", "+358 40 1234567", "0401234567"))


@pytest.fixture
def bystander(media: Path) -> Resident:
    """Someone else, whose data must come through every run untouched."""
    return a_resident(
        "liisa.naapuri@example.fi", "010203A9024", ("050 765 4321", "+358507654321", "050-7654321")
    )


def export_json(*selector: str) -> tuple[dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_person", *selector, stdout=out, stderr=err)
    return json.loads(out.getvalue()), out.getvalue() + err.getvalue()


def erase(*arguments: str) -> str:
    out = io.StringIO()
    call_command("erase_person", *arguments, stdout=out)
    return out.getvalue()


def statistics() -> dict[str, Any]:
    """The figures staff see: case metrics by every dimension, survey results, request counts."""
    figures: dict[str, Any] = {
        dimension: case_metrics(by=dimension) for dimension in ("service", "unit", "organisation")
    }
    for response in Response.objects.select_related("survey").order_by("pk"):
        results = survey_results(response.survey)
        figures[f"survey {response.survey_id}"] = (
            results.complete,
            [question.scale for question in results.questions if question.scale],
        )
    figures["requests"] = sorted(
        ServiceRequest.objects.values_list(
            "service_id", "kind", "channel", "status", "agency_responsible_id", "requested_at"
        )
    )
    figures["responses by month"] = sorted(
        (r.survey_id, r.submitted_at.astimezone(timezone.get_default_timezone()).strftime("%Y-%m"))
        for r in Response.objects.all()
        if r.submitted_at
    )
    figures["volunteers"] = sorted(
        Volunteer.objects.values_list("panel_id", "age_band", "municipality_id", "sex", "status")
    )
    figures["notifications"] = sorted(
        Notification.objects.values_list("kind", "channel", "created_at")
    )
    return figures


# -- the person ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["040 123 4567", "040-1234567", "+358 40 123 4567", "00358401234567", "358401234567",
     "(040) 123 45 67"],
)  # fmt: skip
def test_finnish_phone_numbers_are_one_number_however_written(written):
    assert normalise_phone(written) == "+358401234567"


@pytest.mark.parametrize("bad", ["12", "abc", "+0 40", "040 12"])
def test_what_is_not_a_phone_number_is_refused(bad):
    with pytest.raises(PersonError):
        Person.from_selectors(phone=bad)


def test_a_person_prints_and_logs_only_masked_values():
    person = Person.from_selectors(identity_code=IDENTITY_CODE.lower())
    assert IDENTITY_CODE not in f"{person} {person!r} {person.masked()}"
    assert str(person) == f"identity_code={MASKED_CODE}"


def test_every_kind_of_personal_data_has_a_purpose_basis_and_retention():
    kinds = gdpr.inventory()
    assert {app for app, _ in kinds} >= {
        "intake", "cases", "notifications", "surveys", "panels", "accounts", "ideas",
        "accessibility", "router", "core",
    }  # fmt: skip
    for _, kind in kinds:
        assert all((kind.purpose, kind.legal_basis, kind.retention, kind.models)), kind.key


# A field with one of these names holds personal data when the row is about a person.
PERSONAL_FIELDS = {"email", "phone", "first_name", "last_name", "contact_email", "contact_name",
                   "identity_code_hash", "guardian_email", "address"}  # fmt: skip
# Models with such fields that are not about a private person, and why.
NOT_ABOUT_A_PERSON = {
    "catalogue.ServiceChannel": "a service's public phone and e-mail",
}


def test_every_model_with_personal_fields_is_in_the_inventory():
    listed = {model for _, kind in gdpr.inventory() for model in kind.models}
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("luukku."):
            continue
        names = {field.name for field in model._meta.get_fields()}
        if names & PERSONAL_FIELDS and model._meta.label not in listed | set(NOT_ABOUT_A_PERSON):
            missing.append(model._meta.label)
    assert missing == []


# -- export -------------------------------------------------------------------------------------


def test_export_by_email_finds_every_kind_held_about_the_resident(resident, bystander):
    document, _ = export_json("--email", EMAIL.lower())

    data = document["data"]
    assert document["found"] is True
    assert {app: sorted(kinds) for app, kinds in data.items()} == {
        "accessibility": ["accessibility_feedback"],
        "cases": ["cases", "customers"],
        "core": ["audit_events"],
        "intake": ["media_attachments", "service_requests"],
        "notifications": ["notifications"],
        "panels": ["panel_volunteers"],
        "router": ["triage_items"],
        "surveys": ["survey_invitations", "survey_responses"],
    }
    for kinds in data.values():
        for section in kinds.values():
            assert section["purpose"]
            assert section["legal_basis"]
            assert section["retention"]
            assert len(section["records"]) >= 1
    [request] = data["intake"]["service_requests"]["records"]
    assert request["service_request_id"] == resident.request.service_request_id
    assert request["requested_at"] == resident.request.requested_at.isoformat()
    [image] = data["intake"]["media_attachments"]["records"]
    assert image["sha256"] == hashlib.sha256(IMAGE).hexdigest()
    assert image["file"].endswith(".png")
    [case] = data["cases"]["cases"]["records"]
    assert case["reference"] == resident.case.reference
    assert "Matti kertoi myös terveydestään." in [note["body"] for note in case["notes"]]
    [customer] = data["cases"]["customers"]["records"]
    assert customer["identity_code_masked"] == MASKED_CODE
    [response] = data["surveys"]["survey_responses"]["records"]
    assert {answer["number"] for answer in response["answers"]} == {4, None}
    access = data["core"]["audit_events"]["records"]
    assert {event["purpose"] for event in access} == {
        "handling the case",
        "accessibility feedback received",
    }
    assert "liisa.naapuri" not in json.dumps(document)


def test_export_by_phone_in_any_format_finds_the_same_resident(resident, bystander):
    document, _ = export_json("--phone", "+358401234567")

    data = document["data"]
    assert data["intake"]["service_requests"]["records"][0]["phone"] == "+358 40 1234567"
    assert data["cases"]["customers"]["records"][0]["phone"] == "040-123 4567"
    assert data["panels"]["panel_volunteers"]["records"][0]["phone"] == "0401234567"
    assert "liisa" not in json.dumps(document)


def test_the_identity_code_is_found_but_never_printed(resident, bystander):
    document, printed = export_json("--identity-code", IDENTITY_CODE)

    assert document["found"] is True
    assert document["person"] == {"identity_code": MASKED_CODE}
    assert set(document["data"]["cases"]) == {"cases", "customers"}
    # The customer wrote the code into their feedback: found by it, and shown masked.
    assert (
        MASKED_CODE in document["data"]["intake"]["service_requests"]["records"][0]["description"]
    )
    assert IDENTITY_CODE not in printed
    logged = json.dumps(list(AuditEvent.objects.values("actor_label", "purpose", "details")))
    assert IDENTITY_CODE not in logged
    assert IDENTITY_CODE not in erase("--identity-code", IDENTITY_CODE, "--dry-run")


def test_export_writes_utf8_to_a_file(resident, tmp_path):
    target = tmp_path / "export.json"
    call_command("export_person", "--email", EMAIL, "--output", str(target), stderr=io.StringIO())

    text = target.read_text(encoding="utf-8")
    assert "Meikäläinen" in text  # not \u00e4 escapes
    assert json.loads(text)["found"] is True


def test_export_of_someone_unknown_is_empty_and_says_so(resident):
    document, printed = export_json("--email", "nobody@example.fi")

    assert document["found"] is False
    assert document["data"] == {}
    assert "Nothing is held" in printed


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--email", "a@example.fi", "--phone", "0401234567"],
        ["--email", "not-an-address"],
        ["--phone", "12"],
        ["--identity-code", "131052-308A"],
    ],
)
def test_bad_arguments_are_refused_with_status_2(argv, capsys):
    for command in (export_person.Command(), erase_person.Command()):
        with pytest.raises(SystemExit) as exit_:
            command.run_from_argv(["manage.py", "x", *argv])
        assert exit_.value.code == 2
    assert "131052-308A" not in capsys.readouterr().err


def test_export_and_erasure_are_audit_logged_without_naming_the_person(resident):
    export_json("--email", EMAIL)
    erase("--email", EMAIL, "--dry-run")
    erase("--email", EMAIL, "--yes")

    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    counted = AuditEvent.objects.get(action=AuditEvent.Action.READ, purpose__contains="dry run")
    erased = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    key = Person.from_selectors(email=EMAIL).audit_key()
    for event in (exported, counted, erased):
        assert "manage.py" in event.actor_label
        assert event.details["person_key"] == key
        assert EMAIL.lower() not in json.dumps(event.details).lower()
    assert erased.details["counts"]["cases"] == {"cases": 1, "customers": 1}


def test_a_staff_members_export_shows_their_own_work_not_the_residents(resident):
    owner = resident.case.owner
    IdeaFactory.create(author=owner)
    audit.record(action=AuditEvent.Action.LOGIN, actor=owner)

    document, _ = export_json("--username", owner.username)

    data = document["data"]
    assert data["accounts"]["staff_account"]["records"][0]["username"] == owner.username
    assert data["cases"]["handled_cases"]["records"] == [
        {"cases_owned": 1, "tasks_assigned": 0, "notes_written": 1}
    ]
    assert [row["type"] for row in data["ideas"]["staff_ideas"]["records"]] == [
        "idea",
        "status_change",  # the submission
    ]
    actions = {event["action"] for event in data["core"]["audit_events"]["records"]}
    assert actions == {"login", "read"}
    assert "Meikäläinen" not in json.dumps(document)


# -- erasure ------------------------------------------------------------------------------------


def test_erasure_anonymises_every_kind_and_keeps_every_statistic(
    resident, bystander, media, django_capture_on_commit_callbacks
):
    before = statistics()
    image = MediaAttachment.objects.get(request=resident.request).file.name
    assert (media / image).exists()
    others, _ = export_json("--email", "liisa.naapuri@example.fi")

    with django_capture_on_commit_callbacks(execute=True):
        printed = erase("--email", EMAIL, "--yes")

    assert "intake.service_requests: 1" in printed
    assert statistics() == before
    request = ServiceRequest.objects.get(pk=resident.request.pk)
    assert (request.first_name, request.last_name, request.email, request.phone) == ("",) * 4
    assert (request.description, request.title, request.address_string) == (ERASED, "", "")
    assert (request.lat, request.long) == (Decimal("62.89"), Decimal("27.68"))
    assert not RequestEvent.objects.filter(request=request).exclude(note="").exists()
    assert not MediaAttachment.objects.filter(request=request).exists()
    assert not (media / image).exists()
    customer = Customer.objects.get(pk=resident.customer.pk)
    assert (customer.name, customer.email, customer.phone) == (ERASED, "", "")
    assert customer.identity_code_hash == customer.identity_code_masked == ""
    case = Case.objects.get(pk=resident.case.pk)
    assert (case.title, case.description, case.customer_id) == (ERASED, "", customer.pk)
    assert set(Note.objects.filter(case=case).values_list("body", flat=True)) == {ERASED}
    assert not case.events.exclude(reason="").exists()
    assert not case.tasks.exclude(description="").exists()
    response = Response.objects.get(pk=resident.response.pk)
    assert response.invitation is None
    assert response.anonymised_at is not None
    assert set(response.answers.values_list("number", flat=True)) == {4}
    assert response.age_band == "65-74"
    volunteer = Volunteer.objects.get(pk=resident.volunteer.pk)
    assert (volunteer.email, volunteer.phone, volunteer.birth_year) == ("", "", None)
    feedback = AccessibilityFeedback.objects.get(pk=resident.feedback.pk)
    assert (feedback.contact_email, feedback.contact_name, feedback.answer) == ("", "", "")
    notification = Notification.objects.get(pk=resident.notification.pk)
    assert (notification.address, notification.body) == ("", "")
    assert TriageItem.objects.get(pk=resident.triage.pk).text == ERASED
    for selector in (
        ("--email", EMAIL),
        ("--phone", "040 1234567"),
        ("--identity-code", IDENTITY_CODE),
    ):
        document, _ = export_json(*selector)
        assert document["data"] == {}, selector
    assert export_json("--email", "liisa.naapuri@example.fi")[0]["data"] == others["data"]


def test_a_dry_run_counts_what_would_change_and_changes_nothing(resident, media):
    before = export_json("--email", EMAIL)[0]["data"]

    dry = erase("--email", EMAIL, "--dry-run")

    assert export_json("--email", EMAIL)[0]["data"] == before
    assert MediaAttachment.objects.filter(request=resident.request).exists()
    assert list(media.rglob("*.png"))
    real = erase("--email", EMAIL, "--yes")
    assert dry.replace("Would change", "Changed") == real
    assert "cases.customers: 1" in dry


def test_erasing_twice_finds_nothing_the_second_time(resident):
    erase("--email", EMAIL, "--yes")
    assert "Nothing to erase" in erase("--email", EMAIL, "--yes")


def test_an_open_case_holds_the_erasure_unless_told_to_include_it(resident):
    Case.objects.filter(pk=resident.case.pk).update(
        status=Case.Status.OPEN, outcome="", closed_at=None, next_action_on=timezone.localdate()
    )

    with pytest.raises(CommandError, match=f"Case {resident.case.reference} is still open"):
        erase("--email", EMAIL, "--yes")
    assert Customer.objects.get(pk=resident.customer.pk).email == EMAIL

    erase("--email", EMAIL, "--yes", "--include-open")
    assert Customer.objects.get(pk=resident.customer.pk).email == ""
    assert Case.objects.get(pk=resident.case.pk).status == Case.Status.OPEN


def test_without_yes_nothing_is_erased_unless_confirmed(resident, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing erased"):
        erase("--email", EMAIL)
    assert Customer.objects.get(pk=resident.customer.pk).email == EMAIL


def test_an_erased_staff_member_keeps_their_actions_under_a_pseudonym(resident):
    owner = resident.case.owner
    username = owner.username
    idea = IdeaFactory.create(author=owner)
    IdeaCommentFactory.create(author=owner, idea=idea)
    audit.record(action=AuditEvent.Action.LOGIN, actor=owner)
    audit.record(action=AuditEvent.Action.LOGIN_FAILED, actor_label=username)

    erase("--username", username, "--yes")

    user = User.objects.get(pk=owner.pk)
    pseudonym = staff_pseudonym(username)
    assert (user.username, user.first_name, user.last_name, user.email) == (pseudonym, "", "", "")
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.memberships.exists()
    assert not AuditEvent.objects.filter(actor_label=username).exists()
    theirs = AuditEvent.objects.filter(actor_label=pseudonym)
    assert sorted(theirs.values_list("action", "actor")) == [
        ("login", user.pk),
        ("login_failed", None),
        ("read", user.pk),
    ]
    assert Idea.objects.get(pk=idea.pk).author == user
    assert Case.objects.get(pk=resident.case.pk).owner == user
    assert export_json("--username", username)[0]["found"] is False


# -- retention ----------------------------------------------------------------------------------


def test_retention_jobs_anonymise_only_what_has_expired(resident, bystander, settings):
    """The bystander's matters closed six years ago, the resident's today."""
    old = timezone.now() - timedelta(days=6 * 365)
    ServiceRequest.objects.filter(pk=bystander.request.pk).update(updated_at=old)
    Case.objects.filter(pk=bystander.case.pk).update(closed_at=old, opened_at=old)
    Customer.objects.filter(pk=bystander.customer.pk).update(created_at=old)
    AccessibilityFeedback.objects.filter(pk=bystander.feedback.pk).update(answered_at=old)
    TriageItem.objects.filter(pk=bystander.triage.pk).update(decided_at=old, status="decided")
    Notification.objects.filter(pk=bystander.notification.pk).update(
        status=Notification.Status.FAILED, created_at=old
    )
    gone = staff_member(username="entinen", is_active=False)
    User.objects.filter(pk=gone.pk).update(last_login=old)
    audit.record(action=AuditEvent.Action.LOGIN, actor=gone)
    AuditEvent.objects.filter(actor=gone).update(at=old)
    before = statistics()
    now = timezone.now()

    assert intake_gdpr.apply_retention(now) == {"service_requests": 1, "media_attachments": 1}
    assert cases_gdpr.apply_retention(now) == {"cases": 1, "customers": 1}
    assert accessibility_gdpr.apply_retention(now) == 1
    assert router_gdpr.apply_retention(now) == 1
    assert notifications_gdpr.apply_retention(now) == 1
    assert accounts_gdpr.apply_retention(now) == 1
    assert core_tasks.prune_audit_log(now) == 1

    assert statistics() == before
    # Only the panel sign-up is left: a panel's own retention period runs on.
    assert export_json("--email", "liisa.naapuri@example.fi")[0]["data"].keys() == {"panels"}
    still, _ = export_json("--email", EMAIL)
    assert set(still["data"]) >= {"intake", "cases", "accessibility", "notifications", "router"}
    assert User.objects.get(pk=gone.pk).username == staff_pseudonym("entinen")
    # Run again: nothing left to do.
    assert intake_gdpr.apply_retention(now) == {"service_requests": 0, "media_attachments": 0}
    assert cases_gdpr.apply_retention(now) == {"cases": 0, "customers": 0}
    assert accounts_gdpr.apply_retention(now) == 0


def test_the_retention_tasks_run_as_celery_tasks(resident, settings):
    from luukku.accessibility.tasks import apply_retention as accessibility_task  # noqa: PLC0415
    from luukku.cases.tasks import apply_retention as cases_task  # noqa: PLC0415
    from luukku.intake.tasks import apply_retention as intake_task  # noqa: PLC0415

    settings.LUUKKU_REQUEST_RETENTION_DAYS = 1
    settings.LUUKKU_CASE_RETENTION_DAYS = 1
    ServiceRequest.objects.filter(pk=resident.request.pk).update(
        updated_at=timezone.now() - timedelta(days=2)
    )

    assert intake_task.delay().get() == {"service_requests": 1, "media_attachments": 1}
    assert cases_task.delay().get() == {"cases": 0, "customers": 0}  # closed today
    assert accessibility_task.delay().get() == 0
