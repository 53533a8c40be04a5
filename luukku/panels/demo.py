"""Demo panels for the Pohjois-Savo demo region, built through the services as staff would.

- "Pohjois-Savon asiakasraati" (Kuopio, N=15, the whole region): about 300 volunteers from a
  deliberately skewed pool (many older women from Kuopio, few young men from the small
  municipalities), drawn with a fixed seed, so that the quota report has shortfalls to explain;
  one session with two recommendations, one answered and published.
- "Nuorten raati" (youth panel, ages 13–29, Kuopio and Siilinjärvi): recruiting, a few volunteers.

Called by the demo loader after the demo staff exist. A panel is known by its organisation and
Finnish name: one that exists is left as it is, so a second load writes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from luukku.accounts.models import User
from luukku.areas.demographics import CustomerType, Sex
from luukku.areas.models import Area
from luukku.catalogue.models import Domain, Service
from luukku.core.models import ConsentText
from luukku.organisations.models import Organisation

from . import services
from .models import Panel

ORGANISATION = "kuopion-kaupunki"
MANAGER = "demo-kehittamispaallikko"  # service manager, Kuopio
CUSTOMER_PANEL = "Pohjois-Savon asiakasraati"
YOUTH_PANEL = "Nuorten raati"
SEED = 20250601
KUOPIO = "297"
SIILINJARVI = "749"
# Small municipalities of the region (under about 10,000 inhabitants).
SMALL = (
    "171",
    "204",
    "239",
    "263",
    "402",
    "595",
    "686",
    "687",
    "762",
    "778",
    "844",
    "857",
    "921",
    "925",
)

FIRST_NAMES = {
    Sex.FEMALE: ("Aino", "Helena", "Kaarina", "Liisa", "Marja", "Pirkko", "Sanna", "Tuula"),
    Sex.MALE: ("Eero", "Jari", "Juha", "Matti", "Mikko", "Pekka", "Timo", "Ville"),
    Sex.OTHER: ("Alex", "Kim", "Niki", "Robin"),
}
LAST_NAMES = ("Heikkinen", "Hyvönen", "Kärkkäinen", "Miettinen", "Rissanen", "Savolainen")

CONSENTS = {
    ConsentText.Purpose.PANEL_MEMBERSHIP: (
        "Suostun siihen, että tietojani käytetään asiakasraadin jäsenten arvontaan ja raadin "
        "yhteydenpitoon. Yhteystietoni poistetaan, kun säilytysaika päättyy.",
        "Jag samtycker till att mina uppgifter används för lottningen av kundpanelens "
        "medlemmar och för kontakten med panelen. Mina kontaktuppgifter raderas när "
        "lagringstiden går ut.",
        "I agree that my details are used to draw the members of the customer panel and to "
        "contact me about the panel. My contact details are deleted when the retention period "
        "ends.",
    ),
    ConsentText.Purpose.PANEL_GUARDIAN: (
        "Huoltajana annan suostumukseni siihen, että alle 15-vuotias lapseni osallistuu "
        "raatiin ja että hänen tietojaan käytetään edellä kerrotulla tavalla.",
        "Som vårdnadshavare samtycker jag till att mitt barn under 15 år deltar i panelen och "
        "att barnets uppgifter används på det sätt som beskrivs ovan.",
        "As the guardian, I agree that my child under 15 takes part in the panel and that the "
        "child's details are used as described above.",
    ),
}


@dataclass(frozen=True)
class Profile:
    """A kind of volunteer and how many of them the skewed pool has."""

    municipalities: tuple[str, ...]
    bands: tuple[str, ...]
    sex: str
    count: int


# About 300: most are older women from Kuopio; young men from small municipalities are rare.
CUSTOMER_POOL = (
    Profile((KUOPIO,), ("55-64", "65-74", "75-"), Sex.FEMALE, 120),
    Profile((KUOPIO,), ("25-34", "35-44", "45-54"), Sex.FEMALE, 45),
    Profile((KUOPIO,), ("45-54", "55-64", "65-74", "75-"), Sex.MALE, 40),
    Profile((KUOPIO,), ("25-34",), Sex.MALE, 8),
    Profile(
        ("140", "420", SIILINJARVI, "915"), ("35-44", "45-54", "55-64", "65-74"), Sex.FEMALE, 35
    ),
    Profile(("140", "420", SIILINJARVI, "915"), ("35-44", "55-64", "65-74"), Sex.MALE, 20),
    Profile(SMALL, ("55-64", "65-74", "75-"), Sex.FEMALE, 15),
    Profile(SMALL, ("45-54", "65-74"), Sex.MALE, 8),
    Profile(SMALL, ("15-24",), Sex.MALE, 1),
    Profile((KUOPIO, SIILINJARVI), ("25-34", "35-44"), Sex.OTHER, 3),
)
YOUTH_POOL = (
    Profile((KUOPIO,), ("0-14",), Sex.FEMALE, 2),
    Profile((KUOPIO, SIILINJARVI), ("15-24",), Sex.FEMALE, 4),
    Profile((KUOPIO, SIILINJARVI), ("15-24",), Sex.MALE, 3),
    Profile((KUOPIO,), ("25-34",), Sex.MALE, 1),
)


def load_demo_panels() -> int:
    """Create the demo panels that do not exist yet; returns how many rows were written."""
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None:
        return 0
    manager = User.objects.filter(username=MANAGER).first()
    written = 0
    with transaction.atomic():
        written += _consent_texts()
        if not Panel.objects.filter(organisation=organisation, name_fi=CUSTOMER_PANEL).exists():
            written += _customer_panel(organisation, manager)
        if not Panel.objects.filter(organisation=organisation, name_fi=YOUTH_PANEL).exists():
            written += _youth_panel(organisation, manager)
    return written


def _consent_texts() -> int:
    written = 0
    for purpose, (fi, sv, en) in CONSENTS.items():
        if not ConsentText.objects.filter(purpose=purpose).exists():
            ConsentText.objects.create(
                purpose=purpose,
                version=1,
                text_fi=fi,
                text_sv=sv,
                text_en=en,
                valid_from=timezone.now() - timedelta(days=365),
            )
            written += 1
    return written


def _customer_panel(organisation: Organisation, manager: User | None) -> int:
    today = timezone.localdate()
    panel = services.save_panel(
        panel=None,
        fields={
            "organisation": organisation,
            "name_fi": CUSTOMER_PANEL,
            "name_sv": "Norra Savolax kundpanel",
            "name_en": "North Savo customer panel",
            "description_fi": (
                "Asiakasraati kehittää maakunnan ja kuntien palveluja asukkaiden kanssa: "
                "asiointia, palvelupisteiden aukioloa ja sähköisiä palveluja."
            ),
            "description_sv": (
                "Kundpanelen utvecklar regionens och kommunernas tjänster tillsammans med "
                "invånarna."
            ),
            "description_en": (
                "The customer panel develops the services of the region and the municipalities "
                "together with residents: service points, opening hours and e-services."
            ),
            "kind": Panel.Kind.CUSTOMER,
            "min_age": 15,
            "max_age": None,
            "size": 15,
            "signup_until": today + timedelta(days=1),
            "retention_days": 365,
        },
        municipalities=[],
        actor=manager,
    )
    volunteers = _sign_up_pool(panel, CUSTOMER_POOL, today=today - timedelta(days=30))
    selection = services.draw(panel=panel, actor=manager, seed=SEED)
    session = services.add_session(
        panel=panel,
        starts_at=timezone.now() - timedelta(days=14),
        place="Kuopion kaupungintalo, Suurtori 1",
        agenda="1. Tutustuminen\n2. Palvelupisteiden aukioloajat\n3. Sähköinen asiointi",
    )
    members = services.seated(selection)
    services.record_attendance(session=session, present=[m.pk for m in members[:-2]])
    evening = services.add_recommendation(
        session=session,
        text=(
            "Palvelupisteet auki myös kahtena iltana viikossa, jotta työssäkäyvät ehtivät "
            "asioida ilman vapaapäivää."
        ),
        services=Service.objects.filter(slug__in=["kirjasto", "ikaihmisten-neuvonta"]),
    )
    services.add_recommendation(
        session=session,
        text="Joukkoliikenteen aikataulut yhteen paikkaan, myös asiointiliikenteen vuorot.",
        services=Service.objects.filter(slug__in=["joukkoliikenne", "asiointiliikenne"]),
    )
    services.respond(
        recommendation=evening,
        response=(
            "Kokeilemme iltapalvelua Kuopion palvelupisteessä tiistaisin ja torstaisin klo 20 "
            "asti ensi keväästä alkaen. Arvioimme kokeilun raadin kanssa syksyllä."
        ),
        publish=True,
        actor=manager,
    )
    # Sign-up closed the day before the draw; the panel record says so.
    Panel.objects.filter(pk=panel.pk).update(signup_until=today - timedelta(days=21))
    return 1 + volunteers + 1 + 1 + len(members) + 2 + 1


def _youth_panel(organisation: Organisation, manager: User | None) -> int:
    today = timezone.localdate()
    areas = Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code__in=[KUOPIO, SIILINJARVI])
    panel = services.save_panel(
        panel=None,
        fields={
            "organisation": organisation,
            "name_fi": YOUTH_PANEL,
            "name_sv": "Ungdomspanelen",
            "name_en": "Youth panel",
            "description_fi": (
                "Nuorten raati kertoo, miten nuorisopalveluja, liikuntapaikkoja ja koulujen "
                "ruokalistoja pitäisi kehittää. Mukaan 13–29-vuotiaat Kuopiosta ja "
                "Siilinjärveltä."
            ),
            "description_sv": (
                "Ungdomspanelen berättar hur ungdomstjänster, idrottsplatser och skolmat borde "
                "utvecklas. För 13–29-åringar från Kuopio och Siilinjärvi."
            ),
            "description_en": (
                "The youth panel tells how youth services, sports venues and school menus "
                "should develop. For ages 13–29 from Kuopio and Siilinjärvi."
            ),
            "kind": Panel.Kind.YOUTH,
            "min_age": 13,
            "max_age": 29,
            "size": 12,
            "signup_until": today + timedelta(days=45),
            "retention_days": 180,
        },
        municipalities=list(areas),
        actor=manager,
    )
    return 1 + _sign_up_pool(panel, YOUTH_POOL, today=today)


def _sign_up_pool(panel: Panel, pool: tuple[Profile, ...], *, today: date) -> int:
    rng = random.Random(f"{SEED}-{panel.name_fi}")  # noqa: S311 (demo data, not security)
    areas = {area.code: area for area in services.panel_areas(panel)}
    membership = ConsentText.current(ConsentText.Purpose.PANEL_MEMBERSHIP)
    guardian = ConsentText.current(ConsentText.Purpose.PANEL_GUARDIAN)
    if membership is None or guardian is None:
        raise ValueError("The panel consent texts are missing or not yet in force.")
    interests = [domain.value for domain in Domain]
    number = 0
    for profile in pool:
        for _ in range(profile.count):
            number += 1
            band = rng.choice(profile.bands)
            birth_year = today.year - _age_in(band, panel, rng)
            first = rng.choice(FIRST_NAMES[Sex(profile.sex)])
            last = rng.choice(LAST_NAMES)
            under = services.needs_guardian(birth_year, today)
            services.sign_up(
                panel=panel,
                name=f"{first} {last}",
                email=f"raati-{panel.pk}-{number:03d}@example.fi",
                birth_year=birth_year,
                municipality=areas[rng.choice(profile.municipalities)],
                sex=profile.sex,
                customer_type=CustomerType.PERSON if rng.random() < 0.9 else CustomerType.COMPANY,
                interests=rng.sample(interests, 2),
                consent_id=membership.pk,
                consent_given=True,
                guardian_name=f"Huoltaja {last}" if under else "",
                guardian_email=f"huoltaja-{panel.pk}-{number:03d}@example.fi" if under else "",
                guardian_consent_id=guardian.pk,
                guardian_consent_given=under,
                today=today,
            )
    return number


def _age_in(band: str, panel: Panel, rng: random.Random) -> int:
    """An age inside both the band and the panel's range."""
    low_text, _, high_text = band.partition("-")
    low = max(int(low_text), panel.min_age)
    high = int(high_text) if high_text else 90
    if panel.max_age is not None:
        high = min(high, panel.max_age)
    return rng.randint(low, high)
