"""Charts say what they show in words and carry the same figures as a table."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from luukku.insights.charts import TILES, Point, bar_chart, tile_grid, trend_chart


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_finnish_pages_get_decimal_commas() -> None:
    with translation.override("fi"):
        chart = bar_chart("f", "T", [Point("K", 4.3, 4.0, 4.5, 9)], value_label="M", bounds=(1, 5))
    assert chart.rows[0] == ["K", "4,3", "4,0 – 4,5", "9"]


def test_a_bar_chart_has_a_title_a_description_and_a_table_row_per_group() -> None:
    chart = bar_chart(
        "sat",
        "Satisfaction by service",
        [Point("Kirjasto", 4.2, 4.0, 4.4, 120), Point("Uimahalli", None)],
        value_label="Mean",
        bounds=(1, 5),
    )
    assert '<title id="sat-title">Satisfaction by service</title>' in chart.svg
    assert 'aria-labelledby="sat-title sat-desc"' in chart.svg
    assert "Mean: Kirjasto 4.2" in chart.description
    assert "1 groups hidden" in chart.description
    assert chart.rows == [["Kirjasto", "4.2", "4.0 – 4.4", "120"], ["Uimahalli", "–", "–", "–"]]


def test_a_label_cannot_inject_markup_into_the_svg() -> None:
    chart = bar_chart(
        "x", "T", [Point("<script>x</script>", 3.0, 2.5, 3.5, 10)], value_label="M", bounds=(1, 5)
    )
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg


def test_a_hidden_month_breaks_the_trend_line_rather_than_bridging_it() -> None:
    months = ["2026-01", "2026-02", "2026-03", "2026-04"]
    points = [
        Point("2026-01", 4.0, 3.8, 4.2, 50),
        Point("2026-02", 4.1, 3.9, 4.3, 50),
        Point("2026-03", None),
        Point("2026-04", 3.9, 3.7, 4.1, 50),
    ]
    chart = trend_chart("t", "Trend", months, {"All": points}, value_label="M", bounds=(1, 5))
    assert chart.svg.count("<polyline") == 2
    assert ["All · 2026-03", "–", "–", "–"] in chart.rows


def test_the_tile_grid_draws_every_municipality_of_the_region() -> None:
    chart = tile_grid(
        "map",
        "By municipality",
        {"297": Point("Kuopio", 4.1, 4.0, 4.2, 300)},
        value_label="M",
        bounds=(1, 5),
    )
    assert chart.svg.count("<rect") == len(TILES) == 19
    assert ">Kuopio<" in chart.svg
    assert chart.rows == [["Kuopio", "4.1", "4.0 – 4.2", "300"]]
