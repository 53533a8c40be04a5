"""Staff merge a duplicate into the request that stays; the duplicate's pages then point there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.core.models import AuditEvent
from luukku.intake.feedback import merge_requests
from luukku.intake.models import RequestEvent, ServiceRequest
from luukku.intake.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return OrganisationFactory.create(slug="kuopion-kaupunki", name_fi="Kuopion kaupunki")


@pytest.fixture
def pair(city):
    service = ServiceFactory.create(slug="katujen-kunnossapito")
    place = {"lat": Decimal("62.892400"), "long": Decimal("27.677000")}
    survivor = ServiceRequestFactory.create(service=service, agency_responsible=city, **place)
    duplicate = ServiceRequestFactory.create(service=service, agency_responsible=city, **place)
    return duplicate, survivor


def merge_url(item: ServiceRequest) -> str:
    return reverse("intake_staff:merge", args=[item.service_request_id])


def test_an_agent_of_the_owner_merges_a_duplicate_into_a_nearby_request(client, city, pair):
    duplicate, survivor = pair
    agent = user_with_role(Role.CUSTOMER_SERVICE_AGENT, city)
    client.force_login(agent)

    page = client.get(merge_url(duplicate))
    response = client.post(merge_url(duplicate), {"into": survivor.service_request_id.lower()})

    assert survivor.service_request_id in page.content.decode()
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert duplicate.status == ServiceRequest.Status.CLOSED
    assert duplicate.events.filter(state=RequestEvent.State.MERGED).exists()
    audit = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_id=str(duplicate.pk))
    assert audit.actor == agent
    public = client.get(reverse("intake_public:status", args=[duplicate.service_request_id]))
    assert reverse("intake_public:status", args=[survivor.service_request_id]) in (
        public.content.decode()
    )


def test_an_agent_of_another_organisation_may_not_merge(client, pair):
    duplicate, survivor = pair
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    response = client.post(merge_url(duplicate), {"into": survivor.service_request_id})

    assert response.status_code == 403
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_a_role_without_feedback_handling_may_not_merge(client, city, pair):
    duplicate, _ = pair
    client.force_login(user_with_role(Role.ANALYST, city))

    assert client.get(merge_url(duplicate)).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, pair):
    duplicate, _ = pair

    response = client.get(merge_url(duplicate))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_request_in_triage_may_be_merged_by_any_agent(client, pair):
    duplicate, survivor = pair
    ServiceRequest.objects.filter(pk=duplicate.pk).update(agency_responsible=None)
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    client.post(merge_url(duplicate), {"into": survivor.service_request_id})

    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor


@pytest.mark.parametrize("code", ["", "000000-XXXXXX", "self"])
def test_an_unknown_or_own_code_is_an_error(client, city, pair, code):
    duplicate, _ = pair
    client.force_login(user_with_role(Role.REGION_ADMIN, city))
    into = duplicate.service_request_id if code == "self" else code

    response = client.post(merge_url(duplicate), {"into": into})

    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_merging_into_a_merged_request_points_to_the_end_of_the_chain(city, pair):
    duplicate, survivor = pair
    first = ServiceRequestFactory.create(service=survivor.service, agency_responsible=city)
    merge_requests(duplicate=survivor, into=first, actor=None)

    merge_requests(duplicate=duplicate, into=survivor, actor=None)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == first
