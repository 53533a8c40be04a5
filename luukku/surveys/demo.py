"""Demo surveys for the Pohjois-Savo demo region: Kuopio's customer survey at every touchpoint,
a year of answers to show in the results, and a staff survey with a unit too small to show.

Called by the demo loader (luukku/demo) after the demo region. A demo survey is known by a fixed
public id, a touchpoint by its code and an answer by its (hashed) idempotency key "demo-0001": what
exists is left as it is, so a second load writes nothing. The answers come from a seeded random
generator, the same on every machine.

The respondents' background is skewed on purpose, as real survey respondents are: older women
answer far more often than young men. Issue 6 weights the answers against the population.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from luukku.areas.models import Area
from luukku.catalogue.models import Service, ServiceChannel
from luukku.organisations.models import Organisation

from .models import Answer, Channel, Choice, Question, Response, Survey, Touchpoint
from .tokens import hash_idempotency_key

KUOPIO = "kuopion-kaupunki"
CUSTOMER_SURVEY_ID = uuid.UUID("5c1a7e2b-0d6f-4b8e-9a51-2f3c4d5e6f70")
STAFF_SURVEY_ID = uuid.UUID("5c1a7e2b-0d6f-4b8e-9a51-2f3c4d5e6f71")
SERVICE_POINT = "sp-kuopio-yhteispalvelupiste"
SERVICE_PAGE_SERVICE = "kirjasto"
ANSWER_COUNT = 360
SEED = 5


@dataclass(frozen=True)
class DemoQuestion:
    code: str
    kind: str
    texts: tuple[str, str, str]  # fi, sv, en
    required: bool = False
    choices: tuple[tuple[str, str, str, str], ...] = ()  # code, fi, sv, en
    allows_other: bool = False
    show_if: tuple[str, str, Any] | None = None  # trigger code, operator, value
    measure: str = ""


CUSTOMER_QUESTIONS = (
    DemoQuestion(
        "overall",
        Question.Kind.RATING,
        (
            "Kuinka tyytyväinen olit saamaasi palveluun kokonaisuutena?",
            "Hur nöjd var du med servicen som helhet?",
            "How satisfied were you with the service overall?",
        ),
        required=True,
        measure=Question.Measure.SATISFACTION,
    ),
    DemoQuestion(
        "what_wrong",
        Question.Kind.FREE_TEXT,
        (
            "Mikä meni pieleen? Kerro, niin korjaamme.",
            "Vad gick fel? Berätta, så rättar vi det.",
            "What went wrong? Tell us and we will fix it.",
        ),
        show_if=("overall", Question.Operator.AT_MOST, 2),
    ),
    DemoQuestion(
        "nps",
        Question.Kind.NPS,
        (
            "Kuinka todennäköisesti suosittelisit palvelua ystävällesi tai läheisellesi?",
            "Hur sannolikt är det att du skulle rekommendera servicen till en vän?",
            "How likely are you to recommend the service to a friend?",
        ),
        measure=Question.Measure.RECOMMENDATION,
    ),
    DemoQuestion(
        "easy",
        Question.Kind.RATING,
        (
            "Kuinka helppoa asiointi oli?",
            "Hur lätt var det att uträtta ärendet?",
            "How easy was it to get things done?",
        ),
        measure=Question.Measure.EFFORT,
    ),
    DemoQuestion(
        "contact_channel",
        Question.Kind.SINGLE_CHOICE,
        ("Miten hoidit asiasi?", "Hur skötte du ärendet?", "How did you get in touch?"),
        choices=(
            ("web", "Verkossa", "På nätet", "Online"),
            ("phone", "Puhelimessa", "Per telefon", "By phone"),
            ("walk_in", "Asiointipisteessä", "Vid servicepunkten", "At a service point"),
            ("van", "Palveluautossa", "I servicebilen", "In the service van"),
        ),
        allows_other=True,
    ),
    DemoQuestion(
        "went_well",
        Question.Kind.MULTIPLE_CHOICE,
        ("Mikä onnistui hyvin?", "Vad fungerade bra?", "What went well?"),
        choices=(
            ("speed", "Asia hoitui nopeasti", "Det gick snabbt", "It was quick"),
            ("kindness", "Ystävällinen palvelu", "Vänligt bemötande", "Friendly service"),
            ("clarity", "Selkeät ohjeet", "Tydliga anvisningar", "Clear instructions"),
            ("expertise", "Asiantunteva apu", "Sakkunnig hjälp", "Expert help"),
        ),
    ),
    DemoQuestion(
        "comments",
        Question.Kind.FREE_TEXT,
        (
            "Mitä muuta haluaisit kertoa meille?",
            "Vill du berätta något annat för oss?",
            "Anything else you would like to tell us?",
        ),
    ),
)

STAFF_QUESTIONS = (
    DemoQuestion(
        "work",
        Question.Kind.RATING,
        (
            "Kuinka tyytyväinen olet työhösi kokonaisuutena?",
            "Hur nöjd är du med ditt arbete som helhet?",
            "How satisfied are you with your work overall?",
        ),
        required=True,
    ),
    DemoQuestion(
        "support",
        Question.Kind.RATING,
        (
            "Saan esihenkilöltäni riittävästi tukea.",
            "Jag får tillräckligt stöd av min chef.",
            "I get enough support from my manager.",
        ),
    ),
    DemoQuestion(
        "recommend",
        Question.Kind.NPS,
        (
            "Kuinka todennäköisesti suosittelisit työpaikkaasi tuttavallesi?",
            "Hur sannolikt är det att du skulle rekommendera din arbetsplats?",
            "How likely are you to recommend your workplace?",
        ),
    ),
    DemoQuestion(
        "improve",
        Question.Kind.FREE_TEXT,
        (
            "Mitä työyhteisössäsi pitäisi parantaa?",
            "Vad borde förbättras på din arbetsplats?",
            "What should be improved in your workplace?",
        ),
    ),
)

# Staff answers per unit: the youth services' three stay hidden in the results (fewer than 5).
STAFF_ANSWERS = {
    "kuopion-kaupunki-kirjasto": 9,
    "kuopion-kaupunki-liikuntapalvelut": 6,
    "kuopion-kaupunki-kaupunkiymparisto": 12,
    "kuopion-kaupunki-nuorisopalvelut": 3,
}

# Services the Kuopio customer survey's answers are about, with their relative frequency.
SERVICES = {
    "kirjasto": 8,
    "katujen-kunnossapito": 6,
    "liikuntapaikat": 5,
    "varhaiskasvatus": 4,
    "rakennuslupa": 3,
    "jatehuolto": 3,
    "vesihuolto": 2,
    "perusopetus": 2,
    "tontit": 1,
    "nuorisopalvelut": 1,
}
CHANNELS = {
    Channel.WEB: 9,
    Channel.PHONE: 6,
    Channel.WALK_IN: 5,
    Channel.EMAIL: 2,
    Channel.CHAT: 2,
    Channel.MOBILE_VAN: 1,
}
MUNICIPALITIES = {"297": 70, "749": 10, "420": 5, "140": 4, "915": 4, "686": 2, "": 5}

# Who answers: (age band, sex) weights. Over-represents older women, hardly any young men.
RESPONDENTS: dict[tuple[str, str], int] = {
    ("15-24", "female"): 3,
    ("15-24", "male"): 1,
    ("25-34", "female"): 6,
    ("25-34", "male"): 2,
    ("35-44", "female"): 9,
    ("35-44", "male"): 5,
    ("45-54", "female"): 11,
    ("45-54", "male"): 7,
    ("55-64", "female"): 16,
    ("55-64", "male"): 9,
    ("65-74", "female"): 19,
    ("65-74", "male"): 10,
    ("75-", "female"): 12,
    ("75-", "male"): 5,
    ("", ""): 6,
}

# How satisfied each age band is (weights of the answers 1–5): the young less than the old. With
# older respondents over-represented, the unweighted mean overstates the population's
# satisfaction; weighting by age and sex moves it back toward the truth, which
# `population_satisfaction` computes from these figures and the population (issue 6 checks it).
SATISFACTION_BY_AGE: dict[str, list[int]] = {
    "15-24": [14, 16, 26, 28, 16],
    "25-34": [12, 15, 25, 30, 18],
    "35-44": [7, 9, 19, 37, 28],
    "45-54": [6, 8, 18, 38, 30],
    "55-64": [4, 5, 12, 40, 39],
    "65-74": [3, 4, 10, 40, 43],
    "75-": [3, 4, 9, 39, 45],
    "": [5, 7, 15, 38, 35],
}


def expected_satisfaction(age_band: str) -> float:
    """The mean answer (1–5) the demo draws for an age band."""
    weights = SATISFACTION_BY_AGE[age_band]
    return sum(score * weight for score, weight in enumerate(weights, start=1)) / sum(weights)


WHAT_WENT_WRONG = (
    "Jouduin odottamaan puhelinjonossa yli puoli tuntia, eikä takaisinsoittoa tullut.",
    "Sain kolmelta eri ihmiseltä kolme eri vastausta samaan kysymykseen.",
    "Lomakkeen lähettäminen ei onnistunut mobiilissa, liite ei latautunut.",
    "Päätös tuli vasta kuuden viikon päästä, vaikka luvattiin kahdessa.",
    "Kukaan ei kertonut, kuka asiaani hoitaa ja milloin.",
    "Katuvalo on edelleen rikki, vaikka ilmoitin asiasta jo syyskuussa.",
    "Aukioloajat verkkosivuilla olivat väärin, tulin turhaan paikalle.",
    "Ohjeet olivat niin virkakielisiä, etten ymmärtänyt mitä minulta pyydetään.",
)
COMMENTS = (
    "Kiitos, asia hoitui nopeasti ja ystävällisesti!",
    "Kirjaston henkilökunta auttoi löytämään juuri oikean kirjan. Hieno palvelu.",
    "Toivoisin, että asiointipiste olisi auki myös lauantaisin.",
    "Chatissa sain vastauksen heti, paljon parempi kuin soittaminen.",
    "Palveluauto kävi kylällä sovitusti, iso kiitos siitä.",
    "Verkkosivuilta oli vaikea löytää oikeaa lomaketta.",
    "Hiekoitus tuli meidän kadulle vasta iltapäivällä, aamulla oli tosi liukasta.",
    "Rakennuslupa-asia eteni hyvin, neuvonta oli asiantuntevaa.",
    "Uimahallin aukioloajat voisivat olla pidemmät.",
    "Sain apua myös ruotsiksi, kiitos.",
    "Muistutusviesti tekstiviestillä olisi hyvä lisä.",
    "Jonotusnumeroita pitäisi olla enemmän ruuhka-aikaan.",
)
OTHER_CHANNELS = ("Kirjeellä", "Kirjaston neuvonnassa", "Sukulainen asioi puolestani")
STAFF_IMPROVEMENTS = (
    "Tiedonkulku eri tiimien välillä.",
    "Perehdytykseen enemmän aikaa.",
    "Työvuorolistat aiemmin tietoon.",
    "Tietojärjestelmät ovat hitaita.",
)


def load_demo_surveys() -> int:
    """Create the demo surveys, touchpoints and answers that do not exist yet; returns how
    many rows were written (0 on a second load, or when the demo region is missing)."""
    kuopio = Organisation.objects.filter(slug=KUOPIO).first()
    if kuopio is None:
        return 0
    writer = _Writer()
    with transaction.atomic():
        survey = _customer_survey(writer, kuopio)
        touchpoints = _touchpoints(writer, survey, kuopio)
        _customer_answers(writer, survey, touchpoints)
        _staff_survey(writer, kuopio)
    return writer.written


class _Writer:
    """Counts the rows written, so that a second load can prove it wrote none."""

    def __init__(self) -> None:
        self.written = 0

    def create(self, model: type[Any], **fields: Any) -> Any:
        self.written += 1
        return model.objects.create(**fields)


def ensure_survey(
    public_id: uuid.UUID,
    questions: tuple[DemoQuestion, ...],
    *,
    writer: _Writer | None = None,
    **fields: Any,
) -> Survey:
    """The open survey with this public id, created with its questions when missing (also used
    by bench/bench_surveys.py for its survey)."""
    writer = writer or _Writer()
    survey = Survey.objects.filter(public_id=public_id).first()
    if survey is not None:
        return survey
    survey = writer.create(Survey, public_id=public_id, status=Survey.Status.OPEN, **fields)
    created: dict[str, Question] = {}
    for position, demo in enumerate(questions):
        trigger = created[demo.show_if[0]] if demo.show_if else None
        question = writer.create(
            Question,
            survey=survey,
            position=position,
            code=demo.code,
            kind=demo.kind,
            text_fi=demo.texts[0],
            text_sv=demo.texts[1],
            text_en=demo.texts[2],
            required=demo.required,
            allows_other=demo.allows_other,
            show_if_question=trigger,
            show_if_operator=demo.show_if[1] if demo.show_if else "",
            show_if_value=demo.show_if[2] if demo.show_if else None,
            measure=demo.measure,
        )
        created[demo.code] = question
        for choice_position, (code, fi, sv, en) in enumerate(demo.choices):
            writer.create(
                Choice,
                question=question,
                position=choice_position,
                code=code,
                label_fi=fi,
                label_sv=sv,
                label_en=en,
            )
    return survey


def _customer_survey(writer: _Writer, kuopio: Organisation) -> Survey:
    return ensure_survey(
        CUSTOMER_SURVEY_ID,
        CUSTOMER_QUESTIONS,
        writer=writer,
        organisation=kuopio,
        title_fi="Miten onnistuimme?",
        title_sv="Hur lyckades vi?",
        title_en="How did we do?",
        intro_fi="Kerro kahdessa minuutissa, miten asiointisi sujui. Vastaat nimettömänä.",
        intro_sv="Berätta på två minuter hur ditt ärende gick. Du svarar anonymt.",
        intro_en="Tell us in two minutes how your visit went. Your answer is anonymous.",
        thanks_fi="Kiitos! Vastauksesi auttaa meitä parantamaan palveluja.",
        thanks_sv="Tack! Ditt svar hjälper oss att förbättra servicen.",
        thanks_en="Thank you! Your answer helps us improve our services.",
        retention_days=730,
        expiry_action=Survey.ExpiryAction.ANONYMISE,
    )


def _touchpoints(writer: _Writer, survey: Survey, kuopio: Organisation) -> list[Touchpoint]:
    """Case closed, the service point's kiosk and QR code, and the library's service page."""
    location = ServiceChannel.objects.filter(
        slug=SERVICE_POINT, channel_type=ServiceChannel.Type.SERVICE_LOCATION
    ).first()
    library = Service.objects.filter(slug=SERVICE_PAGE_SERVICE).first()
    wanted: list[dict[str, Any]] = [
        {
            "code": "demo-kuopio-asia",
            "kind": Touchpoint.Kind.CASE_CLOSED,
            "label": "Kuopion kaupungin asia suljettu",
            "organisation": kuopio,
        }
    ]
    if location is not None:
        wanted += [
            {
                "code": "demo-kuopio-kioski",
                "kind": Touchpoint.Kind.KIOSK,
                "label": "Yhteispalvelupisteen kioski",
                "location": location,
                "organisation": kuopio,
                "channel": Channel.WALK_IN,
            },
            {
                "code": "demo-kuopio-qr",
                "kind": Touchpoint.Kind.LOCATION,
                "label": "Yhteispalvelupisteen QR-koodi",
                "location": location,
                "organisation": kuopio,
                "channel": Channel.WALK_IN,
            },
        ]
    if library is not None:
        wanted.append(
            {
                "code": "demo-kirjasto-sivu",
                "kind": Touchpoint.Kind.SERVICE_PAGE,
                "label": "Kirjaston palvelusivu",
                "service": library,
                "channel": Channel.WEB,
            }
        )
    existing = {
        touchpoint.code: touchpoint
        for touchpoint in Touchpoint.objects.filter(code__in=[fields["code"] for fields in wanted])
    }
    return [
        existing.get(fields["code"]) or writer.create(Touchpoint, survey=survey, **fields)
        for fields in wanted
    ]


def _pick(rng: random.Random, weights: Mapping[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _customer_answers(writer: _Writer, survey: Survey, touchpoints: list[Touchpoint]) -> None:
    """A year of answers, spread over services, channels, municipalities and months."""
    done = _demo_keys_done(survey)
    services = {service.slug: service for service in Service.objects.filter(slug__in=SERVICES)}
    municipalities = {
        area.code: area
        for area in Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code__in=MUNICIPALITIES)
    }
    questions = {question.code: question for question in survey.questions.all()}
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    now = timezone.now()
    for number in range(1, ANSWER_COUNT + 1):
        # Every draw happens for every number, so an answer is the same whatever exists.
        age_band, sex = _pick(rng, RESPONDENTS)
        overall = rng.choices([1, 2, 3, 4, 5], weights=SATISFACTION_BY_AGE[age_band])[0]
        nps = max(0, min(10, 2 * overall + rng.choice([-2, -1, 0, 0, 1])))
        channel = _pick(rng, CHANNELS)
        values: dict[str, Any] = {
            "overall": overall,
            "nps": nps,
            "easy": max(1, min(5, overall + rng.choice([-1, 0, 0, 1]))),
            "contact_channel": rng.choice(["web", "phone", "walk_in", "van", "other"]),
            "went_well": rng.sample(
                ["speed", "kindness", "clarity", "expertise"], rng.randint(0, 3)
            ),
        }
        other = {"contact_channel": rng.choice(OTHER_CHANNELS)}
        if overall <= 2:
            values["what_wrong"] = rng.choice(WHAT_WENT_WRONG)
        if rng.random() < 0.3:
            values["comments"] = rng.choice(COMMENTS)
        touchpoint = rng.choice(touchpoints)
        if touchpoint.kind == Touchpoint.Kind.KIOSK:
            # A kiosk asks only the scale questions (touch buttons, no keyboard).
            values = {code: value for code, value in values.items() if isinstance(value, int)}
        given = now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 600))
        service = services.get(_pick(rng, SERVICES))
        municipality = municipalities.get(_pick(rng, MUNICIPALITIES))
        key = hash_idempotency_key(f"demo-{number:04d}")
        if key in done:
            continue
        _record_answer(
            writer,
            survey,
            values,
            other=other if values.get("contact_channel") == "other" else {},
            questions=questions,
            touchpoint=touchpoint,
            idempotency_key=key,
            given=given,
            service=touchpoint.service or service,
            channel=touchpoint.channel or channel,
            location=touchpoint.location,
            organisation=touchpoint.organisation or survey.organisation,
            background={
                "municipality": municipality,
                "age_band": age_band,
                "sex": sex,
                "customer_type": "person",
            },
        )


def _demo_keys_done(survey: Survey) -> set[str]:
    """The (hashed) keys of the demo answers the survey already has: they are not added twice."""
    return set(
        Response.objects.filter(survey=survey)
        .exclude(idempotency_key="")
        .values_list("idempotency_key", flat=True)
    )


def _record_answer(
    writer: _Writer,
    survey: Survey,
    values: Mapping[str, Any],
    *,
    other: Mapping[str, str],
    questions: Mapping[str, Question],
    given: datetime,
    started: datetime | None = None,
    background: Mapping[str, Any],
    **response_fields: Any,
) -> Response:
    """The one place demo answers are written, with the time they were given.

    Written directly rather than through answering.save_response, which stamps the current time
    and, for staff surveys, needs a staff member's login: the demo's answers lie in the past and
    belong to no demo user. The values are valid by construction (the tests check them).
    """
    response = writer.create(
        Response,
        survey=survey,
        status=Response.Status.COMPLETE,
        started_at=started or given - timedelta(minutes=2),
        updated_at=given,
        submitted_at=given,
        **background,
        **response_fields,
    )
    for code, value in values.items():
        fields: dict[str, Any]
        if isinstance(value, int):
            fields = {"number": value}
        elif isinstance(value, list):
            fields = {"choices": value}
        elif questions[code].is_choice:
            fields = {"choices": [value], "text": other.get(code, "")}
        else:
            fields = {"text": value}
        writer.create(Answer, response=response, question=questions[code], **fields)
    return response


def _staff_survey(writer: _Writer, kuopio: Organisation) -> None:
    """Kuopio's staff survey: answers from four units, one of them too small to show."""
    survey = ensure_survey(
        STAFF_SURVEY_ID,
        STAFF_QUESTIONS,
        writer=writer,
        organisation=kuopio,
        kind=Survey.Kind.STAFF,
        asks_background=False,
        title_fi="Henkilöstökysely 2026",
        title_sv="Personalenkät 2026",
        title_en="Staff survey 2026",
        intro_fi="Vastauksesi tallennetaan ilman nimeäsi. Tuloksia näytetään vain vähintään "
        "viiden vastaajan ryhmistä.",
        intro_sv="Ditt svar sparas utan ditt namn. Resultat visas bara för grupper med minst "
        "fem svarande.",
        intro_en="Your answer is stored without your name. Results are shown only for groups "
        "of at least five respondents.",
        thanks_fi="Kiitos vastauksestasi!",
        thanks_sv="Tack för ditt svar!",
        thanks_en="Thank you for your answer!",
    )
    done = _demo_keys_done(survey)
    units = {unit.slug: unit for unit in Organisation.objects.filter(slug__in=STAFF_ANSWERS)}
    questions = {question.code: question for question in survey.questions.all()}
    rng = random.Random(SEED + 1)  # noqa: S311 - demo data, not security
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    number = 0
    for slug, count in STAFF_ANSWERS.items():
        for _ in range(count):
            number += 1
            work = rng.choices([1, 2, 3, 4, 5], weights=[3, 8, 20, 45, 24])[0]
            values: dict[str, Any] = {
                "work": work,
                "support": max(1, min(5, work + rng.choice([-1, 0, 1]))),
                "recommend": max(0, min(10, 2 * work + rng.choice([-2, -1, 0, 1]))),
            }
            if rng.random() < 0.4:
                values["improve"] = rng.choice(STAFF_IMPROVEMENTS)
            # Day precision, as for every staff answer (decision 0006).
            given = today - timedelta(days=rng.randint(1, 14))
            key = hash_idempotency_key(f"demo-{number:04d}")
            if key in done or slug not in units:
                continue
            _record_answer(
                writer,
                survey,
                values,
                other={},
                questions=questions,
                given=given,
                started=given,
                background={},
                idempotency_key=key,
                staff_unit=units[slug],
            )
