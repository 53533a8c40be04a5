"""The panel benchmark's volunteer generator: deterministic, within the demo region, skewed.

Run with `.venv/bin/pytest bench/tests` (bench/ is outside the default test paths).
"""

from __future__ import annotations

from collections import Counter

from bench.bench_panels import BANDS, generate, population_cells, pure_runs


def test_the_generator_is_deterministic_and_uses_the_demo_regions_categories() -> None:
    cells = population_cells()
    first = generate(500, cells)

    assert first == generate(500, cells)
    assert first != generate(500, cells, seed=1)
    assert {v.municipality for v in first} <= {code for code, *_ in cells}
    assert {v.age_band for v in first} <= set(BANDS)
    assert {v.sex for v in first} <= {"female", "male", "other"}


def test_the_pool_is_skewed_towards_kuopio_and_women() -> None:
    volunteers = generate(5000, population_cells())
    municipalities = Counter(v.municipality for v in volunteers)
    sexes = Counter(v.sex for v in volunteers)

    # Kuopio is about 45 % of the region's population aged 15 or over.
    assert municipalities["297"] / len(volunteers) > 0.6
    assert sexes["female"] > 1.5 * sexes["male"]


def test_the_draw_meets_the_quotas_from_the_skewed_pool() -> None:
    timings, deviations = pure_runs(generate(2000, population_cells()), size=30, runs=2)

    assert len(timings) == 2
    assert max(deviations) <= 2
