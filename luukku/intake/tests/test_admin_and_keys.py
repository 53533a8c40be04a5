"""API keys from the command line and the admin; requests in the admin, scoped and audited."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.core.models import AuditEvent
from luukku.intake.models import ApiClient, ServiceRequest, hash_api_key
from luukku.intake.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


def test_create_api_key_prints_a_working_key_as_its_last_line(client):
    ServiceFactory.create(slug="katuvalot")
    out = StringIO()
    call_command("create_api_key", "Kuopio-sovellus", "--rate", "60/minute", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    stored = ApiClient.objects.get(name="Kuopio-sovellus")
    assert stored.key_hash == hash_api_key(key)
    assert stored.throttle_rate == "60/minute"
    assert key not in stored.key_hash
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "katuvalot", "description": "Toimii"},
    )
    assert response.status_code == 200
    assert json.loads(response.content)[0]["service_request_id"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Sama"], "exists already"),
        (["Uusi", "--rate", "lots"], "rate"),
        (["Uusi", "--organisation", "nobody"], "No organisation"),
        (["  "], "empty"),
    ],
)
def test_create_api_key_refuses_bad_input(args, message):
    call_command("create_api_key", "Sama", stdout=StringIO())
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", *args, stdout=StringIO())


def test_region_admin_adds_a_client_in_the_admin_and_sees_the_key_once(client):
    client.force_login(user_with_role(Role.REGION_ADMIN))
    response = client.post(
        "/admin/intake/apiclient/add/",
        {"name": "Botti", "is_active": "on", "throttle_rate": ""},
        follow=True,
    )
    assert response.status_code == 200
    stored = ApiClient.objects.get(name="Botti")
    shown = [str(m) for m in response.context["messages"]]
    key_message = next(m for m in shown if stored.key_prefix in m)
    key = key_message.rsplit(" ", 1)[-1]
    assert stored.key_hash == hash_api_key(key)
    page = client.get(f"/admin/intake/apiclient/{stored.pk}/change/").content.decode()
    assert key not in page
    assert stored.key_prefix in page


def test_api_clients_are_the_region_admins_only(client):
    client.force_login(user_with_role(Role.ORGANISATION_ADMIN))
    assert client.get("/admin/intake/apiclient/").status_code == 403


def test_staff_see_their_organisations_requests_and_opening_one_is_audited(client):
    own, other = OrganisationFactory.create(), OrganisationFactory.create()
    mine = ServiceRequestFactory.create(agency_responsible=own, email="asiakas@example.fi")
    theirs = ServiceRequestFactory.create(agency_responsible=other)
    user = user_with_role(Role.ORGANISATION_ADMIN, own)
    client.force_login(user)
    listing = client.get("/admin/intake/servicerequest/").content.decode()
    assert mine.service_request_id in listing
    assert theirs.service_request_id not in listing
    assert client.get(f"/admin/intake/servicerequest/{theirs.pk}/change/").status_code == 302
    page = client.get(f"/admin/intake/servicerequest/{mine.pk}/change/")
    assert "asiakas@example.fi" in page.content.decode()
    event = AuditEvent.objects.get(action="read")
    assert event.actor == user
    assert event.object_id == str(mine.pk)


def test_moderation_is_changed_in_the_admin(client):
    own = OrganisationFactory.create()
    request = ServiceRequestFactory.create(agency_responsible=own)
    client.force_login(user_with_role(Role.ORGANISATION_ADMIN, own))
    response = client.post(
        f"/admin/intake/servicerequest/{request.pk}/change/",
        {
            "moderation": "hidden",
            "status_notes": "Kiitos palautteesta.",
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
            "events-0-id": str(request.events.get().pk),
            "events-0-request": str(request.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert request.moderation == ServiceRequest.Moderation.HIDDEN
    assert request.status_notes == "Kiitos palautteesta."


def test_a_rate_the_throttle_cannot_read_is_refused_in_the_admin(client):
    client.force_login(user_with_role(Role.REGION_ADMIN))
    response = client.post(
        "/admin/intake/apiclient/add/",
        {"name": "Botti", "is_active": "on", "throttle_rate": "lots"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["throttle_rate"]
    assert not ApiClient.objects.exists()
