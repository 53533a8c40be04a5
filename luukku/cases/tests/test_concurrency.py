"""Concurrent ownership transfers on PostgreSQL: one owner at every moment, no lost transfer.

Each thread has its own database connection and transaction, as request workers do. SQLite
has no row locks and serialises writers on the whole file, so the race cannot happen there.
"""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from luukku.accounts.roles import Role
from luukku.cases import services
from luukku.cases.models import Case, CaseEvent
from luukku.cases.services import OwnershipConflict
from luukku.notifications.models import Notification

from .factories import CaseFactory, staff_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE, so there is no race",
    ),
]

WORKERS = 8


def run_in_threads(work, count=WORKERS):
    """Run work(i) in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def assert_unbroken_chain(case, first_owner_id):
    events = list(
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.OWNER_TRANSFERRED).order_by(
            "at", "pk"
        )
    )
    holder = first_owner_id
    for event in events:
        assert event.from_owner_id == holder, "a transfer started from someone not owning it"
        holder = event.to_owner_id
    assert holder == case.owner_id
    return len(events)


def test_transfers_from_the_same_stale_read_let_exactly_one_through():
    case = CaseFactory.create()
    first_owner = case.owner
    targets = [staff_member(case.owner_unit) for _ in range(WORKERS)]

    def work(i):
        try:
            services.transfer_ownership(
                case=Case(pk=case.pk),
                to_owner=targets[i],
                to_unit=case.owner_unit,
                actor=targets[i],
                reason=f"ottaa {i}",
                expected_owner=first_owner,
            )
        except OwnershipConflict:
            return "conflict"
        return "moved"

    outcome = Counter(run_in_threads(work))
    assert outcome == {"moved": 1, "conflict": WORKERS - 1}
    case.refresh_from_db()
    assert case.owner_changes == 1
    assert case.owner in targets
    assert assert_unbroken_chain(case, first_owner.pk) == 1


def test_many_transfers_with_fresh_reads_keep_the_count_and_the_chain():
    case = CaseFactory.create()
    first_owner = case.owner
    targets = [staff_member(case.owner_unit) for _ in range(WORKERS)]
    rounds = 4
    seen_owners = []
    stop = threading.Event()

    def observe():
        try:
            while not stop.is_set():
                seen_owners.append(
                    Case.objects.filter(pk=case.pk).values_list("owner_id", flat=True).get()
                )
        finally:
            connection.close()

    def work(i):
        succeeded = attempts = 0
        while succeeded < rounds and attempts < 500:
            attempts += 1
            current = Case.objects.select_related("owner").get(pk=case.pk).owner
            if current.pk == targets[i].pk:
                time.sleep(0.001)  # let someone else take it first
                continue
            try:
                services.transfer_ownership(
                    case=Case(pk=case.pk),
                    to_owner=targets[i],
                    to_unit=case.owner_unit,
                    actor=targets[i],
                    reason=f"kierros {succeeded}",
                    expected_owner=current,
                )
            except OwnershipConflict:
                continue
            succeeded += 1
        return succeeded

    observer = threading.Thread(target=observe)
    observer.start()
    try:
        successes = run_in_threads(work)
    finally:
        stop.set()
        observer.join(timeout=60)

    case.refresh_from_db()
    transfers = assert_unbroken_chain(case, first_owner.pk)
    assert transfers == sum(successes) == case.owner_changes
    assert all(successes)  # every worker got the case at least once
    assert seen_owners
    assert all(owner is not None for owner in seen_owners)
    assert set(seen_owners) <= {first_owner.pk, *(t.pk for t in targets)}


def test_overlapping_escalation_runs_escalate_each_case_once():
    lead_unit = CaseFactory.create().owner_unit
    lead = staff_member(lead_unit, Role.UNIT_LEAD)
    stale = timezone.now() - timedelta(days=9)
    late = [CaseFactory.create(owner_unit=lead_unit, last_activity_at=stale) for _ in range(5)]

    results = run_in_threads(lambda i: len(services.escalate_due_work()), count=4)

    assert sum(results) == len(late)
    for case in late:
        assert case.events.filter(kind=CaseEvent.Kind.ESCALATED).count() == 1
    assert Notification.objects.filter(recipient=lead, kind="escalation").count() == 2 * len(late)
