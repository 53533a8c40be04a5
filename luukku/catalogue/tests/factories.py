"""factory_boy factories for the catalogue and the layers below it; every app's tests use these."""

from __future__ import annotations

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

    names = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _add_texts(
            obj,
            ServiceText.Kind.NAME,
            extracted
            or {
                "fi": f"Palvelu {obj.slug}",
                "sv": f"Tjänst {obj.slug}",
                "en": f"Service {obj.slug}",
            },
        )
    )
    summaries = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _add_texts(obj, ServiceText.Kind.SUMMARY, extracted)
    )
    descriptions = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _add_texts(
            obj, ServiceText.Kind.DESCRIPTION, extracted
        )
    )
    keywords = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _add_keywords(obj, extracted)
    )
    producers = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _add_producers(obj, extracted)
    )


class ServiceChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceChannel
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"channel-{n}")
    channel_type = ServiceChannel.Type.SERVICE_LOCATION
    organisation = factory.SubFactory(OrganisationFactory)

    names = factory.PostGeneration(
        lambda obj, create, extracted, **kw: _add_channel_names(
            obj, extracted or {"fi": f"Asiointipiste {obj.slug}"}
        )
    )


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


def _add_texts(service: Service, kind: str, values: dict[str, str] | None) -> None:
    for language, value in (values or {}).items():
        ServiceText.objects.create(service=service, kind=kind, language=language, value=value)


def _add_keywords(service: Service, keywords: dict[str, list[str]] | None) -> None:
    for language, words in (keywords or {}).items():
        for word in words:
            ServiceText.objects.create(
                service=service, kind=ServiceText.Kind.KEYWORD, language=language, value=word
            )


def _add_producers(service: Service, producers: list[Organisation] | None) -> None:
    for organisation in producers or []:
        ServiceOrganisation.objects.create(
            service=service,
            organisation=organisation,
            role=ServiceOrganisation.Role.PRODUCER,
            provision_type=ServiceOrganisation.ProvisionType.SELF_PRODUCED,
        )


def _add_channel_names(channel: ServiceChannel, names: dict[str, str]) -> None:
    for language, value in names.items():
        ChannelText.objects.create(
            channel=channel, kind=ChannelText.Kind.NAME, language=language, value=value
        )
