"""The insights benchmark's data: deterministic, skewed like real respondents, and read the same
by the fast path and the pandas path.

Run with `.venv/bin/pytest bench/tests` (bench/ is outside the default test paths).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench.bench_insights import backgrounds, generate_chunks, load_population, write_extract


def test_the_generator_is_deterministic_and_chunked_in_submission_order() -> None:
    first = list(generate_chunks(1200, 2, chunk=500))
    again = list(generate_chunks(1200, 2, chunk=500))

    assert [len(frame) for frame, _ in first] == [500, 500, 200]
    for (a, scores_a), (b, scores_b) in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(scores_a, scores_b)
    responses = pd.concat([frame for frame, _ in first])
    scores = pd.concat([s for _, s in first])
    assert responses["response_id"].is_monotonic_increasing
    assert responses["submitted"].is_monotonic_increasing
    assert len(scores) == 2 * len(responses)
    assert set(scores["measure"]) == {"satisfaction", "recommendation"}
    assert scores["value"].between(0, 10).all()


def test_respondents_are_skewed_towards_kuopio_and_women() -> None:
    people = backgrounds(20_000, seed=1)
    shares = people["municipality_code"].value_counts(normalize=True)
    sexes = people["sex"].value_counts()

    assert shares["297"] > 0.6
    assert sexes["female"] > 1.5 * sexes["male"]


@pytest.mark.django_db
def test_weighting_the_benchmark_data_moves_the_figures_and_both_paths_agree(
    tmp_path: Path,
) -> None:
    from luukku.insights.queries import InsightFilter, pandas_satisfaction, satisfaction

    load_population()
    path = tmp_path / "bench.duckdb"
    write_extract(path, responses=6000, scores_per_response=2)
    region = InsightFilter()

    fast = satisfaction(region, by=("channel",), path=path, trim=None)
    slow = pandas_satisfaction(region, by=("channel",), path=path, trim=None)

    assert fast.raking is not None
    assert sum(row.n for row in fast.rows) == 6000
    for a, b in zip(fast.rows, slow.rows, strict=True):
        assert a.group == b.group
        assert a.weighted.value == pytest.approx(b.weighted.value, abs=1e-9)
    # The skew (older women, who are more satisfied) flatters the raw mean.
    (total,) = satisfaction(region, path=path).rows
    assert total.weighted.value is not None
    assert total.unweighted.value is not None
    assert total.weighted.value < total.unweighted.value - 0.02
