"""What the open answers are about: themes with labels, quotes, ratings, and what is emerging.

Texts are read already scrubbed (see scrubbing.scrub), lemmatised with core.text so that
"puhelinjonossa" and "puhelinjono" count as one word (and its compound parts "puhelin" and
"jono" as words of their own), then grouped by TF-IDF and non-negative matrix factorisation:
each theme is a set of words that occur together, labelled by its heaviest lemmas, and each text
belongs to the theme it loads on most. NMF runs with a fixed random_state, so the same texts
always give the same themes.

The texts come either from the database (`texts_from_database`) or from the columnar extract
(`texts_from_extract`); both return the same `TextRecord`s, so analysis does not care which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.utils import timezone
from scipy.stats import norm
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from luukku.core.text import terms
from luukku.surveys.models import Answer, Question, Response, Survey
from luukku.surveys.results import MIN_GROUP_SIZE

from .extract import question_measures
from .scrubbing import PLACEHOLDER_RE, scrub

# Fewer texts than this make no themes worth reading.
MIN_TEXTS = 10
MAX_THEMES = 8
LABEL_TERMS = 3
QUOTES = 3
SIGNIFICANCE = 0.05
# A text joins its strongest theme only when it shares that theme's words (cosine similarity of
# the text and the theme's word weights); NMF gives every text some theme, even one that is
# about nothing the others mention, and such texts are better counted as "other".
MIN_SIMILARITY = 0.2


# Lemmas that occur in any feedback whatever it is about (core.text keeps its list short
# because a dropped word can never be searched for; here they would only blur the themes).
def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_THEME_STOP_WORDS = _words(
    "olla ei myös hyvin hyvä todella erittäin tosi ihan vähän paljon aina vielä jo nyt "
    "sitten koska mikä joka minä sinä hän me te he asia saada tulla mennä voida pitää "
    "tehdä sama eri vain kuin niin kun jos mutta että siitä vasta vaikka juuri edelleen "
    "jag var vara mycket inte det och men bli få har hade kunde "
    "i was be have had very but my me we they there were get got would could"
)


@dataclass(frozen=True)
class TextRecord:
    """One scrubbed open answer with what analysis groups it by."""

    response_id: int
    text: str
    language: str
    rating: float | None
    submitted: date
    service_id: int | None
    organisation_id: int | None  # the survey's owner
    served_by_id: int | None = None  # the organisation that served the respondent


def visible_to(
    records: Sequence[TextRecord], organisation_ids: set[int] | None
) -> list[TextRecord]:
    """The texts a user may read: served by or asked by an organisation in their scope
    (`None`: a region administrator, who sees all)."""
    if organisation_ids is None:
        return list(records)
    return [
        r
        for r in records
        if r.organisation_id in organisation_ids or r.served_by_id in organisation_ids
    ]


@dataclass(frozen=True)
class Theme:
    label: str
    terms: tuple[str, ...]
    count: int
    share: float
    mean_rating: float | None
    rated: int
    quotes: tuple[str, ...]
    members: tuple[int, ...]  # indices into the analysed records
    recent_share: float | None = None
    baseline_share: float | None = None
    p_value: float | None = None

    @property
    def effect(self) -> float | None:
        """The change in share, in percentage points (recent minus baseline)."""
        if self.recent_share is None or self.baseline_share is None:
            return None
        return 100 * (self.recent_share - self.baseline_share)

    @property
    def emerging(self) -> bool:
        effect = self.effect
        return effect is not None and effect > 0 and (self.p_value or 1.0) < SIGNIFICANCE


@dataclass(frozen=True)
class ThemeAnalysis:
    themes: tuple[Theme, ...]
    texts: int
    unassigned: int
    recent_texts: int | None = None
    baseline_texts: int | None = None


def _local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def texts_from_database(since: date, until: date) -> list[TextRecord]:
    """Customer-survey open answers of complete responses submitted since..until (inclusive)."""
    satisfaction_questions = [pk for pk, m in question_measures().items() if m == "satisfaction"]
    responses = Response.objects.filter(
        status=Response.Status.COMPLETE,
        survey__kind=Survey.Kind.CUSTOMER,
        submitted_at__gte=_local_day_start(since),
        submitted_at__lt=_local_day_start(until) + timedelta(days=1),
    )
    ratings = dict(
        Answer.objects.filter(
            response__in=responses, question__in=satisfaction_questions, number__isnull=False
        ).values_list("response_id", "number")
    )
    rows = (
        Answer.objects.filter(response__in=responses, question__kind=Question.Kind.FREE_TEXT)
        .exclude(text="")
        .order_by("response__submitted_at", "pk")
        .values_list(
            "response_id",
            "text",
            "response__language",
            "response__submitted_at",
            "response__service_id",
            "response__survey__organisation_id",
            "response__organisation_id",
        )
    )
    records = []
    for response_id, text, language, submitted_at, service_id, owner_id, served_by_id in rows:
        language = (language or "fi")[:2]
        rating = ratings.get(response_id)
        records.append(
            TextRecord(
                response_id=response_id,
                text=scrub(text, language),
                language=language,
                rating=float(rating) if rating is not None else None,
                submitted=timezone.localtime(submitted_at).date(),
                service_id=service_id,
                organisation_id=owner_id,
                served_by_id=served_by_id,
            )
        )
    return records


def texts_from_extract(
    con: Any, since: date, until: date, where: str = "TRUE", params: Sequence[Any] = ()
) -> list[TextRecord]:
    """The same records from the columnar extract (its texts were scrubbed when written).

    `where` narrows the responses (alias r) further, e.g. `InsightFilter.where()`.
    """
    rows = con.execute(
        f"""
        SELECT t.response_id, t.text, t.language, t.rating, r.submitted, r.service_id,
               r.survey_organisation_id, r.organisation_id
        FROM texts t JOIN responses r USING (response_id)
        WHERE r.submitted BETWEEN ? AND ? AND ({where})
        ORDER BY r.submitted, t.response_id, t.question_code
        """,  # noqa: S608 - `where` is built from fixed column names with ? parameters
        [since, until, *params],
    ).fetchall()
    return [TextRecord(*row) for row in rows]


def lemmas(text: str, language: str) -> list[str]:
    """The words a text is about, without placeholders or filler words.

    Compound parts are left out: search needs them, but the dictionary's splits of rare words
    ("hiekoitus" → "hie" + "koitus") would become theme labels.
    """
    return [
        lemma
        for lemma, _parts in terms(PLACEHOLDER_RE.sub(" ", text), language)
        if len(lemma) >= 3 and lemma.isalpha() and lemma not in _THEME_STOP_WORDS
    ]


def theme_count(texts: int, max_themes: int = MAX_THEMES) -> int:
    """√(texts / 3) themes (3 for 27 texts, 5 for 75), at least 2 and at most `max_themes`."""
    return max(2, min(max_themes, round(math.sqrt(texts / 3))))


def two_proportion_z(x_recent: int, n_recent: int, x_baseline: int, n_baseline: int) -> float:
    """The pooled two-proportion z statistic; positive when the recent share is larger."""
    pooled = (x_recent + x_baseline) / (n_recent + n_baseline)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_recent + 1 / n_baseline))
    if se == 0:
        return 0.0
    return (x_recent / n_recent - x_baseline / n_baseline) / se


def find_themes(
    records: Sequence[TextRecord],
    *,
    recent_from: date | None = None,
    max_themes: int = MAX_THEMES,
) -> ThemeAnalysis:
    """Group the texts into themes; with `recent_from`, compare each theme's share in the texts
    from that day on with its share before it (two-sided two-proportion z-test)."""
    documents = [lemmas(record.text, record.language) for record in records]
    usable = [i for i, words in enumerate(documents) if words]
    if len(usable) < MIN_TEXTS:
        return ThemeAnalysis(themes=(), texts=len(records), unassigned=len(records))
    vectorizer = TfidfVectorizer(analyzer=lambda words: words, min_df=2, max_df=0.5)
    try:
        matrix = vectorizer.fit_transform([documents[i] for i in usable])
    except ValueError:  # no word occurs in two texts and under half of them
        return ThemeAnalysis(themes=(), texts=len(records), unassigned=len(records))
    vocabulary = vectorizer.get_feature_names_out()
    k = min(theme_count(len(usable), max_themes), len(vocabulary))
    model = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=1000)
    loadings = np.zeros((len(records), k))
    loadings[usable] = model.fit_transform(matrix)
    assigned = loadings.argmax(axis=1)
    has_theme = np.zeros(len(records), dtype=bool)
    has_theme[usable] = _similarity(matrix, model.components_, assigned[usable]) >= MIN_SIMILARITY

    recent = (
        np.array([record.submitted >= recent_from for record in records])
        if recent_from is not None
        else None
    )
    themes = [
        _theme(
            records,
            members=np.flatnonzero(has_theme & (assigned == index)),
            loadings=loadings[:, index],
            words=[str(vocabulary[j]) for j in np.argsort(-model.components_[index])[:8]],
            recent=recent,
        )
        for index in range(k)
    ]
    themes = sorted((t for t in themes if t.count), key=lambda t: (-t.count, t.label))
    return ThemeAnalysis(
        themes=tuple(themes),
        texts=len(records),
        unassigned=int((~has_theme).sum()),
        recent_texts=int(recent.sum()) if recent is not None else None,
        baseline_texts=int((~recent).sum()) if recent is not None else None,
    )


def _similarity(matrix: Any, components: np.ndarray, assigned: np.ndarray) -> np.ndarray:
    """Cosine similarity of each text's TF-IDF vector with its theme's word weights."""
    themes = components[assigned]
    dots = np.asarray(matrix.multiply(themes).sum(axis=1)).ravel()
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()) * np.linalg.norm(
        themes, axis=1
    )
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def _theme(
    records: Sequence[TextRecord],
    *,
    members: np.ndarray,
    loadings: np.ndarray,
    words: list[str],
    recent: np.ndarray | None,
) -> Theme:
    ratings = [records[i].rating for i in members if records[i].rating is not None]
    quotes: list[str] = []
    if len(members) >= MIN_GROUP_SIZE:  # a quote from a group of two could be recognised
        for i in sorted(members, key=lambda i: (-loadings[i], i)):
            if records[i].text not in quotes:
                quotes.append(records[i].text)
            if len(quotes) == QUOTES:
                break
    comparison: dict[str, float | None] = {}
    if recent is not None:
        n_recent, n_baseline = int(recent.sum()), int((~recent).sum())
        if n_recent and n_baseline:
            x_recent = int(recent[members].sum())
            x_baseline = len(members) - x_recent
            z = two_proportion_z(x_recent, n_recent, x_baseline, n_baseline)
            comparison = {
                "recent_share": x_recent / n_recent,
                "baseline_share": x_baseline / n_baseline,
                "p_value": float(2 * norm.sf(abs(z))),
            }
    return Theme(
        label=", ".join(words[:LABEL_TERMS]),
        terms=tuple(words),
        count=len(members),
        share=len(members) / len(records),
        mean_rating=sum(ratings) / len(ratings) if ratings else None,
        rated=len(ratings),
        quotes=tuple(quotes),
        members=tuple(int(i) for i in members),
        **comparison,
    )
