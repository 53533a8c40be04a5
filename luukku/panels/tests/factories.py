"""Factories for panels: a panel over municipalities with population, consent texts, volunteers."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from luukku.areas.demographics import AGE_BANDS
from luukku.areas.models import Area, PopulationGroup
from luukku.catalogue.tests.factories import AreaFactory, OrganisationFactory
from luukku.core.models import ConsentText
from luukku.panels.models import Panel, Volunteer


class ConsentTextFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentText
        django_get_or_create = ("purpose", "version")

    purpose = ConsentText.Purpose.PANEL_MEMBERSHIP
    version = 1
    text_fi = "Suostun."
    text_sv = "Jag samtycker."
    text_en = "I agree."
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    organisation = factory.SubFactory(OrganisationFactory)
    name_fi = factory.Sequence(lambda n: f"Asiakasraati {n}")
    name_sv = factory.Sequence(lambda n: f"Kundpanel {n}")
    name_en = factory.Sequence(lambda n: f"Customer panel {n}")
    description_fi = "Raati kehittää palveluja."
    size = 4
    signup_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


def municipality_with_population(
    code: str, name: str, *, male: int = 1000, female: int = 1000
) -> Area:
    """A municipality whose population is spread evenly over the bands (by sex as given)."""
    area = AreaFactory.create(code=code, name_fi=name, name_sv=name, name_en=name)
    PopulationGroup.objects.bulk_create(
        PopulationGroup(
            municipality=area,
            year=2023,
            age_band=band,
            sex=sex,
            population=population,
            source="test",
        )
        for band in AGE_BANDS
        for sex, population in (("male", male), ("female", female))
    )
    return area


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    panel = factory.SubFactory(PanelFactory)
    name = factory.Sequence(lambda n: f"Vapaaehtoinen {n}")
    email = factory.Sequence(lambda n: f"vapaaehtoinen{n}@example.fi")
    birth_year = 1970
    age_band = "45-54"
    municipality = factory.SubFactory(AreaFactory)
    sex = "female"
    customer_type = "person"
    consent = factory.SubFactory(ConsentTextFactory)
    consented_at = factory.LazyFunction(timezone.now)
