"""The quota report (sortition.quota_report's JSON) for people: labels, bars and sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from luukku.areas.demographics import AgeBand, Sex
from luukku.areas.models import Area

# Bars are drawn with width classes in 5 % steps (panels.css): no inline styles under the CSP.
BAR_STEP = 5


@dataclass
class Row:
    label: str
    population_share: float | None
    quota: int | None
    selected: int
    pool: int
    status: str
    quota_bar: int
    selected_bar: int


@dataclass
class Dimension:
    key: str
    title: str
    deviation: int
    rows: list[Row]


@dataclass
class ReportView:
    total_deviation: int
    size: int
    selected: int
    pool: int
    dimensions: list[Dimension]
    notes: list[str] = field(default_factory=list)


def dimension_title(key: str) -> str:
    return {"municipality": _("Municipality"), "age_band": _("Age band"), "sex": _("Sex")}[key]


def value_label(dimension: str, value: str, areas: dict[str, str]) -> str:
    if dimension == "municipality":
        return areas.get(value, value)
    choices = AgeBand if dimension == "age_band" else Sex
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _bar(count: int | None, size: int) -> int:
    if not count or size <= 0:
        return 0
    percent = min(100, round(count * 100 / size / BAR_STEP) * BAR_STEP)
    return max(BAR_STEP, percent)


def _note(dimension: str, label: str, row: dict[str, Any]) -> str | None:
    values = {
        "dimension": dimension_title(dimension),
        "value": label,
        "quota": row["quota"],
        "selected": row["selected"],
        "pool": row["pool"],
    }
    if row.get("status") == "pool_short":
        if dimension == "municipality":
            text = ngettext(
                "Quota %(quota)s, but only %(pool)s volunteer from %(value)s; "
                "%(selected)s selected.",
                "Quota %(quota)s, but only %(pool)s volunteers from %(value)s; "
                "%(selected)s selected.",
                row["pool"],
            )
        elif dimension == "age_band":
            text = ngettext(
                "Quota %(quota)s, but only %(pool)s volunteer aged %(value)s; "
                "%(selected)s selected.",
                "Quota %(quota)s, but only %(pool)s volunteers aged %(value)s; "
                "%(selected)s selected.",
                row["pool"],
            )
        else:
            text = ngettext(
                "Quota %(quota)s, but only %(pool)s volunteer answered “%(value)s”; "
                "%(selected)s selected.",
                "Quota %(quota)s, but only %(pool)s volunteers answered “%(value)s”; "
                "%(selected)s selected.",
                row["pool"],
            )
        return text % values
    if row.get("status") == "unmet":
        return (
            _(
                "%(dimension)s %(value)s: %(selected)s selected, quota %(quota)s. There were "
                "enough volunteers, but meeting the other quotas left this group short."
            )
            % values
        )
    if row.get("status") == "over":
        return (
            _(
                "%(dimension)s %(value)s: %(selected)s selected, quota %(quota)s: over the "
                "quota, because other groups had too few volunteers."
            )
            % values
        )
    return None


def describe(report: dict[str, Any]) -> ReportView:
    """Everything the report page and its table show, in the current language."""
    codes = [
        row["value"]
        for d in report["dimensions"]
        if d["dimension"] == "municipality"
        for row in d["rows"]
    ]
    areas = {
        area.code: area.name()
        for area in Area.objects.filter(area_type=Area.Type.MUNICIPALITY, code__in=codes)
    }
    size = report["size"]
    view = ReportView(
        total_deviation=report["total_deviation"],
        size=size,
        selected=report["selected"],
        pool=report["pool"],
        dimensions=[],
    )
    for dimension in report["dimensions"]:
        key = dimension["dimension"]
        rows = []
        for row in dimension["rows"]:
            label = value_label(key, row["value"], areas)
            rows.append(
                Row(
                    label=label,
                    population_share=row["population_share"],
                    quota=row["quota"],
                    selected=row["selected"],
                    pool=row["pool"],
                    status=row.get("status", "uncounted"),
                    quota_bar=_bar(row["quota"], size),
                    selected_bar=_bar(row["selected"], size),
                )
            )
            note = _note(key, label, row)
            if note:
                view.notes.append(note)
        if key == "sex" and dimension["uncounted_selected"]:
            view.notes.append(
                ngettext(
                    "%(count)s member answered “other” as their sex. The population figures have "
                    "only men and women, so this member counts toward no sex quota and can take "
                    "any seat without adding to the deviation.",
                    "%(count)s members answered “other” as their sex. The population figures "
                    "have only men and women, so these members count toward no sex quota and can "
                    "take any seat without adding to the deviation.",
                    dimension["uncounted_selected"],
                )
                % {"count": dimension["uncounted_selected"]}
            )
        view.dimensions.append(
            Dimension(
                key=key, title=dimension_title(key), deviation=dimension["deviation"], rows=rows
            )
        )
    return view
