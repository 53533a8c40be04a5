"""Staff case pages: who may open them, the forms' happy and error paths, the transfer conflict,
and the case page's fixed query count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.cases import services, views
from luukku.cases.models import Case, CaseEvent, Consent, Customer, Note, Task
from luukku.cases.tests.factories import (
    CaseEventFactory,
    CaseFactory,
    ConsentFactory,
    NoteFactory,
    TaskFactory,
    UnitFactory,
    in_days,
    staff_member,
)
from luukku.catalogue.models import ServiceOrganisation
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.router.models import TriageItem
from luukku.router.services import Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Pages in English (the /en/ prefix), so assertions read the source strings."""
    with translation.override("en"):
        yield


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, case: Case | None = None, *args: object) -> str:
    return reverse(f"cases:{name}", args=[case.reference, *args] if case else list(args))


# -- who may open the pages ---------------------------------------------------------------------

CASE_PAGES = ["case", "transfer", "give_consent", "close", "merge", "split", "add_task"]


@pytest.mark.parametrize("name", CASE_PAGES)
def test_the_owner_opens_every_case_page(name: str) -> None:
    case = CaseFactory.create()
    TaskFactory.create(case=case)

    response = client_for(case.owner).get(url(name, case))

    assert response.status_code == 200
    assert case.reference in response.content.decode()


@pytest.mark.parametrize("name", ["queue", "open"])
def test_a_case_handler_opens_the_queue_and_the_new_case_form(name: str) -> None:
    response = client_for(staff_member()).get(url(name))

    assert response.status_code == 200


@pytest.mark.parametrize("name", ["queue", "open"])
def test_a_role_without_case_handling_is_forbidden(name: str) -> None:
    analyst = user_with_role(Role.ANALYST)

    assert client_for(analyst).get(url(name)).status_code == 403


@pytest.mark.parametrize("name", CASE_PAGES)
def test_a_role_without_case_handling_is_forbidden_on_case_pages(name: str) -> None:
    case = CaseFactory.create()
    analyst = user_with_role(Role.ANALYST, case.owner_unit)

    assert client_for(analyst).get(url(name, case)).status_code == 403


@pytest.mark.parametrize("name", CASE_PAGES)
def test_another_organisation_gets_not_found(name: str) -> None:
    case = CaseFactory.create()

    assert client_for(staff_member()).get(url(name, case)).status_code == 404


@pytest.mark.parametrize("name", CASE_PAGES)
def test_a_team_member_may_see_but_not_run_the_case(name: str) -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    member = staff_member(task.organisation)

    status = client_for(member).get(url(name, case)).status_code

    assert status == (200 if name == "case" else 403)


@pytest.mark.parametrize("name", ["queue", "open"])
def test_anonymous_users_are_sent_to_log_in(name: str) -> None:
    response = Client().get(url(name))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_anonymous_users_are_sent_to_log_in_from_a_case() -> None:
    case = CaseFactory.create()

    response = Client().get(url("case", case))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_posting_to_an_action_needs_the_csrf_token() -> None:
    case = CaseFactory.create()
    client = Client(enforce_csrf_checks=True)
    client.force_login(case.owner)

    response = client.post(url("add_note", case), {"body": "x", "visibility": "internal"})

    assert response.status_code == 403
    assert not Note.objects.exists()


def test_an_unknown_case_number_is_not_found() -> None:
    response = client_for(staff_member()).get(reverse("cases:case", args=["A000000-XXXXX"]))

    assert response.status_code == 404


# -- opening a case -----------------------------------------------------------------------------


def open_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "channel": "phone",
        "title": "Muutto ja työpaikka",
        "description": "Perhe muuttaa Kuopioon ja tarvitsee päivähoitoa.",
        "customer_kind": "person",
        "customer_name": "Maija Meikäläinen",
        "identity_code": "",
        "business_id": "",
        "email": "maija@example.fi",
        "phone": "",
        "language": "fi",
    }
    data.update(overrides)
    return data


def test_a_phone_call_opens_a_case_owned_by_the_caller_handler() -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)

    response = client_for(me).post(
        url("open"), open_form(owner_unit=unit.pk, identity_code="131052-308T")
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("add_task", case)
    assert (case.owner, case.owner_unit, case.channel) == (me, unit, "phone")
    assert case.customer is not None
    assert case.customer.identity_code_masked == "131052*****"
    assert case.next_action_on is not None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"identity_code": "131052-308X"}, "identity_code", "check character"),
        ({"identity_code": "1310523-08T"}, "identity_code", "DDMMYYCZZZQ"),
        (
            {"customer_kind": "company", "customer_name": "Oy Ab", "business_id": "1234567-8"},
            "business_id",
            "check digit",
        ),
        ({"customer_kind": "company", "customer_name": "Oy Ab"}, "business_id", "business ID"),
        ({"business_id": "0737546-2"}, "business_id", "person has no business ID"),
        (
            {"customer_kind": "community", "identity_code": "131052-308T"},
            "identity_code",
            "Only a person",
        ),
        ({"customer_name": "", "email": "x@example.fi"}, "customer_name", "name"),
        ({"title": ""}, "title", "title"),
        ({"channel": ""}, "channel", "contacted"),
        ({"next_action_on": "2020-01-01"}, "next_action_on", "past"),
    ],
)
def test_the_new_case_form_says_what_is_wrong(overrides, field, message) -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)

    response = client_for(me).post(url("open"), open_form(owner_unit=unit.pk, **overrides))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Case.objects.exists()
    assert not Customer.objects.exists()


def test_a_unit_the_user_does_not_handle_cases_for_is_refused() -> None:
    me = staff_member()
    other = UnitFactory.create()

    response = client_for(me).post(url("open"), open_form(owner_unit=other.pk))

    assert response.status_code == 400
    assert "owner_unit" in response.context["form"].errors


def test_a_company_customer_is_found_again_by_business_id() -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)
    company = {"customer_kind": "company", "customer_name": "Savon Saha Oy"}
    client = client_for(me)

    client.post(url("open"), open_form(owner_unit=unit.pk, business_id="0737546-2", **company))
    client.post(url("open"), open_form(owner_unit=unit.pk, business_id="737546-2", **company))

    assert Case.objects.count() == 2
    assert Customer.objects.count() == 1


# -- adding a service need ----------------------------------------------------------------------


def test_the_router_suggestions_are_offered_and_one_can_be_picked(monkeypatch) -> None:
    case = CaseFactory.create(title="Tarvitsen päivähoitopaikan lapselle")
    daycare = ServiceFactory.create(
        slug="paivahoito", names={"fi": "Päivähoito", "sv": "D", "en": "D"}
    )
    unit = UnitFactory.create()
    seen: list[str] = []

    def suggest(text: str, **kwargs: object) -> list[Suggestion]:
        seen.append(text)
        return [Suggestion(daycare, "paivahoito", "Päivähoito", unit, 0.82)]

    monkeypatch.setattr(views.router_services, "suggest", suggest)
    client = client_for(case.owner)

    page = client.get(url("add_task", case)).content.decode()
    response = client.post(
        url("add_task", case), {"suggested": "paivahoito", "sensitivity": "general"}
    )

    assert "Päivähoito" in page
    assert "82 %" in page
    assert "päivähoitopaikan" in seen[0]
    assert response.status_code == 302
    task = Task.objects.get(case=case)
    assert (task.service, task.organisation) == (daycare, unit)


def test_a_service_from_the_list_with_one_producer_needs_no_unit() -> None:
    case = CaseFactory.create()
    service = ServiceFactory.create()
    producer = UnitFactory.create()
    ServiceOrganisation.objects.create(
        service=service, organisation=producer, role=ServiceOrganisation.Role.PRODUCER
    )

    response = client_for(case.owner).post(
        url("add_task", case), {"service": service.slug, "sensitivity": "general"}
    )

    assert response.status_code == 302
    assert Task.objects.get(case=case).organisation == producer


def test_adding_a_task_without_a_service_or_producer_says_what_is_missing() -> None:
    case = CaseFactory.create()
    client = client_for(case.owner)

    nothing = client.post(url("add_task", case), {"sensitivity": "general"})
    no_producer = client.post(
        url("add_task", case),
        {"service": ServiceFactory.create().slug, "sensitivity": "general"},
    )

    assert nothing.status_code == 400
    assert "service" in nothing.context["form"].errors
    assert no_producer.status_code == 400
    assert "organisation" in no_producer.context["form"].errors
    assert not Task.objects.exists()


# -- ownership ----------------------------------------------------------------------------------


def test_the_owner_hands_the_case_over_with_a_reason() -> None:
    case = CaseFactory.create()
    new_unit = UnitFactory.create()
    colleague = staff_member(new_unit)
    membership = colleague.memberships.get()

    response = client_for(case.owner).post(
        url("transfer", case),
        {"new_owner": membership.pk, "reason": "Työllisyysasia", "expected_owner": case.owner.pk},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.owner, case.owner_unit) == (colleague, new_unit)
    event = case.events.get(kind=CaseEvent.Kind.OWNER_TRANSFERRED)
    assert event.reason == "Työllisyysasia"


def test_a_transfer_needs_a_reason() -> None:
    case = CaseFactory.create()
    membership = staff_member().memberships.get()

    response = client_for(case.owner).post(
        url("transfer", case),
        {"new_owner": membership.pk, "reason": "", "expected_owner": case.owner.pk},
    )

    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert Case.objects.get().owner == case.owner


def test_a_transfer_to_someone_who_cannot_handle_cases_is_refused_at_the_owner_field() -> None:
    case = CaseFactory.create()
    membership = user_with_role(Role.ANALYST).memberships.get()

    response = client_for(case.owner).post(
        url("transfer", case),
        {"new_owner": membership.pk, "reason": "x", "expected_owner": case.owner.pk},
    )

    # Memberships without HANDLE_CASES are not offered at all.
    assert response.status_code == 400
    assert "new_owner" in response.context["form"].errors


def test_a_transfer_based_on_a_stale_page_says_someone_else_changed_the_owner() -> None:
    case = CaseFactory.create()
    colleague = staff_member(case.owner_unit)
    first_owner = case.owner
    client = client_for(colleague)
    form_page = client.get(url("transfer", case))
    assert f'value="{first_owner.pk}"' in form_page.content.decode()
    # Meanwhile the owner hands the case to a third person.
    third = staff_member(UnitFactory.create())
    services.transfer_ownership(
        case=case,
        to_owner=third,
        to_unit=third.memberships.get().organisation,
        actor=first_owner,
        reason="Lomalle",
    )
    target = staff_member(case.owner_unit).memberships.get()

    response = client.post(
        url("transfer", case),
        {"new_owner": target.pk, "reason": "Minä hoidan", "expected_owner": first_owner.pk},
    )

    # The colleague no longer works in the owner's unit: the case is not theirs to transfer.
    assert response.status_code in (403, 404)

    # A colleague of the new owner with the same stale form gets the conflict message.
    case.refresh_from_db()
    their_colleague = staff_member(case.owner_unit)
    response = client_for(their_colleague).post(
        url("transfer", case),
        {"new_owner": target.pk, "reason": "Minä hoidan", "expected_owner": first_owner.pk},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed the owner of the case meanwhile" in html
    assert third.get_full_name() in html
    assert f'value="{third.pk}"' in html  # a second submit is a deliberate decision
    case.refresh_from_db()
    assert case.owner == third


def test_a_team_member_takes_ownership() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    member = staff_member(task.organisation)
    client = client_for(member)

    page = client.get(url("case", case)).content.decode()
    response = client.post(
        url("take", case), {"unit": task.organisation.pk, "expected_owner": case.owner.pk}
    )

    assert "Take ownership" in page
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.owner, case.owner_unit) == (member, task.organisation)


def test_taking_a_case_someone_else_took_first_shows_a_message_and_changes_nothing() -> None:
    case = CaseFactory.create()
    colleague = staff_member(case.owner_unit)
    first_owner = case.owner
    services.transfer_ownership(
        case=case,
        to_owner=staff_member(case.owner_unit),
        to_unit=case.owner_unit,
        actor=first_owner,
        reason="Sijainen",
    )
    client = client_for(colleague)

    response = client.post(
        url("take", case),
        {"unit": case.owner_unit.pk, "expected_owner": first_owner.pk},
        follow=True,
    )

    assert "Someone else changed the owner" in response.content.decode()
    case.refresh_from_db()
    assert case.owner != colleague


# -- notes, next action, task updates ------------------------------------------------------------


def test_the_owner_adds_a_customer_visible_note() -> None:
    case = CaseFactory.create()
    client = client_for(case.owner)

    response = client.post(
        url("add_note", case),
        {"body": "Soitin asiakkaalle.", "visibility": "customer", "sensitivity": "general"},
    )

    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.visibility, note.author_unit) == (Note.Visibility.CUSTOMER, case.owner_unit)
    page = client.get(url("case", case)).content.decode()
    assert "Soitin asiakkaalle." in page
    assert "visible to the customer" in page


def test_an_empty_note_is_an_error_on_the_case_page() -> None:
    case = CaseFactory.create()

    response = client_for(case.owner).post(
        url("add_note", case), {"body": "", "visibility": "internal", "sensitivity": "general"}
    )

    assert response.status_code == 400
    assert "Write the note." in response.content.decode()
    assert not Note.objects.exists()


def test_a_social_health_note_cannot_be_customer_visible() -> None:
    case = CaseFactory.create()

    response = client_for(case.owner).post(
        url("add_note", case),
        {"body": "Diagnoosi", "visibility": "customer", "sensitivity": "social_health"},
    )

    assert response.status_code == 400
    assert not Note.objects.exists()


def test_a_team_member_writes_a_note_on_their_own_task_for_their_unit() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    member = staff_member(task.organisation)

    response = client_for(member).post(
        url("add_note", case),
        {
            "body": "Paikka löytyi.",
            "visibility": "internal",
            "sensitivity": "general",
            "task": task.pk,
        },
    )

    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.task, note.author_unit) == (task, task.organisation)


def test_a_team_member_cannot_write_on_another_organisations_task() -> None:
    case = CaseFactory.create()
    own = TaskFactory.create(case=case)
    other = TaskFactory.create(case=case)
    member = staff_member(own.organisation)

    response = client_for(member).post(
        url("add_note", case),
        {"body": "x", "visibility": "internal", "sensitivity": "general", "task": other.pk},
    )

    assert response.status_code == 400
    assert not Note.objects.exists()


def test_the_next_action_date_is_set_and_a_past_date_refused() -> None:
    case = CaseFactory.create()
    client = client_for(case.owner)

    past = client.post(url("next_action", case), {"on": "2020-01-01"})
    ok = client.post(url("next_action", case), {"on": in_days(7).isoformat(), "reason": "Soitto"})

    assert past.status_code == 400
    assert "past" in past.content.decode()
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.next_action_on == in_days(7)


def test_a_team_member_updates_their_task_but_cannot_set_the_case_date() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    member = staff_member(task.organisation)
    client = client_for(member)
    prefix = f"task-{task.pk}"

    done = client.post(
        url("update_task", case, task.pk), {f"{prefix}-status": "done", f"{prefix}-note": "Valmis"}
    )
    date = client.post(url("next_action", case), {"on": in_days(7).isoformat()})

    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert date.status_code == 403


def test_open_work_without_a_next_action_date_is_refused() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    prefix = f"task-{task.pk}"

    response = client_for(case.owner).post(
        url("update_task", case, task.pk),
        {f"{prefix}-status": "waiting", f"{prefix}-next_action_on": ""},
    )

    assert response.status_code == 400
    assert "needs a next action date" in response.content.decode()


# -- consent ------------------------------------------------------------------------------------


def test_the_owner_records_and_revokes_a_consent() -> None:
    case = CaseFactory.create()
    other = UnitFactory.create()
    client = client_for(case.owner)

    given = client.post(
        url("give_consent", case),
        {"organisation": other.pk, "scope": "full", "how_given": "Puhelimessa"},
    )
    consent = Consent.objects.get()
    revoked = client.post(url("revoke_consent", case, consent.pk))

    assert given.status_code == 302
    assert revoked.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert "revoked" in client.get(url("case", case)).content.decode()


def test_a_consent_needs_how_it_was_given() -> None:
    case = CaseFactory.create()

    response = client_for(case.owner).post(
        url("give_consent", case), {"organisation": UnitFactory.create().pk, "scope": "summary"}
    )

    assert response.status_code == 400
    assert "how_given" in response.context["form"].errors


def test_a_consented_organisation_cannot_revoke_or_give_consents() -> None:
    case = CaseFactory.create()
    consent = ConsentFactory.create(case=case, scope=Consent.Scope.FULL)
    member = staff_member(consent.organisation)

    assert client_for(member).post(url("revoke_consent", case, consent.pk)).status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None


# -- closing, reopening, merging, splitting ----------------------------------------------------


def test_closing_with_active_tasks_says_which_to_finish() -> None:
    case = CaseFactory.create()
    TaskFactory.create(case=case)

    response = client_for(case.owner).post(url("close", case), {"outcome": "solved"})

    assert response.status_code == 400
    assert "Finish or cancel these tasks first" in response.content.decode()
    assert Case.objects.get().status == Case.Status.OPEN


def test_close_and_reopen() -> None:
    case = CaseFactory.create()
    client = client_for(case.owner)

    closed = client.post(url("close", case), {"outcome": "solved", "summary": "Hoidettu"})
    case.refresh_from_db()
    assert closed.status_code == 302
    assert case.status == Case.Status.CLOSED
    assert "Reopen the case" in client.get(url("case", case)).content.decode()

    missing_reason = client.post(url("reopen", case), {"reason": ""})
    reopened = client.post(url("reopen", case), {"reason": "Asiakas soitti uudestaan"})

    assert missing_reason.status_code == 400
    assert reopened.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_merge_into_a_case_of_the_same_customer() -> None:
    survivor = CaseFactory.create()
    duplicate = CaseFactory.create(
        customer=survivor.customer, owner=survivor.owner, owner_unit=survivor.owner_unit
    )

    response = client_for(duplicate.owner).post(
        url("merge", duplicate), {"survivor": survivor.reference.lower(), "reason": "Sama asia"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("case", survivor)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


def test_merge_into_a_case_the_user_cannot_see_is_said_not_to_exist() -> None:
    duplicate = CaseFactory.create()
    hidden = CaseFactory.create(customer=duplicate.customer)

    response = client_for(duplicate.owner).post(
        url("merge", duplicate), {"survivor": hidden.reference, "reason": "Sama"}
    )

    assert response.status_code == 400
    assert "No case has the number" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_split_moves_the_chosen_tasks_to_a_new_case() -> None:
    case = CaseFactory.create()
    stays = TaskFactory.create(case=case)
    moves = TaskFactory.create(case=case)
    new_owner = staff_member(moves.organisation)

    response = client_for(case.owner).post(
        url("split", case),
        {
            "tasks": [moves.pk],
            "title": "Asunto erikseen",
            "new_owner": new_owner.memberships.get().pk,
            "reason": "Eri asia",
        },
    )

    assert response.status_code == 302
    moves.refresh_from_db()
    stays.refresh_from_db()
    assert stays.case == case
    assert moves.case != case
    assert response["Location"] == url("case", moves.case)
    assert moves.case.owner == new_owner


def test_split_without_tasks_says_so() -> None:
    case = CaseFactory.create()
    TaskFactory.create(case=case)

    response = client_for(case.owner).post(
        url("split", case),
        {"title": "x", "new_owner": case.owner.memberships.get().pk, "reason": "y"},
    )

    assert response.status_code == 400
    assert "tasks" in response.context["form"].errors


# -- the case page ------------------------------------------------------------------------------


def test_the_case_page_shows_the_named_contact_timeline_and_masked_identity() -> None:
    owner_unit = UnitFactory.create(
        name_fi="Asiakaspalvelu Kuopio", name_en="Asiakaspalvelu Kuopio"
    )
    owner = staff_member(owner_unit, first_name="Liisa", last_name="Luukku")
    customer = services.find_or_create_customer(
        kind="person", name="Matti Asiakas", identity_code="131052-308T"
    )
    case = services.open_case(
        channel="walk_in",
        title="Työnhaku",
        owner=owner,
        owner_unit=owner_unit,
        actor=owner,
        customer=customer,
    )
    services.add_note(
        case=case, author=owner, author_unit=owner_unit, body="Käynti", visibility="internal"
    )

    html = client_for(owner).get(url("case", case)).content.decode()

    assert "Liisa Luukku" in html
    assert "Asiakaspalvelu Kuopio" in html
    assert "131052*****" in html
    assert "308T" not in html
    timeline = html[html.index('id="timeline-title"') :]
    assert timeline.index("Opened") < timeline.index("Note added")


def test_the_case_page_costs_the_same_queries_however_much_it_holds() -> None:
    case = CaseFactory.create()
    client = client_for(case.owner)

    def add_content(count: int) -> None:
        for _ in range(count):
            task = TaskFactory.create(case=case)
            NoteFactory.create(case=case, task=task)
            CaseEventFactory.create(case=case, task=task)
            ConsentFactory.create(case=case)

    add_content(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("case", case)).status_code == 200
    add_content(8)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("case", case)).status_code == 200

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 20


# -- triage -------------------------------------------------------------------------------------


def test_triage_picks_the_service_for_a_waiting_message() -> None:
    item = TriageItem.objects.create(text="Lumi tukkii pihatien", source="test", source_id="7")
    service = ServiceFactory.create(slug="aurauspalvelu")
    agent = user_with_role(Role.CUSTOMER_SERVICE_AGENT, UnitFactory.create())
    client = client_for(agent)

    page = client.get(url("triage_item", None, item.pk))
    response = client.post(url("triage_item", None, item.pk), {"service": service.slug})

    assert "Lumi tukkii pihatien" in page.content.decode()
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.decided_service, item.decided_by) == ("decided", service, agent)
    assert client.get(url("triage_item", None, item.pk)).status_code == 404


def test_triage_needs_the_triage_role() -> None:
    item = TriageItem.objects.create(text="x", source="test", source_id="8")
    social = staff_member(role=Role.SOCIAL_HEALTH_PROFESSIONAL)

    assert client_for(social).get(url("triage_item", None, item.pk)).status_code == 403


def test_overdue_next_action_is_marked_on_the_case_page() -> None:
    case = CaseFactory.create()
    Case.objects.filter(pk=case.pk).update(
        next_action_on=in_days(-1), last_activity_at=timezone.now() - timedelta(days=2)
    )

    html = client_for(case.owner).get(url("case", case)).content.decode()

    assert "status--overdue" in html


def test_the_staff_home_links_to_the_work_queue_for_case_handlers_only() -> None:
    queue_url = reverse("cases:queue")

    handler_home = client_for(staff_member()).get(reverse("accounts:home")).content.decode()
    analyst_home = (
        client_for(user_with_role(Role.ANALYST)).get(reverse("accounts:home")).content.decode()
    )

    assert f'href="{queue_url}"' in handler_home
    assert f'href="{queue_url}"' not in analyst_home


def test_the_case_page_has_no_duplicate_ids_with_every_form_shown() -> None:
    case = CaseFactory.create()
    TaskFactory.create(case=case, organisation=case.owner_unit)
    colleague = staff_member(case.owner_unit)

    html = client_for(colleague).get(url("case", case)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert "take_reason" in ids
    assert "next_reason" in ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_triage_decision_lost_to_someone_else_says_so(monkeypatch) -> None:
    item = TriageItem.objects.create(text="Katuvalo", source="test", source_id="9")
    service = ServiceFactory.create(slug="katuvalot")
    agent = user_with_role(Role.CUSTOMER_SERVICE_AGENT, UnitFactory.create())

    def decided_meanwhile(**kwargs: object) -> None:
        raise views.router_services.RouterError("item", "This message has already been routed.")

    monkeypatch.setattr(views.services, "decide_triage", decided_meanwhile)

    response = client_for(agent).post(
        url("triage_item", None, item.pk), {"service": service.slug}, follow=True
    )

    assert "Someone else already chose the service" in response.content.decode()


def test_revoking_a_consent_twice_is_a_message_not_an_error() -> None:
    case = CaseFactory.create()
    consent = ConsentFactory.create(case=case)
    client = client_for(case.owner)
    first_page = client.get(url("case", case))
    assert first_page.status_code == 200

    client.post(url("revoke_consent", case, consent.pk))
    again = client.post(url("revoke_consent", case, consent.pk))

    assert again.status_code == 404  # an already revoked consent has no revoke button
