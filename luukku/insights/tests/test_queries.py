"""Weighted satisfaction over the extract: what a dashboard shows for a filter and a grouping."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from luukku.areas.models import PopulationGroup
from luukku.catalogue.tests.factories import AreaFactory
from luukku.insights import extract
from luukku.insights.queries import (
    InsightFilter,
    pandas_satisfaction,
    respondent_counts,
    satisfaction,
)

pytestmark = pytest.mark.django_db


def write_extract(path: Path, answers: list[dict[str, Any]]) -> Path:
    """An extract with one response per dict: background fields plus `scores` {measure: value}."""
    defaults = {
        "survey_id": 1,
        "survey_organisation_id": 10,
        "submitted": date(2025, 3, 14),
        "service_id": 100,
        "channel": "web",
        "organisation_id": None,
        "location_id": None,
        "municipality_code": "297",
        "age_band": "45-54",
        "sex": "female",
        "customer_type": "person",
        "language": "fi",
        "touchpoint_kind": "open_link",
    }
    responses, scores = [], []
    for response_id, answer in enumerate(answers, start=1):
        row = {**defaults, **answer, "response_id": response_id}
        row["month"] = row["submitted"].replace(day=1)
        for measure, value in row.pop("scores").items():
            scores.append({"response_id": response_id, "measure": measure, "value": value})
        responses.append(row)

    def fill(con: Any) -> None:
        extract.append(con, "responses", pd.DataFrame(responses))
        extract.append(con, "scores", pd.DataFrame(scores))

    extract.write_atomically(path, fill)
    return path


def population(code: str, cells: dict[tuple[str, str], int], year: int = 2024) -> None:
    municipality = AreaFactory.create(code=code)
    for (age_band, sex), count in cells.items():
        PopulationGroup.objects.create(
            municipality=municipality, year=year, age_band=age_band, sex=sex, population=count
        )


@pytest.fixture
def extract_file(tmp_path: Path, settings: Any) -> Path:
    settings.INSIGHTS_EXTRACT_PATH = tmp_path / "insights.duckdb"
    return Path(settings.INSIGHTS_EXTRACT_PATH)


def test_weighting_moves_a_sample_of_mostly_women_to_the_populations_even_split(
    extract_file: Path,
) -> None:
    population("297", {("45-54", "female"): 5000, ("45-54", "male"): 5000})
    # 80 women all very satisfied, 20 men lukewarm: the truth for an even population is 4.0.
    write_extract(
        extract_file,
        [{"sex": "female", "scores": {"satisfaction": 5}}] * 80
        + [{"sex": "male", "scores": {"satisfaction": 3}}] * 20,
    )

    table = satisfaction(InsightFilter(municipality_codes=["297"]))

    (row,) = table.rows
    assert row.n == 100
    assert row.unweighted.value == pytest.approx(4.6)
    assert row.weighted.value == pytest.approx(4.0)
    assert row.weighted.effective_n < 100
    assert row.csat is not None
    assert row.csat.value == pytest.approx(50.0)
    assert table.weighting == ("age_band", "sex")
    assert table.raking is not None
    assert table.raking.converged


def test_groups_by_service_and_month_for_one_municipality_only(extract_file: Path) -> None:
    population("297", {("45-54", "female"): 100, ("45-54", "male"): 100})
    write_extract(
        extract_file,
        [{"service_id": 1, "submitted": date(2025, 1, 5), "scores": {"satisfaction": 4}}] * 6
        + [{"service_id": 1, "submitted": date(2025, 2, 9), "scores": {"satisfaction": 2}}] * 5
        + [{"service_id": 2, "submitted": date(2025, 2, 28), "scores": {"satisfaction": 5}}] * 7
        + [{"municipality_code": "091", "service_id": 1, "scores": {"satisfaction": 1}}] * 9,
    )

    table = satisfaction(InsightFilter(municipality_codes=["297"]), by=("service", "month"))

    assert [(row.group["service"], row.group["month"], row.n) for row in table.rows] == [
        (1, date(2025, 1, 1), 6),
        (1, date(2025, 2, 1), 5),
        (2, date(2025, 2, 1), 7),
    ]
    assert [row.weighted.value for row in table.rows] == pytest.approx([4.0, 2.0, 5.0])
    first = table.rows[0].weighted
    assert first.low is not None
    assert first.high is not None
    assert first.low <= 4.0 <= first.high


def test_answers_in_scope_are_those_served_by_or_asked_by_the_organisation(
    extract_file: Path,
) -> None:
    write_extract(
        extract_file,
        [{"organisation_id": 5, "survey_organisation_id": 9, "scores": {"satisfaction": 5}}] * 3
        + [{"organisation_id": None, "survey_organisation_id": 5, "scores": {"satisfaction": 4}}]
        * 2
        + [{"organisation_id": 7, "survey_organisation_id": 9, "scores": {"satisfaction": 1}}] * 4,
    )

    (row,) = satisfaction(InsightFilter(organisation_ids=[5]), weighting=()).rows
    nothing = satisfaction(InsightFilter(organisation_ids=[]), weighting=())

    assert row.n == 5
    assert row.unweighted.value == pytest.approx(4.6)
    assert nothing.rows == []


def test_recommendation_gives_the_net_promoter_score(extract_file: Path) -> None:
    # 5 promoters, 3 passives, 2 detractors: NPS = 50 % − 20 % = 30.
    scores = [10, 9, 9, 10, 9, 8, 7, 8, 3, 6]
    write_extract(extract_file, [{"scores": {"recommendation": s}} for s in scores])

    (row,) = satisfaction(InsightFilter(), measure="recommendation", weighting=()).rows

    assert row.nps is not None
    assert row.nps.value == pytest.approx(30.0)
    assert row.csat is None
    assert row.unweighted.value == pytest.approx(7.9)


def test_without_population_figures_the_figures_stay_unweighted(extract_file: Path) -> None:
    write_extract(extract_file, [{"scores": {"satisfaction": 3}}] * 4)

    table = satisfaction(InsightFilter(municipality_codes=["297"]))

    assert table.raking is None
    assert table.weighting == ()
    assert table.rows[0].weighted.value == table.rows[0].unweighted.value == 3


def test_the_pandas_version_gives_the_same_figures(extract_file: Path) -> None:
    bands = ("25-34", "45-54", "75-")
    population("297", {(band, sex): 1000 for band in bands for sex in ("female", "male")})
    rng = np.random.default_rng(7)
    answers = [
        {
            "service_id": int(rng.integers(1, 4)),
            "channel": str(rng.choice(["web", "phone"])),
            "age_band": str(rng.choice(["25-34", "45-54", "75-", ""], p=[0.1, 0.3, 0.5, 0.1])),
            "sex": str(rng.choice(["female", "male", "other"], p=[0.7, 0.25, 0.05])),
            "scores": {"satisfaction": int(rng.integers(1, 6))},
        }
        for _ in range(400)
    ]
    write_extract(extract_file, answers)
    flt = InsightFilter(municipality_codes=["297"], channels=["web"])

    fast = satisfaction(flt, by=("service",), trim=None)
    slow = pandas_satisfaction(flt, by=("service",), trim=None)

    assert [row.group for row in fast.rows] == [row.group for row in slow.rows]
    for a, b in zip(fast.rows, slow.rows, strict=True):
        assert a.n == b.n
        assert a.weighted.value == pytest.approx(b.weighted.value, abs=1e-6)
        assert a.weighted.low == pytest.approx(b.weighted.low, abs=1e-6)
        assert a.csat.value == pytest.approx(b.csat.value, abs=1e-4)  # type: ignore[union-attr]
        assert a.unweighted.value == pytest.approx(b.unweighted.value)


def test_respondent_counts_per_category(extract_file: Path) -> None:
    write_extract(
        extract_file,
        [{"sex": "female", "scores": {}}] * 3 + [{"sex": "", "age_band": "", "scores": {}}],
    )

    counts = respondent_counts(InsightFilter(), ("sex", "age_band"))

    assert counts == {"sex": {"": 1, "female": 3}, "age_band": {"": 1, "45-54": 3}}


def test_an_unknown_grouping_is_refused_by_name(extract_file: Path) -> None:
    write_extract(extract_file, [{"scores": {"satisfaction": 3}}])

    with pytest.raises(ValueError, match="Cannot group by colour"):
        satisfaction(InsightFilter(), by=("colour",))
