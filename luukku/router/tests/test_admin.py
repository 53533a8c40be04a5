"""Router admin: for the region admin only; an earlier version can be made active again."""

from __future__ import annotations

import pytest
from django.test import Client

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import Service
from luukku.core.models import AuditEvent
from luukku.router import services
from luukku.router.models import RouterModel

from .conftest import train_and_activate

pytestmark = pytest.mark.django_db


def test_region_admin_activates_an_earlier_version(trained: RouterModel, client: Client) -> None:
    train_and_activate()
    client.force_login(user_with_role(Role.REGION_ADMIN))

    listing = client.get("/admin/router/routermodel/")
    response = client.post(
        "/admin/router/routermodel/",
        {"action": "activate", "_selected_action": [trained.pk]},
        follow=True,
    )

    assert listing.status_code == 200
    assert response.status_code == 200
    assert RouterModel.objects.get(is_active=True) == trained
    assert services.active_version() == trained.version


def test_opening_an_example_is_audited(
    trained: RouterModel, catalogue: dict[str, Service], client: Client
) -> None:
    example = services.record_example(
        text="Kirja on kadonnut",
        service=catalogue["kirjasto"],
        language="fi",
        source="case",
    )
    admin = user_with_role(Role.REGION_ADMIN)
    client.force_login(admin)

    response = client.get(f"/admin/router/routingexample/{example.pk}/change/")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        actor=admin, action=AuditEvent.Action.READ, object_id=str(example.pk)
    ).exists()


@pytest.mark.parametrize("role", [Role.ORGANISATION_ADMIN, Role.CUSTOMER_SERVICE_AGENT])
def test_others_do_not_see_the_router_admin(
    trained: RouterModel, client: Client, role: str
) -> None:
    client.force_login(user_with_role(role))

    assert client.get("/admin/router/routermodel/").status_code in {302, 403}
    assert client.get("/admin/router/routingexample/").status_code in {302, 403}
    assert client.post(
        "/admin/router/routermodel/", {"action": "activate", "_selected_action": [trained.pk]}
    ).status_code in {302, 403}
