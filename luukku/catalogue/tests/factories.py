"""factory_boy factories for the catalogue and the layers below it; every app's tests use these."""

from __future__ import annotations

from typing import Any

import factory

from luukku.areas.models import Area
from luukku.catalogue.models import (
    ChannelText,
    LifeEvent,
    MobileStop,
    Service,
    ServiceChannel,
    ServiceClass,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
    TargetGroup,
)
from luukku.organisations.models import Organisation


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("area_type", "code")

    area_type = Area.Type.MUNICIPALITY
    code = factory.Sequence(lambda n: f"{900 + n % 99:03d}")
    name_fi = factory.Sequence(lambda n: f"Kunta {n}")
    name_sv = factory.LazyAttribute(lambda o: o.name_fi)
    name_en = factory.LazyAttribute(lambda o: o.name_fi)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    organisation_type = Organisation.Type.MUNICIPALITY
    name_fi = factory.Sequence(lambda n: f"Organisaatio {n}")
    name_sv = factory.Sequence(lambda n: f"Organisation {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")


class ServiceClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceClass
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n + 100}")
    label_fi = factory.Sequence(lambda n: f"Palveluluokka {n}")
    label_sv = factory.Sequence(lambda n: f"Serviceklass {n}")
    label_en = factory.Sequence(lambda n: f"Service class {n}")


class TargetGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetGroup
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KR{n + 100}")
    label_fi = factory.Sequence(lambda n: f"Kohderyhmä {n}")
    label_sv = factory.Sequence(lambda n: f"Målgrupp {n}")
    label_en = factory.Sequence(lambda n: f"Target group {n}")


class LifeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeEvent
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KE{n + 100}")
    label_fi = factory.Sequence(lambda n: f"Elämäntapahtuma {n}")
    label_sv = factory.Sequence(lambda n: f"Livssituation {n}")
    label_en = factory.Sequence(lambda n: f"Life event {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    """A service with fi/sv/en names: pass `names={"fi": ..., "sv": ..., "en": ...}` and
    optionally `summaries`, `descriptions`, `keywords={"fi": [...]}` and `producers=[org, ...]`."""

    class Meta:
        model = Service
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"service-{n}")
    domain = "social"

    @factory.post_generation
    def names(self, create: bool, extracted: dict[str, str] | None, **kwargs: Any) -> None:
        names = extracted or {"fi": f"Palvelu {self.slug}", "sv": f"Tjänst {self.slug}",
                              "en": f"Service {self.slug}"}
        _add_texts(self, ServiceText.Kind.NAME, names)

    @factory.post_generation
    def summaries(self, create: bool, extracted: dict[str, str] | None, **kwargs: Any) -> None:
        _add_texts(self, ServiceText.Kind.SUMMARY, extracted or {})

    @factory.post_generation
    def descriptions(self, create: bool, extracted: dict[str, str] | None, **kwargs: Any) -> None:
        _add_texts(self, ServiceText.Kind.DESCRIPTION, extracted or {})

    @factory.post_generation
    def keywords(self, create: bool, extracted: dict[str, list[str]] | None, **kwargs: Any) -> None:
        for language, words in (extracted or {}).items():
            for word in words:
                ServiceText.objects.create(service=self, kind=ServiceText.Kind.KEYWORD,
                                           language=language, value=word)

    @factory.post_generation
    def producers(self, create: bool, extracted: list[Organisation] | None,
                  **kwargs: Any) -> None:
        for organisation in extracted or []:
            ServiceOrganisation.objects.create(
                service=self, organisation=organisation,
                role=ServiceOrganisation.Role.PRODUCER,
                provision_type=ServiceOrganisation.ProvisionType.SELF_PRODUCED,
            )


class ServiceChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceChannel
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"channel-{n}")
    channel_type = ServiceChannel.Type.SERVICE_LOCATION
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def names(self, create: bool, extracted: dict[str, str] | None, **kwargs: Any) -> None:
        names = extracted or {"fi": f"Asiointipiste {self.slug}"}
        for language, value in names.items():
            ChannelText.objects.create(channel=self, kind=ChannelText.Kind.NAME,
                                       language=language, value=value)


class ServiceHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceHours

    channel = factory.SubFactory(ServiceChannelFactory)
    weekday = 0
    opens = "08:00"
    closes = "16:00"


class MobileStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MobileStop

    channel = factory.SubFactory(ServiceChannelFactory, is_mobile=True)
    municipality = factory.SubFactory(AreaFactory)
    place = factory.Sequence(lambda n: f"Kylätalo {n}")
    weekday = 1
    arrives = "10:00"
    departs = "12:00"


def _add_texts(service: Service, kind: str, values: dict[str, str]) -> None:
    for language, value in values.items():
        ServiceText.objects.create(service=service, kind=kind, language=language, value=value)
