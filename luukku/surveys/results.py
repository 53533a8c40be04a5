"""Survey results: counts and distributions per question, over complete responses only.

Staff surveys show nothing for groups under MIN_GROUP_SIZE respondents. `suppress_groups` is
the one rule for that, used by the results page and the exports alike: small units are merged
into "other units", and when that merged group would itself be small, the smallest shown
units join it (complementary suppression), so no total minus the shown groups reveals a
hidden one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.organisations.models import Organisation

from .models import Answer, Question, Response, Survey

MIN_GROUP_SIZE = 5
OTHER_GROUP = "other"
# Shown on the page; the export has every text.
MAX_TEXTS_SHOWN = 200
NPS_PROMOTER = 9
NPS_PASSIVE = 7
SATISFIED = 4


@dataclass(frozen=True)
class Groups:
    """Which groups may be shown: each shown key with its size, and the merged rest."""

    shown: dict[Hashable, int]
    other: int  # the merged small groups' size: 0, or at least MIN_GROUP_SIZE
    merged: frozenset[Hashable]

    def label_key(self, key: Hashable) -> Hashable | None:
        """The group a member of `key` is reported under: its own, OTHER_GROUP, or None."""
        if key in self.shown:
            return key
        return OTHER_GROUP if key in self.merged and self.other else None


def suppress_groups(counts: Mapping[Any, int]) -> Groups:
    """Groups of at least MIN_GROUP_SIZE are shown; the others are merged, never revealed.

    If the merged remainder is 1–4, it could be computed from the total minus the shown
    groups, so the smallest shown groups are merged too until it reaches MIN_GROUP_SIZE.
    Below MIN_GROUP_SIZE in total nothing is shown.
    """
    if sum(counts.values()) < MIN_GROUP_SIZE:
        return Groups(shown={}, other=0, merged=frozenset())
    ordered = sorted(counts.items(), key=lambda item: (item[1], str(item[0])))
    merged = [key for key, size in ordered if size < MIN_GROUP_SIZE]
    shown = [(key, size) for key, size in ordered if size >= MIN_GROUP_SIZE]
    remainder = sum(counts[key] for key in merged)
    while 0 < remainder < MIN_GROUP_SIZE:
        key, size = shown.pop(0)
        merged.append(key)
        remainder += size
    return Groups(shown=dict(shown), other=remainder, merged=frozenset(merged))


def group_large_enough(size: int) -> bool:
    return size >= MIN_GROUP_SIZE


# -- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the results are narrowed to; staff surveys take none (see responses_for)."""

    touchpoint_id: int | None = None
    service_id: int | None = None
    channel: str = ""
    since: date | None = None
    until: date | None = None

    def is_empty(self) -> bool:
        return self == Filters()


def responses_for(survey: Survey, filters: Filters = Filters()) -> QuerySet[Response]:  # noqa: B008
    """The complete responses counted. A staff survey is never filtered: comparing two
    narrow slices could isolate one person's answers."""
    responses = Response.objects.filter(survey=survey, status=Response.Status.COMPLETE)
    if survey.kind == Survey.Kind.STAFF:
        return responses
    if filters.touchpoint_id is not None:
        responses = responses.filter(touchpoint_id=filters.touchpoint_id)
    if filters.service_id is not None:
        responses = responses.filter(service_id=filters.service_id)
    if filters.channel:
        responses = responses.filter(channel=filters.channel)
    zone = timezone.get_current_timezone()
    if filters.since is not None:
        responses = responses.filter(
            submitted_at__gte=datetime.combine(filters.since, time.min, tzinfo=zone)
        )
    if filters.until is not None:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=zone)
        responses = responses.filter(submitted_at__lt=end)
    return responses


# -- per question -------------------------------------------------------------------------------


@dataclass
class ScaleResult:
    n: int
    distribution: list[tuple[int, int, float]]  # value, count, percent
    mean: float | None
    csat_percent: float | None = None  # rating and smiley: share of 4–5
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    nps: float | None = None


@dataclass
class ChoiceCount:
    code: str
    label: str
    count: int
    percent: float


@dataclass
class ChoiceResult:
    n: int
    choices: list[ChoiceCount]
    other_texts: list[str] = field(default_factory=list)


@dataclass
class TextResult:
    n: int
    texts: list[str]
    hidden: bool = False  # a staff survey with fewer than MIN_GROUP_SIZE texts


@dataclass
class QuestionResult:
    question: Question
    scale: ScaleResult | None = None
    choice: ChoiceResult | None = None
    text: TextResult | None = None


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def scale_result(question: Question, counts: Mapping[int, int]) -> ScaleResult:
    low, high = Question.SCALES[question.kind]
    n = sum(counts.values())
    result = ScaleResult(
        n=n,
        distribution=[
            (value, counts.get(value, 0), _percent(counts.get(value, 0), n))
            for value in range(low, high + 1)
        ],
        mean=round(sum(v * c for v, c in counts.items()) / n, 2) if n else None,
    )
    if not n:
        return result
    if question.kind == Question.Kind.NPS:
        result.promoters = sum(c for v, c in counts.items() if v >= NPS_PROMOTER)
        result.passives = sum(c for v, c in counts.items() if NPS_PASSIVE <= v < NPS_PROMOTER)
        result.detractors = n - result.promoters - result.passives
        result.nps = round(_percent(result.promoters, n) - _percent(result.detractors, n), 1)
    else:
        result.csat_percent = _percent(sum(c for v, c in counts.items() if v >= SATISFIED), n)
    return result


def choice_result(question: Question, rows: list[tuple[list[str], str]]) -> ChoiceResult:
    """`rows` holds each answer's chosen codes and its 'other' text."""
    counts: Counter[str] = Counter()
    other_texts = []
    n = 0
    for chosen, other_text in rows:
        if not chosen:
            continue
        n += 1
        counts.update(set(chosen))
        if "other" in chosen and other_text:
            other_texts.append(other_text)
    choices = [
        ChoiceCount(c.code, c.label(), counts[c.code], _percent(counts[c.code], n))
        for c in question.choices.all()
    ]
    if question.allows_other:
        choices.append(ChoiceCount("other", "", counts["other"], _percent(counts["other"], n)))
    return ChoiceResult(n=n, choices=choices, other_texts=other_texts[:MAX_TEXTS_SHOWN])


@dataclass
class SurveyResults:
    survey: Survey
    complete: int
    visible: bool  # False: hidden until the survey closes, only the count is shown
    enough: bool  # False: a staff survey under MIN_GROUP_SIZE, nothing is shown
    questions: list[QuestionResult] = field(default_factory=list)
    units: list[UnitResult] = field(default_factory=list)


@dataclass
class UnitResult:
    """A staff survey's unit (or the merged other units): its size and scale means."""

    label: str
    n: int
    means: list[float | None]


def survey_results(survey: Survey, filters: Filters = Filters()) -> SurveyResults:  # noqa: B008
    responses = responses_for(survey, filters)
    complete = responses.count()
    staff = survey.kind == Survey.Kind.STAFF
    results = SurveyResults(
        survey=survey,
        complete=complete,
        visible=survey.results_visible(),
        enough=not staff or group_large_enough(complete),
    )
    if not results.visible or not results.enough:
        return results
    questions = list(survey.questions.prefetch_related("choices"))
    answers = Answer.objects.filter(response__in=responses)
    numbers: dict[int, dict[int, int]] = {}
    for question_id, number, count in (
        answers.filter(number__isnull=False)
        .values_list("question_id", "number")
        .annotate(count=Count("id"))
        .order_by()
    ):
        numbers.setdefault(question_id, {})[number] = count
    choice_ids = [q.pk for q in questions if q.is_choice]
    text_ids = [q.pk for q in questions if q.kind == Question.Kind.FREE_TEXT]
    chosen: dict[int, list[tuple[list[str], str]]] = {}
    for question_id, codes, text in answers.filter(question_id__in=choice_ids).values_list(
        "question_id", "choices", "text"
    ):
        chosen.setdefault(question_id, []).append((codes or [], text))
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        answers.filter(question_id__in=text_ids)
        .exclude(text="")
        .order_by("-response__submitted_at")
        .values_list("question_id", "text")
    ):
        texts.setdefault(question_id, []).append(text)
    for question in questions:
        result = QuestionResult(question=question)
        if question.is_scale:
            result.scale = scale_result(question, numbers.get(question.pk, {}))
        elif question.is_choice:
            result.choice = choice_result(question, chosen.get(question.pk, []))
            if staff and not group_large_enough(len(result.choice.other_texts)):
                result.choice.other_texts = []
        else:
            given = texts.get(question.pk, [])
            hidden = staff and not group_large_enough(len(given))
            result.text = TextResult(
                n=len(given), texts=[] if hidden else given[:MAX_TEXTS_SHOWN], hidden=hidden
            )
        results.questions.append(result)
    if staff:
        results.units = unit_results(survey, responses, questions)
    return results


def staff_unit_groups(responses: QuerySet[Response]) -> Groups:
    counts = Counter(
        dict(responses.order_by().values_list("staff_unit_id").annotate(n=Count("id")))
    )
    return suppress_groups(counts)


def unit_results(
    survey: Survey, responses: QuerySet[Response], questions: list[Question]
) -> list[UnitResult]:
    """Per shown unit (and the merged other units): size and the mean of each scale question."""
    groups = staff_unit_groups(responses)
    scale_ids = [q.pk for q in questions if q.is_scale]
    sums: dict[tuple[Any, int], list[int]] = {}
    for unit_id, question_id, number in (
        Answer.objects.filter(response__in=responses, question_id__in=scale_ids)
        .exclude(number__isnull=True)
        .values_list("response__staff_unit_id", "question_id", "number")
    ):
        key = groups.label_key(unit_id)
        if key is not None and number is not None:
            total = sums.setdefault((key, question_id), [0, 0])
            total[0] += number
            total[1] += 1
    names = unit_names(groups)

    def means(key: Hashable) -> list[float | None]:
        values = [sums.get((key, question_id)) for question_id in scale_ids]
        return [round(v[0] / v[1], 2) if v else None for v in values]

    units = [
        UnitResult(label=names[key], n=size, means=means(key))
        for key, size in sorted(groups.shown.items(), key=lambda item: names[item[0]])
    ]
    if groups.other:
        units.append(UnitResult(label=names[OTHER_GROUP], n=groups.other, means=means(OTHER_GROUP)))
    return units


def unit_names(groups: Groups) -> dict[Hashable, str]:
    """Display names of the groups that may be shown, in the active language."""
    names: dict[Hashable, str] = {
        unit.pk: unit.name()
        for unit in Organisation.objects.filter(pk__in=[k for k in groups.shown if k is not None])
    }
    names[None] = _("unit not given")
    names[OTHER_GROUP] = _("other units")
    return names
