"""Demo ideas for the Pohjois-Savo demo region: what the demo staff have seen and proposed.

Called by the demo loader (luukku/demo) after the demo staff exist. Every idea is written
through the services, as staff would write it (so the managers' notifications exist too), and
then moved back in time. A demo idea is known by its title: one that exists is left as it is,
so a second load writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from luukku.accounts.models import User
from luukku.catalogue.models import Service

from . import services
from .models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport

AGENT = "demo-asiakaspalvelu"  # customer service agent, Kuopio
OWNER = "demo-asiakkuusvastaava"  # case owner, social services
TE_MANAGER = "demo-palvelupaallikko"  # service manager, TE office
KUOPIO_MANAGER = "demo-kehittamispaallikko"  # service manager, Kuopio
ANALYST = "demo-analyytikko"
REGION_ADMIN = "demo-aluepaakayttaja"
LEAD = "demo-esihenkilo"  # unit lead, Kuopio
SOTE_LEAD = "demo-sote-esihenkilo"  # unit lead, social services
SOTE = "demo-sote-ammattilainen"  # social worker, family services

NEED, IDEA = Idea.Kind.NEED, Idea.Kind.IDEA
EXPERIMENT, ADOPTED, DECLINED = (
    Idea.Status.IN_EXPERIMENT,
    Idea.Status.ADOPTED,
    Idea.Status.DECLINED,
)


@dataclass(frozen=True)
class DemoIdea:
    kind: str
    author: str
    title: str
    description: str
    services: tuple[str, ...]
    days_ago: int
    supporters: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (author, text)
    decisions: tuple[tuple[str, str, str], ...] = ()  # (decider, status, reason)


DEMO_IDEAS: tuple[DemoIdea, ...] = (
    DemoIdea(
        IDEA,
        AGENT,
        "Lapsen poissaoloilmoitus suoraan keskuskeittiölle",
        "Vanhemmat ilmoittavat lapsen poissaolosta päiväkotiin, mutta tieto ei kulje "
        "keskuskeittiölle. Ruokaa tehdään turhaan joka päivä, ja henkilöstö soittelee "
        "perään. Sama ilmoitus voisi mennä kerralla kaikille, jotka sitä tarvitsevat.",
        ("varhaiskasvatus",),
        60,
        supporters=(LEAD, OWNER, SOTE, KUOPIO_MANAGER),
        comments=(
            (LEAD, "Jynkän päiväkodissa heitettiin viime viikolla pois 14 annosta."),
            (KUOPIO_MANAGER, "Kokeillaan kolmessa päiväkodissa ennen laajempaa käyttöä."),
        ),
        decisions=(
            (KUOPIO_MANAGER, EXPERIMENT, "Kokeilu kolmessa päiväkodissa 21 päivän ajan."),
            (
                KUOPIO_MANAGER,
                ADOPTED,
                "Kokeilussa ruokahävikki väheni viidenneksellä eikä kukaan joutunut "
                "soittamaan keittiöön. Otetaan käyttöön kaikissa Kuopion päiväkodeissa.",
            ),
        ),
    ),
    DemoIdea(
        NEED,
        AGENT,
        "Maahan muuttaneet eivät löydä kotoutumis- ja työnhakupalveluja samasta paikasta",
        "Palvelupisteellä käy viikoittain maahan muuttaneita, jotka on ohjattu meiltä "
        "TE-toimistoon ja sieltä takaisin kaupungin maahanmuuttajapalveluihin. Kukaan ei "
        "kokoa kokonaisuutta. Tarvittaisiin yhteinen vastaanottoaika, jossa molemmat ovat "
        "paikalla.",
        ("kotoutuminen", "tyonhaku"),
        35,
        supporters=(OWNER, LEAD, SOTE_LEAD),
        comments=((OWNER, "Sama näkyy sosiaalipalveluissa: asiakas kertoo tarinansa kolmesti."),),
        decisions=(
            (
                TE_MANAGER,
                EXPERIMENT,
                "Kokeillaan yhteistä iltavastaanottoa kirjaston palvelupisteellä "
                "tiistaisin kolmen viikon ajan.",
            ),
        ),
    ),
    DemoIdea(
        NEED,
        SOTE,
        "Vauvaperheet kysyvät neuvolassa päivähoitopaikan hakemisesta",
        "Neuvolakäynneillä vanhemmat kysyvät usein, milloin ja miten varhaiskasvatuspaikkaa "
        "haetaan. Meillä ei ole ajantasaista tietoa, ja perheet jäävät epävarmoiksi. "
        "Neuvolaan tarvittaisiin lyhyt ohje tai suora linkki hakuun.",
        ("neuvola", "varhaiskasvatus"),
        12,
        supporters=(AGENT, SOTE_LEAD),
    ),
    DemoIdea(
        IDEA,
        LEAD,
        "Palautteen vastaukseen kuva korjatusta kohteesta",
        "Kun katuvalo tai kuoppa on korjattu, palautteen antaja saa vain tekstin "
        "”korjattu”. Kuva korjatusta kohteesta lisäisi luottamusta ja vähentäisi "
        "uusintapalautteita.",
        ("katujen-kunnossapito",),
        45,
        supporters=(AGENT,),
        decisions=(
            (
                KUOPIO_MANAGER,
                DECLINED,
                "Urakoitsijan järjestelmä ei tue kuvia nykyisellä sopimuskaudella. "
                "Otetaan vaatimukseksi seuraavaan kilpailutukseen.",
            ),
        ),
    ),
    DemoIdea(
        NEED,
        OWNER,
        "Asiakkaat eivät tiedä, haetaanko toimeentulotukea Kelasta vai hyvinvointialueelta",
        "Perustoimeentulotuki haetaan Kelasta, täydentävä ja ehkäisevä hyvinvointialueelta. "
        "Asiakkaat tulevat väärään paikkaan ja hakemus viivästyy. Yhteinen neuvontateksti "
        "ja puhelinnumero auttaisivat.",
        ("toimeentulotuki",),
        8,
        supporters=(AGENT, SOTE, SOTE_LEAD, LEAD),
        comments=(
            (SOTE_LEAD, "Tähän voisi kokeilla yhteistä chat-neuvontaa Kelan kanssa."),
            (ANALYST, "Palautteista noin joka kymmenes koskee hakupaikkaa."),
        ),
    ),
    DemoIdea(
        IDEA,
        SOTE_LEAD,
        "Asiointikyyti ja terveysaseman aika samalla puhelulla",
        "Haja-asutusalueen ikäihmiset varaavat ensin lääkäriajan ja soittavat sitten "
        "kyydin. Jos aika ja kyyti varattaisiin samalla puhelulla, peruutuksia tulisi "
        "vähemmän.",
        ("asiointiliikenne", "terveysasema"),
        3,
    ),
    DemoIdea(
        IDEA,
        AGENT,
        "Kirjaston palvelupiste auki myös iltaisin",
        "Työssäkäyvät kysyvät, voiko kaupungin asioita hoitaa illalla. Kirjasto on auki "
        "iltaisin: palvelupisteen neuvoja voisi olla siellä kahtena iltana viikossa.",
        ("kirjasto",),
        25,
        supporters=(LEAD, OWNER),
        decisions=(
            (
                KUOPIO_MANAGER,
                EXPERIMENT,
                "Kokeillaan keskustakirjastossa maanantai- ja torstai-iltaisin kuusi viikkoa.",
            ),
        ),
    ),
    DemoIdea(
        NEED,
        TE_MANAGER,
        "Aloittava yrittäjä asioi kolmessa paikassa samasta asiasta",
        "Starttirahaa hakeva käy TE-toimistossa, uusyrityskeskuksessa ja Business "
        "Kuopiossa, ja kertoo liiketoimintasuunnitelmansa joka kerta alusta. Tarvitaan "
        "yhteinen yrityspalvelujen suunnitelma ja tieto, joka kulkee asiakkaan mukana.",
        ("yrityksen-perustaminen", "starttiraha"),
        90,
        supporters=(KUOPIO_MANAGER, AGENT, ANALYST),
        comments=((KUOPIO_MANAGER, "Business Kuopio on valmis yhteiseen vuosisuunnitelmaan."),),
        decisions=(
            (
                REGION_ADMIN,
                ADOPTED,
                "Yrityspalvelujen yhteinen vuosisuunnitelma laaditaan allianssina: "
                "TE-toimisto, kunnat ja ELY-keskus. Ensimmäinen tavoite: lisää aloittavia "
                "yrityksiä ilman päällekkäisiä käyntejä.",
            ),
        ),
    ),
)


def load_demo_ideas() -> int:
    """Create the demo ideas that do not exist yet; returns how many were created."""
    usernames = {
        name
        for demo in DEMO_IDEAS
        for name in (
            demo.author,
            *demo.supporters,
            *(author for author, _text in demo.comments),
            *(decider for decider, _status, _reason in demo.decisions),
        )
    }
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if set(users) != usernames:
        return 0  # the demo staff were not loaded (DEBUG off): nobody to write ideas
    slugs = {slug for demo in DEMO_IDEAS for slug in demo.services}
    catalogue = {service.slug: service for service in Service.objects.filter(slug__in=slugs)}
    existing = set(
        Idea.objects.filter(title__in=[d.title for d in DEMO_IDEAS]).values_list("title", flat=True)
    )
    created = 0
    with transaction.atomic():
        for demo in DEMO_IDEAS:
            if demo.title in existing or not all(slug in catalogue for slug in demo.services):
                continue
            _build(demo, users, [catalogue[slug] for slug in demo.services])
            created += 1
    return created


def _build(demo: DemoIdea, users: dict[str, User], chosen: list[Service]) -> Idea:
    idea = services.submit_idea(
        author=users[demo.author],
        kind=demo.kind,
        title=demo.title,
        description=demo.description,
        services=chosen,
    )
    for name in demo.supporters:
        services.support_idea(idea=idea, user=users[name])
    for name, text in demo.comments:
        services.add_comment(idea=idea, author=users[name], body=text)
    for name, status, reason in demo.decisions:
        services.change_status(idea=idea, user=users[name], to_status=status, reason=reason)
    _move_back_in_time(idea, days=demo.days_ago)
    return idea


def _move_back_in_time(idea: Idea, *, days: int) -> None:
    """Spread the idea's events over the days since it was logged: the submission first,
    comments in the middle, decisions last."""
    start = timezone.now() - timedelta(days=days)
    submission, *decisions = IdeaStatusChange.objects.filter(idea=idea).order_by("pk")
    comments = list(IdeaComment.objects.filter(idea=idea).order_by("pk"))
    ordered: list[IdeaStatusChange | IdeaComment] = [submission, *comments, *decisions]
    step = timedelta(days=days) / len(ordered)
    for index, event in enumerate(ordered):
        at = start + step * index
        if isinstance(event, IdeaStatusChange):
            IdeaStatusChange.objects.filter(pk=event.pk).update(changed_at=at)
        else:
            IdeaComment.objects.filter(pk=event.pk).update(created_at=at)
    last_change = start + step * (len(ordered) - 1) if decisions else start
    Idea.objects.filter(pk=idea.pk).update(created_at=start, status_changed_at=last_change)
    IdeaSupport.objects.filter(idea=idea).update(created_at=start + step / 2)
