"""How well respondents cover the population: shares side by side, indices and warnings.

Opt-in feedback has no sampling frame, so there is usually no response rate; what can be measured
is how unevenly groups end up among respondents. Per dimension (municipality, age band, sex):
the dissimilarity index D = ½Σ|r − p| (the share of respondents who would have to be in another
group to match the population), the coefficient of variation of inclusion rates (respondents per
inhabitant, population-weighted), and, where invitations give real response rates, the
R-indicator 1 − 2·S(ρ) (Schouten, Cobben & Bethlehem 2009). Warnings name the groups that are
badly under- or over-represented, in plain sentences.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# A group is warned about when its respondent share is under half, or over double, its
# population share, and it is big enough to matter (≥ 5 % of the population).
UNDER_REPRESENTED = 0.5
OVER_REPRESENTED = 2.0
MIN_WARNED_POPULATION_SHARE = 0.05


@dataclass(frozen=True)
class CoverageRow:
    dimension: str
    category: str
    label: str
    population: float
    population_share: float  # 0..1 among the population's categories
    respondents: int
    respondent_share: float  # 0..1 among respondents whose category the population has
    inclusion_rate: float  # respondents per 1,000 inhabitants
    response_rate: float | None = None  # 0..1, from invitations, when known


@dataclass(frozen=True)
class DimensionCoverage:
    dimension: str
    rows: list[CoverageRow]
    dissimilarity: float  # D, 0..1
    inclusion_rate_cv: float | None  # None when nobody answered
    r_indicator: float | None  # None without response rates
    # Respondents whose category the population has not ("" not given, "other"); left out of
    # the shares above.
    unknown_respondents: int


@dataclass(frozen=True)
class CoverageWarning:
    dimension: str
    category: str
    population_share: float
    respondent_share: float
    message: str

    @property
    def under_represented(self) -> bool:
        return self.respondent_share < self.population_share


@dataclass(frozen=True)
class CoverageReport:
    area_name: str
    dimensions: list[DimensionCoverage]
    warnings: list[CoverageWarning] = field(default_factory=list)

    def dimension(self, name: str) -> DimensionCoverage:
        return next(d for d in self.dimensions if d.dimension == name)


def coverage(
    sample_counts: Mapping[str, Mapping[str, int]],
    population: Mapping[str, Mapping[str, float]],
    *,
    area_name: str,
    response_rates: Mapping[str, float] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> CoverageReport:
    """Respondents beside the population for every dimension the population has.

    `sample_counts` and `population` map dimension → category → count. `response_rates` map a
    category (or "dimension:category") to its response rate 0..1 among those invited.
    `labels` name categories for the warnings (municipality code → name); codes otherwise.
    """
    dimensions: list[DimensionCoverage] = []
    warnings: list[tuple[float, CoverageWarning]] = []
    for dimension, figures in population.items():
        names = (labels or {}).get(dimension, {})
        counts = sample_counts.get(dimension, {})
        covered = _dimension_coverage(dimension, figures, counts, names, response_rates)
        dimensions.append(covered)
        warnings.extend(_warnings(covered, area_name))
    warnings.sort(key=lambda pair: -pair[0])
    return CoverageReport(area_name, dimensions, [warning for _severity, warning in warnings])


def _dimension_coverage(
    dimension: str,
    figures: Mapping[str, float],
    counts: Mapping[str, int],
    names: Mapping[str, str],
    response_rates: Mapping[str, float] | None,
) -> DimensionCoverage:
    populated = {category: value for category, value in figures.items() if value > 0}
    total_population = sum(populated.values())
    known = sum(count for category, count in counts.items() if category in populated)
    unknown = sum(count for category, count in counts.items() if category not in populated)
    rows = []
    for category, inhabitants in populated.items():
        respondents = int(counts.get(category, 0))
        rows.append(
            CoverageRow(
                dimension=dimension,
                category=category,
                label=names.get(category, category),
                population=inhabitants,
                population_share=inhabitants / total_population,
                respondents=respondents,
                respondent_share=respondents / known if known else 0.0,
                inclusion_rate=1000 * respondents / inhabitants,
                response_rate=_response_rate(response_rates, dimension, category),
            )
        )
    return DimensionCoverage(
        dimension=dimension,
        rows=rows,
        dissimilarity=sum(abs(r.respondent_share - r.population_share) for r in rows) / 2,
        inclusion_rate_cv=_inclusion_rate_cv(rows),
        r_indicator=_r_indicator(rows),
        unknown_respondents=unknown,
    )


def _weighted_spread(rows: list[CoverageRow], values: list[float]) -> tuple[float, float]:
    """The population-weighted mean and standard deviation of a per-group figure."""
    weights = [row.population_share for row in rows]
    total = sum(weights)
    mean = sum(w * v for w, v in zip(weights, values, strict=True)) / total
    variance = sum(w * (v - mean) ** 2 for w, v in zip(weights, values, strict=True)) / total
    return mean, math.sqrt(variance)


def _inclusion_rate_cv(rows: list[CoverageRow]) -> float | None:
    if not rows:
        return None
    mean, deviation = _weighted_spread(rows, [row.inclusion_rate for row in rows])
    return deviation / mean if mean > 0 else None


def _r_indicator(rows: list[CoverageRow]) -> float | None:
    """1 − 2·S(ρ) over the groups with a known response rate (population-weighted, because
    the invited counts per group are not part of the rates); needs at least two groups."""
    rated = [row for row in rows if row.response_rate is not None]
    if len(rated) < 2:
        return None
    _, deviation = _weighted_spread(rated, [row.response_rate or 0.0 for row in rated])
    return 1 - 2 * deviation


def _response_rate(
    response_rates: Mapping[str, float] | None, dimension: str, category: str
) -> float | None:
    if response_rates is None:
        return None
    rate = response_rates.get(f"{dimension}:{category}", response_rates.get(category))
    if rate is not None and not 0 <= rate <= 1:
        raise ValueError(f"The response rate of {category} must be between 0 and 1.")
    return rate


def _warnings(covered: DimensionCoverage, area_name: str) -> list[tuple[float, CoverageWarning]]:
    """Warnings with their severity (how many times too few or too many) for sorting."""
    if not any(row.respondents for row in covered.rows):
        return []
    result = []
    for row in covered.rows:
        if row.population_share < MIN_WARNED_POPULATION_SHARE:
            continue
        ratio = row.respondent_share / row.population_share
        if UNDER_REPRESENTED <= ratio <= OVER_REPRESENTED:
            continue
        message = _(
            "%(group)s are %(pop)s %% of %(area)s's population but %(resp)s %% of its respondents."
        ) % {
            "group": group_name(row.dimension, row.category, row.label),
            "pop": _percent(row.population_share),
            "area": area_name,
            "resp": _percent(row.respondent_share),
        }
        severity = math.inf if ratio == 0 else abs(math.log(ratio))
        warning = CoverageWarning(
            row.dimension, row.category, row.population_share, row.respondent_share, message
        )
        result.append((severity, warning))
    return result


def group_name(dimension: str, category: str, label: str | None = None) -> str:
    """The people of a category as a sentence's subject: "15–24-year-olds", "Women"."""
    if dimension == "sex":
        names = {"female": _("Women"), "male": _("Men")}
        return names.get(category, label or category)
    if dimension == "municipality":
        return _("Residents of %(municipality)s") % {"municipality": label or category}
    if dimension == "age_band":
        low, _dash, high = category.partition("-")
        if low == "0" and high:
            return _("Children under %(age)s") % {"age": int(high) + 1}
        if high:
            return _("%(low)s–%(high)s-year-olds") % {"low": low, "high": high}
        return _("People aged %(age)s or over") % {"age": low}
    return label or category


def _percent(share: float) -> str:
    """Whole percentages, with one decimal below 1 % so that a small group does not read 0."""
    percent = 100 * share
    decimals = 1 if 0 < percent < 1 else 0
    return number_format(round(percent, decimals), decimal_pos=decimals)
