"""Signing up: the age range, the guardian's consent for under-15s, one sign-up per address,
and the exact consent version agreed to."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from luukku.core.models import ConsentText
from luukku.panels import services
from luukku.panels.models import Panel, Volunteer

from .factories import ConsentTextFactory, PanelFactory

TODAY = date(2026, 5, 4)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the tests start in Finnish, the site's default)."""
    with translation.override("en"):
        yield


def sign_up(panel: Panel, region, **overrides):
    data = {
        "panel": panel,
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "birth_year": 1980,
        "municipality": region.big,
        "sex": "female",
        "customer_type": "person",
        "consent_id": region.membership.pk,
        "consent_given": True,
        "guardian_consent_id": region.guardian.pk,
        "today": TODAY,
    }
    data.update(overrides)
    return services.sign_up(**data)


@pytest.fixture
def youth(region) -> Panel:
    panel = PanelFactory.create(
        kind=Panel.Kind.YOUTH, min_age=13, max_age=29, signup_until=TODAY + timedelta(days=10)
    )
    panel.municipalities.set([region.big, region.small])
    return panel


def test_a_volunteer_is_stored_with_the_age_band_and_the_consent_version_agreed(youth, region):
    volunteer = sign_up(youth, region, birth_year=2000, email="Maija@Example.fi ")

    assert volunteer.age_band == "25-34"
    assert volunteer.email == "maija@example.fi"
    assert volunteer.consent == region.membership
    assert volunteer.consented_at is not None
    assert volunteer.guardian_consent is None
    assert volunteer.status == Volunteer.Status.VOLUNTEER


def test_a_newer_consent_version_does_not_change_what_was_agreed(youth, region):
    ConsentTextFactory.create(purpose=ConsentText.Purpose.PANEL_MEMBERSHIP, version=2)

    volunteer = sign_up(youth, region, birth_year=2000)

    assert volunteer.consent.version == 1


@pytest.mark.parametrize(
    ("birth_year", "allowed"), [(2014, False), (2013, True), (1997, True), (1996, False)]
)
def test_the_age_must_be_within_the_panels_range(youth, region, birth_year, allowed):
    guardian = {
        "guardian_name": "Huoltaja",
        "guardian_email": "h@example.fi",
        "guardian_consent_given": True,
    }
    if allowed:
        assert sign_up(youth, region, birth_year=birth_year, **guardian).pk
        return
    with pytest.raises(ValidationError) as error:
        sign_up(youth, region, birth_year=birth_year, **guardian)
    assert error.value.message_dict["birth_year"] == ["This panel is for people aged 13–29."]


def test_an_under_15_needs_the_guardians_name_address_and_consent(youth, region):
    with pytest.raises(ValidationError) as error:
        sign_up(youth, region, birth_year=2012)

    assert set(error.value.message_dict) == {
        "guardian_name",
        "guardian_email",
        "guardian_consent_given",
    }
    assert not Volunteer.objects.exists()

    volunteer = sign_up(
        youth,
        region,
        birth_year=2012,
        guardian_name="Pekka Meikäläinen",
        guardian_email="pekka@example.fi",
        guardian_consent_given=True,
    )
    assert volunteer.guardian_consent == region.guardian
    assert volunteer.guardian_consented_at is not None


def test_the_same_address_cannot_sign_up_twice_for_one_panel(youth, region):
    sign_up(youth, region, birth_year=2000)

    with pytest.raises(ValidationError) as error:
        sign_up(youth, region, birth_year=2001, email="MAIJA@example.fi")

    assert "already signed up for this panel" in error.value.message_dict["email"][0]
    other = PanelFactory.create(signup_until=TODAY + timedelta(days=1))
    assert sign_up(other, region).pk


def test_without_consent_or_outside_the_area_nobody_is_stored(youth, region):
    with pytest.raises(ValidationError) as error:
        sign_up(youth, region, birth_year=2000, consent_given=False, municipality=region.middle)

    assert set(error.value.message_dict) == {"consent_given", "municipality"}
    assert not Volunteer.objects.exists()


def test_sign_up_closes_after_its_last_day(youth, region):
    with pytest.raises(services.PanelError):
        sign_up(youth, region, birth_year=2000, today=TODAY + timedelta(days=11))


def test_the_form_explains_errors_and_keeps_nothing(client, region):
    panel = PanelFactory.create()

    response = client.post(
        reverse("panels:signup", args=[panel.pk]),
        {
            "name": "Ville",
            "email": "ville@example.fi",
            "birth_year": str(timezone.localdate().year - 12),
            "municipality": region.big.pk,
            "sex": "male",
            "customer_type": "person",
            "consent_given": "on",
            "consent_id": region.membership.pk,
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "error-summary" in content
    assert "15" in content
    assert not Volunteer.objects.exists()


def test_the_form_signs_up_and_thanks_the_volunteer(client, region):
    panel = PanelFactory.create()

    response = client.post(
        reverse("panels:signup", args=[panel.pk]),
        {
            "name": "Ville Virtanen",
            "email": "ville@example.fi",
            "birth_year": "1975",
            "municipality": region.small.pk,
            "sex": "other",
            "customer_type": "person",
            "interests": ["health", "transport"],
            "consent_given": "on",
            "consent_id": region.membership.pk,
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("panels:thanks", args=[panel.pk])
    volunteer = Volunteer.objects.get()
    assert volunteer.interests == ["health", "transport"]
    assert volunteer.sex == "other"
