"""Proactive alerts: an injected drop or complaint surge alerts the service managers once."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.insights.alerts import (
    benjamini_hochberg,
    detect_alerts,
    ratings_from_database,
    ratings_from_extract,
)
from luukku.insights.extract import connect, refresh_extract
from luukku.insights.models import InsightAlert
from luukku.insights.themes import texts_from_database, texts_from_extract
from luukku.notifications.models import Notification
from luukku.surveys.models import Response, Survey
from luukku.surveys.tests.factories import AnswerFactory, ResponseFactory, standard_survey

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
# Ratings of a well-liked service (mean 4.1) and of the same service gone wrong (mean 3.3).
GOOD = (5, 5, 4, 4, 4, 4, 3, 5, 4, 3)
WORSE = (4, 3, 3, 4, 2, 3, 4, 3, 4, 3)


@pytest.fixture
def setting() -> dict[str, object]:
    """A library produced by one organisation, surveyed by another, and who manages what."""
    producer = OrganisationFactory.create()
    owner = OrganisationFactory.create()
    library = ServiceFactory.create(names={"fi": "Kirjasto"}, producers=[producer])
    return {
        "survey": standard_survey(organisation=owner),
        "service": library,
        "producer_manager": user_with_role(Role.SERVICE_MANAGER, producer),
        "owner_manager": user_with_role(Role.SERVICE_MANAGER, owner),
        "owner_analyst": user_with_role(Role.ANALYST, owner),
        "other_manager": user_with_role(Role.SERVICE_MANAGER),
    }


def answer(
    survey: Survey,
    service: object,
    ratings: Sequence[int],
    *,
    days_ago: tuple[int, int],
    texts: Sequence[str] = (),
    status: str = Response.Status.COMPLETE,
) -> None:
    """One response per rating, spread over the days `days_ago` (from, to), with texts."""
    overall = survey.questions.get(code="overall")
    comments = survey.questions.get(code="comments")
    first, last = days_ago
    for i, rating in enumerate(ratings):
        day = first - (i * (first - last)) // max(len(ratings) - 1, 1)
        response = ResponseFactory.create(
            survey=survey,
            service=service,
            status=status,
            submitted_at=NOW - timedelta(days=day),
        )
        AnswerFactory.create(response=response, question=overall, number=rating)
        if texts:
            AnswerFactory.create(response=response, question=comments, text=texts[i % len(texts)])


@pytest.mark.django_db
def test_an_injected_drop_alerts_the_managers_of_the_service_once(setting: dict) -> None:
    survey, service = setting["survey"], setting["service"]
    answer(survey, service, GOOD * 9, days_ago=(110, 30))  # baseline: 90 answers
    answer(survey, service, WORSE * 4, days_ago=(25, 0))  # recent: 40 answers

    alerts = detect_alerts(NOW)

    assert [alert.kind for alert in alerts] == [InsightAlert.Kind.DROP]
    alert = alerts[0]
    assert alert.service == service
    assert alert.organisation == survey.organisation
    assert alert.evidence["baseline"]["n"] == 90
    assert alert.evidence["recent"]["n"] == 40
    assert alert.evidence["p_value"] < 0.001
    with translation.override("en"):
        assert alert.summary() == (
            "Satisfaction with Kirjasto fell from 4.1 (n 90) to 3.3 (n 40); p = < 0.001."
        )
    sent = Notification.objects.filter(kind="insight_alert")
    assert {(n.recipient, n.channel) for n in sent} == {
        (user, channel)
        for user in (setting["producer_manager"], setting["owner_manager"])
        for channel in (Notification.Channel.IN_APP, Notification.Channel.EMAIL)
    }
    assert all("4.1" in n.body and "3.3" in n.body for n in sent)

    # The next run, and the next day's while the drop lasts, find the alert already written.
    assert detect_alerts(NOW) == []
    assert detect_alerts(NOW + timedelta(days=1)) == []
    assert InsightAlert.objects.count() == 1
    assert sent.count() == 4


@pytest.mark.django_db
def test_noise_of_the_same_size_without_a_drop_alerts_no_one(setting: dict) -> None:
    survey, service = setting["survey"], setting["service"]
    rng = random.Random(5)
    answer(survey, service, rng.choices(GOOD, k=90), days_ago=(110, 30))
    answer(survey, service, rng.choices(GOOD, k=40), days_ago=(25, 0))

    assert detect_alerts(NOW) == []
    assert not Notification.objects.filter(kind="insight_alert").exists()


@pytest.mark.django_db
def test_a_drop_seen_by_too_few_or_in_answers_that_do_not_count_alerts_no_one(
    setting: dict,
) -> None:
    survey, service = setting["survey"], setting["service"]
    answer(survey, service, GOOD * 9, days_ago=(110, 30))
    answer(survey, service, (1, 2) * 10, days_ago=(25, 0))  # 20 recent answers: under 30
    answer(survey, service, (1,) * 40, days_ago=(25, 0), status=Response.Status.PARTIAL)
    staff_survey = standard_survey(kind=Survey.Kind.STAFF, organisation=survey.organisation)
    answer(staff_survey, service, GOOD * 9, days_ago=(110, 30))
    answer(staff_survey, service, (1,) * 40, days_ago=(25, 0))

    assert detect_alerts(NOW) == []


@pytest.mark.django_db
def test_a_surge_of_one_complaint_theme_alerts_with_quotes_in_the_app_only(
    setting: dict,
) -> None:
    survey, service = setting["survey"], setting["service"]
    praise = (
        "Kirjaston henkilökunta auttoi löytämään oikean kirjan.",
        "Lainaus sujui nopeasti ja kirjasto oli viihtyisä.",
        "Lasten satutunti kirjastossa oli ihana.",
    )
    queue = (
        "Puhelinjono oli pitkä ja odotin puhelimessa tunnin, soita 040 123 4567.",
        "Jonotin puhelimessa puoli tuntia eikä kukaan vastannut puhelimeen.",
        "Puhelimeen ei vastattu ja jono katkesi kahdesti.",
    )
    closed = (
        "Kirjasto oli kiinni, vaikka aukioloaikojen mukaan piti olla auki.",
        "Aukioloajat ovat liian lyhyet, kirjasto on auki vain aamupäivän.",
    )
    # A few complaints about opening hours before; recently many about the phone queue.
    answer(survey, service, (5, 4) * 30, days_ago=(110, 30), texts=praise)
    answer(survey, service, (1, 2) * 6, days_ago=(100, 40), texts=closed + queue[:1])
    answer(survey, service, (5, 4) * 12, days_ago=(25, 0), texts=praise)
    answer(survey, service, (1, 2) * 8, days_ago=(25, 0), texts=queue)

    alerts = detect_alerts(NOW)

    surges = [alert for alert in alerts if alert.kind == InsightAlert.Kind.THEME_SURGE]
    assert len(surges) == 1
    surge = surges[0]
    assert "puhelin" in surge.theme or "jono" in surge.theme
    assert surge.evidence["recent"]["share"] > surge.evidence["baseline"]["share"] + 0.1
    assert surge.evidence["quotes"]
    # The phone number one respondent wrote reaches neither an alert nor a message.
    assert not any("040 123 4567" in str(alert.evidence) for alert in alerts)
    assert not Notification.objects.filter(body__contains="040 123 4567").exists()
    about_surge = Notification.objects.filter(
        recipient=setting["owner_manager"], dedupe_key__startswith=f"insight-alert:{surge.pk}:"
    )
    in_app = about_surge.get(channel=Notification.Channel.IN_APP)
    email = about_surge.get(channel=Notification.Channel.EMAIL)
    assert in_app.body.startswith(surge.summary())
    with translation.override("en"):
        assert f"Complaints about “{surge.theme}” in Kirjasto rose from" in surge.summary()
    assert surge.evidence["quotes"][0] in in_app.body
    assert surge.evidence["quotes"][0] not in email.body


def test_benjamini_hochberg_keeps_the_false_discovery_rate() -> None:
    # Sorted: 0.001 ≤ 0.0125, 0.012 ≤ 0.025, 0.03 ≤ 0.0375, 0.2 > 0.05.
    assert benjamini_hochberg([0.2, 0.001, 0.03, 0.012]) == [False, True, True, True]
    # Each p under 0.05 alone, but four tries: only the smallest is kept.
    assert benjamini_hochberg([0.04, 0.045, 0.011, 0.3]) == [False, False, True, False]
    assert benjamini_hochberg([]) == []


@pytest.mark.django_db
def test_the_extract_gives_the_same_answers_and_the_same_alert(
    setting: dict, tmp_path: Path
) -> None:
    survey, service = setting["survey"], setting["service"]
    answer(survey, service, GOOD * 9, days_ago=(110, 30), texts=("Hyvä palvelu, kiitos.",))
    answer(survey, service, WORSE * 4, days_ago=(25, 0), texts=("Soita 040 123 4567.",))
    since, until = (NOW - timedelta(days=120)).date(), NOW.date()
    refresh_extract(tmp_path / "insights.duckdb")
    con = connect(tmp_path / "insights.duckdb")

    from_extract = ratings_from_extract(con, since, until)
    texts = texts_from_extract(con, since, until)

    assert Counter(from_extract) == Counter(ratings_from_database(since, until))
    assert Counter(texts) == Counter(texts_from_database(since, until))
    assert {t.text for t in texts} == {"Hyvä palvelu, kiitos.", "Soita [puhelin]."}
    alerts = detect_alerts(NOW, ratings=from_extract, texts=texts)
    assert [(a.kind, a.service) for a in alerts] == [(InsightAlert.Kind.DROP, service)]
