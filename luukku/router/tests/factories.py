"""A small catalogue the router can learn from, and router rows for tests."""

from __future__ import annotations

from typing import Any

import factory

from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.organisations.models import Organisation
from luukku.router.models import RoutingExample, TriageItem

# Six services with fi/sv/en texts in the catalogue's own style: enough for clear messages to
# have one right answer, and few enough to train in about a second.
SMALL_CATALOGUE: dict[str, dict[str, Any]] = {
    "varhaiskasvatus": {
        "names": {
            "fi": "Varhaiskasvatus",
            "sv": "Småbarnspedagogik",
            "en": "Early childhood education",
        },
        "summaries": {
            "fi": "Päivähoitoa ja varhaiskasvatusta päiväkodeissa alle kouluikäisille lapsille.",
            "sv": "Dagvård och småbarnspedagogik i daghem för barn under skolåldern.",
            "en": "Daycare and early childhood education in daycare centres for young children.",
        },
        "keywords": {
            "fi": ["päivähoito", "päiväkoti", "päivähoitopaikka", "hoitopaikka", "lapsi"],
            "sv": ["dagvård", "daghem", "dagisplats", "barn"],
            "en": ["daycare", "nursery", "kindergarten", "childcare"],
        },
    },
    "rakennuslupa": {
        "names": {"fi": "Rakennuslupa", "sv": "Bygglov", "en": "Building permit"},
        "summaries": {
            "fi": "Rakennuslupa tarvitaan uuden rakennuksen rakentamiseen ja laajentamiseen.",
            "sv": "Bygglov behövs för att bygga en ny byggnad eller bygga ut en byggnad.",
            "en": "A building permit is needed to build a new building or extend one.",
        },
        "keywords": {
            "fi": ["rakentaminen", "omakotitalo", "sauna", "autotalli", "lupa"],
            "sv": ["bygga", "egnahemshus", "bastu", "garage"],
            "en": ["construction", "house", "sauna", "garage", "permit"],
        },
    },
    "katujen-kunnossapito": {
        "names": {"fi": "Katujen kunnossapito", "sv": "Gatuunderhåll", "en": "Street maintenance"},
        "summaries": {
            "fi": "Katujen aurausta, hiekoitusta, katuvalojen korjausta ja kuoppien paikkausta.",
            "sv": "Plogning, sandning, reparation av gatubelysning och lagning av gropar.",
            "en": "Snow clearing, gritting, street light repairs and pothole patching.",
        },
        "keywords": {
            "fi": ["katu", "auraus", "liukkaus", "katuvalo", "kuoppa", "lumi"],
            "sv": ["gata", "plogning", "halka", "gatlykta", "snö"],
            "en": ["street", "snow", "ice", "street light", "pothole"],
        },
    },
    "tyonhaku": {
        "names": {
            "fi": "Ilmoittautuminen työnhakijaksi",
            "sv": "Anmälan som arbetssökande",
            "en": "Registering as a jobseeker",
        },
        "summaries": {
            "fi": "Kun jäät työttömäksi tai irtisanotaan, ilmoittaudu työnhakijaksi TE-toimistoon.",
            "sv": "När du blir arbetslös eller uppsagd, anmäl dig som arbetssökande.",
            "en": "When you lose your job or are laid off, register as a jobseeker.",
        },
        "keywords": {
            "fi": ["työttömyys", "työtön", "työnhaku", "irtisanominen", "lomautus"],
            "sv": ["arbetslöshet", "arbetslös", "uppsägning", "permittering"],
            "en": ["unemployment", "unemployed", "jobseeker", "laid off", "job"],
        },
    },
    "hammashoito": {
        "names": {"fi": "Hammashoito", "sv": "Tandvård", "en": "Dental care"},
        "summaries": {
            "fi": "Suun terveydenhuolto: hammaslääkäri, hammassärky ja kiireellinen hammashoito.",
            "sv": "Munhälsovård: tandläkare, tandvärk och brådskande tandvård.",
            "en": "Oral health care: dentist, toothache and urgent dental care.",
        },
        "keywords": {
            "fi": ["hammas", "hammaslääkäri", "särky", "suu"],
            "sv": ["tand", "tandläkare", "tandvärk"],
            "en": ["tooth", "dentist", "toothache"],
        },
    },
    "kirjasto": {
        "names": {"fi": "Kirjastopalvelut", "sv": "Bibliotekstjänster", "en": "Library services"},
        "summaries": {
            "fi": "Kirjasto lainaa kirjoja, e-kirjoja ja äänikirjoja; kirjastokortti on maksuton.",
            "sv": "Biblioteket lånar ut böcker, e-böcker och ljudböcker; lånekortet är gratis.",
            "en": "The library lends books, e-books and audiobooks; the library card is free.",
        },
        "keywords": {
            "fi": ["kirja", "laina", "kirjastokortti", "myöhästymismaksu"],
            "sv": ["bok", "lån", "lånekort"],
            "en": ["book", "loan", "library card", "late fee"],
        },
    },
}


def create_small_catalogue(
    producers: dict[str, list[Organisation]] | None = None,
) -> dict[str, Service]:
    """The six services above, with `producers` per slug when given."""
    producers = producers or {}
    return {
        slug: ServiceFactory.create(slug=slug, producers=producers.get(slug), **texts)
        for slug, texts in SMALL_CATALOGUE.items()
    }


def add_responsible(service: Service, *organisations: Organisation) -> None:
    for organisation in organisations:
        ServiceOrganisation.objects.create(
            service=service, organisation=organisation, role=ServiceOrganisation.Role.RESPONSIBLE
        )


class RoutingExampleFactory(factory.django.DjangoModelFactory[RoutingExample]):
    class Meta:
        model = RoutingExample

    text = factory.Sequence(lambda n: f"Viesti numero {n}")
    service = factory.SubFactory(ServiceFactory)
    language = "fi"
    source = RoutingExample.Source.DEMO


class TriageItemFactory(factory.django.DjangoModelFactory[TriageItem]):
    class Meta:
        model = TriageItem

    text = factory.Sequence(lambda n: f"Epäselvä viesti {n}")
    language = "fi"
    source = "test"
    source_id = factory.Sequence(lambda n: str(n))
