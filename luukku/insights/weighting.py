"""Raking weights: make respondents look like the population on the chosen margins.

Satisfaction from the few who answer is misleading when, say, older women answer far more often
than young men. Raking (iterative proportional fitting) gives each respondent a weight so that the
weighted shares of every margin (age band, sex, municipality) equal the population's shares.

The algorithm works on CELLS, the distinct combinations of categories, with their respondent
counts: raking weights are equal within a cell, so raking cells is exact and costs O(cells), not
O(respondents). Unit-level input is collapsed into cells first. The result agrees with weightipy's
unit-level raking (tested to 1e-6) and trims like it (clip, renormalise, rake again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from luukku.areas.models import Area, PopulationGroup

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DIMENSIONS: tuple[str, ...] = ("municipality", "age_band", "sex")

# Trimming settles the scale that keeps the mean at 1 to this relative precision.
_BOUND_SLACK = 1e-12


@dataclass(frozen=True)
class MarginRow:
    """One category of one margin in the convergence report (shares are 0..1)."""

    dimension: str
    category: str
    # The population's share; None for a category the population has not (unknown, "other").
    population_share: float | None
    # What raking aimed at: the population share scaled to the respondents with known
    # categories, or the sample share itself for an unknown category (neutral).
    target_share: float
    sample_share: float
    weighted_share: float
    respondents: float

    @property
    def known(self) -> bool:
        return self.population_share is not None


@dataclass(frozen=True)
class RakingResult:
    weights: FloatArray  # one per input row, mean 1 over respondents (multiplicities counted)
    converged: bool
    iterations: int
    max_margin_error: float  # largest |weighted share − target share| over all margins
    trimmed_rows: float  # respondents (multiplicities counted) whose weight sits at a bound
    effective_sample_size: float
    design_effect: float
    respondents: float
    margins: dict[str, list[MarginRow]] = field(default_factory=dict)
    # Population categories without a single respondent: raking cannot reach them, so the other
    # categories' targets are renormalised without them. Listed for the coverage report.
    unreachable: dict[str, list[str]] = field(default_factory=dict)
    min_weight: float = 1.0
    max_weight: float = 1.0

    @property
    def margins_met(self) -> bool:
        """Whether the weighted sample matches every target share within MARGIN_TOLERANCE.

        Converging is not enough: with trimming the iteration can settle while a badly covered
        group stays short of its population share, and the reader must be told.
        """
        return self.max_margin_error <= MARGIN_TOLERANCE


# Largest gap (as a share, 0.01 = one percentage point) still reported as matching the population.
MARGIN_TOLERANCE = 0.01


@dataclass
class _Margin:
    dimension: str
    categories: list[str]
    codes: IntArray  # per cell
    population_shares: list[float | None]
    targets: FloatArray  # target totals per category (sum = respondents)
    unreachable: list[str]


def rake(
    sample: Mapping[str, npt.ArrayLike],
    targets: Mapping[str, Mapping[str, float]],
    *,
    counts: npt.ArrayLike | None = None,
    trim: tuple[float, float] | None = (0.3, 3.0),
    max_iterations: int = 1000,
    tolerance: float = 1e-10,
) -> RakingResult:
    """Rake rows (respondents, or cells with `counts`) to the population `targets`.

    `sample` maps each dimension to every row's category; `targets` maps each dimension to the
    population (counts or shares) per category. Categories missing from the targets ("" for not
    given, "other") are kept neutral: their target share is their sample share. `trim` bounds
    weights relative to their mean; None turns trimming off. Convergence: a sweep that moved no
    weight, and needed no margin correction, by more than `tolerance` (see `_fit`).
    """
    _validate_arguments(sample, targets, trim, max_iterations)
    dimensions = list(targets)
    row_count = len(np.asarray(sample[dimensions[0]]))
    row_counts = _row_counts(counts, row_count)
    respondents = float(row_counts.sum())
    if respondents <= 0:
        raise ValueError("There are no respondents to weight.")

    row_cells, cell_codes = _cells(sample, dimensions, row_count)
    cell_counts: FloatArray = np.bincount(
        row_cells, weights=row_counts, minlength=len(cell_codes[0][1])
    ).astype(np.float64)
    margins = [
        _margin(dimension, categories, codes, cell_counts, targets[dimension], respondents)
        for dimension, (categories, codes) in zip(dimensions, cell_codes, strict=True)
    ]

    cell_weights, iterations, converged, trimmed = _fit(
        margins, cell_counts, trim, max_iterations, tolerance
    )
    row_weights = cell_weights[row_cells]
    sum_w = float(np.dot(cell_counts, cell_weights))
    sum_ww = float(np.dot(cell_counts, cell_weights**2))
    effective = sum_w**2 / sum_ww
    report = {m.dimension: _margin_report(m, cell_counts, cell_weights) for m in margins}
    occupied = cell_weights[cell_counts > 0]
    return RakingResult(
        weights=row_weights,
        converged=converged,
        iterations=iterations,
        max_margin_error=max(
            (
                abs(row.weighted_share - row.target_share)
                for rows in report.values()
                for row in rows
            ),
            default=0.0,
        ),
        trimmed_rows=float(cell_counts[trimmed].sum()),
        effective_sample_size=effective,
        design_effect=respondents / effective,
        respondents=respondents,
        margins=report,
        unreachable={m.dimension: m.unreachable for m in margins if m.unreachable},
        min_weight=float(occupied.min()),
        max_weight=float(occupied.max()),
    )


def _validate_arguments(
    sample: Mapping[str, npt.ArrayLike],
    targets: Mapping[str, Mapping[str, float]],
    trim: tuple[float, float] | None,
    max_iterations: int,
) -> None:
    if not targets:
        raise ValueError("Raking needs at least one margin.")
    if set(sample) != set(targets):
        raise ValueError(
            "The sample's dimensions ({}) differ from the targets' ({}).".format(
                ", ".join(sorted(sample)), ", ".join(sorted(targets))
            )
        )
    lengths = {len(np.asarray(values)) for values in sample.values()}
    if len(lengths) != 1:
        raise ValueError("Every dimension of the sample needs a category for every row.")
    for dimension, population in targets.items():
        if any(value < 0 for value in population.values()):
            raise ValueError(f"The population of {dimension} has a negative figure.")
        if sum(population.values()) <= 0:
            raise ValueError(f"The population of {dimension} is empty.")
    if trim is not None and not 0 < trim[0] <= 1 <= trim[1]:
        raise ValueError("Trimming bounds must satisfy 0 < lower ≤ 1 ≤ upper.")
    if max_iterations < 1:
        raise ValueError("Raking needs at least one iteration.")


def _row_counts(counts: npt.ArrayLike | None, row_count: int) -> FloatArray:
    if counts is None:
        return np.ones(row_count)
    result = np.asarray(counts, dtype=np.float64)
    if result.shape != (row_count,):
        raise ValueError("The counts need one figure per row of the sample.")
    if (result < 0).any():
        raise ValueError("A row cannot count a negative number of respondents.")
    return result


def _cells(
    sample: Mapping[str, npt.ArrayLike], dimensions: list[str], row_count: int
) -> tuple[IntArray, list[tuple[list[str], IntArray]]]:
    """Each row's cell, and per dimension the categories and each cell's category code."""
    per_dimension: list[tuple[list[str], IntArray]] = []
    combined = np.zeros(row_count, dtype=np.int64)
    for dimension in dimensions:
        values = pd.Series(np.asarray(sample[dimension], dtype=object)).fillna("").astype(str)
        codes, uniques = pd.factorize(values, sort=True)
        per_dimension.append(([str(u) for u in uniques], codes.astype(np.int64)))
        combined = combined * max(len(uniques), 1) + codes
    row_cells, cell_keys = pd.factorize(combined)
    # Any row of a cell tells the cell's categories; the last one written wins.
    one_row = np.empty(len(cell_keys), dtype=np.int64)
    one_row[row_cells] = np.arange(row_count)
    cell_codes = [(categories, codes[one_row]) for categories, codes in per_dimension]
    return row_cells.astype(np.int64), cell_codes


def _margin(
    dimension: str,
    categories: list[str],
    codes: IntArray,
    cell_counts: FloatArray,
    population: Mapping[str, float],
    respondents: float,
) -> _Margin:
    sample_totals = np.bincount(codes, weights=cell_counts, minlength=len(categories))
    known = [population.get(c, 0) > 0 and sample_totals[i] > 0 for i, c in enumerate(categories)]
    unknown_total = float(sum(t for t, k in zip(sample_totals, known, strict=True) if not k))
    reachable_population = sum(population[c] for c, k in zip(categories, known, strict=True) if k)
    total_population = sum(population.values())
    targets = np.empty(len(categories))
    shares: list[float | None] = []
    for index, category in enumerate(categories):
        if known[index]:
            targets[index] = (
                population[category] / reachable_population * (respondents - unknown_total)
            )
            shares.append(population[category] / total_population)
        else:
            targets[index] = sample_totals[index]
            has_population = population.get(category, 0) > 0
            shares.append(population[category] / total_population if has_population else None)
    present = {c for c, total in zip(categories, sample_totals, strict=True) if total > 0}
    unreachable = sorted(c for c, value in population.items() if value > 0 and c not in present)
    return _Margin(dimension, categories, codes, shares, targets, unreachable)


def _fit(
    margins: list[_Margin],
    cell_counts: FloatArray,
    trim: tuple[float, float] | None,
    max_iterations: int,
    tolerance: float,
) -> tuple[FloatArray, int, bool, npt.NDArray[np.bool_]]:
    """IPF sweeps over the margins, trimming after each sweep as weightipy does.

    Converged: no weight moved by `tolerance` in a sweep and, unless trimming holds weights at
    a bound, no margin needed a correction either. Weights that return to where they started
    while margins keep pulling them apart (targets no weights can meet) are not converged.
    """
    weights = np.ones(len(cell_counts))
    respondents = float(cell_counts.sum())
    trimmed = np.zeros(len(cell_counts), dtype=bool)
    for iteration in range(1, max_iterations + 1):
        previous = weights.copy()
        correction = 0.0
        for margin in margins:
            totals = np.bincount(
                margin.codes, weights=cell_counts * weights, minlength=len(margin.categories)
            )
            factors = np.divide(margin.targets, totals, out=np.ones_like(totals), where=totals > 0)
            correction = max(correction, float(np.max(np.abs(factors - 1))))
            weights *= factors[margin.codes]
        if trim is not None:
            weights, trimmed = _trim(weights, cell_counts, respondents, trim)
        stable = np.max(np.abs(weights - previous)) < tolerance
        if stable and (correction < tolerance or trimmed.any()):
            return weights, iteration, True, trimmed
    return weights, max_iterations, False, trimmed


def _trim(
    weights: FloatArray, cell_counts: FloatArray, respondents: float, bounds: tuple[float, float]
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Clip to the bounds at mean 1: clip(c·w) with the scale c that keeps the mean at 1.

    This is the limit of weightipy's loop (clip, renormalise, repeat), found directly: for a
    fixed set of clipped weights the mean is linear in c, so a few exact steps settle it.
    """
    low, high = bounds
    scale = respondents / float(np.dot(cell_counts, weights))
    below = above = np.zeros(len(weights), dtype=bool)
    for _ in range(100):
        scaled = scale * weights
        below, above = scaled <= low, scaled >= high
        free = ~(below | above)
        free_mass = float(np.dot(cell_counts[free], weights[free]))
        if free_mass <= 0:
            break
        fixed_mass = low * cell_counts[below].sum() + high * cell_counts[above].sum()
        new_scale = (respondents - fixed_mass) / free_mass
        if abs(new_scale - scale) <= _BOUND_SLACK * scale:
            break
        scale = new_scale
    trimmed = np.clip(scale * weights, low, high)
    return trimmed, below | above


def _margin_report(
    margin: _Margin, cell_counts: FloatArray, weights: FloatArray
) -> list[MarginRow]:
    size = len(margin.categories)
    sample_totals = np.bincount(margin.codes, weights=cell_counts, minlength=size)
    weighted_totals = np.bincount(margin.codes, weights=cell_counts * weights, minlength=size)
    respondents = float(sample_totals.sum())
    weighted = float(weighted_totals.sum())
    rows = [
        MarginRow(
            dimension=margin.dimension,
            category=category,
            population_share=margin.population_shares[index],
            target_share=float(margin.targets[index]) / respondents,
            sample_share=float(sample_totals[index]) / respondents,
            weighted_share=float(weighted_totals[index]) / weighted,
            respondents=float(sample_totals[index]),
        )
        for index, category in enumerate(margin.categories)
    ]
    return rows


def population_targets(
    municipality_codes: list[str] | None,
    dimensions: tuple[str, ...],
    year: int | None = None,
) -> dict[str, dict[str, float]]:
    """Population per category of each dimension, for the municipalities (all when None).

    Uses the newest year the selected municipalities have figures for when `year` is None.
    Municipalities are keyed by their code ("297"). An empty dict means no population figures.
    """
    unknown = [d for d in dimensions if d not in DIMENSIONS]
    if unknown:
        raise ValueError("Unknown population dimension: {}.".format(", ".join(unknown)))
    groups = PopulationGroup.objects.filter(municipality__area_type=Area.Type.MUNICIPALITY)
    if municipality_codes is not None:
        groups = groups.filter(municipality__code__in=municipality_codes)
    if year is None:
        year = groups.order_by("-year").values_list("year", flat=True).first()
        if year is None:
            return {}
    groups = groups.filter(year=year)
    result: dict[str, dict[str, float]] = {dimension: {} for dimension in dimensions}
    for code, age_band, sex, population in groups.values_list(
        "municipality__code", "age_band", "sex", "population"
    ):
        categories = {"municipality": code, "age_band": age_band, "sex": sex}
        for dimension in dimensions:
            category = categories[dimension]
            result[dimension][category] = result[dimension].get(category, 0.0) + population
    if not any(result.values()):
        return {}
    return result
