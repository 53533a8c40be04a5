"""Nobody falls through: late work reaches the unit lead once, and in the morning digest."""

from datetime import timedelta

import pytest
from django.utils import timezone

from luukku.accounts.roles import Role
from luukku.cases import services, tasks
from luukku.cases.models import Case, CaseEvent, Task
from luukku.notifications.models import Notification

from .factories import (
    CaseFactory,
    ServiceLevelFactory,
    TaskFactory,
    UnitFactory,
    in_days,
    staff_member,
)

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def unit():
    return UnitFactory.create(name_fi="Työllisyyspalvelut")


@pytest.fixture
def lead(unit):
    return staff_member(unit, Role.UNIT_LEAD)


def escalations_to(user):
    return Notification.objects.filter(recipient=user, kind="escalation")


def test_a_stalled_case_is_escalated_to_its_unit_lead_once(unit, lead):
    stalled = CaseFactory.create(owner_unit=unit, last_activity_at=days_ago(6))
    fresh = CaseFactory.create(owner_unit=unit)
    events = services.escalate_due_work()
    assert [(e.case, e.kind, e.details) for e in events] == [
        (stalled, CaseEvent.Kind.ESCALATED, {"reasons": ["stalled"]})
    ]
    stalled.refresh_from_db()
    assert stalled.escalated_at is not None
    assert stalled.last_activity_at < days_ago(5)  # an escalation is not work on the case
    assert escalations_to(lead).count() == 2  # in-app and e-mail
    assert str(stalled.reference) in escalations_to(lead).values_list("subject", flat=True)[0]
    fresh.refresh_from_db()
    assert fresh.escalated_at is None

    assert services.escalate_due_work() == []
    assert tasks.escalate_due_work() == 0
    assert escalations_to(lead).count() == 2
    assert stalled.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1


def test_overdue_and_past_due_work_is_escalated_with_its_reasons(unit, lead):
    overdue = CaseFactory.create(owner_unit=unit)
    Case.objects.filter(pk=overdue.pk).update(next_action_on=in_days(-1))
    past_due = CaseFactory.create(owner_unit=unit, due_at=days_ago(1))
    reasons = {e.case_id: e.details["reasons"] for e in services.escalate_due_work()}
    assert reasons == {overdue.pk: ["overdue"], past_due.pk: ["past_due"]}


def test_a_stalled_task_is_escalated_to_the_lead_of_the_producing_unit(unit, lead):
    other_lead = staff_member(UnitFactory.create(), Role.UNIT_LEAD)
    task = TaskFactory.create(organisation=unit, last_activity_at=days_ago(10))
    Case.objects.filter(pk=task.case_id).update(last_activity_at=timezone.now())
    events = services.escalate_due_work()
    assert [(e.task, e.details["reasons"]) for e in events] == [(task, ["stalled"])]
    task.refresh_from_db()
    assert task.escalated_at is not None
    assert escalations_to(lead).count() == 2
    assert not escalations_to(other_lead).exists()


def test_each_service_sets_its_own_stalled_period(unit, lead):
    slow = ServiceLevelFactory.create(stalled_after_days=20)
    TaskFactory.create(organisation=unit, service=slow.service, last_activity_at=days_ago(10))
    quick = ServiceLevelFactory.create(stalled_after_days=2)
    late = TaskFactory.create(
        organisation=unit, service=quick.service, last_activity_at=days_ago(3)
    )
    Case.objects.update(last_activity_at=timezone.now())
    assert [e.task for e in services.escalate_due_work()] == [late]


def test_a_unit_without_a_lead_escalates_to_the_parents_lead_or_else_the_owner():
    unit = UnitFactory.create()
    parent_lead = staff_member(unit.parent, Role.UNIT_LEAD)
    case = CaseFactory.create(owner_unit=unit, last_activity_at=days_ago(7))
    lonely = CaseFactory.create(last_activity_at=days_ago(7))
    services.escalate_due_work()
    assert escalations_to(parent_lead).count() == 2
    assert escalations_to(lonely.owner).count() == 2
    assert not escalations_to(case.owner).exists()


def test_a_new_next_action_date_lets_late_work_escalate_again_later(unit, lead):
    case = CaseFactory.create(owner_unit=unit, last_activity_at=days_ago(6))
    services.escalate_due_work()
    services.set_next_action(case=case, on=in_days(1), actor=case.owner)
    assert services.escalate_due_work() == []  # the owner just acted: not stalled now
    Case.objects.filter(pk=case.pk).update(last_activity_at=days_ago(6))
    assert len(services.escalate_due_work()) == 1


def test_closed_cases_and_finished_tasks_are_never_escalated(unit, lead):
    CaseFactory.create(owner_unit=unit, closed=True, last_activity_at=days_ago(30))
    TaskFactory.create(organisation=unit, done=True, last_activity_at=days_ago(30))
    Case.objects.filter(status="open").update(last_activity_at=timezone.now())
    assert services.escalate_due_work() == []


def test_the_daily_digest_lists_each_leads_late_work_once_a_day(unit, lead):
    stalled = CaseFactory.create(owner_unit=unit, last_activity_at=days_ago(6))
    task = TaskFactory.create(organisation=unit, due_at=days_ago(1))
    Case.objects.filter(pk=task.case_id).update(last_activity_at=timezone.now())
    CaseFactory.create(owner_unit=unit)  # on time: not listed
    services.escalate_due_work()  # escalated work is still listed in the digest

    assert services.send_daily_digest() == 1
    digests = Notification.objects.filter(recipient=lead, kind="daily_digest")
    assert sorted(digests.values_list("channel", flat=True)) == ["email", "in_app"]
    body, subject = digests.values_list("body", "subject")[0]
    assert stalled.reference in body
    assert task.case.reference in body
    assert "Työllisyyspalvelut" in body
    assert "2" in subject

    assert tasks.send_daily_digest() == 1  # a rerun the same day sends nothing new
    assert digests.count() == 2


def test_no_late_work_no_digest(unit, lead):
    CaseFactory.create(owner_unit=unit)
    assert services.send_daily_digest() == 0
    assert not Notification.objects.filter(kind="daily_digest").exists()


def test_a_finished_task_stops_counting(unit, lead):
    task = TaskFactory.create(organisation=unit, due_at=days_ago(1))
    Case.objects.update(last_activity_at=timezone.now())
    services.update_task(task=task, actor=None, status=Task.Status.DONE)
    _cases, late_tasks = services.late_work(now=timezone.now())
    assert late_tasks == []


def test_messages_name_the_case_by_number_never_by_its_title(unit, lead):
    case = CaseFactory.create(
        owner_unit=unit, title="Maija Virtasen päihdeongelma", last_activity_at=days_ago(9)
    )
    services.escalate_due_work()
    services.send_daily_digest()
    services.record_customer_update(case=case, body="Soitin taas", channel="phone")
    texts = " ".join(
        subject + body for subject, body in Notification.objects.values_list("subject", "body")
    )
    assert case.reference in texts
    assert "Virtasen" not in texts
    assert "Soitin taas" not in texts
