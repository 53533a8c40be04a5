"""The case rules, tried from the edges: ownership, tasks, closing, reopening, merge and split."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from luukku.accounts.roles import Role
from luukku.cases import services
from luukku.cases.models import Case, CaseEvent, Channel, Consent, Note, Task
from luukku.cases.services import CaseError, OwnershipConflict
from luukku.cases.signals import case_closed
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.notifications.models import Notification

from .factories import (
    CaseFactory,
    ConsentFactory,
    CustomerFactory,
    ServiceLevelFactory,
    TaskFactory,
    UnitFactory,
    in_days,
    staff_member,
)

pytestmark = pytest.mark.django_db


def notifications_to(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


# --- opening -------------------------------------------------------------------------------


def test_an_opened_case_has_its_owner_a_next_action_and_an_opening_event():
    unit = UnitFactory.create()
    agent = staff_member(unit, Role.CUSTOMER_SERVICE_AGENT)
    owner = staff_member(unit)
    case = services.open_case(
        channel=Channel.WALK_IN,
        title=" Muutto Kuopioon ",
        owner=owner,
        owner_unit=unit,
        actor=agent,
    )
    assert case.title == "Muutto Kuopioon"
    assert case.reference.startswith("A")
    assert case.next_action_on == timezone.localdate() + timedelta(days=1)
    assert case.due_at is not None
    event = case.events.get()
    assert (event.kind, event.actor, event.to_owner) == (CaseEvent.Kind.OPENED, agent, owner)
    assert notifications_to(owner, "case_assigned").count() == 2  # in-app and e-mail


def test_nobody_without_case_handling_rights_in_the_unit_can_own_a_case():
    unit, elsewhere = UnitFactory.create(), UnitFactory.create()
    outsider = staff_member(elsewhere)
    analyst = staff_member(unit, Role.ANALYST)
    for owner in (outsider, analyst):
        with pytest.raises(CaseError) as error:
            services.open_case(
                channel=Channel.PHONE, title="x", owner=owner, owner_unit=unit, actor=None
            )
        assert error.value.field == "owner"
    assert not Case.objects.exists()


def test_an_owner_in_a_parent_organisation_may_own_for_its_unit():
    unit = UnitFactory.create()
    owner = staff_member(unit.parent)
    case = services.open_case(
        channel=Channel.PHONE, title="x", owner=owner, owner_unit=unit, actor=owner
    )
    assert case.owner == owner
    assert not notifications_to(owner).exists()  # nobody is told what they did themselves


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("title", {"title": "   "}),
        ("channel", {"channel": "carrier_pigeon"}),
        ("next_action_on", {"next_action_on": in_days(-1)}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(field, kwargs):
    unit = UnitFactory.create()
    owner = staff_member(unit)
    arguments = {"channel": Channel.PHONE, "title": "Asia", **kwargs}
    with pytest.raises(CaseError) as error:
        services.open_case(owner=owner, owner_unit=unit, actor=owner, **arguments)
    assert error.value.field == field
    assert not Case.objects.exists()


# --- the database keeps the invariants even when code does not ----------------------------


def test_the_database_refuses_an_open_case_without_a_next_action():
    case = CaseFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(next_action_on=None)


def test_the_database_refuses_a_closed_case_without_outcome_or_closing_time():
    case = CaseFactory.create()
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, outcome="solved")


def test_the_database_refuses_an_open_case_with_an_outcome():
    case = CaseFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(outcome="solved")


def test_the_database_refuses_a_case_without_an_owner():
    case = CaseFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(owner=None)


def test_the_database_refuses_an_active_task_without_a_next_action():
    task = TaskFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(next_action_on=None)


def test_the_database_refuses_two_active_consents_for_one_organisation():
    consent = ConsentFactory.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory.create(case=consent.case, organisation=consent.organisation)


# --- ownership -----------------------------------------------------------------------------


def test_a_transfer_records_who_to_whom_and_why_and_tells_the_new_owner():
    case = CaseFactory.create()
    old_owner, old_unit = case.owner, case.owner_unit
    new_unit = UnitFactory.create()
    new_owner = staff_member(new_unit)
    services.transfer_ownership(
        case=case, to_owner=new_owner, to_unit=new_unit, actor=old_owner, reason="TE-asia"
    )
    case.refresh_from_db()
    assert (case.owner, case.owner_unit, case.owner_changes) == (new_owner, new_unit, 1)
    event = case.events.get(kind=CaseEvent.Kind.OWNER_TRANSFERRED)
    assert (event.from_owner, event.to_owner, event.actor, event.reason) == (
        old_owner,
        new_owner,
        old_owner,
        "TE-asia",
    )
    assert event.details == {"from_unit": old_unit.pk, "to_unit": new_unit.pk}
    assert notifications_to(new_owner, "case_assigned").count() == 2


def test_a_transfer_needs_a_reason_and_an_entitled_new_owner():
    case = CaseFactory.create()
    unit = UnitFactory.create()
    with pytest.raises(CaseError) as error:
        services.transfer_ownership(
            case=case, to_owner=staff_member(unit), to_unit=unit, actor=None, reason=" "
        )
    assert error.value.field == "reason"
    with pytest.raises(CaseError) as error:
        services.transfer_ownership(
            case=case,
            to_owner=staff_member(UnitFactory.create()),
            to_unit=unit,
            actor=None,
            reason="x",
        )
    assert error.value.field == "to_owner"
    inactive = staff_member(unit, is_active=False)
    with pytest.raises(CaseError):
        services.transfer_ownership(
            case=case, to_owner=inactive, to_unit=unit, actor=None, reason="x"
        )
    case.refresh_from_db()
    assert case.owner_changes == 0
    assert not case.events.exists()


def test_a_transfer_from_a_stale_read_is_a_conflict_not_an_override():
    case = CaseFactory.create()
    first_owner = case.owner
    unit = UnitFactory.create()
    alice, bob = staff_member(unit), staff_member(unit)
    services.transfer_ownership(
        case=case, to_owner=alice, to_unit=unit, actor=None, reason="a", expected_owner=first_owner
    )
    with pytest.raises(OwnershipConflict):
        services.transfer_ownership(
            case=case,
            to_owner=bob,
            to_unit=unit,
            actor=None,
            reason="b",
            expected_owner=first_owner,
        )
    case.refresh_from_db()
    assert case.owner == alice
    assert case.owner_changes == 1


def test_a_closed_case_cannot_be_transferred():
    case = CaseFactory.create(closed=True)
    unit = UnitFactory.create()
    with pytest.raises(CaseError):
        services.transfer_ownership(
            case=case, to_owner=staff_member(unit), to_unit=unit, actor=None, reason="x"
        )


# --- tasks ---------------------------------------------------------------------------------


def test_a_task_takes_its_dates_from_the_service_level():
    level = ServiceLevelFactory.create(first_response_hours=72, resolution_days=30)
    case = CaseFactory.create()
    task = services.add_task(
        case=case, service=level.service, organisation=UnitFactory.create(), actor=case.owner
    )
    assert task.next_action_on == timezone.localdate(timezone.now() + timedelta(hours=72))
    assert task.due_at is not None
    assert abs(task.due_at - (task.created_at + timedelta(days=30))) < timedelta(seconds=1)
    assert case.events.filter(kind=CaseEvent.Kind.TASK_ADDED, task=task).exists()


def test_a_task_cannot_be_assigned_to_someone_outside_its_unit():
    case = CaseFactory.create()
    with pytest.raises(CaseError) as error:
        services.add_task(
            case=case,
            service=ServiceFactory.create(),
            organisation=UnitFactory.create(),
            actor=None,
            assignee=staff_member(),
        )
    assert error.value.field == "assignee"
    assert not case.tasks.exists()


def test_finishing_a_task_clears_its_next_action_and_tells_the_owner():
    task = TaskFactory.create()
    worker = staff_member(task.organisation)
    services.update_task(task=task, actor=worker, status=Task.Status.DONE, note="Päätös tehty")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert task.next_action_on is None
    assert task.completed_at is not None
    event = task.case.events.get(kind=CaseEvent.Kind.TASK_CHANGED)
    assert event.details == {"status": ["open", "done"]}
    assert event.reason == "Päätös tehty"
    assert notifications_to(task.case.owner, "task_finished").count() == 1
    with pytest.raises(CaseError):
        services.update_task(task=task, actor=worker, status=Task.Status.OPEN)


def test_a_task_update_that_changes_nothing_is_refused():
    task = TaskFactory.create()
    with pytest.raises(CaseError):
        services.update_task(task=task, actor=None, status=task.status)


def test_a_case_between_two_tasks_is_in_transition():
    case = CaseFactory.create()
    assert Case.objects.in_transition().filter(pk=case.pk).exists()  # nothing under way yet
    first = TaskFactory.create(case=case)
    assert not Case.objects.in_transition().filter(pk=case.pk).exists()
    services.update_task(task=first, actor=None, status=Task.Status.DONE)
    annotated = Case.objects.with_in_transition()
    assert annotated.get(pk=case.pk).in_transition is True  # type: ignore[attr-defined]
    TaskFactory.create(case=case)
    assert annotated.get(pk=case.pk).in_transition is False  # type: ignore[attr-defined]
    closed = CaseFactory.create(closed=True)
    assert not Case.objects.in_transition().filter(pk=closed.pk).exists()


# --- closing -------------------------------------------------------------------------------


def test_a_case_with_active_tasks_cannot_close_and_the_error_names_them():
    case = CaseFactory.create()
    open_task = TaskFactory.create(case=case, service=ServiceFactory.create(slug="varhaiskasvatus"))
    TaskFactory.create(case=case, done=True)
    with pytest.raises(CaseError) as error:
        services.close_case(case=case, outcome=Case.Outcome.SOLVED, actor=case.owner)
    assert error.value.field == "tasks"
    assert str(open_task.service) in error.value.message
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_closing_records_the_outcome_and_signals_after_commit(django_capture_on_commit_callbacks):
    case = CaseFactory.create()
    received = []

    def receiver(sender, case, **kwargs):
        received.append(case.pk)

    case_closed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.close_case(
                case=case, outcome=Case.Outcome.PARTLY, actor=case.owner, summary="Osin"
            )
            assert received == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        case_closed.disconnect(receiver)
    assert received == [case.pk]
    case.refresh_from_db()
    assert (case.status, case.outcome, case.next_action_on) == ("closed", "partly", None)
    assert case.events.get(kind=CaseEvent.Kind.CLOSED).reason == "Osin"


@pytest.mark.parametrize("outcome", ["", "merged", "great"])
def test_closing_needs_a_real_outcome(outcome):
    case = CaseFactory.create()
    with pytest.raises(CaseError) as error:
        services.close_case(case=case, outcome=outcome, actor=None)
    assert error.value.field == "outcome"


def test_first_contact_resolution_only_without_hand_over():
    handed = CaseFactory.create()
    unit = UnitFactory.create()
    services.transfer_ownership(
        case=handed, to_owner=staff_member(unit), to_unit=unit, actor=None, reason="x"
    )
    with pytest.raises(CaseError) as error:
        services.close_case(
            case=handed, outcome="solved", actor=None, first_contact_resolution=True
        )
    assert error.value.field == "first_contact_resolution"
    with pytest.raises(CaseError):
        services.close_case(
            case=CaseFactory.create(), outcome="partly", actor=None, first_contact_resolution=True
        )
    quick = services.close_case(
        case=CaseFactory.create(), outcome="solved", actor=None, first_contact_resolution=True
    )
    assert quick.first_contact_resolution


# --- customer updates and reopening: never a dead end --------------------------------------


def test_a_customer_update_on_a_closed_case_reopens_it_and_tells_the_owner():
    case = CaseFactory.create(closed=True)
    event = services.record_customer_update(case=case, body="Ei korjattu", channel=Channel.PHONE)
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.outcome == ""
    assert case.next_action_on == timezone.localdate()
    assert event.kind == CaseEvent.Kind.CUSTOMER_UPDATE
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).count() == 1
    assert notifications_to(case.owner, "customer_update").count() == 2
    assert notifications_to(case.owner, "case_reopened").count() == 2


def test_a_customer_update_brings_the_next_action_forward():
    case = CaseFactory.create(next_action_on=in_days(10))
    services.record_customer_update(case=case, body="Soitin", channel=Channel.PHONE)
    case.refresh_from_db()
    assert case.next_action_on == timezone.localdate()


def test_a_reopened_case_whose_owner_left_goes_to_someone_who_can_own_it():
    case = CaseFactory.create(closed=True)
    successor = staff_member(case.owner_unit, Role.CUSTOMER_SERVICE_AGENT)
    gone = case.owner
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    services.reopen_case(case=case, reason="Asiakas soitti")
    case.refresh_from_db()
    assert case.owner == successor
    event = case.events.get(kind=CaseEvent.Kind.REOPENED)
    assert (event.from_owner, event.to_owner) == (gone, successor)


def test_an_update_to_a_merged_case_reaches_the_surviving_case():
    duplicate, survivor = CaseFactory.create(), CaseFactory.create()
    survivor.customer = duplicate.customer
    survivor.save()
    services.merge_cases(duplicate=duplicate, survivor=survivor, actor=None, reason="Sama asia")
    event = services.record_customer_update(case=duplicate, body="Lisätieto", channel="email")
    assert event.case_id == survivor.pk


# --- next action, notes, consent -----------------------------------------------------------


def test_setting_the_next_action_clears_an_escalation():
    case = CaseFactory.create(escalated_at=timezone.now())
    services.set_next_action(case=case, on=in_days(2), actor=case.owner, reason="Odotan liitettä")
    case.refresh_from_db()
    assert case.next_action_on == in_days(2)
    assert case.escalated_at is None
    with pytest.raises(CaseError):
        services.set_next_action(case=case, on=in_days(-3), actor=case.owner)


def test_a_note_needs_a_body_and_an_author_of_the_unit():
    case = CaseFactory.create()
    with pytest.raises(CaseError):
        services.add_note(
            case=case,
            author=case.owner,
            author_unit=case.owner_unit,
            body=" ",
            visibility="internal",
        )
    with pytest.raises(CaseError) as error:
        services.add_note(
            case=case,
            author=staff_member(),
            author_unit=case.owner_unit,
            body="Kurkistus",
            visibility="internal",
        )
    assert error.value.field == "author"
    note = services.add_note(
        case=case, author=case.owner, author_unit=case.owner_unit, body="Ok", visibility="customer"
    )
    assert note.visibility == Note.Visibility.CUSTOMER
    assert case.events.filter(kind=CaseEvent.Kind.NOTE_ADDED).count() == 1


def test_a_new_consent_replaces_the_organisations_previous_one():
    case = CaseFactory.create()
    unit = UnitFactory.create()
    first = services.give_consent(
        case=case,
        organisation=unit,
        scope=Consent.Scope.SUMMARY,
        includes_social_health=False,
        how_given="Puhelimessa",
        actor=case.owner,
    )
    second = services.give_consent(
        case=case,
        organisation=unit,
        scope=Consent.Scope.FULL,
        includes_social_health=True,
        how_given="Allekirjoitettu lomake",
        actor=case.owner,
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    services.revoke_consent(consent=second, actor=case.owner)
    with pytest.raises(CaseError):
        services.revoke_consent(consent=second, actor=case.owner)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["consent_given", "consent_given", "consent_revoked"]


def test_consent_needs_a_scope_and_how_it_was_given():
    case = CaseFactory.create()
    for scope, how in (("everything", "x"), ("summary", " ")):
        with pytest.raises(CaseError):
            services.give_consent(
                case=case,
                organisation=case.owner_unit,
                scope=scope,
                includes_social_health=False,
                how_given=how,
                actor=None,
            )
    assert not Consent.objects.exists()


# --- merge and split -----------------------------------------------------------------------


def test_merging_moves_active_tasks_and_closes_the_duplicate_with_events_on_both():
    customer = CustomerFactory.create()
    duplicate, survivor = (
        CaseFactory.create(customer=customer),
        CaseFactory.create(customer=customer),
    )
    active = TaskFactory.create(case=duplicate)
    finished = TaskFactory.create(case=duplicate, done=True)
    services.merge_cases(duplicate=duplicate, survivor=survivor, actor=None, reason="Sama muutto")
    duplicate.refresh_from_db()
    active.refresh_from_db()
    finished.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert (duplicate.status, duplicate.outcome) == ("closed", "merged")
    assert active.case == survivor
    assert finished.case == duplicate
    assert duplicate.events.get(kind="merged").details["into"] == survivor.reference
    assert survivor.events.get(kind="merged").details["merged"] == duplicate.reference


def test_merging_refuses_different_customers_itself_and_closed_survivors():
    first, second = CaseFactory.create(), CaseFactory.create()
    with pytest.raises(CaseError):
        services.merge_cases(duplicate=first, survivor=second, actor=None, reason="x")
    with pytest.raises(CaseError):
        services.merge_cases(duplicate=first, survivor=first, actor=None, reason="x")
    closed = CaseFactory.create(closed=True, customer=first.customer)
    with pytest.raises(CaseError):
        services.merge_cases(duplicate=first, survivor=closed, actor=None, reason="x")
    first.refresh_from_db()
    assert first.merged_into is None


def test_splitting_moves_the_chosen_tasks_to_a_new_case_with_its_own_owner():
    case = CaseFactory.create()
    stay, leave = TaskFactory.create(case=case), TaskFactory.create(case=case)
    ConsentFactory.create(case=case)
    unit = UnitFactory.create()
    owner = staff_member(unit)
    new_case = services.split_case(
        case=case,
        tasks=[leave],
        actor=case.owner,
        title="Yrityksen rekrytointi",
        owner=owner,
        owner_unit=unit,
        reason="Eri asia",
    )
    leave.refresh_from_db()
    stay.refresh_from_db()
    assert (leave.case, stay.case) == (new_case, case)
    assert new_case.customer == case.customer
    assert new_case.owner == owner
    assert not new_case.consents.exists()  # the customer's consent is asked again
    assert case.events.get(kind="split").details["to"] == new_case.reference
    assert new_case.events.get(kind="split").details["from"] == case.reference


def test_splitting_refuses_tasks_of_another_case():
    case, other = CaseFactory.create(), TaskFactory.create()
    with pytest.raises(CaseError) as error:
        services.split_case(
            case=case,
            tasks=[other],
            actor=None,
            title="x",
            owner=case.owner,
            owner_unit=case.owner_unit,
            reason="x",
        )
    assert error.value.field == "tasks"
    assert Case.objects.count() == 2


# --- closed means closed, and nothing is half-written --------------------------------------


def test_a_closed_case_takes_no_new_tasks_or_task_changes():
    case = CaseFactory.create()
    task = TaskFactory.create(case=case, done=True)
    services.close_case(case=case, outcome="solved", actor=None)
    with pytest.raises(CaseError):
        services.add_task(
            case=case, service=ServiceFactory.create(), organisation=case.owner_unit, actor=None
        )
    with pytest.raises(CaseError):
        services.update_task(task=task, actor=None, note="myöhäinen")
    with pytest.raises(CaseError):
        services.reopen_case(case=CaseFactory.create(), reason="ei suljettu")


def test_a_merged_duplicate_cannot_be_reopened_on_its_own():
    customer = CustomerFactory.create()
    duplicate = CaseFactory.create(customer=customer)
    survivor = CaseFactory.create(customer=customer)
    services.merge_cases(duplicate=duplicate, survivor=survivor, actor=None, reason="sama")
    with pytest.raises(CaseError):
        services.reopen_case(case=duplicate, reason="asiakas soitti")


def test_a_failure_after_the_change_leaves_nothing_half_written(monkeypatch):
    case = CaseFactory.create()
    first_owner = case.owner
    unit = UnitFactory.create()

    def broken_notify(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(services, "notify", broken_notify)
    with pytest.raises(RuntimeError):
        services.transfer_ownership(
            case=case, to_owner=staff_member(unit), to_unit=unit, actor=None, reason="x"
        )
    case.refresh_from_db()
    assert (case.owner, case.owner_changes) == (first_owner, 0)
    assert not case.events.exists()


def test_a_task_next_action_cannot_be_in_the_past():
    task = TaskFactory.create()
    with pytest.raises(CaseError) as error:
        services.update_task(task=task, actor=None, next_action_on=in_days(-1))
    assert error.value.field == "next_action_on"
