"""Reads over the columnar extract: weighted satisfaction by group, and who answered.

One DuckDB scan of the responses table (which carries each respondent's value per measure)
groups the filtered respondents by the weighting margins and the requested groups together (fine
cells with their counts and sums). Raking runs on the weighting cells (weights are constant within a
cell, so that is exact and costs O(cells), not O(respondents)); the per-group weighted sums then
follow from the fine cells' sums times their cell's weight. That keeps a dashboard query over
millions of answers to one pass over one table.

`pandas_satisfaction` computes the same table the straightforward way (every answer in a pandas
frame joined to its respondent, unit-level raking with weightipy, groupby). It exists only to
measure the fast path against (bench/bench_insights.py) and to check that both agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import extract
from .estimates import Estimate
from .extract import MEASURES
from .weighting import RakingResult, population_targets, rake

# Group and filter dimensions and the extract column behind each.
COLUMNS: dict[str, str] = {
    "service": "service_id",
    "month": "month",
    "channel": "channel",
    "organisation": "organisation_id",
    "municipality": "municipality_code",
    "customer_type": "customer_type",
    "age_band": "age_band",
    "sex": "sex",
}
WEIGHTING_DIMENSIONS = ("municipality", "age_band", "sex")
DEFAULT_WEIGHTING = ("age_band", "sex")
DEFAULT_TRIM = (0.3, 3.0)
# Per fine cell: respondents, and Σy and Σy² of each variable estimated. Satisfaction-like
# measures are 1–5 ("top" = 4–5, the CSAT share); recommendation is 0–10 ("net" = +1 promoter
# 9–10, −1 detractor 0–6, whose mean × 100 is the NPS). {v} is the measure's column.
_CELL_SUMS = """
    count(*) AS n,
    sum({v}) AS value_sum,
    sum({v} * {v}) AS value_sq,
    count_if({v} >= 4) AS top_sum,
    count_if({v} >= 4) AS top_sq,
    count_if({v} >= 9) - count_if({v} <= 6) AS net_sum,
    count_if({v} >= 9) + count_if({v} <= 6) AS net_sq
"""
_VARIABLES = ("value", "top", "net")


@dataclass(frozen=True)
class InsightFilter:
    """Which answers count. None = no restriction; a sequence = only these (empty = none).

    `organisation_ids` is the viewer's scope: an answer is in it when the organisation that
    served the respondent OR the survey's organisation is listed (None for region-wide viewers).
    Dates are inclusive.
    """

    municipality_codes: Sequence[str] | None = None
    service_ids: Sequence[int] | None = None
    organisation_ids: Sequence[int] | None = None
    channels: Sequence[str] | None = None
    customer_types: Sequence[str] | None = None
    survey_ids: Sequence[int] | None = None
    date_from: date | None = None
    date_to: date | None = None

    def where(self) -> tuple[str, list[Any]]:
        """A SQL condition on the `responses` table (alias r) and its parameters."""
        conditions: list[str] = []
        params: list[Any] = []

        def among(columns: tuple[str, ...], values: Sequence[Any] | None) -> None:
            if values is None:
                return
            values = list(values)
            if not values:
                conditions.append("FALSE")
                return
            marks = ", ".join("?" * len(values))
            conditions.append(
                "(" + " OR ".join(f"r.{column} IN ({marks})" for column in columns) + ")"
            )
            params.extend(values * len(columns))

        among(("municipality_code",), self.municipality_codes)
        among(("service_id",), self.service_ids)
        among(("organisation_id", "survey_organisation_id"), self.organisation_ids)
        among(("channel",), self.channels)
        among(("customer_type",), self.customer_types)
        among(("survey_id",), self.survey_ids)
        if self.date_from is not None:
            conditions.append("r.submitted >= ?")
            params.append(self.date_from)
        if self.date_to is not None:
            conditions.append("r.submitted <= ?")
            params.append(self.date_to)
        return " AND ".join(conditions) or "TRUE", params


@dataclass(frozen=True)
class SatisfactionRow:
    group: dict[str, Any]  # by-dimension → value (service id, month's first day, code, …)
    n: int  # respondents who answered on the measure
    weighted: Estimate  # mean on the measure's scale
    unweighted: Estimate
    csat: Estimate | None  # % of answers 4–5, weighted (1–5 measures)
    nps: Estimate | None  # % promoters − % detractors, weighted (recommendation)


@dataclass(frozen=True)
class SatisfactionTable:
    by: tuple[str, ...]
    measure: str
    weighting: tuple[str, ...]  # the margins actually raked on ("" when unweighted)
    rows: list[SatisfactionRow]
    raking: RakingResult | None  # None when unweighted, no answers or no population figures


def weighting_margins(filter: InsightFilter, weighting: Sequence[str]) -> tuple[str, ...]:
    """The requested margins, plus municipality when the filter spans more than one."""
    margins = tuple(weighting)
    spans = filter.municipality_codes is None or len(set(filter.municipality_codes)) > 1
    if margins and spans and "municipality" not in margins:
        margins = ("municipality", *margins)
    return margins


def satisfaction(
    filter: InsightFilter,
    by: Sequence[str] = (),
    measure: str = "satisfaction",
    weighting: Sequence[str] = DEFAULT_WEIGHTING,
    *,
    trim: tuple[float, float] | None = DEFAULT_TRIM,
    path: Path | None = None,
) -> SatisfactionTable:
    """Weighted and unweighted estimates of `measure` per group of `by`, for `filter`'s answers.

    Answers are raked to the population of the filter's municipalities (the whole region when
    none is chosen) on `weighting`; pass () for unweighted figures only.
    """
    by, margins = _validated(by, measure, weighting, filter)
    cells = cell_sums(filter, tuple(dict.fromkeys((*margins, *by))), measure, path=path)
    weights, raking = _cell_weights(cells, filter, margins, trim)
    return _table(_weighted_sums(cells, weights), by, measure, margins if raking else (), raking)


def cell_sums(
    filter: InsightFilter, keys: Sequence[str], measure: str, *, path: Path | None = None
) -> pd.DataFrame:
    """The one scan of the extract: per combination of `keys`, respondents and sums."""
    where, params = filter.where()
    select = "".join(f"r.{COLUMNS[key]} AS {key}, " for key in keys)
    group = f"GROUP BY {', '.join(keys)}" if keys else ""
    sql = f"""
        SELECT {select} {_CELL_SUMS.format(v=f"r.{measure}")}
        FROM responses r
        WHERE r.{measure} IS NOT NULL AND {where}
        {group}
    """  # noqa: S608 (identifiers come from COLUMNS and MEASURES, values are parameters)
    con = extract.connect(path)
    try:
        cells = con.execute(sql, params).df()
    finally:
        con.close()
    return cells[cells["n"] > 0]


def respondent_counts(
    filter: InsightFilter, dimensions: Sequence[str], *, path: Path | None = None
) -> dict[str, dict[str, int]]:
    """Complete responses per category of each dimension ("" = not given), for coverage."""
    unknown = [d for d in dimensions if d not in COLUMNS]
    if unknown:
        raise ValueError(f"Unknown dimension: {', '.join(unknown)}.")
    where, params = filter.where()
    con = extract.connect(path)
    try:
        result: dict[str, dict[str, int]] = {}
        for dimension in dimensions:
            column = COLUMNS[dimension]
            rows = con.execute(
                f"SELECT coalesce(CAST({column} AS VARCHAR), ''), count(*) "  # noqa: S608
                f"FROM responses r WHERE {where} GROUP BY 1 ORDER BY 1",
                params,
            ).fetchall()
            result[dimension] = {str(category): int(count) for category, count in rows}
        return result
    finally:
        con.close()


def pandas_satisfaction(
    filter: InsightFilter,
    by: Sequence[str] = (),
    measure: str = "satisfaction",
    weighting: Sequence[str] = DEFAULT_WEIGHTING,
    *,
    trim: tuple[float, float] | None = DEFAULT_TRIM,
    frames: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    path: Path | None = None,
) -> SatisfactionTable:
    """`satisfaction` computed the straightforward way, for the benchmark and the tests only.

    `frames` = (responses, scores) as read by `read_frames`, so a benchmark can load once.
    weightipy caps weights from above only: with `trim` its upper bound is used as the cap.
    """
    by, margins = _validated(by, measure, weighting, filter)
    responses, scores = frames if frames is not None else read_frames(path)
    chosen = responses[_pandas_mask(responses, filter)]
    # Each respondent's value on the measure: the mean of their answers on it.
    values = scores[scores["measure"] == measure].groupby("response_id")["value"].mean()
    answers = chosen.merge(values.reset_index(), on="response_id")
    answers = answers.rename(columns={column: key for key, column in COLUMNS.items()})
    targets = population_targets(_codes(filter), margins) if margins else {}
    weighted = bool(margins and targets and len(answers))
    answers["weight"] = weightipy_weights(answers, margins, targets, trim) if weighted else 1.0
    value = answers["value"]
    unit = pd.DataFrame(
        {
            **{key: answers[key] for key in by},
            "n": 1,
            "weight": answers["weight"],
            "value_sum": value,
            "value_sq": value * value,
            "top_sum": (value >= 4).astype(float),
            "top_sq": (value >= 4).astype(float),
            "net_sum": (value >= 9).astype(float) - (value <= 6),
            "net_sq": (value >= 9).astype(float) + (value <= 6),
        }
    )
    # No convergence report on this path: it is only ever compared on its estimates.
    sums = _weighted_sums(unit, unit.pop("weight"))
    return _table(sums, by, measure, margins if weighted else (), None)


def read_frames(path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The extract's responses and scores tables as pandas frames (the pandas path's input)."""
    con = extract.connect(path)
    try:
        columns = ", ".join(extract.RESPONSE_COLUMNS)
        responses = con.execute(f"SELECT {columns} FROM responses").df()  # noqa: S608
        return responses, con.execute("SELECT * FROM scores").df()
    finally:
        con.close()


def _validated(
    by: Sequence[str], measure: str, weighting: Sequence[str], filter: InsightFilter
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    unknown = [key for key in by if key not in COLUMNS]
    if unknown:
        raise ValueError(f"Cannot group by {', '.join(unknown)}.")
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure {measure!r}.")
    wrong = [key for key in weighting if key not in WEIGHTING_DIMENSIONS]
    if wrong:
        raise ValueError(f"Cannot weight by {', '.join(wrong)}.")
    return tuple(dict.fromkeys(by)), weighting_margins(filter, weighting)


def _codes(filter: InsightFilter) -> list[str] | None:
    return None if filter.municipality_codes is None else list(filter.municipality_codes)


def _cell_weights(
    cells: pd.DataFrame,
    filter: InsightFilter,
    margins: tuple[str, ...],
    trim: tuple[float, float] | None,
) -> tuple[np.ndarray, RakingResult | None]:
    """A raking weight per fine cell (1 when unweighted), and the raking report."""
    ones = np.ones(len(cells))
    if not margins or cells.empty:
        return ones, None
    targets = population_targets(_codes(filter), margins)
    if not targets:
        return ones, None
    weighting_cells = cells.groupby(list(margins), dropna=False, sort=False)["n"].sum()
    frame = weighting_cells.reset_index()
    result = rake(
        {m: frame[m].fillna("").astype(str).to_numpy() for m in margins},
        targets,
        counts=frame["n"].to_numpy(dtype=float),
        trim=trim,
    )
    frame["weight"] = result.weights
    weights = cells[list(margins)].merge(frame, on=list(margins), how="left")["weight"]
    return weights.to_numpy(dtype=float), result


def _weighted_sums(cells: pd.DataFrame, weights: Any) -> pd.DataFrame:
    """Per fine cell: Σw, Σw² and, per variable, Σwy, Σwy², Σw²y, Σw²y² (w constant per cell)."""
    w = np.asarray(weights, dtype=float)
    sums = cells.copy()
    sums["sum_w"] = w * cells["n"]
    sums["sum_ww"] = w * w * cells["n"]
    for variable in _VARIABLES:
        sums[f"{variable}_w"] = w * cells[f"{variable}_sum"]
        sums[f"{variable}_wsq"] = w * cells[f"{variable}_sq"]
        sums[f"{variable}_ww"] = w * w * cells[f"{variable}_sum"]
        sums[f"{variable}_wwsq"] = w * w * cells[f"{variable}_sq"]
    return sums


def _table(
    sums: pd.DataFrame,
    by: tuple[str, ...],
    measure: str,
    margins: tuple[str, ...],
    raking: RakingResult | None,
) -> SatisfactionTable:
    numeric = [c for c in sums.columns if c not in COLUMNS]
    if by:
        grouped = sums.groupby(list(by), dropna=False, sort=True)[numeric].sum().reset_index()
    else:
        grouped = sums[numeric].sum().to_frame().T if len(sums) else sums[numeric].iloc[:0]
    rows = [_row(record, by, measure) for record in grouped.to_dict("records")]
    return SatisfactionTable(by, measure, margins, rows, raking)


def _row(record: dict[str, Any], by: tuple[str, ...], measure: str) -> SatisfactionRow:
    def estimate(
        variable: str,
        *,
        weighted: bool = True,
        percent: tuple[float, float] | None = None,
        proportion: bool = False,
    ) -> Estimate:
        if not weighted:  # weights of 1: Σw = Σw² = n, Σwy = Σw²y = Σy, Σwy² = Σw²y² = Σy²
            total, squares = record[f"{variable}_sum"], record[f"{variable}_sq"]
            sums = (record["n"], total, squares, record["n"], total, squares)
        else:
            sums = tuple(
                record[key]
                for key in ("sum_w", f"{variable}_w", f"{variable}_wsq", "sum_ww")
                + (f"{variable}_ww", f"{variable}_wwsq")
            )
        sum_w, sum_wy, sum_wyy, sum_ww, sum_wwy, sum_wwyy = (float(x) for x in sums)
        return Estimate.from_sums(
            sum_w,
            sum_wy,
            sum_wyy,
            sum_ww,
            float(record["n"]),
            sum_wwy=sum_wwy,
            sum_wwyy=sum_wwyy,
            scale=100.0 if percent else 1.0,
            bounds=percent,
            proportion=proportion,
        )

    recommendation = measure == "recommendation"
    return SatisfactionRow(
        group={key: _plain(record[key]) for key in by},
        n=int(record["n"]),
        weighted=estimate("value"),
        unweighted=estimate("value", weighted=False),
        csat=None if recommendation else estimate("top", percent=(0.0, 100.0), proportion=True),
        nps=estimate("net", percent=(-100.0, 100.0)) if recommendation else None,
    )


def _plain(value: Any) -> Any:
    """Python values for templates and exports: int ids, dates, None for missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return int(value) if float(value).is_integer() else float(value)
    return value


def _pandas_mask(responses: pd.DataFrame, filter: InsightFilter) -> pd.Series:
    mask = pd.Series(True, index=responses.index)
    for column, values in (
        ("municipality_code", filter.municipality_codes),
        ("service_id", filter.service_ids),
        ("channel", filter.channels),
        ("customer_type", filter.customer_types),
        ("survey_id", filter.survey_ids),
    ):
        if values is not None:
            mask &= responses[column].isin(list(values))
    if filter.organisation_ids is not None:
        ids = list(filter.organisation_ids)
        mask &= responses["organisation_id"].isin(ids) | responses["survey_organisation_id"].isin(
            ids
        )
    submitted = pd.to_datetime(responses["submitted"])
    if filter.date_from is not None:
        mask &= submitted >= pd.Timestamp(filter.date_from)
    if filter.date_to is not None:
        mask &= submitted <= pd.Timestamp(filter.date_to)
    return mask


def weightipy_weights(
    answers: pd.DataFrame,
    margins: tuple[str, ...],
    targets: dict[str, dict[str, float]],
    trim: tuple[float, float] | None,
) -> np.ndarray:
    """Unit-level raking with weightipy, targets made neutral for unknown categories."""
    import weightipy

    scheme: dict[str, dict[str, float]] = {}
    for margin in margins:
        shares = answers[margin].fillna("").astype(str).value_counts(normalize=True)
        population = {c: v for c, v in targets[margin].items() if c in shares.index and v > 0}
        unknown = shares[~shares.index.isin(list(population))]
        known_total = sum(population.values())
        scheme[margin] = {
            **{c: 100.0 * v / known_total * (1 - unknown.sum()) for c, v in population.items()},
            **{c: 100.0 * float(v) for c, v in unknown.items()},
        }
    frame = answers[list(margins)].fillna("").astype(str)
    rim = weightipy.scheme_from_dict(
        scheme, rim_params={"cap": trim[1] if trim else 0, "max_iterations": 1000}
    )
    weights = weightipy.weight(frame, rim).to_numpy(dtype=float)
    return weights / weights.mean()
