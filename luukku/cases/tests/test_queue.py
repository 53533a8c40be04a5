"""The work queue: each tab lists the right work, most urgent first, in few queries."""

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
from luukku.accounts.tests.factories import user_with_role
from luukku.cases.models import Case, Task
from luukku.cases.tests.factories import (
    CaseFactory,
    TaskFactory,
    UnitFactory,
    in_days,
    staff_member,
)
from luukku.core.models import AuditEvent
from luukku.router.models import TriageItem

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


def queue(client: Client, tab: str = "mine", page: int | None = None):
    query: dict[str, str | int] = {"tab": tab} if page is None else {"tab": tab, "page": page}
    return client.get(reverse("cases:queue"), query)


def test_my_cases_lists_only_my_open_cases_soonest_next_action_first() -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)
    later = CaseFactory.create(
        owner=me, owner_unit=unit, title="Myöhemmin", next_action_on=in_days(5)
    )
    sooner = CaseFactory.create(owner=me, owner_unit=unit, title="Pian", next_action_on=in_days(1))
    CaseFactory.create(owner=me, owner_unit=unit, title="Suljettu", closed=True)
    CaseFactory.create(owner_unit=unit, title="Kollegan")

    response = queue(client_for(me))

    assert response.status_code == 200
    assert [case.reference for case in response.context["page"]] == [
        sooner.reference,
        later.reference,
    ]
    html = response.content.decode()
    assert html.index("Pian") < html.index("Myöhemmin")
    assert "Suljettu" not in html
    assert "Kollegan" not in html


def test_my_units_tasks_include_sub_units_and_leave_out_finished_ones() -> None:
    unit = UnitFactory.create()
    sub_unit = UnitFactory.create(parent=unit)
    me = staff_member(unit)
    own = TaskFactory.create(organisation=unit)
    of_sub_unit = TaskFactory.create(organisation=sub_unit)
    TaskFactory.create(organisation=unit, done=True)
    TaskFactory.create()

    response = queue(client_for(me), "unit")

    assert {task.pk for task in response.context["page"]} == {own.pk, of_sub_unit.pk}


def test_in_transition_shows_my_units_cases_without_active_tasks() -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)
    between = CaseFactory.create(owner_unit=unit, title="Välissä")
    TaskFactory.create(case=between, done=True)
    busy = CaseFactory.create(owner_unit=unit, title="Työn alla")
    TaskFactory.create(case=busy)

    response = queue(client_for(me), "transition")

    assert [case.pk for case in response.context["page"]] == [between.pk]


def test_unit_leads_see_overdue_cases_and_overdue_or_stalled_tasks() -> None:
    unit = UnitFactory.create()
    lead = staff_member(unit, role=Role.UNIT_LEAD)
    overdue_case = CaseFactory.create(owner_unit=unit, title="Myöhässä")
    Case.objects.filter(pk=overdue_case.pk).update(next_action_on=in_days(-2))
    CaseFactory.create(owner_unit=unit, title="Ajallaan")
    stalled = TaskFactory.create(organisation=unit)
    Task.objects.filter(pk=stalled.pk).update(last_activity_at=timezone.now() - timedelta(days=9))
    escalated = TaskFactory.create(organisation=unit, escalated_at=timezone.now())
    TaskFactory.create(organisation=unit)
    client = client_for(lead)

    overdue = queue(client, "overdue")
    late_tasks = queue(client, "stalled")

    assert [case.pk for case in overdue.context["page"]] == [overdue_case.pk]
    assert "overdue" in overdue.content.decode()
    assert {task.pk for task in late_tasks.context["page"]} == {stalled.pk, escalated.pk}
    assert "escalated" in late_tasks.content.decode()


@pytest.mark.parametrize("tab", ["overdue", "stalled"])
def test_the_lead_tabs_are_not_offered_to_case_owners(tab: str) -> None:
    owner = staff_member()

    response = queue(client_for(owner), tab)

    assert response.context["tab"] == "mine"
    assert tab not in dict(response.context["tabs"])


def test_triage_tab_lists_waiting_messages_for_triage_roles() -> None:
    TriageItem.objects.create(
        text="Hajonnut katulamppu, soita 040 1234567 tai 131052-308T",
        source="test",
        source_id="1",
    )
    agent = user_with_role(Role.CUSTOMER_SERVICE_AGENT, UnitFactory.create())

    response = queue(client_for(agent), "triage")

    assert response.status_code == 200
    html = response.content.decode()
    assert "katulamppu" in html
    assert "1234567" not in html
    assert "308T" not in html


def test_the_queue_pages_fifty_at_a_time() -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)
    for _ in range(52):
        CaseFactory.create(owner=me, owner_unit=unit)

    first = queue(client_for(me))
    second = queue(client_for(me), page=2)

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 2
    assert 'rel="next"' in first.content.decode()
    assert 'rel="next"' not in second.content.decode()


@pytest.mark.parametrize("tab", ["mine", "unit", "transition", "overdue", "stalled"])
def test_a_queue_page_costs_the_same_queries_for_few_and_many_rows(tab: str) -> None:
    unit = UnitFactory.create()
    lead = staff_member(unit, role=Role.UNIT_LEAD)

    def add_work(count: int) -> None:
        for _ in range(count):
            case = CaseFactory.create(owner=lead, owner_unit=unit)
            TaskFactory.create(case=case, organisation=unit, next_action_on=in_days(-1))
            CaseFactory.create(owner_unit=unit, owner=lead, next_action_on=in_days(-1))

    client = client_for(lead)
    add_work(2)
    with CaptureQueriesContext(connection) as few:
        assert queue(client, tab).status_code == 200
    add_work(10)
    with CaptureQueriesContext(connection) as many:
        assert queue(client, tab).status_code == 200

    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_queue_view_is_audited_with_the_cases_it_showed() -> None:
    unit = UnitFactory.create()
    me = staff_member(unit)
    case = CaseFactory.create(owner=me, owner_unit=unit)

    queue(client_for(me))

    event = AuditEvent.objects.get(action=AuditEvent.Action.READ, actor=me)
    assert event.details["cases"] == [case.reference]
    assert "work queue" in event.purpose
