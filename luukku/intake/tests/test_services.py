"""Submission and progress: what a customer and a client application rely on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError

from luukku.catalogue.models import ServiceOrganisation
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.intake import services
from luukku.intake.models import RequestEvent, ServiceAttribute, ServiceRequest, hash_api_key
from luukku.intake.signals import request_submitted
from luukku.intake.tests.factories import (
    ApiClientFactory,
    ServiceAttributeFactory,
    ServiceRequestFactory,
)

pytestmark = pytest.mark.django_db


def test_submission_stores_request_with_received_event_and_responsible_agency():
    responsible = OrganisationFactory.create()
    service = ServiceFactory.create(producers=[OrganisationFactory.create()])
    ServiceOrganisation.objects.create(
        service=service, organisation=responsible, role=ServiceOrganisation.Role.RESPONSIBLE
    )
    result = services.submit_request(
        service=service,
        description="  Katuvalo ei pala.  ",
        lat=Decimal("62.892"),
        long=Decimal("27.678"),
    )
    request = ServiceRequest.objects.get()
    assert result.created
    assert request == result.request
    assert request.description == "Katuvalo ei pala."
    assert request.status == ServiceRequest.Status.OPEN
    assert request.detailed_status == ServiceRequest.DetailedStatus.RECEIVED
    assert request.agency_responsible == responsible
    assert [e.state for e in request.events.all()] == [RequestEvent.State.RECEIVED]
    assert len(request.service_request_id) == 13


def test_without_responsible_role_the_first_producer_answers():
    producer = OrganisationFactory.create()
    service = ServiceFactory.create(producers=[producer])
    result = services.submit_request(service=service, description="x")
    assert result.request.agency_responsible == producer


def test_unknown_service_goes_to_triage_without_agency():
    result = services.submit_request(service=None, description="En tiedä minne tämä kuuluu.")
    assert result.request.service is None
    assert result.request.agency_responsible is None


def test_retry_with_same_idempotency_key_returns_the_same_request():
    client = ApiClientFactory.create()
    first = services.submit_request(description="a", api_client=client, idempotency_key="k-1")
    again = services.submit_request(description="a", api_client=client, idempotency_key="k-1")
    assert again.request.pk == first.request.pk
    assert not again.created
    assert ServiceRequest.objects.count() == 1
    assert RequestEvent.objects.count() == 1


def test_idempotency_keys_of_different_clients_do_not_collide():
    one, two = ApiClientFactory.create(), ApiClientFactory.create()
    services.submit_request(description="a", api_client=one, idempotency_key="same")
    services.submit_request(description="b", api_client=two, idempotency_key="same")
    assert ServiceRequest.objects.count() == 2


def test_signal_is_sent_once_after_commit(django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, request, **kwargs):
        received.append(request.service_request_id)

    request_submitted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = services.submit_request(description="a", idempotency_key="x")
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_request(description="a", idempotency_key="x")
    finally:
        request_submitted.disconnect(receiver)
    assert received == [result.request.service_request_id]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": "   "}, "description"),
        ({"description": "a", "lat": Decimal("62")}, "lat"),
        ({"description": "a", "lat": Decimal("91"), "long": Decimal("27")}, "lat"),
        ({"description": "a", "lat": Decimal("62"), "long": Decimal("181")}, "long"),
        ({"description": "a", "kind": "rant"}, "kind"),
    ],
)
def test_invalid_submissions_are_refused(kwargs, field):
    with pytest.raises(services.SubmissionError) as error:
        services.submit_request(**kwargs)
    assert error.value.field == field
    assert not ServiceRequest.objects.exists()


def test_default_moderation_follows_setting(settings):
    settings.INTAKE_DEFAULT_MODERATION = "unmoderated"
    assert services.submit_request(description="a").request.moderation == "unmoderated"
    settings.INTAKE_DEFAULT_MODERATION = "public"
    assert services.submit_request(description="b").request.moderation == "public"


def test_attributes_are_checked_against_the_definition():
    service = ServiceFactory.create()
    ServiceAttributeFactory.create(
        service=service,
        code="kind",
        datatype=ServiceAttribute.Datatype.SINGLE_VALUE_LIST,
        required=True,
        values=[{"key": "lamp", "name": "Lamppu"}, {"key": "pole", "name": "Pylväs"}],
    )
    ServiceAttributeFactory.create(service=service, code="count", datatype="number")
    ServiceAttributeFactory.create(
        service=service,
        code="days",
        datatype=ServiceAttribute.Datatype.MULTI_VALUE_LIST,
        values=[{"key": "mon", "name": "ma"}, {"key": "tue", "name": "ti"}],
    )
    cleaned = services.clean_attributes(
        service, {"kind": ["pole"], "count": ["3"], "days": ["mon", "tue", "mon"], "x": ["y"]}
    )
    assert cleaned == {"kind": "pole", "count": "3", "days": ["mon", "tue"]}
    with pytest.raises(services.SubmissionError, match="kind"):
        services.clean_attributes(service, {})
    with pytest.raises(services.SubmissionError):
        services.clean_attributes(service, {"kind": ["tree"]})
    with pytest.raises(services.SubmissionError):
        services.clean_attributes(service, {"kind": ["lamp"], "count": ["many"]})
    with pytest.raises(services.SubmissionError):
        services.clean_attributes(service, {"kind": ["lamp"], "days": ["sun"]})


def test_progress_keeps_status_in_step_and_reopening_is_logged():
    request = ServiceRequestFactory.create()
    services.progress_request(
        request=request, detailed_status="DONE", note="Korjattu", status_notes="Kiitos!"
    )
    request.refresh_from_db()
    assert request.status == "closed"
    assert request.status_notes == "Kiitos!"
    services.reopen_request(request=request, note="Ei korjattu")
    request.refresh_from_db()
    assert request.status == "open"
    assert [e.state for e in request.events.all()] == ["received", "done", "reopened"]


def test_merge_points_to_the_end_of_the_chain():
    first, second, third = (
        ServiceRequestFactory.create(),
        ServiceRequestFactory.create(),
        ServiceRequestFactory.create(),
    )
    services.merge_request(duplicate=second, survivor=third)
    services.merge_request(duplicate=first, survivor=second)
    first.refresh_from_db()
    assert first.merged_into == third
    assert first.status == "closed"
    with pytest.raises(services.SubmissionError):
        services.merge_request(duplicate=third, survivor=first)


def test_api_client_keeps_only_a_hash_of_its_key():
    client, raw_key = services.create_api_client(name="Palautesovellus")
    client.refresh_from_db()
    assert client.key_hash == hash_api_key(raw_key)
    assert raw_key not in client.key_hash
    assert client.key_prefix == raw_key[:8]
    assert len(raw_key) >= 40


def test_a_public_id_that_is_already_taken_is_drawn_again(monkeypatch):
    taken = ServiceRequestFactory.create()
    field = ServiceRequest._meta.get_field("service_request_id")
    monkeypatch.setattr(field, "_get_default", lambda: taken.service_request_id)
    drawn = iter(["261125-AAAAAA"])
    monkeypatch.setattr(services, "new_public_id", lambda: next(drawn))
    result = services.submit_request(service=taken.service, description="Toinen palaute")
    assert result.created
    assert result.request.service_request_id == "261125-AAAAAA"
    assert ServiceRequest.objects.count() == 2
    assert RequestEvent.objects.filter(request=result.request).count() == 1


def test_when_every_drawn_id_is_taken_the_submission_fails_and_stores_nothing(monkeypatch):
    taken = ServiceRequestFactory.create()
    field = ServiceRequest._meta.get_field("service_request_id")
    monkeypatch.setattr(field, "_get_default", lambda: taken.service_request_id)
    monkeypatch.setattr(services, "new_public_id", lambda: taken.service_request_id)
    with pytest.raises(IntegrityError):
        services.submit_request(service=taken.service, description="Ei mahdu")
    assert ServiceRequest.objects.count() == 1
