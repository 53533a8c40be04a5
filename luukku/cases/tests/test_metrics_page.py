"""The case metrics page: a unit lead sees the figures of the units they lead, nobody else's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from luukku.accounts.roles import Role

from .factories import CaseFactory, UnitFactory, staff_member

pytestmark = pytest.mark.django_db


def closed(unit, *, hours, late=False):
    now = timezone.now()
    return CaseFactory.create(
        owner_unit=unit,
        closed=True,
        opened_at=now - timedelta(hours=hours),
        closed_at=now,
        due_at=now - timedelta(hours=1) if late else now + timedelta(days=3),
    )


def test_a_unit_lead_sees_the_figures_of_their_own_units_only(client):
    streets = UnitFactory.create(name_fi="Katupalvelut")
    parks = UnitFactory.create(name_fi="Puistopalvelut")
    closed(streets, hours=10)
    closed(streets, hours=30, late=True)
    closed(parks, hours=5)
    client.force_login(staff_member(streets, Role.UNIT_LEAD))
    response = client.get(reverse("cases:metrics"), {"by": "unit", "days": "30"})
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.label == "Katupalvelut"
    assert row.cases_closed == 2
    assert row.median_hours_to_resolution == pytest.approx(20.0, abs=0.1)
    assert row.closed_late == 1
    assert "Puistopalvelut" not in response.content.decode()


def test_the_region_admin_sees_every_unit(client):
    closed(UnitFactory.create(name_fi="Katupalvelut"), hours=10)
    closed(UnitFactory.create(name_fi="Puistopalvelut"), hours=5)
    client.force_login(staff_member(UnitFactory.create(), Role.REGION_ADMIN))
    response = client.get(reverse("cases:metrics"), {"by": "unit"})
    assert {row.label for row in response.context["rows"]} == {"Katupalvelut", "Puistopalvelut"}


def test_an_unknown_grouping_falls_back_to_services(client):
    client.force_login(staff_member(UnitFactory.create(), Role.UNIT_LEAD))
    response = client.get(reverse("cases:metrics"), {"by": "nonsense", "days": "7"})
    assert response.status_code == 200
    assert response.context["by"] == "service"
    assert response.context["days"] == "90"


@pytest.mark.parametrize("role", [Role.CASE_OWNER, Role.CUSTOMER_SERVICE_AGENT, Role.ANALYST])
def test_staff_who_lead_no_unit_are_refused(client, role):
    client.force_login(staff_member(UnitFactory.create(), role))
    assert client.get(reverse("cases:metrics")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("cases:metrics"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
