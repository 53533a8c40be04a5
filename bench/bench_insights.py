"""Insights at scale (issue 6): 10,000,000 survey answers, a dashboard query p95 < 1 s on 2 cores,
raking 1,000,000 respondents on 3 margins < 2 s.

    nice -n 0 .venv/bin/python bench/bench_insights.py [--answers 10000000]
        [--scores-per-response 2] [--runs 25] [--pandas-runs 3] [--raking 1000000]

1. A synthetic extract written straight into a DuckDB file with the extract's own table
   definitions and sort order (luukku.insights.extract): by default 5,000,000 complete responses
   × 2 scores (satisfaction 1–5 and recommendation 0–10) = 10,000,000 answers, over 24 months,
   the demo region's 19 municipalities, 60 services. Seeded, vectorised (numpy, in chunks of
   500,000 responses). Response ids follow submission time, as database keys do. Respondents are
   skewed the way real ones are (Kuopio, older people and women over-represented) and
   satisfaction depends on age and sex, so weighting moves the figures.
2. The dashboard query `satisfaction(InsightFilter(municipality_codes=[one]), by=("service",
   "month"))` (raked on age band × sex to the municipality's population) for `--runs`
   municipalities drawn at random (seeded) after one warm-up: median, p95, max.
3. The same query the straightforward pandas way (`pandas_satisfaction`: the tables in pandas
   frames, unit-level raking with weightipy, groupby) for the first `--pandas-runs` of those
   municipalities, and the ratio of the medians on the same municipalities.
4. Raking 1,000,000 respondents on municipality × age band × sex to the region's population:
   `weighting.rake` from unit-level rows and from cells, against weightipy unit-level.
Population figures come from the demo data (luukku/demo/data/population.json) in a fresh SQLite
database in the temporary directory (or DATABASE_URL). The last lines are the markdown rows for
docs/benchmarks.md. Run it once, on a quiet machine (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_panels import population_cells  # noqa: E402

SQLITE_PATH = Path(tempfile.gettempdir()) / "luukku_bench_insights.sqlite3"
EXTRACT_PATH = Path(tempfile.gettempdir()) / "luukku_bench_insights.duckdb"
SEED = 2026
CHUNK = 500_000
BANDS = ("15-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-")
BAND_WEIGHTS = np.array([0.3, 0.6, 0.8, 1.0, 1.6, 2.2, 1.4])
MEASURES = ("satisfaction", "recommendation", "effort")
SERVICES = 60
MONTHS = 24
FIRST_DAY = np.datetime64("2024-01-01")
CHANNELS = ("web", "phone", "walk_in", "email", "chat", "mobile_van")
CUSTOMER_TYPES = ("person", "company", "community", "partner", "")
LANGUAGES = ("fi", "sv", "en")
TOUCHPOINTS = ("case_closed", "location", "kiosk", "service_page", "open_link")


def municipality_weights() -> tuple[list[str], np.ndarray]:
    """The region's municipalities and each one's chance of a respondent (Kuopio 3 × its share,
    the two other towns over 30,000 their share, small municipalities a third of it)."""
    adults: dict[str, float] = {}
    for code, band, _sex, population in population_cells():
        if band in BANDS:
            adults[code] = adults.get(code, 0.0) + population
    codes = sorted(adults)
    weights = np.array(
        [adults[c] * (3.0 if c == "297" else 1.0 if adults[c] > 30_000 else 0.33) for c in codes]
    )
    return codes, weights / weights.sum()


def categorical(rng: np.random.Generator, values: tuple[str, ...], p: Any, size: int) -> Any:
    return pd.Categorical.from_codes(rng.choice(len(values), size=size, p=p), categories=values)


def backgrounds(count: int, seed: int) -> pd.DataFrame:
    """Municipality, age band and sex of `count` respondents, skewed like real ones."""
    rng = np.random.default_rng(seed)
    codes, weights = municipality_weights()
    bands = (*BANDS, "")
    band_p = np.append(BAND_WEIGHTS / BAND_WEIGHTS.sum() * 0.95, 0.05)
    return pd.DataFrame(
        {
            "municipality_code": categorical(rng, tuple(codes), weights, count),
            "age_band": categorical(rng, bands, band_p, count),
            "sex": categorical(
                rng, ("female", "male", "other", ""), [0.62, 0.33, 0.01, 0.04], count
            ),
        }
    )


def generate_chunks(
    responses: int, scores_per_response: int, seed: int = SEED, chunk: int = CHUNK
) -> Any:
    """(responses frame, scores frame) per chunk; response ids in submission order."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(0, MONTHS * 30 + 12, size=responses)).astype("timedelta64[D]")
    service_p = 1 / np.arange(1, SERVICES + 1) ** 0.8
    service_p /= service_p.sum()
    service_effect = rng.normal(0, 0.5, SERVICES)
    for start in range(0, responses, chunk):
        size = min(chunk, responses - start)
        frame = backgrounds(size, seed + 1 + start // chunk)
        submitted = FIRST_DAY + days[start : start + size]
        service = rng.choice(SERVICES, size=size, p=service_p)
        survey = rng.integers(1, 31, size=size)
        location = pd.array(rng.integers(1, 201, size=size), dtype="Int64")
        location[rng.random(size) >= 0.3] = pd.NA  # most answers come from no location
        frame = frame.assign(
            response_id=np.arange(start + 1, start + size + 1, dtype=np.int64),
            survey_id=survey,
            survey_organisation_id=survey % 12 + 1,
            submitted=submitted,
            month=submitted.astype("datetime64[M]").astype("datetime64[D]"),
            service_id=service + 1,
            channel=categorical(rng, CHANNELS, [0.45, 0.25, 0.2, 0.05, 0.04, 0.01], size),
            organisation_id=rng.integers(1, 26, size=size),
            location_id=location,
            customer_type=categorical(rng, CUSTOMER_TYPES, [0.88, 0.06, 0.03, 0.01, 0.02], size),
            language=categorical(rng, LANGUAGES, [0.93, 0.02, 0.05], size),
            touchpoint_kind=categorical(rng, TOUCHPOINTS, [0.4, 0.2, 0.1, 0.2, 0.1], size),
        )
        # Older people and women are more satisfied, so the skew flatters the raw figures.
        age = frame["age_band"].cat.codes.to_numpy()  # "" (unknown) is the last code
        latent = (
            service_effect[service]
            + np.where(age < len(BANDS), age, 3) * 0.12
            + (frame["sex"] == "female").to_numpy() * 0.25
            + rng.normal(0, 1, size)
        )
        satisfaction = np.clip(np.rint(3.2 + 0.9 * latent), 1, 5)
        values = {
            "satisfaction": satisfaction,
            "recommendation": np.clip(
                np.rint(2.2 * satisfaction - 1 + rng.normal(0, 1.3, size)), 0, 10
            ),
            "effort": np.clip(np.rint(satisfaction + rng.normal(0, 0.8, size)), 1, 5),
        }
        measures = MEASURES[:scores_per_response]
        scores = pd.DataFrame(
            {
                "response_id": np.repeat(frame["response_id"].to_numpy(), len(measures)),
                "measure": pd.Categorical(np.tile(measures, size), categories=MEASURES),
                "value": np.column_stack([values[m] for m in measures]).ravel(),
            }
        )
        yield frame, scores


def write_extract(path: Path, responses: int, scores_per_response: int) -> None:
    from luukku.insights import extract

    def fill(con: Any) -> None:
        for frame, scores in generate_chunks(responses, scores_per_response):
            extract.append(con, "responses", frame)
            extract.append(con, "scores", scores)

    extract.write_atomically(path, fill)


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_population()


def load_population() -> None:
    """The demo region's population figures (the weighting targets) into the database."""
    from luukku.areas.models import Area, PopulationGroup

    for code, band, sex, population in population_cells():
        area, _ = Area.objects.get_or_create(
            area_type=Area.Type.MUNICIPALITY, code=code, defaults={"name_fi": code}
        )
        PopulationGroup.objects.update_or_create(
            municipality=area,
            year=2023,
            age_band=band,
            sex=sex,
            defaults={"population": population, "source": "bench"},
        )


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def query_runs(path: Path, runs: int, pandas_runs: int) -> dict[str, Any]:
    """The dashboard query on DuckDB for `runs` random municipalities, and pandas for a few."""
    from luukku.insights.queries import (
        InsightFilter,
        cell_sums,
        pandas_satisfaction,
        read_frames,
        satisfaction,
    )

    codes, _ = municipality_weights()
    chosen = [str(c) for c in np.random.default_rng(SEED).choice(codes, size=runs)]

    def fast(code: str, **kwargs: Any) -> Any:
        return satisfaction(
            InsightFilter(municipality_codes=[code]), by=("service", "month"), path=path, **kwargs
        )

    warm_up, _ = timed(lambda: fast(chosen[0]))
    duck = [timed(lambda code=code: fast(code))[0] for code in chosen]  # type: ignore[misc]
    # The DuckDB scan alone (the rest is raking and building the estimates in Python).
    keys = ("age_band", "sex", "service", "month")
    scan = [
        timed(
            lambda code=code: cell_sums(  # type: ignore[misc]
                InsightFilter(municipality_codes=[code]), keys, "satisfaction", path=path
            )
        )[0]
        for code in chosen
    ]
    load, frames = timed(lambda: read_frames(path))
    slow: list[float] = []
    for code in chosen[:pandas_runs]:
        seconds, _ = timed(
            lambda code=code: pandas_satisfaction(  # type: ignore[misc]
                InsightFilter(municipality_codes=[code]),
                by=("service", "month"),
                frames=frames,
            )
        )
        slow.append(seconds)
    # Do both paths give the same figures? (Untrimmed: weightipy cannot trim from below.)
    check = chosen[0]
    a = fast(check, trim=None)
    b = pandas_satisfaction(
        InsightFilter(municipality_codes=[check]), by=("service", "month"), trim=None, frames=frames
    )
    difference = max(
        abs(x.weighted.value - y.weighted.value) for x, y in zip(a.rows, b.rows, strict=True)
    )
    table = fast(check)
    return {
        "chosen": chosen,
        "warm_up": warm_up,
        "duck": duck,
        "scan": scan,
        "pandas_load": load,
        "pandas": slow,
        "difference": difference,
        "check": check,
        "rows": len(table.rows),
        "answers": sum(row.n for row in table.rows),
        "raking": table.raking,
        "weighted": sum(r.weighted.value * r.n for r in table.rows)
        / max(1, sum(r.n for r in table.rows)),
        "unweighted": sum(r.unweighted.value * r.n for r in table.rows)
        / max(1, sum(r.n for r in table.rows)),
    }


def raking_runs(count: int, runs: int) -> dict[str, Any]:
    """Rake `count` respondents on municipality × age band × sex to the region's population."""
    from luukku.insights.queries import weightipy_weights
    from luukku.insights.weighting import population_targets, rake

    margins = ("municipality", "age_band", "sex")
    frame = backgrounds(count, SEED + 99).rename(columns={"municipality_code": "municipality"})
    targets = population_targets(None, margins)
    sample = {m: frame[m].astype(str).to_numpy() for m in margins}

    def from_cells() -> Any:
        cells = frame.groupby(list(margins), observed=True).size().reset_index(name="n")
        return rake(
            {m: cells[m].astype(str).to_numpy() for m in margins}, targets, counts=cells["n"]
        )

    unit = [timed(lambda: rake(sample, targets))[0] for _ in range(runs)]
    cell_times = []
    for _ in range(runs):
        seconds, result = timed(from_cells)
        cell_times.append(seconds)
    weightipy_seconds, weights = timed(lambda: weightipy_weights(frame, margins, targets, None))
    ours = rake(sample, targets, trim=None).weights
    return {
        "unit": unit,
        "cells": cell_times,
        "weightipy": weightipy_seconds,
        "result": result,
        "difference": float(np.max(np.abs(ours - weights))),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=10_000_000)
    parser.add_argument("--scores-per-response", type=int, default=2, choices=(1, 2, 3))
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--pandas-runs", type=int, default=3)
    parser.add_argument("--raking", type=int, default=1_000_000)
    parser.add_argument("--raking-runs", type=int, default=5)
    parser.add_argument("--extract", type=Path, default=EXTRACT_PATH)
    parser.add_argument(
        "--reuse", action="store_true", help="Use an extract left by an earlier run as it is."
    )
    args = parser.parse_args()
    responses = args.answers // args.scores_per_response

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}; Python {platform.python_version()}"
    )
    setup_django()
    import duckdb

    if not (args.reuse and args.extract.exists()):
        seconds, _ = timed(lambda: write_extract(args.extract, responses, args.scores_per_response))
        print(
            f"extract: {responses:,} responses × {args.scores_per_response} scores written in "
            f"{seconds:.0f} s ({args.extract.stat().st_size / 2**20:,.0f} MiB)"
        )
    queries = query_runs(args.extract, args.runs, args.pandas_runs)
    duck, slow = queries["duck"], queries["pandas"]
    same = [queries["duck"][i] for i in range(len(slow))]
    ratio = statistics.median(slow) / statistics.median(same)
    raking = queries["raking"]
    print(
        f"DuckDB {duckdb.__version__}: satisfaction by service × month for one municipality, "
        f"{args.runs} runs over {len(set(queries['chosen']))} municipalities after a "
        f"{ms(queries['warm_up'])} warm-up: median {ms(statistics.median(duck))}, "
        f"p95 {ms(p95(duck))}, max {ms(max(duck))}; of which the DuckDB scan median "
        f"{ms(statistics.median(queries['scan']))}, p95 {ms(p95(queries['scan']))}"
    )
    print(
        f"  e.g. {queries['check']}: {queries['answers']:,} answers in {queries['rows']} rows, "
        f"weighted {queries['weighted']:.3f} vs unweighted {queries['unweighted']:.3f}, "
        f"design effect {raking.design_effect:.2f}, {raking.iterations} raking iterations"
    )
    print(
        f"pandas: frames loaded in {queries['pandas_load']:.1f} s (not counted); per query "
        f"median {ms(statistics.median(slow))} over {len(slow)} runs vs DuckDB "
        f"{ms(statistics.median(same))} on the same municipalities: {ratio:.0f}× slower; "
        f"largest difference in a weighted mean {queries['difference']:.1e}"
    )
    rake_result = raking_runs(args.raking, args.raking_runs)
    unit, cells = rake_result["unit"], rake_result["cells"]
    outcome = rake_result["result"]
    print(
        f"raking {args.raking:,} respondents on 3 margins ({outcome.iterations} iterations, "
        f"converged {outcome.converged}, largest margin error {outcome.max_margin_error:.3f}, "
        f"{outcome.trimmed_rows / args.raking:.0%} of respondents at a trimming bound): "
        f"rake() from rows median {ms(statistics.median(unit))} (max "
        f"{ms(max(unit))}), from cells {ms(statistics.median(cells))}; weightipy unit-level "
        f"{rake_result['weightipy']:.1f} s "
        f"({rake_result['weightipy'] / statistics.median(unit):.0f}× rake() from rows); "
        f"largest weight difference {rake_result['difference']:.1e}"
    )
    verdict = "meets" if p95(duck) < 1.0 else "MISSES"
    print(
        f"| Insights dashboard query: weighted satisfaction by service × month, one "
        f"municipality, {args.answers:,} answers ({responses:,} responses × "
        f"{args.scores_per_response}) | p95 {ms(p95(duck))}, median "
        f"{ms(statistics.median(duck))} ({args.runs} runs); pandas {ratio:.0f}× slower "
        f"| p95 < 1 s ({verdict}) | `.venv/bin/python bench/bench_insights.py` |"
    )
    verdict = "meets" if max(unit) < 2.0 else "MISSES"
    print(
        f"| Raking {args.raking:,} respondents, 3 margins | median {ms(statistics.median(unit))}, "
        f"max {ms(max(unit))}; weightipy {rake_result['weightipy'] / statistics.median(unit):.0f}× "
        f"slower | < 2 s ({verdict}) | `.venv/bin/python bench/bench_insights.py` |"
    )


if __name__ == "__main__":
    main()
