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
from luukku.cases.models import Case, Task
from luukku.cases.tests.factories import (
    ServiceLevelFactory,
    TaskFactory,
    UnitFactory,
    in_days,
    staff_member,
)
from luukku.catalogue.tests.factories import ServiceFactory

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
