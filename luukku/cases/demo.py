"""Demo cases for the Pohjois-Savo demo region: forty customers' matters, open and closed.

Called by the demo loader (luukku/demo) after the demo staff exist. Every case is built through
the services, as staff would build it, and then moved back in time so that the queues, the
metrics and the escalations have something to show. A demo case is known by its case number
(DEMO-001 ...): a case that exists is left as it is, so a second load writes nothing.

Personal identity codes of demo persons use the individual numbers 900-999, which are set
aside for testing and never given to anyone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from luukku.accounts.models import User
from luukku.areas.models import Area
from luukku.catalogue.models import Service
from luukku.core.identifiers import business_id_check_digit, validate_identity_code
from luukku.intake.models import RequestEvent, ServiceRequest
from luukku.organisations.models import Organisation

from . import services
from .models import Case, CaseEvent, Channel, Consent, Customer, Note, ServiceLevel, Task

AGENT = "demo-asiakaspalvelu"  # customer service agent, Kuopio
OWNER = "demo-asiakkuusvastaava"  # case owner, the wellbeing services county's social services
LEAD = "demo-esihenkilo"  # unit lead, Kuopio
SOTE_LEAD = "demo-sote-esihenkilo"  # unit lead, social services
SOTE = "demo-sote-ammattilainen"  # social and health care professional, family services

KUOPIO = "kuopion-kaupunki"
SOCIAL = "pohjois-savon-hyvinvointialue-sosiaalipalvelut"
FAMILY = "pohjois-savon-hyvinvointialue-perhepalvelut"
ELDERLY = "pohjois-savon-hyvinvointialue-ikaihmisten-palvelut"
HEALTH = "pohjois-savon-hyvinvointialue-terveyspalvelut"
TE = "pohjois-savon-te-toimisto"
STREETS = "kuopion-kaupunki-kaupunkiymparisto"

PREFIX = "DEMO-"
SOCIAL_HEALTH = "social_health"


@dataclass(frozen=True)
class DemoCustomer:
    kind: str
    name: str
    birth: str = ""  # DDMMYY- of a person with a test identity code
    business_body: str = ""  # the first seven digits of a company's business ID
    municipality: str = "297"  # Kuopio


@dataclass(frozen=True)
class DemoTask:
    service: str
    organisation: str
    status: str = Task.Status.OPEN
    sensitivity: str = "general"


@dataclass(frozen=True)
class DemoCase:
    title: str
    channel: str
    owner: str
    unit: str
    days_ago: int
    customer: DemoCustomer | None = None
    description: str = ""
    tasks: tuple[DemoTask, ...] = ()
    notes: tuple[tuple[str, str, str], ...] = ()  # (body, visibility, sensitivity)
    consents: tuple[tuple[str, str, bool], ...] = ()  # (organisation, scope, social and health)
    transfer: tuple[str, str, str] | None = None  # (from owner, from unit, reason)
    outcome: str = ""  # empty: still open
    resolved_in_days: int = 0
    first_contact: bool = False
    stalled: bool = False  # nothing has happened since it was opened
    overdue: bool = False  # the next action date has passed


@dataclass(frozen=True)
class DemoFeedback:
    """A piece of Open311 feedback about a Kuopio street, park or building."""

    service: str
    unit: str
    title: str
    description: str
    days_ago: int
    outcome: str = ""
    reply: str = ""


def _person(name: str, birth: str, municipality: str = "297") -> DemoCustomer:
    return DemoCustomer(kind="person", name=name, birth=birth, municipality=municipality)


def _company(name: str, body: str) -> DemoCustomer:
    return DemoCustomer(kind="company", name=name, business_body=body)


T = DemoTask
IN_PROGRESS, DONE = Task.Status.IN_PROGRESS, Task.Status.DONE
INTERNAL, CUSTOMER = Note.Visibility.INTERNAL, Note.Visibility.CUSTOMER
SUMMARY, FULL = Consent.Scope.SUMMARY, Consent.Scope.FULL

DEMO_CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "Perhe muuttaa Kuopioon: koulu, työ ja neuvola",
        Channel.WALK_IN, AGENT, KUOPIO, 6,
        _person("Laura Nieminen", "120388-"),
        "Perhe muuttaa Oulusta Kuopioon tammikuussa. Kaksi lasta (7 ja 1 v.), puoliso hakee töitä.",
        (T("perusopetus", "kuopion-kaupunki-kasvatus-ja-opetus", IN_PROGRESS),
         T("tyonhaku", TE), T("neuvola", FAMILY, sensitivity=SOCIAL_HEALTH)),
        (("Koulupaikka Jynkän koulusta vahvistuu ensi viikolla.", CUSTOMER, "general"),),
        ((TE, SUMMARY, False), (FAMILY, FULL, True)),
    ),
    DemoCase(
        "Yrityksen perustaminen: starttiraha ja toimitila",
        Channel.PHONE, AGENT, "business-kuopio", 40, _person("Joonas Heikkinen", "030595-"),
        "Aloittava graafinen suunnittelija tarvitsee starttirahan ja pienen toimitilan.",
        (T("starttiraha", TE, DONE), T("tontit", STREETS, DONE)),
        consents=((TE, SUMMARY, False),), outcome="solved", resolved_in_days=18,
    ),
    DemoCase(
        "Konepaja rekrytoi kuusi hitsaajaa",
        Channel.EMAIL, AGENT, "business-kuopio", 21, _company("Savon Konepaja Oy", "2345671"),
        "Laajennus keväällä, tarvitaan hitsaajia ja palkkatukea yhdelle pitkään työttömälle.",
        (T("rekrytointi", TE, IN_PROGRESS), T("palkkatuki", "kuopion-kaupunki-tyollisyyspalvelut")),
        stalled=True,
    ),
    DemoCase(
        "Kotihoito ja asiointikyyti iäkkäälle",
        Channel.PHONE, OWNER, SOCIAL, 4, _person("Aune Korhonen", "170235-", "844"),
        "Tytär soitti: äiti (89) ei enää selviä kaupassa käynnistä, kotihoidon tarve arvioitava.",
        (T("kotihoito", ELDERLY, sensitivity=SOCIAL_HEALTH),
         T("asiointiliikenne", "pohjois-savon-asiointikyydit")),
        (("Tytär on omainen ja yhteyshenkilö.", INTERNAL, "general"),),
        ((ELDERLY, FULL, True),),
    ),
    DemoCase(
        "Irtisanottu: työnhaku ja toimeentulo",
        Channel.WALK_IN, AGENT, KUOPIO, 9, _person("Mikko Laitinen", "280779-"),
        "Tehdas lopetti, irtisanomisaika päättyy. Työnhaku ja tuki vuokraan.",
        (T("tyonhaku", TE, DONE), T("toimeentulotuki", "kela", IN_PROGRESS)),
        consents=((TE, SUMMARY, False), ("kela", SUMMARY, False)),
    ),
    DemoCase(
        "Palveluauto Tervossa: ikäihmisen neuvonta",
        Channel.MOBILE_VAN, AGENT, KUOPIO, 12, _person("Eino Räsänen", "050141-", "844"),
        "Kysyi palveluautolla, mistä saa apua lumitöihin. Ohjattu ja asia hoidettu paikan päällä.",
        outcome="solved", first_contact=True,
    ),
    DemoCase(
        "Huoli lapsen hyvinvoinnista",
        Channel.PHONE, SOTE, FAMILY, 3, _person("Sanna Kärkkäinen", "090991-"),
        "Päiväkodin henkilökunnan yhteydenotto.",
        (T("lastensuojelu", FAMILY, IN_PROGRESS, SOCIAL_HEALTH),),
        (("Kotikäynti sovittu torstaille.", INTERNAL, SOCIAL_HEALTH),),
    ),
    DemoCase(
        "Maatalousyrittäjän lomitus ja tuet",
        Channel.PHONE, AGENT, KUOPIO, 30, _person("Heikki Partanen", "210667-", "749"),
        "Lypsykarjatila: sijaisapu sairausloman ajaksi ja kysymys tukihaun aikataulusta.",
        (T("lomituspalvelut", "kuopion-kaupunki-lomituspalvelut", DONE),
         T("maatalouden-tuet", "pohjois-savon-ely-keskus", DONE)),
        transfer=(OWNER, SOCIAL, "Ohjautui ensin sosiaalipalveluihin; kuuluu maaseutupalveluille."),
        outcome="partly", resolved_in_days=12,
    ),
    DemoCase(
        "Kotoutuminen: kieli, työ ja koulu",
        Channel.WALK_IN, AGENT, "kuopion-kaupunki-maahanmuuttajapalvelut", 16,
        _person("Olena Kovalenko", "140486-"),
        "Tilapäistä suojelua saava perhe, kaksi kouluikäistä lasta.",
        (T("kotoutuminen", "kuopion-kaupunki-maahanmuuttajapalvelut", IN_PROGRESS),
         T("tyonhaku", TE), T("perusopetus", "kuopion-kaupunki-kasvatus-ja-opetus", DONE)),
        consents=((TE, SUMMARY, False),), overdue=True,
    ),
    DemoCase(
        "Jaksaminen ja velat",
        Channel.CHAT, OWNER, SOCIAL, 7, _person("Tiina Hyvönen", "300892-"),
        "Chatissa: uupumus, vuokrarästit. Toivoo yhtä yhteyshenkilöä.",
        (T("mielenterveys-ja-paihde", HEALTH, sensitivity=SOCIAL_HEALTH),
         T("toimeentulotuki", SOCIAL, IN_PROGRESS)),
        consents=((HEALTH, FULL, True),),
    ),
    DemoCase(
        "Rakennuslupa: autotallin laajennus",
        Channel.EMAIL, AGENT, KUOPIO, 35, _person("Pekka Turunen", "111170-"),
        "Kysyy, tarvitaanko lupa 15 m² laajennukseen.",
        (T("rakennuslupa", STREETS, DONE),), outcome="solved", resolved_in_days=5,
    ),
    DemoCase(
        "Omaishoidon tuki puolisolle",
        Channel.PHONE, OWNER, SOCIAL, 50, _person("Raili Savolainen", "060452-"),
        "Hoitaa puolisoaan kotona, kysyy tukea ja vapaapäiviä.",
        (T("omaishoidon-tuki", ELDERLY, DONE, SOCIAL_HEALTH),), outcome="solved",
        resolved_in_days=21,
    ),
    DemoCase(
        "Hammashoitoon pääsy ja kuljetus",
        Channel.PHONE, OWNER, SOCIAL, 45, _person("Veikko Miettinen", "250844-", "140"),
        "Hammassärky, ei autoa. Hoitoaikaa ei löytynyt tavoiteajassa.",
        (T("hammashoito", "pohjois-savon-hyvinvointialue-suun-terveydenhuolto", DONE),),
        outcome="not_solved", resolved_in_days=16,
    ),
    DemoCase(
        "Ravintolan avaaminen torin laitaan",
        Channel.EMAIL, AGENT, "business-kuopio", 11, _company("Torikulma Oy", "2456782"),
        "Elintarvikeilmoitus, paloturvallisuus ja terassin lupa.",
        (T("elintarvikevalvonta", "kuopion-kaupunki-ymparistoterveydenhuolto", IN_PROGRESS),
         T("palotarkastus", "pohjois-savon-hyvinvointialue-pelastuslaitos"),
         T("rakennuslupa", STREETS)),
    ),
    DemoCase(
        "Nuori keskeytti opinnot",
        Channel.CHAT, AGENT, KUOPIO, 10, _person("Aleksi Ruotsalainen", "020306A"),
        "Ammattikoulu jäi kesken, etsii suuntaa.",
        (T("nuorisopalvelut", "kuopion-kaupunki-nuorisopalvelut", DONE), T("tyonhaku", TE, DONE)),
        (("Etsivä nuorisotyö tavannut kahdesti, työkokeilu alkaa.", INTERNAL, "general"),),
    ),
    DemoCase(
        "Yhdistyksen turnaukselle sali",
        Channel.EMAIL, AGENT, KUOPIO, 25,
        DemoCustomer(kind="community", name="Kuopion Pallo-Veikot ry", business_body="2567893"),
        "Junioriturnaus maaliskuussa, tarvitaan kaksi salia viikonlopuksi.",
        (T("liikuntapaikat", "kuopion-kaupunki-liikuntapalvelut", DONE),), outcome="solved",
        resolved_in_days=3,
    ),
)  # fmt: skip

DEMO_FEEDBACK: tuple[DemoFeedback, ...] = (
    DemoFeedback("katujen-kunnossapito", STREETS, "Katuvalo ei pala",
                 "Puijonkadun ja Minna Canthin kadun risteyksessä valo pimeänä.", 2),
    DemoFeedback("katujen-kunnossapito", STREETS, "Syvä kuoppa pyörätiellä",
                 "Väinölänniemen pyörätiellä kuoppa, vaarallinen pimeällä.", 15, "solved",
                 "Kuoppa paikattu."),
    DemoFeedback("katujen-kunnossapito", STREETS, "Lumet auraamatta",
                 "Neulamäen asuntokatu auraamatta kolmatta päivää.", 1),
    DemoFeedback("katujen-kunnossapito", STREETS, "Liukas jalkakäytävä",
                 "Kauppakadulla ei hiekoitusta, kaaduin.", 8, "solved", "Hiekoitettu."),
    DemoFeedback("katujen-kunnossapito", STREETS, "Liikennemerkki kaatunut",
                 "Kolmisopessa stop-merkki kaatunut ojaan.", 20, "solved", "Merkki nostettu."),
    DemoFeedback("katujen-kunnossapito", STREETS, "Roskis täynnä",
                 "Satamassa roska-astiat tulvivat.", 3),
    DemoFeedback("jatehuolto", STREETS, "Jäteastia tyhjentämättä",
                 "Biojäteastia jäi tyhjentämättä Petosella.", 9, "solved",
                 "Ohjattu Jätekukolle, tyhjennetty."),
    DemoFeedback("joukkoliikenne", "kuopion-kaupunki-joukkoliikenne-vilkku", "Bussi ei pysähtynyt",
                 "Linja 2 ajoi pysäkin ohi aamulla klo 7.10.", 14, "partly",
                 "Palaute välitetty liikennöitsijälle."),
    DemoFeedback("joukkoliikenne", "kuopion-kaupunki-joukkoliikenne-vilkku", "Aikataulu ei täsmää",
                 "Sovelluksen ja pysäkin aikataulut eroavat.", 4),
    DemoFeedback("kirjasto", "kuopion-kaupunki-kirjasto", "Kiitos kirjastolle",
                 "Satutunti oli lapsille mahtava!", 6, "solved", "Kiitos palautteesta!"),
    DemoFeedback("kirjasto", "kuopion-kaupunki-kirjasto", "Lehtisali liian kylmä",
                 "Pääkirjaston lehtisalissa on kylmä.", 5),
    DemoFeedback("liikuntapaikat", "kuopion-kaupunki-liikuntapalvelut", "Latu huonossa kunnossa",
                 "Puijon valaistu latu pohjaamatta.", 2),
    DemoFeedback("liikuntapaikat", "kuopion-kaupunki-liikuntapalvelut", "Uimahallin suihku rikki",
                 "Miesten puolella kaksi suihkua rikki.", 18, "solved", "Korjattu."),
    DemoFeedback("liikuntapaikat", "kuopion-kaupunki-liikuntapalvelut", "Kuntosalin vuorot",
                 "Toivotaan aamuvuoroja senioreille.", 26, "not_solved",
                 "Vuoroja ei voida lisätä tänä keväänä."),
    DemoFeedback("kiinteiston-huoltopyynto", "kuopion-kaupunki-kuopion-tilakeskus",
                 "Koulun ovi jumittaa", "Jynkän koulun pääovi ei sulkeudu.", 7),
    DemoFeedback("kiinteiston-huoltopyynto", "kuopion-kaupunki-kuopion-tilakeskus",
                 "Päiväkodin lämpö", "Päiväkodin salissa 17 astetta.", 12, "solved",
                 "Termostaatti vaihdettu."),
    DemoFeedback("kiinteiston-huoltopyynto", "kuopion-kaupunki-kuopion-tilakeskus",
                 "Vesivahinko", "Kirjaston katosta tippuu vettä.", 19),
    DemoFeedback("nuorisopalvelut", "kuopion-kaupunki-nuorisopalvelut", "Nuorisotalon aukiolo",
                 "Toivomme nuorisotalon auki myös sunnuntaisin.", 10, "partly",
                 "Kokeilemme kuukauden."),
    DemoFeedback("katujen-kunnossapito", STREETS, "Puisto valaisematta",
                 "Snellmanin puiston valot pimeänä.", 5),
    DemoFeedback("katujen-kunnossapito", STREETS, "Graffiti alikulussa",
                 "Tuomaankadun alikulussa uusia töhryjä.", 22, "solved", "Pesty."),
    DemoFeedback("joukkoliikenne", "kuopion-kaupunki-joukkoliikenne-vilkku", "Pysäkkikatos rikki",
                 "Savilahdentien pysäkin lasi rikottu.", 6, "solved", "Lasi vaihdettu."),
    DemoFeedback("kirjasto", "kuopion-kaupunki-kirjasto", "E-kirjat eivät aukea",
                 "Lainatut e-kirjat eivät aukea sovelluksessa.", 1),
    DemoFeedback("jatehuolto", STREETS, "Kierrätyspiste sotkuinen",
                 "Särkiniemen kierrätyspisteellä roskia maassa.", 4),
    DemoFeedback("kiinteiston-huoltopyynto", "kuopion-kaupunki-kuopion-tilakeskus",
                 "Liikuntasalin valot", "Koulun salissa puolet valoista pimeänä.", 3),
)  # fmt: skip

# Promised handling times of some demo services (the rest use the defaults).
DEMO_SERVICE_LEVELS: dict[str, tuple[int, int, int]] = {
    # service: (first response hours, resolution days, stalled after days)
    "katujen-kunnossapito": (24, 7, 3),
    "kiinteiston-huoltopyynto": (24, 10, 4),
    "joukkoliikenne": (48, 14, 5),
    "rakennuslupa": (72, 60, 14),
    "lastensuojelu": (24, 7, 2),
}


@dataclass
class _Context:
    users: dict[str, User]
    organisations: dict[str, Organisation]
    services: dict[str, Service]
    areas: dict[str, Area]
    created: list[Case] = field(default_factory=list)


def load_demo_cases() -> int:
    """Create the demo cases that do not exist yet; returns how many were created."""
    context = _context()
    if context is None:
        return 0
    existing = set(
        Case.objects.filter(reference__startswith=PREFIX).values_list("reference", flat=True)
    )
    with transaction.atomic():
        _service_levels(context)
        for number, demo in enumerate(DEMO_CASES, start=1):
            reference = f"{PREFIX}{number:03d}"
            if reference not in existing:
                context.created.append(_build_case(context, reference, demo))
        for number, feedback in enumerate(DEMO_FEEDBACK, start=len(DEMO_CASES) + 1):
            reference = f"{PREFIX}{number:03d}"
            if reference not in existing:
                context.created.append(_build_feedback(context, reference, feedback))
        if context.created:
            services.escalate_due_work()
    return len(context.created)


def _context() -> _Context | None:
    usernames = [AGENT, OWNER, LEAD, SOTE_LEAD, SOTE]
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if set(users) != set(usernames):
        return None  # the demo staff were not loaded (DEBUG off): no owners, no cases
    return _Context(
        users=users,
        organisations={org.slug: org for org in Organisation.objects.all()},
        services={service.slug: service for service in Service.objects.all()},
        areas={area.code: area for area in Area.objects.filter(area_type=Area.Type.MUNICIPALITY)},
    )


def _service_levels(context: _Context) -> None:
    have = set(ServiceLevel.objects.values_list("service__slug", flat=True))
    for slug, (hours, days, stalled) in DEMO_SERVICE_LEVELS.items():
        if slug not in have and slug in context.services:
            ServiceLevel.objects.create(
                service=context.services[slug],
                first_response_hours=hours,
                resolution_days=days,
                stalled_after_days=stalled,
            )


def _test_identity_code(birth: str, number: int) -> str:
    """A valid identity code with a test individual number (900-999)."""
    body = f"{birth}{900 + number % 100:03d}"
    for check in "0123456789ABCDEFHJKLMNPRSTUVWXY":
        try:
            return validate_identity_code(body + check)
        except ValidationError:
            continue
    raise ValueError("no check character")  # cannot happen: one of the 31 always fits


def _customer(context: _Context, demo: DemoCustomer, number: int) -> Customer:
    business_id = ""
    if demo.business_body:
        business_id = f"{demo.business_body}-{business_id_check_digit(demo.business_body)}"
    return services.find_or_create_customer(
        kind=demo.kind,
        name=demo.name,
        identity_code=_test_identity_code(demo.birth, number) if demo.birth else "",
        business_id=business_id,
        email=demo_email(demo.name),
        municipality=context.areas.get(demo.municipality),
    )


def demo_email(name: str) -> str:
    """A made-up address on the reserved .example domain, so demo mail can never reach anyone
    but post-service surveys and customer updates have somewhere to go."""
    folded = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    local = ".".join(part for part in re.split(r"[^a-z0-9]+", folded) if part)
    return f"{local}@asiakas.example"


def _build_case(context: _Context, reference: str, demo: DemoCase) -> Case:
    users, orgs = context.users, context.organisations
    first_owner, first_unit = demo.owner, demo.unit
    if demo.transfer:
        first_owner, first_unit, _reason = demo.transfer
    customer = _customer(context, demo.customer, len(context.created)) if demo.customer else None
    case = services.open_case(
        channel=demo.channel,
        title=demo.title,
        description=demo.description,
        owner=users[first_owner],
        owner_unit=orgs[first_unit],
        actor=users[first_owner],
        customer=customer,
    )
    Case.objects.filter(pk=case.pk).update(reference=reference)
    if demo.transfer:
        case = services.transfer_ownership(
            case=case,
            to_owner=users[demo.owner],
            to_unit=orgs[demo.unit],
            actor=users[first_owner],
            reason=demo.transfer[2],
        )
    owner = users[demo.owner]
    for task_demo in demo.tasks:
        task = services.add_task(
            case=case,
            service=context.services[task_demo.service],
            organisation=orgs[task_demo.organisation],
            actor=owner,
            sensitivity=task_demo.sensitivity,
        )
        if task_demo.status != Task.Status.OPEN:
            services.update_task(task=task, actor=owner, status=task_demo.status)
    for body, visibility, sensitivity in demo.notes:
        services.add_note(
            case=case,
            author=owner,
            author_unit=orgs[demo.unit],
            body=body,
            visibility=visibility,
            sensitivity=sensitivity,
        )
    for slug, scope, social_health in demo.consents:
        services.give_consent(
            case=case,
            organisation=orgs[slug],
            scope=scope,
            includes_social_health=social_health,
            how_given="Suullisesti asiakastapaamisessa",
            actor=owner,
        )
    if demo.outcome:
        services.close_case(
            case=case,
            outcome=demo.outcome,
            actor=owner,
            summary="Asia käsitelty.",
            first_contact_resolution=demo.first_contact,
        )
    _move_back_in_time(case, demo.days_ago, demo.resolved_in_days, demo.stalled, demo.overdue)
    return case


def _build_feedback(context: _Context, reference: str, demo: DemoFeedback) -> Case:
    """A request as the Open311 API would store it, and the case the hand-off would open."""
    service, unit = context.services[demo.service], context.organisations[demo.unit]
    request = ServiceRequest.objects.create(
        service=service,
        title=demo.title,
        description=demo.description,
        agency_responsible=context.organisations[KUOPIO],
        moderation=ServiceRequest.Moderation.PUBLIC,
        channel=ServiceRequest.Channel.WEB,
        locale="fi",
        idempotency_source="demo",
        idempotency_key=reference,
    )
    RequestEvent.objects.create(request=request, state=RequestEvent.State.RECEIVED)
    agent = context.users[AGENT]
    case = services.open_case(
        channel=Channel.FEEDBACK,
        title=demo.title,
        description=demo.description,
        owner=agent,
        owner_unit=context.organisations[KUOPIO],
        actor=agent,
        service_request=request,
    )
    Case.objects.filter(pk=case.pk).update(reference=reference)
    task = services.add_task(case=case, service=service, organisation=unit, actor=agent)
    if demo.outcome:
        services.update_task(task=task, actor=agent, status=Task.Status.DONE)
        services.close_case(case=case, outcome=demo.outcome, actor=agent, summary=demo.reply)
    _move_back_in_time(case, demo.days_ago, min(demo.days_ago, 3), stalled=False, overdue=False)
    return case


def _move_back_in_time(
    case: Case, days_ago: int, resolved_in_days: int, stalled: bool, overdue: bool
) -> None:
    """Shift the case's history `days_ago` back; a closed one closes after `resolved_in_days`.

    An open case has had some activity yesterday unless it is meant to be stalled, and its
    next action is ahead unless it is meant to be overdue.
    """
    shift = timedelta(days=days_ago)
    now = timezone.now()
    opened = now - shift
    case = Case.objects.get(pk=case.pk)
    closed_at = opened + timedelta(days=resolved_in_days, hours=2) if case.closed_at else None
    last_activity = closed_at or (opened if stalled else now - timedelta(days=1))
    for event in case.events.all():
        event.at = closed_at if event.kind == CaseEvent.Kind.CLOSED and closed_at else opened
        event.save(update_fields=["at"])
    for task in case.tasks.all():
        task.created_at -= shift
        task.last_activity_at = last_activity
        if task.due_at:
            task.due_at -= shift
        if task.completed_at:
            task.completed_at = closed_at or opened + timedelta(days=max(days_ago // 2, 1))
        task.save(update_fields=["created_at", "last_activity_at", "due_at", "completed_at"])
    case.notes.update(created_at=opened)
    case.consents.update(given_at=opened)
    next_action = case.next_action_on
    if case.status == Case.Status.OPEN:
        offset = -2 if overdue else 2
        next_action = timezone.localdate(now) + timedelta(days=offset)
        case.tasks.filter(status__in=Task.ACTIVE).update(next_action_on=next_action)
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened,
        last_activity_at=last_activity,
        closed_at=closed_at,
        due_at=case.due_at - shift if case.due_at else None,
        next_action_on=next_action,
    )
    request = case.service_request
    if request is not None:
        ServiceRequest.objects.filter(pk=request.pk).update(
            requested_at=opened, expected_at=case.due_at - shift if case.due_at else None
        )
        for request_event in request.events.all():
            done = request_event.state == RequestEvent.State.DONE
            request_event.at = closed_at if done and closed_at else opened
            request_event.save(update_fields=["at"])
