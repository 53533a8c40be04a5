"""Gaps closed after review: the stalled tab follows each service's level, customer updates
and task assignees are recorded from the case page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from luukku.accounts.roles import Role
from luukku.cases import services
from luukku.cases.models import Case, CaseEvent, Task
from luukku.cases.tests.factories import (
    CaseFactory,
    ServiceLevelFactory,
    TaskFactory,
    UnitFactory,
    in_days,
    staff_member,
)
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.notifications.models import Notification

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


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def stalled_tab(client: Client):
    return client.get(reverse("cases:queue"), {"tab": "stalled"})


# -- stalled work follows each service's level --------------------------------------------------


def quiet_task(unit, service, *, idle_days: float) -> Task:
    """An active task, not overdue nor past due, with no event for `idle_days`."""
    return TaskFactory.create(
        organisation=unit,
        service=service,
        next_action_on=in_days(3),
        due_at=timezone.now() + timedelta(days=30),
        last_activity_at=days_ago(idle_days),
    )


def test_the_stalled_tab_uses_each_services_own_stalled_period() -> None:
    unit = UnitFactory.create()
    lead = staff_member(unit, role=Role.UNIT_LEAD)
    quick = ServiceLevelFactory.create(stalled_after_days=2).service
    slow = ServiceLevelFactory.create(stalled_after_days=20).service
    no_level = ServiceFactory.create()
    quick_late = quiet_task(unit, quick, idle_days=3)
    quiet_task(unit, quick, idle_days=1)
    quiet_task(unit, slow, idle_days=10)  # stalled by a fixed 5 days, not by its level
    slow_late = quiet_task(unit, slow, idle_days=21)
    default_late = quiet_task(unit, no_level, idle_days=6)
    quiet_task(unit, no_level, idle_days=4)

    listed = set(stalled_tab(client_for(lead)).context["page"])

    assert listed == {quick_late, slow_late, default_late}


def test_the_stalled_tab_and_the_escalation_agree() -> None:
    unit = UnitFactory.create()
    lead = staff_member(unit, role=Role.UNIT_LEAD)
    quick = ServiceLevelFactory.create(stalled_after_days=2).service
    slow = ServiceLevelFactory.create(stalled_after_days=20).service
    tasks = [
        quiet_task(unit, service, idle_days=days)
        for service in (quick, slow, ServiceFactory.create())
        for days in (1, 3, 6, 10, 21)
    ]
    Case.objects.filter(tasks__in=tasks).update(last_activity_at=timezone.now())

    listed = set(stalled_tab(client_for(lead)).context["page"])
    escalated = {event.task for event in services.escalate_due_work()}

    assert listed == escalated
    # Idle days listed: quick (2) 3, 6, 10, 21; slow (20) 21; no level (default 5) 6, 10, 21.
    assert len(listed) == 8


def test_the_stalled_tab_reads_a_fixed_number_of_queries_whatever_the_levels() -> None:
    unit = UnitFactory.create()
    lead = staff_member(unit, role=Role.UNIT_LEAD)
    client = client_for(lead)

    def add_work(count: int) -> None:
        for n in range(count):
            level = ServiceLevelFactory.create(stalled_after_days=2 + n % 4)
            quiet_task(unit, level.service, idle_days=8)
            quiet_task(unit, ServiceFactory.create(), idle_days=8)

    add_work(2)
    with CaptureQueriesContext(connection) as few:
        assert len(stalled_tab(client).context["page"]) == 4
    add_work(12)
    with CaptureQueriesContext(connection) as many:
        assert len(stalled_tab(client).context["page"]) == 28

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# -- recording a customer update ----------------------------------------------------------------


def update_url(case: Case) -> str:
    return reverse("cases:customer_update", args=[case.reference])


def test_the_case_page_offers_every_channel_for_a_customer_update() -> None:
    case = CaseFactory.create()

    html = client_for(case.owner).get(reverse("cases:case", args=[case.reference])).text

    assert "The customer got in touch" in html
    for label in (
        "phone call",
        "service point visit",
        "mobile service van",
        "email",
        "chat",
        "feedback / Open311",
    ):
        assert label in html


def test_the_owner_records_a_walk_in_update_and_sees_it_on_the_timeline() -> None:
    case = CaseFactory.create(next_action_on=in_days(10))
    client = client_for(case.owner)

    response = client.post(
        update_url(case), {"channel": "walk_in", "body": "Asiakas toi liitteet"}, follow=True
    )

    assert response.redirect_chain[-1] == (reverse("cases:case", args=[case.reference]), 302)
    html = response.content.decode()
    assert "The customer&#x27;s update was recorded." in html
    timeline = html[html.index('id="timeline-title"') :]
    assert "Customer update" in timeline
    assert "Asiakas toi liitteet" in timeline
    event = case.events.get(kind=CaseEvent.Kind.CUSTOMER_UPDATE)
    assert (event.actor, event.details["channel"]) == (case.owner, "walk_in")
    case.refresh_from_db()
    assert case.next_action_on == timezone.localdate()


def test_an_update_on_a_closed_case_reopens_it_and_says_so() -> None:
    case = CaseFactory.create(closed=True)
    client = client_for(case.owner)

    page = client.get(reverse("cases:case", args=[case.reference])).text
    response = client.post(
        update_url(case), {"channel": "phone", "body": "Vika palasi"}, follow=True
    )

    assert "The case is closed: recording the customer's update reopens it." in page
    assert "The case was closed and is now open again." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED, actor=case.owner).count() == 1


def test_an_update_on_a_merged_case_goes_to_the_case_it_was_merged_into() -> None:
    duplicate = CaseFactory.create()
    survivor = CaseFactory.create(
        owner=duplicate.owner, owner_unit=duplicate.owner_unit, customer=duplicate.customer
    )
    services.merge_cases(duplicate=duplicate, survivor=survivor, actor=None, reason="Sama asia")

    response = client_for(duplicate.owner).post(
        update_url(duplicate), {"channel": "email", "body": "Lisätieto"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[survivor.reference])
    assert survivor.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).count() == 1


def test_an_update_without_text_or_channel_says_what_is_missing_and_records_nothing() -> None:
    case = CaseFactory.create()

    response = client_for(case.owner).post(update_url(case), {"channel": "", "body": "  "})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Write what the customer said." in html
    assert "Choose how the customer got in touch." in html
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()


def test_an_unknown_channel_is_refused() -> None:
    case = CaseFactory.create()

    response = client_for(case.owner).post(update_url(case), {"channel": "fax", "body": "Hei"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).exists()


def test_a_member_of_a_unit_with_a_task_records_an_update_but_an_outsider_cannot() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    member = staff_member(task.organisation)
    outsider = staff_member(UnitFactory.create())
    no_role = staff_member(case.owner_unit, role=Role.ANALYST)
    data = {"channel": "phone", "body": "Asiakas soitti"}

    by_member = client_for(member).post(update_url(case), data)
    by_outsider = client_for(outsider).post(update_url(case), data)
    by_no_role = client_for(no_role).post(update_url(case), data)

    assert by_member.status_code == 302
    assert by_outsider.status_code == 404
    assert by_no_role.status_code == 403
    assert case.events.filter(kind=CaseEvent.Kind.CUSTOMER_UPDATE).count() == 1


# -- choosing a task's assignee -----------------------------------------------------------------


def task_form_data(task: Task, **fields: str) -> dict[str, str]:
    prefix = f"task-{task.pk}"
    next_action = task.next_action_on or in_days(3)
    data = {"status": task.status, "next_action_on": next_action.isoformat(), "note": ""}
    data.update(fields)
    return {f"{prefix}-{name}": value for name, value in data.items()}


def test_the_task_form_offers_the_units_case_handlers_as_assignees() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    colleague = staff_member(task.organisation, first_name="Kaisa", last_name="Käsittelijä")
    parent_agent = staff_member(
        task.organisation.parent,
        role=Role.CUSTOMER_SERVICE_AGENT,
        first_name="Pekka",
        last_name="Palvelu",
    )
    staff_member(task.organisation, role=Role.ANALYST, first_name="Anna", last_name="Analyytikko")
    staff_member(UnitFactory.create(), first_name="Olli", last_name="Ulkopuolinen")

    response = client_for(case.owner).get(reverse("cases:case", args=[case.reference]))

    form = response.context["task_rows"][0].update_form
    offered = {label for value, label in form.fields["assignee"].choices if value}
    assert offered == {colleague.get_full_name(), parent_agent.get_full_name()}
    assert "Kaisa Käsittelijä" in response.content.decode()


def test_the_owner_assigns_a_task_and_the_assignee_is_told() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    colleague = staff_member(task.organisation, first_name="Kaisa", last_name="Käsittelijä")

    response = client_for(case.owner).post(
        reverse("cases:update_task", args=[case.reference, task.pk]),
        task_form_data(task, assignee=str(colleague.pk)),
        follow=True,
    )

    assert "The service need was updated." in response.content.decode()
    task.refresh_from_db()
    assert task.assignee == colleague
    event = case.events.get(kind=CaseEvent.Kind.TASK_CHANGED)
    assert event.details["assignee"] == [None, colleague.pk]
    assert Notification.objects.filter(recipient=colleague, kind="task_assigned").exists()


def test_someone_outside_the_producing_unit_cannot_be_assigned() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    outsider = staff_member(UnitFactory.create())
    analyst = staff_member(task.organisation, role=Role.ANALYST)

    for person in (outsider, analyst):
        response = client_for(case.owner).post(
            reverse("cases:update_task", args=[case.reference, task.pk]),
            task_form_data(task, assignee=str(person.pk)),
        )
        assert response.status_code == 400
        assert "Choose someone who handles cases for the producing unit" in (
            response.content.decode()
        )
    task.refresh_from_db()
    assert task.assignee is None
    assert not case.events.filter(kind=CaseEvent.Kind.TASK_CHANGED).exists()


def test_leaving_the_assignee_unchanged_keeps_the_current_one() -> None:
    case = CaseFactory.create()
    task = TaskFactory.create(case=case)
    first = staff_member(task.organisation)
    services.update_task(task=task, actor=case.owner, assignee=first)
    task.refresh_from_db()

    response = client_for(case.owner).post(
        reverse("cases:update_task", args=[case.reference, task.pk]),
        task_form_data(task, assignee="", status="in_progress"),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.assignee, task.status) == (first, Task.Status.IN_PROGRESS)


def test_assignee_choices_keep_the_case_page_query_count_fixed() -> None:
    case = CaseFactory.create()
    client = client_for(case.owner)

    def add_tasks(count: int) -> None:
        for _ in range(count):
            task = TaskFactory.create(case=case)
            staff_member(task.organisation)
            staff_member(task.organisation.parent, role=Role.CUSTOMER_SERVICE_AGENT)

    add_tasks(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("cases:case", args=[case.reference])).status_code == 200
    add_tasks(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("cases:case", args=[case.reference]))

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert all(
        len(row.update_form.fields["assignee"].choices) == 3
        for row in response.context["task_rows"]
    )
