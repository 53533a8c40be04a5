"""Server-rendered SVG charts: bars with 95 % interval whiskers, trend lines with interval bands
and the Pohjois-Savo municipality tile grid.

Each chart is an image with a title and a description that says what it shows in words, and
carries its own table (the template puts it behind a <details> toggle, which works without
JavaScript). Colours are presentation attributes, never style="" (the CSP forbids inline
styles). A point without a value (suppressed, or no answers) is left out of the drawing and
shown as a dash in the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
BAR_HEIGHT = 26
LABEL_WIDTH = 200
MARGIN = 12
INK = "#1a1a1a"
GRID = "#8c8c8c"
PALETTE = ("#00347a", "#b04a00", "#2e7d32", "#6a1b9a", "#00695c")
BAND_OPACITY = "0.18"

# (row, column) of each municipality: a rough map of Pohjois-Savo, north at the top.
TILES: dict[str, tuple[int, int]] = {
    "263": (0, 0),  # Kiuruvesi
    "925": (0, 1),  # Vieremä
    "762": (0, 2),  # Sonkajärvi
    "140": (1, 1),  # Iisalmi
    "402": (1, 2),  # Lapinlahti
    "687": (1, 3),  # Rautavaara
    "239": (2, 0),  # Keitele
    "595": (2, 1),  # Pielavesi
    "749": (2, 2),  # Siilinjärvi
    "204": (2, 3),  # Kaavi
    "921": (3, 0),  # Vesanto
    "844": (3, 1),  # Tervo
    "297": (3, 2),  # Kuopio
    "857": (3, 3),  # Tuusniemi
    "686": (4, 0),  # Rautalampi
    "778": (4, 1),  # Suonenjoki
    "420": (4, 2),  # Leppävirta
    "171": (5, 1),  # Joroinen
    "915": (5, 2),  # Varkaus
}
TILE = 92


@dataclass(frozen=True)
class Point:
    """One group's estimate with its 95 % interval; value None when it may not be shown."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class Chart:
    """An accessible chart: the SVG, and the same figures as a table."""

    chart_id: str
    title: str
    description: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _number(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else number_format(value, decimals)


def _table_row(label: str, point: Point, decimals: int) -> list[str]:
    interval = (
        f"{_number(point.low, decimals)} – {_number(point.high, decimals)}"
        if point.value is not None and point.low is not None
        else "–"
    )
    n = "–" if point.n is None or point.value is None else str(point.n)
    return [label, _number(point.value, decimals), interval, n]


def _columns(value_label: str) -> list[str]:
    # xgettext:no-python-format
    interval = _("95 % interval")
    return [_("Group"), value_label, interval, _("Respondents")]


def _svg(chart_id: str, title: str, description: str, height: int, body: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="insight-chart" role="img" '
        'viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe(body),  # noqa: S308 - built from format_html pieces only
    )


def _scale(value: float, lower: float, upper: float, start: float, length: float) -> float:
    span = upper - lower or 1
    return start + (min(max(value, lower), upper) - lower) / span * length


def _describe(points: Sequence[Point], value_label: str, decimals: int) -> str:
    shown = [p for p in points if p.value is not None]
    if not shown:
        return _("No group has enough respondents to show.")
    if len(shown) == 1:
        return _(
            "%(label)s: %(group)s %(value)s; %(hidden)s groups hidden. The table below has "
            "every figure."
        ) % {
            "label": value_label,
            "group": shown[0].label,
            "value": _number(shown[0].value, decimals),
            "hidden": len(points) - 1,
        }
    best = max(shown, key=lambda p: p.value or 0)
    worst = min(shown, key=lambda p: p.value or 0)
    return _(
        "%(label)s per group: highest %(best)s (%(best_value)s), lowest %(worst)s "
        "(%(worst_value)s); %(hidden)s groups hidden. The table below has every figure."
    ) % {
        "label": value_label,
        "best": best.label,
        "best_value": _number(best.value, decimals),
        "worst": worst.label,
        "worst_value": _number(worst.value, decimals),
        "hidden": len(points) - len(shown),
    }


def bar_chart(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    *,
    value_label: str,
    bounds: tuple[float, float],
    decimals: int = 1,
) -> Chart:
    """Horizontal bars from bounds[0] with whiskers for the 95 % interval."""
    lower, upper = bounds
    height = MARGIN * 2 + BAR_HEIGHT * max(len(points), 1) + 20
    plot_start, plot_length = LABEL_WIDTH, WIDTH - LABEL_WIDTH - 60
    parts: list[str] = []
    for tick in _ticks(lower, upper):
        x = _scale(tick, lower, upper, plot_start, plot_length)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
                '<text x="{}" y="{}" fill="{}" font-size="11" text-anchor="middle">{}</text>',
                f"{x:.1f}",
                MARGIN,
                f"{x:.1f}",
                height - 20,
                GRID,
                f"{x:.1f}",
                height - 6,
                INK,
                _number(tick, 0 if float(tick).is_integer() else 1),
            )
        )
    for index, point in enumerate(points):
        y = MARGIN + index * BAR_HEIGHT
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-size="12" text-anchor="end">{}</text>',
                LABEL_WIDTH - 6,
                y + BAR_HEIGHT * 0.65,
                INK,
                point.label[:32],
            )
        )
        if point.value is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}" font-size="12">{}</text>',
                    plot_start + 4,
                    y + BAR_HEIGHT * 0.65,
                    INK,
                    _("hidden (fewer than 5)"),
                )
            )
            continue
        end = _scale(point.value, lower, upper, plot_start, plot_length)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="11">{}</text>',
                plot_start,
                y + 4,
                f"{max(end - plot_start, 1):.1f}",
                BAR_HEIGHT - 8,
                PALETTE[0],
                f"{WIDTH - 54:.1f}",
                y + BAR_HEIGHT * 0.65,
                INK,
                _number(point.value, decimals),
            )
        )
        if point.low is not None and point.high is not None:
            parts.append(_whisker(point, lower, upper, plot_start, plot_length, y))
    return Chart(
        chart_id=chart_id,
        title=title,
        description=_describe(points, value_label, decimals),
        svg=_svg(chart_id, title, _describe(points, value_label, decimals), height, "".join(parts)),
        columns=_columns(value_label),
        rows=[_table_row(point.label, point, decimals) for point in points],
    )


def _whisker(
    point: Point, lower: float, upper: float, start: float, length: float, y: float
) -> str:
    low = _scale(point.low or 0, lower, upper, start, length)
    high = _scale(point.high or 0, lower, upper, start, length)
    middle = y + BAR_HEIGHT / 2
    return format_html(
        '<path d="M{} {}H{}M{} {}V{}M{} {}V{}" stroke="{}" stroke-width="1.5" fill="none"/>',
        f"{low:.1f}",
        f"{middle:.1f}",
        f"{high:.1f}",
        f"{low:.1f}",
        f"{middle - 6:.1f}",
        f"{middle + 6:.1f}",
        f"{high:.1f}",
        f"{middle - 6:.1f}",
        f"{middle + 6:.1f}",
        INK,
    )


def _ticks(lower: float, upper: float) -> list[float]:
    span = upper - lower
    step = 1.0 if span <= 5 else 10.0 if span <= 50 else 25.0 if span <= 100 else 50.0
    tick, ticks = lower, []
    while tick <= upper + 1e-9:
        ticks.append(tick)
        tick += step
    return ticks


def trend_chart(
    chart_id: str,
    title: str,
    periods: Sequence[str],
    series: Mapping[str, Sequence[Point]],
    *,
    value_label: str,
    bounds: tuple[float, float],
    decimals: int = 1,
) -> Chart:
    """One line per series over the periods, with a shaded 95 % band; gaps where hidden."""
    lower, upper = bounds
    height = 260
    left, right, top, bottom = 48, WIDTH - 150, MARGIN, height - 36
    step = (right - left) / max(len(periods) - 1, 1)
    parts: list[str] = []
    for tick in _ticks(lower, upper):
        y = _scale(tick, lower, upper, bottom, top - bottom)
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="0.5"/>'
                '<text x="{}" y="{}" fill="{}" font-size="11" text-anchor="end">{}</text>',
                left,
                f"{y:.1f}",
                right,
                f"{y:.1f}",
                GRID,
                left - 6,
                f"{y + 4:.1f}",
                INK,
                _number(tick, 0 if float(tick).is_integer() else 1),
            )
        )
    for index, period in enumerate(periods):
        if len(periods) > 12 and index % max(len(periods) // 6, 1):
            continue
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-size="11" text-anchor="middle">{}</text>',
                f"{left + index * step:.1f}",
                height - 16,
                INK,
                period,
            )
        )
    rows: list[list[str]] = []
    for number, (name, points) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        by_period = {p.label: p for p in points}
        coordinates: list[tuple[float, float, float, float] | None] = []
        for index, period in enumerate(periods):
            point = by_period.get(period)
            x = left + index * step
            if point is None or point.value is None:
                coordinates.append(None)
                continue
            coordinates.append(
                (
                    x,
                    _scale(point.value, lower, upper, bottom, top - bottom),
                    _scale(
                        point.low if point.low is not None else point.value,
                        lower,
                        upper,
                        bottom,
                        top - bottom,
                    ),
                    _scale(
                        point.high if point.high is not None else point.value,
                        lower,
                        upper,
                        bottom,
                        top - bottom,
                    ),
                )
            )
        for run in _runs(coordinates):
            band = [f"{x:.1f},{hi:.1f}" for x, _y, _lo, hi in run] + [
                f"{x:.1f},{lo:.1f}" for x, _y, lo, _hi in reversed(run)
            ]
            parts.append(
                format_html(
                    '<polygon points="{}" fill="{}" fill-opacity="{}"/>'
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                    " ".join(band),
                    colour,
                    BAND_OPACITY,
                    " ".join(f"{x:.1f},{y:.1f}" for x, y, _lo, _hi in run),
                    colour,
                )
            )
            if len(run) == 1:  # a lone period has no band to draw: a whisker shows its interval
                x, _y, lo, hi = run[0]
                parts.append(
                    format_html(
                        '<path d="M{} {}V{}" stroke="{}" stroke-width="1.5"/>',
                        f"{x:.1f}",
                        f"{lo:.1f}",
                        f"{hi:.1f}",
                        colour,
                    )
                )
            parts.extend(
                format_html(
                    '<circle cx="{}" cy="{}" r="3" fill="{}"/>', f"{x:.1f}", f"{y:.1f}", colour
                )
                for x, y, _lo, _hi in run
            )
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="12">{}</text>',
                right + 12,
                top + number * 20,
                colour,
                right + 30,
                top + number * 20 + 11,
                INK,
                name[:18],
            )
        )
        rows.extend(
            _table_row(f"{name} · {period}", by_period.get(period, Point(period, None)), decimals)
            for period in periods
        )
    description = _(
        "%(label)s by period for %(count)s series, with 95 %% intervals as shaded bands. "
        "The table below has every figure."
    ) % {"label": value_label, "count": len(series)}
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        svg=_svg(chart_id, title, description, height, "".join(parts)),
        columns=_columns(value_label),
        rows=rows,
    )


def _runs(
    coordinates: Iterable[tuple[float, float, float, float] | None],
) -> list[list[tuple[float, float, float, float]]]:
    """Consecutive drawn points: a hidden period breaks the line rather than bridging it."""
    runs: list[list[tuple[float, float, float, float]]] = [[]]
    for coordinate in coordinates:
        if coordinate is None:
            runs.append([])
        else:
            runs[-1].append(coordinate)
    return [run for run in runs if run]


def tile_grid(
    chart_id: str,
    title: str,
    values: dict[str, Point],
    *,
    value_label: str,
    bounds: tuple[float, float],
    decimals: int = 1,
) -> Chart:
    """Pohjois-Savo's municipalities as tiles placed roughly as on a map, darker = higher.

    `values` maps municipality codes to points labelled with the municipality's name.
    """
    lower, upper = bounds
    rows = max(row for row, _column in TILES.values()) + 1
    height = rows * TILE + MARGIN * 2
    parts: list[str] = []
    for code, (row, column) in TILES.items():
        point = values.get(code)
        x, y = MARGIN + column * (TILE + 4), MARGIN + row * TILE
        if point is None or point.value is None:
            fill, ink, text = "#f2f2f2", INK, "–"
        else:
            share = (_scale(point.value, lower, upper, 0, 1)) if upper > lower else 0.5
            fill, ink = _shade(share)
            text = _number(point.value, decimals)
        name = point.label if point else code
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" stroke="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="11" text-anchor="middle">{}</text>'
                '<text x="{}" y="{}" fill="{}" font-size="15" font-weight="bold" '
                'text-anchor="middle">{}</text>',
                x,
                y,
                TILE,
                TILE - 4,
                fill,
                GRID,
                x + TILE / 2,
                y + 30,
                ink,
                name[:13],
                x + TILE / 2,
                y + 58,
                ink,
                text,
            )
        )
    description = (
        _describe(list(values.values()), value_label, decimals)
        if values
        else _("No municipality has enough respondents to show.")
    )
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        svg=_svg(chart_id, title, description, height, "".join(parts)),
        columns=_columns(value_label),
        rows=[
            _table_row(point.label, point, decimals)
            for point in sorted(values.values(), key=lambda p: p.label)
        ],
    )


def _shade(share: float) -> tuple[str, str]:
    """A blue from light to dark, with text that keeps its contrast on it."""
    light, dark = (222, 235, 247), (0, 52, 122)
    rgb = tuple(round(a + (b - a) * share) for a, b in zip(light, dark, strict=True))
    ink = "#ffffff" if share > 0.45 else INK
    return "#{:02x}{:02x}{:02x}".format(*rgb), ink


def pyramid(
    chart_id: str, title: str, bands: Sequence[tuple[str, int, int]], *, left: str, right: str
) -> Chart:
    """A population pyramid: per age band (youngest at the bottom) women left, men right."""
    largest = max((max(women, men) for _band, women, men in bands), default=0) or 1
    height = MARGIN * 2 + BAR_HEIGHT * max(len(bands), 1) + 20
    middle, half = WIDTH / 2, WIDTH / 2 - 90
    parts: list[str] = [
        format_html(
            '<text x="{}" y="{}" fill="{}" font-size="12" text-anchor="middle">{}</text>'
            '<text x="{}" y="{}" fill="{}" font-size="12" text-anchor="middle">{}</text>',
            middle - half / 2,
            height - 6,
            INK,
            left,
            middle + half / 2,
            height - 6,
            INK,
            right,
        )
    ]
    for index, (band, women, men) in enumerate(reversed(bands)):
        y = MARGIN + index * BAR_HEIGHT
        women_width, men_width = women / largest * (half - 30), men / largest * (half - 30)
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" fill="{}" font-size="11" text-anchor="middle">{}</text>',
                f"{middle - 30 - women_width:.1f}",
                y + 4,
                f"{women_width:.1f}",
                BAR_HEIGHT - 8,
                PALETTE[1],
                f"{middle + 30:.1f}",
                y + 4,
                f"{men_width:.1f}",
                BAR_HEIGHT - 8,
                PALETTE[0],
                middle,
                y + BAR_HEIGHT * 0.65,
                INK,
                band,
            )
        )
    total = sum(women + men for _band, women, men in bands)
    description = _(
        "Population by age band: %(left)s on the left, %(right)s on the right, %(total)s in "
        "all. The table below has every figure."
    ) % {"left": left, "right": right, "total": number_format(total, 0, force_grouping=True)}
    return Chart(
        chart_id=chart_id,
        title=title,
        description=description,
        svg=_svg(chart_id, title, description, height, "".join(parts)),
        columns=[_("Age band"), left, right],
        rows=[
            [
                band,
                number_format(w, 0, force_grouping=True),
                number_format(m, 0, force_grouping=True),
            ]
            for band, w, m in bands
        ],
    )
