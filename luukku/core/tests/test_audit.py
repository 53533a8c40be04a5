"""The audit helper: one row per event, never an identity code in it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from luukku.core import audit
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user(username="kaisa.kasittelija", password="x" * 16)


@pytest.fixture
def organisation() -> Organisation:
    return Organisation.objects.create(
        slug="kuopio", organisation_type=Organisation.Type.MUNICIPALITY, name_fi="Kuopio"
    )


def test_a_read_of_personal_data_records_who_what_why_and_from_where(staff_user, organisation):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")

    event = audit.record_read(
        actor=staff_user, target=organisation, purpose="case handling", request=request
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.action == AuditEvent.Action.READ
    assert stored.actor == staff_user
    assert stored.actor_label == "kaisa.kasittelija"
    assert stored.content_type == ContentType.objects.get_for_model(Organisation)
    assert stored.object_id == str(organisation.pk)
    assert stored.target == organisation
    assert stored.purpose == "case handling"
    assert stored.ip_address == "10.1.2.3"


def test_the_actor_label_survives_the_deletion_of_the_user(staff_user, organisation):
    audit.record_read(actor=staff_user, target=organisation, purpose="case handling")
    staff_user.delete()

    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_label == "kaisa.kasittelija"


def test_identity_codes_in_purpose_and_details_are_masked_at_any_depth(staff_user):
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=staff_user,
        purpose="asiakkaan 131052-308T tiedot",
        details={
            "query": "010594Y9021",
            "nested": {"rows": ["020516C903K", "ok"], "count": 2},
            "pair": ("030516D9037", 1),
        },
    )

    event = AuditEvent.objects.get()
    assert event.purpose == "asiakkaan 131052***** tiedot"
    assert event.details == {
        "query": "010594*****",
        "nested": {"rows": ["020516*****", "ok"], "count": 2},
        "pair": ["030516*****", 1],
    }
    assert "308T" not in str(event.details) + event.purpose


def test_an_anonymous_actor_is_stored_by_the_label_given_and_masked():
    audit.record(
        action=AuditEvent.Action.LOGIN_FAILED,
        actor=AnonymousUser(),
        actor_label="131052-308T",
    )

    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_label == "131052*****"


def test_a_logged_in_actor_wins_over_a_label(staff_user):
    audit.record(action=AuditEvent.Action.LOGIN, actor=staff_user, actor_label="someone-else")

    assert AuditEvent.objects.get().actor_label == "kaisa.kasittelija"


def test_an_overlong_purpose_is_cut_to_fit_the_column(staff_user):
    audit.record(action=AuditEvent.Action.READ, actor=staff_user, purpose="x" * 500)

    assert len(AuditEvent.objects.get().purpose) == 200


def test_without_a_request_no_ip_address_is_stored(staff_user):
    audit.record(action=AuditEvent.Action.READ, actor=staff_user)

    assert AuditEvent.objects.get().ip_address is None


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert audit.client_ip(request) == "10.0.0.9"


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged the first entry; the proxy appended the real one.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )

    assert audit.client_ip(request) == "203.0.113.5"


def test_behind_two_proxies_the_client_is_second_from_the_end(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5, 10.0.0.2"
    )

    assert audit.client_ip(request) == "203.0.113.5"


def test_a_forwarded_value_that_is_not_an_address_is_not_stored(settings, staff_user):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="unknown")

    audit.record(action=AuditEvent.Action.READ, actor=staff_user, request=request)

    assert AuditEvent.objects.get().ip_address is None
