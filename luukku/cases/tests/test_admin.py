"""The admin shows cases to the region admin, read-only, and never an identity code."""

import pytest
from django.urls import reverse

from luukku.accounts.roles import Role
from luukku.cases import services
from luukku.core.models import AuditEvent

from .factories import CaseFactory, TaskFactory, UnitFactory, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_admin():
    return staff_member(UnitFactory.create(), Role.REGION_ADMIN, is_staff=True)


def test_the_region_admin_sees_cases_but_cannot_change_them(client, region_admin):
    case = CaseFactory.create(title="Muutto Kuopioon")
    TaskFactory.create(case=case)
    client.force_login(region_admin)
    listing = client.get(reverse("admin:cases_case_changelist"))
    assert listing.status_code == 200
    assert "Muutto Kuopioon" in listing.content.decode()
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:cases_case_add")).status_code == 403
    assert client.post(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403


def test_a_customer_page_shows_no_identity_code_and_is_an_audited_read(client, region_admin):
    customer = services.find_or_create_customer(
        kind="person", name="Maija Meikäläinen", identity_code="131052-308T"
    )
    client.force_login(region_admin)
    page = client.get(reverse("admin:cases_customer_change", args=[customer.pk])).content.decode()
    assert "Maija Meikäläinen" in page
    assert "131052" not in page
    assert customer.identity_code_hash not in page
    read = AuditEvent.objects.get(action=AuditEvent.Action.READ)
    assert (read.actor, read.object_id) == (region_admin, str(customer.pk))


def test_other_staff_do_not_see_cases_in_the_admin(client):
    manager = staff_member(UnitFactory.create(), Role.SERVICE_MANAGER, is_staff=True)
    client.force_login(manager)
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 403
    assert client.get(reverse("admin:cases_servicelevel_changelist")).status_code == 200
