"""The region or municipality report (the seeds' tietopaketti): one page to print or a PDF.

It gathers the population pyramid, who answered compared with the population, weighted
satisfaction by service and by channel, and case handling, for the whole region or one
municipality. The figures are the dashboard's, suppressed the same way; the PDF has the same
tables as the HTML page (its charts are the page's; the PDF carries their tables).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from luukku.areas.demographics import AGE_BANDS, Sex
from luukku.areas.models import Area, PopulationGroup
from luukku.cases.metrics import CaseMetrics
from luukku.core import audit
from luukku.core.models import AuditEvent

from . import charts, selectors
from .forms import InsightFilterForm
from .selectors import CoveragePage, Dashboard, Row

REGION_NAME = "Pohjois-Savo"


@dataclass(frozen=True)
class Report:
    area_name: str
    municipality_code: str | None
    population_year: int | None
    pyramid: charts.Chart | None
    coverage: CoveragePage
    by_service: Dashboard
    by_channel: Dashboard
    by_municipality: Dashboard | None  # the region's report only: the municipality grid
    cases: list[CaseMetrics]
    period: tuple[date | None, date | None]
    generated: date


def build(form: InsightFilterForm) -> Report:
    """The report for the form's filter (its municipality, or the whole region)."""
    insight_filter = form.insight_filter()
    codes = insight_filter.municipality_codes
    area = (
        Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code=codes[0]).first()
        if codes
        else None
    )
    area_name = area.name() if area else REGION_NAME
    year, pyramid = _pyramid(codes, area_name)
    date_from, date_to = form.period()

    def by(dimension: str, title: str) -> Dashboard:
        return selectors.dashboard(
            insight_filter,
            by=(dimension,),
            measure="satisfaction",
            weighting=("age_band", "sex"),
            chart_title=title,
        )

    return Report(
        area_name=area_name,
        municipality_code=area.code if area else None,
        population_year=year,
        pyramid=pyramid,
        coverage=selectors.coverage_page(insight_filter),
        by_service=by("service", _("Satisfaction by service")),
        by_channel=by("channel", _("Satisfaction by channel")),
        by_municipality=None if area else by("municipality", _("Satisfaction by municipality")),
        cases=selectors.case_figures(
            by="service",
            date_from=date_from,
            date_to=date_to,
            scope_ids=insight_filter.organisation_ids,
        )[:15],
        period=(date_from, date_to),
        generated=timezone.localdate(),
    )


def _pyramid(codes: Any, area_name: str) -> tuple[int | None, charts.Chart | None]:
    groups = PopulationGroup.objects.filter(municipality__area_type=Area.Type.MUNICIPALITY)
    if codes:
        groups = groups.filter(municipality__code__in=codes)
    year = groups.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return None, None
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for band, sex, count in groups.filter(year=year).values_list("age_band", "sex", "population"):
        totals[(band, sex)] += count
    bands = [
        (band, totals[(band, Sex.FEMALE)], totals[(band, Sex.MALE)])
        for band in AGE_BANDS
        if totals[(band, Sex.FEMALE)] or totals[(band, Sex.MALE)]
    ]
    title = _("Population of %(area)s by age and sex, %(year)s") % {
        "area": area_name,
        "year": year,
    }
    return year, charts.pyramid("chart-pyramid", title, bands, left=_("Women"), right=_("Men"))


def filename(report: Report) -> str:
    area = report.municipality_code or "region"
    return f"insights-report-{area}-{report.generated:%Y%m%d}.pdf"


# -- PDF ----------------------------------------------------------------------------------------


def _figure(row: Row, decimals: int = 2) -> str:
    estimate = row.weighted
    if not row.shown or estimate.value is None:
        return _("hidden")
    text = number_format(estimate.value, decimals)
    if estimate.low is not None and estimate.high is not None:
        text += (
            f" ({number_format(estimate.low, decimals)}–{number_format(estimate.high, decimals)})"
        )
    return text


def _satisfaction_table(dashboard: Dashboard, heading: str) -> list[list[str]]:
    # xgettext:no-python-format
    weighted = _("Weighted mean (95 % interval)")
    rows = [[heading, _("Answers"), weighted, _("Unweighted mean")]]
    for row in dashboard.rows:
        unweighted = row.unweighted.value
        rows.append(
            [
                row.labels[0],
                str(row.n) if row.shown else "–",
                _figure(row),
                number_format(unweighted, 2) if row.shown and unweighted is not None else "–",
            ]
        )
    return rows


def _table(data: list[list[str]], widths: list[float] | None = None) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef2f7")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def to_pdf(report: Report, *, actor: Any, request: HttpRequest | None = None) -> bytes:
    """The report as an A4 PDF; audit-logged like every export."""
    styles = getSampleStyleSheet()
    story: list[Any] = [
        Paragraph(
            _("Customer insight report: %(area)s") % {"area": report.area_name}, styles["Title"]
        ),
        Paragraph(
            _("Prepared %(date)s. Groups with fewer than 5 answers are hidden.")
            % {"date": report.generated.isoformat()},
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    if report.pyramid is not None:
        story += [
            Paragraph(report.pyramid.title, styles["Heading2"]),
            _table([report.pyramid.columns, *report.pyramid.rows]),
            Spacer(1, 4 * mm),
        ]
    story.append(Paragraph(_("Who answered"), styles["Heading2"]))
    story += [Paragraph(str(warning), styles["Normal"]) for warning in report.coverage.warnings]
    story += [
        _table(
            [
                [_("Group"), _("Share of population %"), _("Share of respondents %")],
                *[
                    [group.label, group.population_share, group.respondent_share]
                    for group in report.coverage.groups
                ],
            ]
        ),
        Spacer(1, 4 * mm),
    ]
    for heading, dashboard, column in (
        (_("Satisfaction by service"), report.by_service, _("Service")),
        (_("Satisfaction by channel"), report.by_channel, _("Channel")),
    ):
        story.append(Paragraph(heading, styles["Heading2"]))
        if dashboard.rows:
            story.append(
                _table(_satisfaction_table(dashboard, column), [70 * mm, 20 * mm, 55 * mm, 30 * mm])
            )
        else:
            story.append(Paragraph(_("No answers."), styles["Normal"]))
        story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_("Case handling"), styles["Heading2"]))
    story.append(
        _table(
            [
                [
                    _("Service"),
                    _("Cases closed"),
                    _("Median hours"),
                    _("First contact %"),
                    _("SLA breaches"),
                ],
                *[
                    [
                        row.label,
                        str(row.cases_closed),
                        number_format(row.median_hours_to_resolution or 0, 1),
                        number_format(row.first_contact_resolution_percent or 0, 0),
                        str(row.sla_breaches),
                    ]
                    for row in report.cases
                ],
            ]
        )
        if report.cases
        else Paragraph(_("No closed or late cases in this period."), styles["Normal"])
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Customer insight report: %(area)s") % {"area": report.area_name},
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    ).build(story)
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=actor,
        request=request,
        purpose="insights report PDF",
        details={"area": report.municipality_code or "region"},
    )
    return buffer.getvalue()
