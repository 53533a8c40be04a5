"""What the insight pages and exports show: the query results with their labels, suppressed.

Pages and exports both read their tables from here, so a figure hidden on the page is hidden in
the file too (suppression.suppress on the respondent counts of the very table shown).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.areas.demographics import AgeBand, CustomerType, Sex
from luukku.areas.models import Area
from luukku.cases.metrics import CaseMetrics, Dimension, case_metrics
from luukku.catalogue.models import Service
from luukku.organisations.models import Organisation
from luukku.surveys.models import Channel
from luukku.surveys.results import MIN_GROUP_SIZE

from . import charts, extract, themes
from .estimates import Estimate
from .queries import InsightFilter, SatisfactionTable, respondent_counts, satisfaction
from .representativeness import CoverageRow, coverage
from .suppression import Suppression, suppress
from .weighting import RakingResult, population_targets

BOUNDS = {"satisfaction": (1.0, 5.0), "effort": (1.0, 5.0), "recommendation": (-100.0, 100.0)}


@dataclass(frozen=True)
class Row:
    """One group of the table; `shown` False means every figure but the labels is hidden."""

    labels: tuple[str, ...]
    shown: bool
    n: int
    weighted: Estimate
    unweighted: Estimate
    csat: Estimate | None
    nps: Estimate | None

    def headline(self, measure: str) -> Estimate | None:
        """The figure charts draw: NPS for recommendation, the weighted mean otherwise."""
        return self.nps if measure == "recommendation" else self.weighted


@dataclass(frozen=True)
class Dashboard:
    by: tuple[str, ...]
    measure: str
    weighting: tuple[str, ...]
    rows: list[Row]
    total: Row | None
    raking: RakingResult | None
    chart: charts.Chart | None
    tiles: charts.Chart | None

    @property
    def hidden_count(self) -> int:
        return sum(not row.shown for row in self.rows)


def labeller(dimension: str, values: Iterable[Any] | None = None) -> Callable[[Any], str]:
    """A function from a group value to its label in the active language.

    `values` limits the services and organisations read to those that will be labelled.
    """
    names: dict[Any, str] = {}
    wanted = None if values is None else [v for v in values if v not in (None, "")]
    if dimension == "service":
        services = Service.objects.prefetch_related("texts")
        if wanted is not None:
            services = services.filter(pk__in=wanted)
        names = {s.pk: s.name() for s in services}
    elif dimension == "organisation":
        organisations = Organisation.objects.all()
        if wanted is not None:
            organisations = organisations.filter(pk__in=wanted)
        names = {o.pk: o.name() for o in organisations}
    elif dimension == "municipality":
        names = {a.code: a.name() for a in Area.objects.filter(area_type=Area.Type.MUNICIPALITY)}
    else:
        choices = {"channel": Channel, "customer_type": CustomerType, "age_band": AgeBand}
        if dimension in choices:
            names = {value: str(label) for value, label in choices[dimension].choices}
        elif dimension == "sex":
            names = {value: str(label) for value, label in Sex.choices}

    def label(value: Any) -> str:
        if value is None or value == "":
            return _("not known")
        if dimension == "month" and isinstance(value, date | datetime):
            return f"{value:%Y-%m}"
        return names.get(value, str(value))

    return label


def _row(labels: tuple[str, ...], table_row: Any, shown: bool) -> Row:
    return Row(
        labels=labels,
        shown=shown,
        n=table_row.n,
        weighted=table_row.weighted,
        unweighted=table_row.unweighted,
        csat=table_row.csat,
        nps=table_row.nps,
    )


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def suppressed_rows(table: SatisfactionTable) -> tuple[list[Row], Suppression]:
    """The table's rows with their labels, small cells and their complements hidden."""
    label_of = {
        dimension: labeller(dimension, {row.group[dimension] for row in table.rows})
        for dimension in table.by
    }
    counts = {tuple(_key(row.group[d]) for d in table.by): row.n for row in table.rows if table.by}
    hidden = suppress(counts)
    rows = [
        _row(
            tuple(label_of[d](row.group[d]) for d in table.by),
            row,
            hidden.shows(tuple(_key(row.group[d]) for d in table.by)),
        )
        for row in table.rows
    ]
    return rows, hidden


def dashboard(
    insight_filter: InsightFilter,
    *,
    by: tuple[str, ...],
    measure: str,
    weighting: tuple[str, ...],
    chart_title: str,
) -> Dashboard:
    table = satisfaction(insight_filter, by=by, measure=measure, weighting=weighting)
    rows, hidden = suppressed_rows(table)
    overall = satisfaction(insight_filter, by=(), measure=measure, weighting=weighting)
    total = (
        _row(
            (_("All"),),
            overall.rows[0],
            not hidden.total_hidden and overall.rows[0].n >= MIN_GROUP_SIZE,
        )
        if overall.rows
        else None
    )
    chart, tiles = _charts(table, rows, measure, chart_title)
    return Dashboard(
        by=table.by,
        measure=measure,
        weighting=table.weighting,
        rows=rows,
        total=total,
        raking=table.raking,
        chart=chart,
        tiles=tiles,
    )


def _point(label: str, row: Row, measure: str) -> charts.Point:
    estimate = row.headline(measure)
    if not row.shown or estimate is None:
        return charts.Point(label, None)
    return charts.Point(label, estimate.value, estimate.low, estimate.high, row.n)


def _charts(
    table: SatisfactionTable, rows: list[Row], measure: str, title: str
) -> tuple[charts.Chart | None, charts.Chart | None]:
    if not rows:
        return None, None
    bounds = BOUNDS[measure]
    value_label = _("NPS") if measure == "recommendation" else _("Weighted mean")
    by = table.by
    tiles = None
    if by == ("municipality",):
        tiles = charts.tile_grid(
            "chart-map",
            title,
            {
                _key(source.group["municipality"]): _point(row.labels[0], row, measure)
                for source, row in zip(table.rows, rows, strict=True)
            },
            value_label=value_label,
            bounds=bounds,
        )
    if "month" in by:
        month = by.index("month")
        periods = list(dict.fromkeys(row.labels[month] for row in rows))
        periods.sort()
        series: dict[str, list[charts.Point]] = {}
        for row in rows:
            name = row.labels[1 - month] if len(by) == 2 else _("All")
            series.setdefault(name, []).append(_point(row.labels[month], row, measure))
        chart = charts.trend_chart(
            "chart-trend", title, periods, series, value_label=value_label, bounds=bounds
        )
        return chart, tiles
    points = [_point(" · ".join(row.labels), row, measure) for row in rows]
    chart = charts.bar_chart("chart-bars", title, points, value_label=value_label, bounds=bounds)
    return chart, tiles


def period_bounds(
    date_from: date | None, date_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """The case-metrics window matching the filter's dates (the end date included)."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(date_from, time.min, tzinfo=zone) if date_from else None
    until = datetime.combine(date_to, time.max, tzinfo=zone) if date_to else None
    return since, until


def case_figures(
    *,
    by: str,
    date_from: date | None,
    date_to: date | None,
    scope_ids: Sequence[int] | None,
    service_ids: Iterable[int] | None = None,
) -> list[CaseMetrics]:
    """Case metrics for the same period and organisations, by service or organisation."""
    since, until = period_bounds(date_from, date_to)
    dimension = "organisation" if by == "organisation" else "service"
    rows = case_metrics(by=cast(Dimension, dimension), since=since, until=until, units=scope_ids)
    if dimension == "service" and service_ids is not None:
        wanted = set(service_ids)
        rows = [row for row in rows if row.key in wanted]
    return rows


# -- representativeness -------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageGroup:
    """One category of a background dimension beside its population share (in %)."""

    dimension: str
    label: str
    population_share: str
    respondent_share: str
    respondents: int | None  # None when hidden (fewer than 5, or would reveal such a group)
    inclusion_rate: str  # respondents per 1,000 inhabitants


@dataclass(frozen=True)
class MarginLine:
    """One raking margin category: what the weights aimed at and reached (in %)."""

    dimension: str
    label: str
    target_share: str
    sample_share: str  # "–" when the group is hidden
    weighted_share: str


@dataclass(frozen=True)
class DimensionSummary:
    dimension: str
    dissimilarity: float | None
    inclusion_cv: float | None


@dataclass(frozen=True)
class CoveragePage:
    area_name: str
    respondents: int
    groups: list[CoverageGroup]
    dimensions: list[DimensionSummary]
    r_indicator: float | None
    warnings: list[str]
    raking: RakingResult | None
    margins: list[MarginLine]
    overall: Row | None


COVERAGE_DIMENSIONS = ("age_band", "sex")
REGION_NAME = "Pohjois-Savo"
DIMENSION_NAMES = {
    "age_band": _("Age band"),
    "sex": _("Sex"),
    "municipality": _("Municipality"),
}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def coverage_page(insight_filter: InsightFilter) -> CoveragePage:
    """Respondents beside the population, the weighting's report and the plain warnings.

    Respondent counts and shares of groups under MIN_GROUP_SIZE (and their complements) are
    hidden like every other table; a warning about a hidden group says "fewer than 5".
    """
    codes = list(insight_filter.municipality_codes or []) or None
    dimensions = COVERAGE_DIMENSIONS + (("municipality",) if not codes or len(codes) > 1 else ())
    area_name = REGION_NAME
    if codes and len(codes) == 1:
        area = Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code=codes[0]).first()
        area_name = area.name() if area else codes[0]
    counts = respondent_counts(insight_filter, dimensions)
    population = population_targets(codes, dimensions)
    label_of = {d: labeller(d) for d in dimensions}
    labels = {d: {c: label_of[d](c) for c in population.get(d, {})} for d in dimensions}
    report = coverage(counts, population, area_name=area_name, labels=labels)
    hidden = {
        d: suppress({(category,): n for category, n in counts.get(d, {}).items()})
        for d in dimensions
    }
    groups = [
        _coverage_group(row, hidden[covered.dimension].shows((row.category,)))
        for covered in report.dimensions
        for row in covered.rows
    ]
    table = satisfaction(
        insight_filter, by=(), measure="satisfaction", weighting=COVERAGE_DIMENSIONS
    )
    overall = table.rows[0] if table.rows else None
    return CoveragePage(
        area_name=area_name,
        respondents=sum(counts.get(dimensions[0], {}).values()),
        groups=groups,
        dimensions=[
            DimensionSummary(
                dimension=str(DIMENSION_NAMES.get(covered.dimension, covered.dimension)),
                dissimilarity=covered.dissimilarity,
                inclusion_cv=covered.inclusion_rate_cv,
            )
            for covered in report.dimensions
        ],
        r_indicator=next(
            (c.r_indicator for c in report.dimensions if c.r_indicator is not None), None
        ),
        warnings=[
            warning.message
            if hidden[warning.dimension].shows((warning.category,))
            else _(
                "%(group)s are %(pop)s %% of %(area)s's population, but fewer than 5 of its "
                "respondents."
            )
            % {
                "group": labels[warning.dimension].get(warning.category, warning.category),
                "pop": f"{100 * warning.population_share:.0f}",
                "area": area_name,
            }
            for warning in report.warnings
        ],
        raking=table.raking,
        margins=_margin_lines(table.raking, hidden, label_of),
        overall=_row((_("All"),), overall, overall.n >= MIN_GROUP_SIZE) if overall else None,
    )


def _margin_lines(
    raking: RakingResult | None,
    hidden: dict[str, Suppression],
    label_of: dict[str, Callable[[Any], str]],
) -> list[MarginLine]:
    if raking is None:
        return []
    lines = []
    for dimension, rows in raking.margins.items():
        suppression = hidden.get(dimension)
        label = label_of.get(dimension) or labeller(dimension)
        for row in rows:
            shown = suppression is None or suppression.shows((row.category,))
            lines.append(
                MarginLine(
                    dimension=str(DIMENSION_NAMES.get(dimension, dimension)),
                    label=label(row.category),
                    target_share=_percent(row.target_share),
                    sample_share=_percent(row.sample_share) if shown else "–",
                    weighted_share=_percent(row.weighted_share),
                )
            )
    return lines


def _coverage_group(row: CoverageRow, shown: bool) -> CoverageGroup:
    return CoverageGroup(
        dimension=str(DIMENSION_NAMES.get(row.dimension, row.dimension)),
        label=row.label,
        population_share=_percent(row.population_share),
        respondent_share=_percent(row.respondent_share) if shown else "–",
        respondents=row.respondents if shown else None,
        inclusion_rate=f"{row.inclusion_rate:.2f}" if shown else "–",
    )


# Themes: the last year of open answers, the last 28 days compared with the months before.
THEME_YEAR_DAYS = 365
THEME_RECENT_DAYS = 28


def theme_analysis(
    filter: InsightFilter, *, today: date | None = None
) -> tuple[themes.ThemeAnalysis, date, date]:
    """What the open answers in `filter` talk about, and which themes are new lately.

    The filter's dates bound the period (the last year by default); the texts were scrubbed of
    personal data when the extract was written. FileNotFoundError before the first extract.
    """
    until = filter.date_to or today or timezone.localdate()
    since = filter.date_from or until - timedelta(days=THEME_YEAR_DAYS)
    where, params = filter.where()
    con = extract.connect()
    try:
        records = themes.texts_from_extract(con, since, until, where, params)
    finally:
        con.close()
    recent_from = until - timedelta(days=THEME_RECENT_DAYS)
    return themes.find_themes(records, recent_from=recent_from), since, until
