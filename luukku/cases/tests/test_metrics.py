"""Case metrics on hand-built cases whose figures are worked out by hand in the comments."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from luukku.cases.metrics import NO_SERVICE, case_metrics
from luukku.cases.models import Case, CaseEvent
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory

from .factories import CaseEventFactory, CaseFactory, TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 10, 1, 8, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
NOW = BASE + timedelta(days=20)


def hours(n):
    return BASE + timedelta(hours=n)


def closed_case(unit, *, closed_after, due_after, owner_changes=0, fcr=False, outcome="solved"):
    case = CaseFactory.create(
        owner_unit=unit,
        closed=True,
        opened_at=BASE,
        closed_at=hours(closed_after),
        due_at=hours(due_after),
        owner_changes=owner_changes,
        first_contact_resolution=fcr,
        outcome=outcome,
    )
    return case


def transfer(case, from_unit, to_unit):
    CaseEventFactory.create(
        case=case,
        kind=CaseEvent.Kind.OWNER_TRANSFERRED,
        details={"from_unit": from_unit.pk, "to_unit": to_unit.pk},
    )


@pytest.fixture
def world():
    city = OrganisationFactory.create(name_fi="Kaupunki")
    state = OrganisationFactory.create(name_fi="Valtio")
    a = UnitFactory.create(parent=city, name_fi="A")
    b = UnitFactory.create(parent=city, name_fi="B")
    d = UnitFactory.create(parent=state, name_fi="D")
    s1 = ServiceFactory.create(names={"fi": "Palvelu 1"})
    s2 = ServiceFactory.create(names={"fi": "Palvelu 2"})

    # 1: solved at first contact in 10 h by A; no service, one organisation.
    closed_case(a, closed_after=10, due_after=24, fcr=True)
    # 2: opened in A, moved to D, then B; 30 h, late; tasks s1@D and s2@A: {A, D, B} = 3.
    second = closed_case(b, closed_after=30, due_after=24, owner_changes=2)
    CaseEventFactory.create(case=second, kind=CaseEvent.Kind.OPENED, details={"owner_unit": a.pk})
    transfer(second, a, d)
    transfer(second, d, b)
    TaskFactory.create(case=second, service=s1, organisation=d, done=True)
    TaskFactory.create(case=second, service=s2, organisation=a, done=True)
    # 3: moved from B to A; 50 h, on time; task s1@B: {A, B} = 2.
    third = closed_case(a, closed_after=50, due_after=100, owner_changes=1)
    transfer(third, b, a)
    TaskFactory.create(case=third, service=s1, organisation=b, done=True)
    # A merged duplicate counts nowhere; a case closed before the window only without one.
    closed_case(a, closed_after=1, due_after=2, outcome=Case.Outcome.MERGED)
    early = closed_case(a, closed_after=4, due_after=24)
    Case.objects.filter(pk=early.pk).update(
        opened_at=BASE - timedelta(days=10),
        closed_at=BASE - timedelta(days=10) + timedelta(hours=4),
    )
    # Open: one past due in D with a task s1@D, one not yet due in A.
    late_open = CaseFactory.create(owner_unit=d, opened_at=BASE, due_at=hours(-1))
    TaskFactory.create(case=late_open, service=s1, organisation=d)
    CaseFactory.create(owner_unit=a, opened_at=BASE, due_at=NOW + timedelta(days=1))
    return {"city": city, "state": state, "a": a, "b": b, "d": d, "s1": s1, "s2": s2}


def by_key(rows):
    return {row.key: row for row in rows}


def test_per_unit(world):
    rows = by_key(case_metrics(by="unit", since=BASE - timedelta(days=1), now=NOW))
    a, b, d = rows[world["a"].pk], rows[world["b"].pk], rows[world["d"].pk]
    assert (a.label, a.cases_closed) == ("A", 2)
    assert (a.median_hours_to_resolution, a.mean_hours_to_resolution) == (30, 30)
    assert a.owner_changes_per_case == 0.5
    assert a.bounce_count == 1.5
    assert a.first_contact_resolution_percent == 50
    assert (a.closed_late, a.open_past_due, a.sla_breaches) == (0, 0, 0)
    assert (b.cases_closed, b.median_hours_to_resolution, b.owner_changes_per_case) == (1, 30, 2)
    assert (b.bounce_count, b.first_contact_resolution_percent, b.sla_breaches) == (3, 0, 1)
    assert (d.cases_closed, d.median_hours_to_resolution, d.bounce_count) == (0, None, None)
    assert d.open_past_due == d.sla_breaches == 1
    assert set(rows) == {world["a"].pk, world["b"].pk, world["d"].pk}


def test_per_organisation(world):
    rows = by_key(case_metrics(by="organisation", since=BASE - timedelta(days=1), now=NOW))
    city, state = rows[world["city"].pk], rows[world["state"].pk]
    assert (city.label, city.cases_closed) == ("Kaupunki", 3)
    assert (city.median_hours_to_resolution, city.mean_hours_to_resolution) == (30, 30)
    assert city.owner_changes_per_case == 1
    assert city.bounce_count == 2
    assert city.first_contact_resolution_percent == pytest.approx(100 / 3)
    assert city.sla_breaches == 1
    assert (state.cases_closed, state.open_past_due) == (0, 1)


def test_per_service_counts_a_case_once_for_each_service(world):
    rows = by_key(case_metrics(by="service", since=BASE - timedelta(days=1), now=NOW))
    s1, s2, none = rows[world["s1"].pk], rows[world["s2"].pk], rows[NO_SERVICE]
    assert (s1.label, s1.cases_closed) == ("Palvelu 1", 2)
    assert (s1.median_hours_to_resolution, s1.mean_hours_to_resolution) == (40, 40)
    assert (s1.owner_changes_per_case, s1.bounce_count) == (1.5, 2.5)
    assert s1.first_contact_resolution_percent == 0
    assert (s1.closed_late, s1.open_past_due) == (1, 1)
    assert (s2.cases_closed, s2.closed_late, s2.open_past_due) == (1, 1, 0)
    assert (none.cases_closed, none.first_contact_resolution_percent) == (1, 100)


def test_the_window_decides_which_closed_cases_count(world):
    everything = by_key(case_metrics(by="unit", now=NOW))
    assert everything[world["a"].pk].cases_closed == 3  # the early one too
    assert everything[world["a"].pk].median_hours_to_resolution == 10
    before = by_key(case_metrics(by="unit", until=BASE, now=NOW))
    assert before[world["a"].pk].cases_closed == 1
    assert before[world["a"].pk].median_hours_to_resolution == 4


def test_a_unit_leads_view_is_limited_to_their_units(world):
    rows = case_metrics(by="unit", units=[world["b"].pk], now=NOW)
    assert [row.key for row in rows] == [world["b"].pk]


def test_an_unknown_dimension_is_refused(world):
    with pytest.raises(ValueError, match="Unknown dimension"):
        case_metrics(by="weather")  # type: ignore[arg-type]
