"""The staff home lists the user's roles and the tools the roles open."""

from __future__ import annotations

import pytest
from django.urls import reverse

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import MembershipFactory, user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_home_needs_a_login(client):
    response = client.get(reverse("accounts:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_customer_service_agent_sees_the_role_and_only_the_case_work_queue(client):
    organisation = OrganisationFactory.create(name_fi="Iisalmen kaupunki")
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT, organisation))

    response = client.get(reverse("accounts:home"))

    html = response.content.decode()
    assert "<td>asiakaspalvelija</td>" in html
    assert "Iisalmen kaupunki" in html
    assert reverse("cases:queue") in html
    assert "Roolisi eivät vielä avaa henkilöstön työkaluja." not in html
    assert reverse("admin:index") not in html
    assert reverse("catalogue_staff:alliance") not in html


def test_a_region_admin_sees_every_role_and_every_tool(client):
    region = OrganisationFactory.create(name_fi="Pohjois-Savon hyvinvointialue")
    user = user_with_role(Role.REGION_ADMIN, region)
    MembershipFactory.create(
        user=user, role=Role.ANALYST, organisation=OrganisationFactory.create(name_fi="Kuopio")
    )
    client.force_login(user)

    response = client.get(reverse("accounts:home"))

    html = response.content.decode()
    assert [
        (m.get_role_display(), str(m.organisation)) for m in response.context["memberships"]
    ] == [
        ("analyytikko", "Kuopio"),
        ("alueen pääkäyttäjä", "Pohjois-Savon hyvinvointialue"),
    ]
    assert reverse("catalogue_staff:alliance") in html
    assert reverse("accessibility:inbox") in html
    assert reverse("admin:index") in html


def test_an_analyst_gets_the_alliance_view_but_not_the_admin(client):
    client.force_login(user_with_role(Role.ANALYST))

    html = client.get(reverse("accounts:home")).content.decode()

    assert reverse("catalogue_staff:alliance") in html
    assert reverse("admin:index") not in html
    assert reverse("accessibility:inbox") not in html


def test_the_home_offers_a_logout_button_that_posts(client):
    client.force_login(user_with_role(Role.ANALYST))

    html = client.get(reverse("accounts:home")).content.decode()

    assert f'<form method="post" action="{reverse("accounts:logout")}">' in html
