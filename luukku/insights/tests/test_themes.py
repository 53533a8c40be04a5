"""Themes in open answers: labelled groups with quotes and ratings, and what is emerging."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.insights.themes import TextRecord, find_themes, texts_from_database, visible_to
from luukku.surveys.demo import COMMENTS, WHAT_WENT_WRONG
from luukku.surveys.models import Question, Response, Survey
from luukku.surveys.tests.factories import AnswerFactory, ResponseFactory, standard_survey

TODAY = date(2026, 11, 26)


def record(i: int, text: str, *, rating: float | None = 4.0, days_ago: int = 100) -> TextRecord:
    return TextRecord(i, text, "fi", rating, TODAY - timedelta(days=days_ago), None, 1)


def demo_records() -> list[TextRecord]:
    """The demo survey's texts: every complaint three times (rating 1–2), comments five times."""
    records = [record(i, text, rating=1 + i % 2) for i, text in enumerate(WHAT_WENT_WRONG * 3)]
    records += [record(100 + i, text, rating=4 + i % 2) for i, text in enumerate(COMMENTS * 5)]
    return records


def test_the_demo_texts_fall_into_labelled_themes_with_quotes_and_ratings() -> None:
    analysis = find_themes(demo_records())

    assert 2 <= len(analysis.themes) <= 8
    assert sum(theme.count for theme in analysis.themes) + analysis.unassigned == analysis.texts
    for theme in analysis.themes:
        assert theme.label  # the heaviest lemmas
        assert theme.mean_rating is not None
        assert 1 <= theme.mean_rating <= 5
        assert all(quote in WHAT_WENT_WRONG + COMMENTS for quote in theme.quotes)


TOPICS = {
    "queue": (
        "Puhelinjono oli pitkä ja odotin puhelimessa tunnin.",
        "Jonotin puhelimessa puoli tuntia eikä kukaan vastannut puhelimeen.",
        "Takaisinsoittoa ei tullut, vaikka jätin puhelinnumeron jonoon.",
        "Puhelimeen ei vastattu ja jono katkesi kahdesti.",
        "Puhelinjonossa odottaminen vei koko lounastauon.",
    ),
    "hours": (
        "Aukioloajat ovat liian lyhyet, toimisto on auki vain aamupäivän.",
        "Toivoisin pidempiä aukioloaikoja iltaisin.",
        "Toimisto oli kiinni, vaikka aukioloaikojen mukaan piti olla auki.",
        "Lauantaisin pitäisi olla auki, arkena en ehdi aukioloaikoina.",
        "Aukioloajat eivät sovi työssäkäyvälle.",
    ),
    "form": (
        "Verkkolomake ei toiminut ja liitteen lataus epäonnistui.",
        "Lomakkeen lähettäminen verkossa kaatui kolme kertaa.",
        "Verkkosivuilta oli vaikea löytää oikeaa lomaketta.",
        "Sähköinen lomake hävitti tiedot, kun liite ei latautunut.",
        "Lomake verkkosivuilla oli sekava ja liitteen lisääminen ei onnistunut.",
    ),
}


def test_texts_about_the_same_thing_end_up_in_the_same_theme() -> None:
    records = [
        record(10 * i + n, text, rating=1 + n % 2)
        for n in range(3)
        for i, text in enumerate(t for texts in TOPICS.values() for t in texts)
    ]
    # About nothing the others mention: counted as "other", not forced into a theme.
    stray = "Kissani katosi eilen illalla naapurin pihalle."
    records += [record(900 + n, stray) for n in range(3)]
    topic_of = {text: topic for topic, texts in TOPICS.items() for text in texts}

    analysis = find_themes(records, max_themes=3)

    assert len(analysis.themes) == 3
    in_a_theme = {records[i].text for theme in analysis.themes for i in theme.members}
    assert stray not in in_a_theme
    assert len(in_a_theme) >= 0.8 * len(topic_of)
    for theme in analysis.themes:
        topics = [topic_of[records[i].text] for i in theme.members]
        assert max(topics.count(topic) for topic in TOPICS) / len(topics) >= 0.8, theme.label


def test_the_same_texts_give_the_same_themes() -> None:
    first, again = find_themes(demo_records()), find_themes(demo_records())

    assert [(t.label, t.members) for t in first.themes] == [
        (t.label, t.members) for t in again.themes
    ]


def test_too_few_texts_make_no_themes() -> None:
    analysis = find_themes([record(i, text) for i, text in enumerate(COMMENTS[:5])])

    assert analysis.themes == ()
    assert analysis.unassigned == 5


def test_a_theme_concentrated_in_the_recent_period_is_emerging_and_a_steady_one_is_not() -> None:
    queue = "Jouduin odottamaan puhelinjonossa tunnin, takaisinsoittoa ei tullut."
    opening_hours = "Uimahallin aukioloajat voisivat olla pidemmät iltaisin."
    library = "Kirjaston henkilökunta auttoi löytämään oikean kirjan."
    records = [record(i, opening_hours, days_ago=60) for i in range(40)]
    records += [record(100 + i, library, days_ago=60) for i in range(40)]
    records += [record(200 + i, queue, rating=1, days_ago=60) for i in range(4)]
    records += [record(300 + i, opening_hours, days_ago=5) for i in range(10)]
    records += [record(400 + i, library, days_ago=5) for i in range(10)]
    records += [record(500 + i, queue, rating=1, days_ago=5) for i in range(20)]

    analysis = find_themes(records, recent_from=TODAY - timedelta(days=27))

    by_text = {theme.quotes[0]: theme for theme in analysis.themes}
    surging = by_text[queue]
    assert surging.emerging
    assert (surging.p_value or 1.0) < 0.001
    assert surging.effect == pytest.approx(100 * (20 / 40 - 4 / 84))
    assert surging.mean_rating == 1.0
    assert not by_text[library].emerging


@pytest.mark.django_db
def test_texts_from_the_database_are_scrubbed_and_only_complete_customer_answers() -> None:
    survey = standard_survey()
    overall = survey.questions.get(code="overall")
    comments = survey.questions.get(code="comments")
    staff_survey = standard_survey(kind=Survey.Kind.STAFF)
    day = TODAY - timedelta(days=3)
    served_by = OrganisationFactory.create()
    kept = ResponseFactory.create(
        survey=survey, organisation=served_by, submitted_at=f"{day}T10:00:00+02:00"
    )
    AnswerFactory.create(response=kept, question=overall, number=2)
    AnswerFactory.create(response=kept, question=comments, text="Soittakaa 040 123 4567, Matti")
    partial = ResponseFactory.create(
        survey=survey, status=Response.Status.PARTIAL, submitted_at=None
    )
    AnswerFactory.create(response=partial, question=comments, text="Kesken jäänyt vastaus")
    staff = ResponseFactory.create(survey=staff_survey, submitted_at=f"{day}T10:00:00+02:00")
    AnswerFactory.create(
        response=staff,
        question=staff_survey.questions.get(kind=Question.Kind.FREE_TEXT, code="comments"),
        text="Henkilöstön vastaus",
    )

    records = texts_from_database(TODAY - timedelta(days=10), TODAY)

    assert [(r.response_id, r.text, r.rating, r.submitted) for r in records] == [
        (kept.pk, "Soittakaa [puhelin], Matti", 2.0, day)
    ]
    # Scope: the survey's owner and the serving organisation see it, others do not.
    assert visible_to(records, {survey.organisation_id}) == records
    assert visible_to(records, {served_by.pk}) == records
    assert visible_to(records, {-1}) == []
    assert visible_to(records, None) == records
