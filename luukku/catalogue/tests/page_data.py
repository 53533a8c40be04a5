"""A small catalogue that exercises every part of the public pages, for page and browser tests.

One service (rakennuslupa) has every channel type, opening hours with an evening and a mobile
service van with stops in two municipalities; a second service has Finnish texts only, to show
the language fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from luukku.areas.models import Area
from luukku.catalogue.models import (
    LifeEvent,
    Service,
    ServiceChannel,
    ServiceOrganisation,
    TargetGroup,
)
from luukku.catalogue.search import index_services
from luukku.catalogue.tests.factories import (
    AreaFactory,
    LifeEventFactory,
    MobileStopFactory,
    OrganisationFactory,
    ServiceChannelFactory,
    ServiceFactory,
    ServiceHoursFactory,
    TargetGroupFactory,
)
from luukku.organisations.models import Organisation

# Monday 08–16, Tuesday 08–19 (the evening opening), Wednesday to Friday 08–16.
LOCATION_HOURS = {
    0: ("08:00", "16:00"),
    1: ("08:00", "19:00"),
    2: ("08:00", "16:00"),
    3: ("08:00", "16:00"),
    4: ("08:00", "16:00"),
}


@dataclass
class PageCatalogue:
    kuopio: Area
    iisalmi: Area
    varkaus: Area
    life_event: LifeEvent
    target_group: TargetGroup
    permit: Service
    finnish_only: Service
    van: ServiceChannel
    municipality_org: Organisation


def build_page_catalogue() -> PageCatalogue:
    kuopio = AreaFactory.create(code="297", name_fi="Kuopio", name_sv="Kuopio", name_en="Kuopio")
    iisalmi = AreaFactory.create(
        code="140", name_fi="Iisalmi", name_sv="Idensalmi", name_en="Iisalmi"
    )
    varkaus = AreaFactory.create(
        code="915", name_fi="Varkaus", name_sv="Varkaus", name_en="Varkaus"
    )
    life_event = LifeEventFactory.create(
        code="KE4", label_fi="Asuminen", label_sv="Boende", label_en="Housing"
    )
    LifeEventFactory.create(
        code="KE4.1", parent=life_event, label_fi="Muutto", label_sv="Flytt", label_en="Moving"
    )
    target_group = TargetGroupFactory.create(
        code="KR1", label_fi="Kansalaiset", label_sv="Medborgare", label_en="Citizens"
    )
    city = OrganisationFactory.create(
        slug="kuopion-kaupunki",
        name_fi="Kuopion kaupunki",
        name_sv="Kuopio stad",
        name_en="City of Kuopio",
        municipality=kuopio,
    )
    consultancy = OrganisationFactory.create(
        slug="rakennusvalvonta-oy",
        organisation_type=Organisation.Type.COMPANY,
        name_fi="Rakennusvalvontapalvelu Oy",
        name_sv="Byggnadstillsyn Ab",
        name_en="Building Control Ltd",
    )
    permit = ServiceFactory.create(
        slug="rakennuslupa",
        domain="built-environment",
        names={"fi": "Rakennuslupa", "sv": "Bygglov", "en": "Building permit"},
        summaries={
            "fi": "Lupa rakentaa tai laajentaa rakennusta.",
            "sv": "Tillstånd att bygga eller bygga ut en byggnad.",
            "en": "A permit to build or extend a building.",
        },
        descriptions={
            "fi": "Hae rakennuslupa ennen kuin aloitat rakentamisen.",
            "sv": "Ansök om bygglov innan du börjar bygga.",
            "en": "Apply for a building permit before you start building.",
        },
    )
    permit.life_events.add(life_event)
    permit.target_groups.add(target_group)
    ServiceOrganisation.objects.create(
        service=permit, organisation=city, role=ServiceOrganisation.Role.RESPONSIBLE
    )
    ServiceOrganisation.objects.create(
        service=permit,
        organisation=consultancy,
        role=ServiceOrganisation.Role.PRODUCER,
        provision_type=ServiceOrganisation.ProvisionType.PURCHASED,
    )
    e_service = ServiceChannelFactory.create(
        slug="lupapiste",
        channel_type=ServiceChannel.Type.E_CHANNEL,
        organisation=city,
        url="https://www.lupapiste.fi/",
        names={"fi": "Lupapiste", "sv": "Lupapiste", "en": "Lupapiste"},
    )
    phone = ServiceChannelFactory.create(
        slug="rakennusvalvonnan-puhelin",
        channel_type=ServiceChannel.Type.PHONE,
        organisation=city,
        phone="017 182 111",
        phone_charge="pvm/mpm",
        names={
            "fi": "Rakennusvalvonnan neuvonta",
            "sv": "Byggnadstillsynens rådgivning",
            "en": "Building control advice line",
        },
    )
    office = ServiceChannelFactory.create(
        slug="kuopion-rakennusvalvonta",
        channel_type=ServiceChannel.Type.SERVICE_LOCATION,
        organisation=city,
        street_address="Suokatu 42",
        postal_code="70100",
        post_office="Kuopio",
        municipality=kuopio,
        names={
            "fi": "Rakennusvalvonnan asiakaspalvelu",
            "sv": "Byggnadstillsynens kundtjänst",
            "en": "Building control customer service",
        },
    )
    for weekday, (opens, closes) in LOCATION_HOURS.items():
        ServiceHoursFactory.create(channel=office, weekday=weekday, opens=opens, closes=closes)
    van = ServiceChannelFactory.create(
        slug="palveluauto",
        channel_type=ServiceChannel.Type.SERVICE_LOCATION,
        organisation=city,
        is_mobile=True,
        names={"fi": "Palveluauto", "sv": "Servicebilen", "en": "Mobile service van"},
    )
    MobileStopFactory.create(
        channel=van,
        municipality=kuopio,
        place="Vehmersalmen kirjasto",
        weekday=1,
        arrives=time(10),
        departs=time(12),
    )
    MobileStopFactory.create(
        channel=van,
        municipality=iisalmi,
        place="Runnin kylätalo",
        weekday=3,
        arrives=time(9),
        departs=time(11, 30),
    )
    permit.channels.add(e_service, phone, office, van)

    finnish_only = ServiceFactory.create(
        slug="kaavoitus",
        domain="built-environment",
        names={"fi": "Kaavoitus"},
        summaries={"fi": "Asemakaavat ja yleiskaavat."},
    )
    finnish_only.life_events.add(life_event)
    finnish_only.channels.add(phone)
    index_services([permit.pk, finnish_only.pk])
    return PageCatalogue(
        kuopio=kuopio,
        iisalmi=iisalmi,
        varkaus=varkaus,
        life_event=life_event,
        target_group=target_group,
        permit=permit,
        finnish_only=finnish_only,
        van=van,
        municipality_org=city,
    )
