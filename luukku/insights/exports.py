"""The dashboard's table as CSV or XLSX: the same rows and the same hidden cells as the page.

A hidden group keeps its labels and says "hidden"; none of its figures leave the server. Every
export is audit-logged with its filter. The file writers (UTF-8 CSV with a byte-order mark,
formula-safe cells) are the survey exports'.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.core import audit
from luukku.core.models import AuditEvent
from luukku.surveys.exports import FORMATS, Cell, Export, to_csv, to_xlsx

from .estimates import Estimate
from .queries import InsightFilter, satisfaction
from .selectors import Row, suppressed_rows

__all__ = ["FORMATS", "export_dashboard", "table_rows"]


def _figures(estimate: Estimate | None, shown: bool) -> list[Cell]:
    if not shown or estimate is None or estimate.value is None:
        return [None, None, None]
    return [
        _round(estimate.value),
        _round(estimate.low),
        _round(estimate.high),
    ]


def _round(value: float | None) -> Cell:
    return None if value is None else f"{value:.2f}"


def table_rows(
    by: tuple[str, ...], measure: str, rows: list[Row]
) -> tuple[list[str], list[list[Cell]]]:
    """The header and rows of the exported table."""
    figures = ["weighted", "weighted_low", "weighted_high"]
    figures += ["unweighted", "unweighted_low", "unweighted_high"]
    figures += (
        ["nps", "nps_low", "nps_high"]
        if measure == "recommendation"
        else ["csat_percent", "csat_low", "csat_high"]
    )
    header = [*by, "respondents", *figures, "note"]
    body: list[list[Cell]] = []
    for row in rows:
        extra = row.nps if measure == "recommendation" else row.csat
        body.append(
            [
                *row.labels,
                row.n if row.shown else None,
                *_figures(row.weighted, row.shown),
                *_figures(row.unweighted, row.shown),
                *_figures(extra, row.shown),
                "" if row.shown else _("hidden: fewer than 5 respondents, or reveals such a group"),
            ]
        )
    return header, body


def export_dashboard(
    insight_filter: InsightFilter,
    *,
    by: tuple[str, ...],
    measure: str,
    weighting: tuple[str, ...],
    file_format: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> Export:
    """The dashboard table as a file, suppressed as on the page; always audit-logged."""
    table = satisfaction(insight_filter, by=by, measure=measure, weighting=weighting)
    rows = suppressed_rows(table)[0]
    header, body = table_rows(table.by, measure, rows)
    name = f"insights-{measure}-{'-'.join(by)}-{timezone.localdate():%Y%m%d}"
    content = to_csv(header, body) if file_format == "csv" else to_xlsx(header, body, measure)
    audit.record(
        action=AuditEvent.Action.EXPORT,
        actor=actor,
        request=request,
        purpose="insights dashboard export",
        details={
            "format": file_format,
            "by": list(by),
            "measure": measure,
            "weighting": list(weighting),
            "rows": len(body),
            "filter": {k: str(v) for k, v in asdict(insight_filter).items() if v is not None},
        },
    )
    return Export(f"{name}.{file_format}", FORMATS[file_format], content, len(body))
