"""A small catalogue with real fi/sv/en texts for the search and API tests.

Besides the services residents look for, it holds decoys that share words or compound parts
with them ("rakennusjätteet" and "ympäristölupa" beside "rakennuslupa", "kotihoito" beside
"hammashoito"), so that a test of ranking can fail.
"""

from __future__ import annotations

from typing import Any

from luukku.catalogue.models import Service
from luukku.catalogue.tests.factories import ServiceFactory

SERVICES: dict[str, dict[str, Any]] = {
    "rakennuslupa": {
        "service_type": Service.Type.PERMISSION_AND_OBLIGATION,
        "domain": "built-environment",
        "names": {"fi": "Rakennuslupa", "sv": "Bygglov", "en": "Building permit"},
        "summaries": {
            "fi": "Rakennuslupa tarvitaan uuden rakennuksen rakentamiseen ja laajentamiseen.",
            "sv": "Bygglov behövs för att bygga en ny byggnad eller bygga ut en byggnad.",
            "en": "A building permit is needed to build a new building or to extend one.",
        },
        "descriptions": {
            "fi": "Hae rakennuslupaa ennen kuin aloitat rakennustyöt. Lupaa haetaan kunnan "
            "rakennusvalvonnasta sähköisesti.",
            "sv": "Ansök om bygglov hos kommunens byggnadstillsyn innan byggarbetet börjar.",
            "en": "Apply for a building permit from the municipal building control before "
            "construction starts.",
        },
        "keywords": {"fi": ["rakentaa", "rakentaminen", "rakennusvalvonta"]},
    },
    "ymparistolupa": {
        "service_type": Service.Type.PERMISSION_AND_OBLIGATION,
        "domain": "environment",
        "names": {"fi": "Ympäristölupa", "sv": "Miljötillstånd", "en": "Environmental permit"},
        "summaries": {
            "fi": "Ympäristölupa tarvitaan toimintaan, josta voi aiheutua ympäristön "
            "pilaantumista.",
            "sv": "Miljötillstånd behövs för verksamhet som kan förorena miljön.",
            "en": "An environmental permit is needed for activities that may pollute the "
            "environment.",
        },
        "descriptions": {
            "fi": "Lupaa haetaan kunnan ympäristönsuojeluviranomaiselta.",
            "en": "Apply to the municipal environmental protection authority.",
        },
        "keywords": {"fi": ["ympäristönsuojelu", "päästöt"]},
    },
    "rakennusjatteet": {
        "domain": "environment",
        "names": {
            "fi": "Rakennusjätteiden vastaanotto",
            "sv": "Mottagning av byggavfall",
            "en": "Construction waste reception",
        },
        "summaries": {
            "fi": "Rakentamisessa ja purkamisessa syntyvät jätteet otetaan vastaan jäteasemalla.",
            "sv": "Avfall från byggande och rivning tas emot på avfallsstationen.",
            "en": "Waste from building and demolition is received at the waste station.",
        },
        "keywords": {"fi": ["purkujäte"]},
    },
    "tyonhaku": {
        "domain": "employment-and-business",
        "names": {
            "fi": "Ilmoittautuminen työnhakijaksi",
            "sv": "Anmälan som arbetssökande",
            "en": "Registering as a job seeker",
        },
        "summaries": {
            "fi": "Kun jäät työttömäksi, ilmoittaudu työnhakijaksi viimeistään ensimmäisenä "
            "työttömyyspäivänä.",
            "sv": "Anmäl dig som arbetssökande senast den första dagen du är arbetslös.",
            "en": "Register as a job seeker at the latest on your first day of unemployment.",
        },
        "keywords": {"fi": ["työtön", "työttömyys", "työnhaku"]},
    },
    "hammashoito": {
        "domain": "health",
        "names": {"fi": "Hammashoito", "sv": "Tandvård", "en": "Dental care"},
        "summaries": {
            "fi": "Suun ja hampaiden tutkimus ja hoito terveyskeskuksen hammashoitolassa.",
            "sv": "Undersökning och vård av mun och tänder på hälsocentralens tandklinik.",
            "en": "Examination and care of the mouth and teeth at the health centre's dental "
            "clinic.",
        },
        "descriptions": {"fi": "Varaa aika hammaslääkärille tai suuhygienistille."},
        "keywords": {"fi": ["hammaslääkäri", "suun terveydenhuolto"]},
    },
    "terveysasema": {
        "domain": "health",
        "names": {
            "fi": "Terveysaseman vastaanotto",
            "sv": "Mottagning vid hälsostationen",
            "en": "Health centre appointments",
        },
        "summaries": {
            "fi": "Lääkärin ja hoitajan vastaanotto terveysasemalla.",
            "sv": "Läkar- och skötarmottagning vid hälsostationen.",
            "en": "Doctor's and nurse's appointments at the health centre.",
        },
        "keywords": {"fi": ["lääkäri", "sairaanhoitaja"]},
    },
    "kotihoito": {
        "domain": "social",
        "names": {"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"},
        "summaries": {
            "fi": "Kotiin annettava hoito ja tuki, kun kotona asuminen ei muuten onnistu.",
            "sv": "Vård och stöd i hemmet när det annars inte går att bo hemma.",
            "en": "Care and support at home when living at home is otherwise not possible.",
        },
        "keywords": {"fi": ["kotisairaanhoito"]},
    },
    "varhaiskasvatus": {
        "domain": "education-and-culture",
        "names": {
            "fi": "Varhaiskasvatus",
            "sv": "Småbarnspedagogik",
            "en": "Early childhood education",
        },
        "summaries": {
            "fi": "Päiväkotien ja perhepäivähoidon varhaiskasvatus alle kouluikäisille.",
            "sv": "Småbarnspedagogik i daghem och familjedagvård för barn under skolåldern.",
            "en": "Early childhood education in day-care centres and family day care.",
        },
        "descriptions": {"fi": "Hae päivähoitopaikkaa neljä kuukautta ennen tarvetta."},
        "keywords": {"fi": ["päivähoito", "päiväkoti"]},
    },
}


def dangerously_build_search_catalogue() -> dict[str, Service]:
    """Create the services above (test databases only); the caller indexes them."""
    return {slug: ServiceFactory.create(slug=slug, **spec) for slug, spec in SERVICES.items()}
