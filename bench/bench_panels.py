"""Panel sortition speed (issue: a panel of 30 from 10,000 volunteers, 3 quota dimensions, < 2 s).

    .venv/bin/python bench/bench_panels.py [--volunteers 10000] [--size 30] [--runs 7]

Two measurements:
1. The draw itself (`luukku.panels.sortition.select`, pure Python): 10,000 volunteers generated
   with a fixed seed across the demo region's 19 municipalities, 7 age bands (15+) and 3 sexes,
   skewed the way volunteers are (Kuopio, older people and women over-represented, young men
   from small municipalities rare), against quotas from the demo region's population. A new
   draw seed per run; the median and the max of `--runs` runs (time.perf_counter), and the
   deviation each run left.
2. The same draw through the ORM (`luukku.panels.services.draw`: load the volunteers, compute,
   store the selection, its members and the statuses) on a fresh SQLite database in the
   temporary directory (or DATABASE_URL), split into load / compute / store.
The last line is the markdown row for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POPULATION_FILE = ROOT / "luukku" / "demo" / "data" / "population.json"
SQLITE_PATH = Path(tempfile.gettempdir()) / "luukku_bench_panels.sqlite3"
BANDS = ("15-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-")
GENERATOR_SEED = 2025


@dataclass(frozen=True)
class Volunteer:
    municipality: str
    age_band: str
    sex: str


def population_cells() -> list[tuple[str, str, str, int]]:
    data = json.loads(POPULATION_FILE.read_text(encoding="utf-8"))
    return [
        (code, band, sex, count)
        for code, municipality in data["municipalities"].items()
        for band, cells in municipality["cells"].items()
        for sex, count in cells.items()
    ]


def generate(
    count: int, cells: list[tuple[str, str, str, int]], seed: int = GENERATOR_SEED
) -> list[Volunteer]:
    """`count` volunteers with the demo region's municipalities, skewed like real volunteers."""
    rng = random.Random(seed)  # noqa: S311 (benchmark data)
    municipalities = sorted({code for code, *_ in cells})
    weights = dict.fromkeys(municipalities, 0.0)
    for code, band, _sex, population in cells:
        if band in BANDS:
            weights[code] += population
    # Kuopio (297) three times its population share; every small municipality a third of it.
    municipality_weights = [
        weights[code] * (3.0 if code == "297" else 1.0 if weights[code] > 30_000 else 0.33)
        for code in municipalities
    ]
    band_weights = [0.3, 0.6, 0.8, 1.0, 1.6, 2.2, 1.4]
    volunteers = []
    for _ in range(count):
        municipality = rng.choices(municipalities, municipality_weights)[0]
        band = rng.choices(BANDS, band_weights)[0]
        roll = rng.random()
        sex = "female" if roll < 0.64 else "male" if roll < 0.98 else "other"
        if sex == "male" and band == "15-24" and municipality != "297" and rng.random() < 0.7:
            sex = "female"  # young men from outside Kuopio seldom volunteer
        volunteers.append(Volunteer(municipality, band, sex))
    return volunteers


def pure_runs(volunteers: list[Volunteer], size: int, runs: int) -> tuple[list[float], list[int]]:
    from luukku.panels import sortition

    cells = [sortition.PopulationCell(*cell) for cell in population_cells()]
    shares = sortition.population_shares(cells, min_age=15, max_age=None)
    quotas = sortition.quotas_from_shares(shares, size)
    candidates = [
        sortition.Candidate(index, v.municipality, v.age_band, v.sex)
        for index, v in enumerate(volunteers)
    ]
    timings, deviations = [], []
    for run in range(runs):
        started = time.perf_counter()
        draw = sortition.select(candidates, quotas, size, seed=run, shares=shares)
        timings.append(time.perf_counter() - started)
        deviations.append(draw.deviation)
    sample_deviation = statistics.median(
        sortition.deviation(
            [c.cell for c in random.Random(run).sample(candidates, size)],  # noqa: S311
            quotas,
        )
        for run in range(runs)
    )
    print(f"simple random sample of {size}: median deviation {sample_deviation}")
    return timings, deviations


def orm_runs(volunteers: list[Volunteer], size: int, runs: int) -> dict[str, list[float]]:
    """services.draw on a database of its own: load / compute / store, per run."""
    if not os.environ.get("DATABASE_URL"):
        SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from luukku.areas.models import Area, PopulationGroup
    from luukku.core.models import ConsentText
    from luukku.organisations.models import Organisation
    from luukku.panels import services, sortition
    from luukku.panels.models import Panel, Selection
    from luukku.panels.models import Volunteer as VolunteerRow

    call_command("migrate", verbosity=0)
    areas = {}
    for code, band, sex, population in population_cells():
        if code not in areas:
            areas[code] = Area.objects.get_or_create(
                area_type=Area.Type.MUNICIPALITY, code=code, defaults={"name_fi": code}
            )[0]
        PopulationGroup.objects.update_or_create(
            municipality=areas[code],
            year=2023,
            age_band=band,
            sex=sex,
            defaults={"population": population, "source": "bench"},
        )
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-panels", defaults={"name_fi": "Bench", "organisation_type": "Municipality"}
    )
    consent, _ = ConsentText.objects.get_or_create(
        purpose=ConsentText.Purpose.PANEL_MEMBERSHIP,
        version=1,
        defaults={"text_fi": "x", "text_sv": "x", "text_en": "x", "valid_from": timezone.now()},
    )
    Panel.objects.filter(organisation=organisation).delete()
    panel = Panel.objects.create(
        organisation=organisation,
        name_fi="Bench",
        description_fi="Bench",
        size=size,
        signup_until=timezone.localdate(),
    )
    now = timezone.now()
    VolunteerRow.objects.bulk_create(
        (
            VolunteerRow(
                panel=panel,
                name=f"V {index}",
                email=f"v{index}@example.fi",
                age_band=v.age_band,
                municipality=areas[v.municipality],
                sex=v.sex,
                customer_type="person",
                consent=consent,
                consented_at=now,
            )
            for index, v in enumerate(volunteers)
        ),
        batch_size=2000,
    )
    parts: dict[str, list[float]] = {"load": [], "compute": [], "store": [], "total": []}
    for run in range(runs):
        Selection.objects.filter(panel=panel).delete()
        VolunteerRow.objects.filter(panel=panel).update(status=VolunteerRow.Status.VOLUNTEER)
        Panel.objects.filter(pk=panel.pk).update(status=Panel.Status.RECRUITING)
        started = time.perf_counter()
        pool = services.candidates(VolunteerRow.objects.filter(panel=panel, status="volunteer"))
        loaded = time.perf_counter()
        shares = services.population_shares(panel)
        sortition.select(pool, sortition.quotas_from_shares(shares, size), size, run, shares=shares)
        computed = time.perf_counter()
        load, compute = loaded - started, computed - loaded
        Selection.objects.filter(panel=panel).delete()
        VolunteerRow.objects.filter(panel=panel).update(status=VolunteerRow.Status.VOLUNTEER)
        Panel.objects.filter(pk=panel.pk).update(status=Panel.Status.RECRUITING)
        started = time.perf_counter()
        services.draw(panel=panel, actor=None, seed=run)
        total = time.perf_counter() - started
        parts["load"].append(load)
        parts["compute"].append(compute)
        parts["store"].append(max(0.0, total - load - compute))
        parts["total"].append(total)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-orm", action="store_true", help="Skip the database measurement.")
    args = parser.parse_args()

    volunteers = generate(args.volunteers, population_cells())
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}; Python {platform.python_version()}"
    )
    timings, deviations = pure_runs(volunteers, args.size, args.runs)
    median, worst = statistics.median(timings), max(timings)
    print(
        f"sortition.select, {args.size} of {args.volunteers:,}, 3 dimensions, {args.runs} runs: "
        f"median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms; "
        f"deviation median {statistics.median(deviations)}, max {max(deviations)}"
    )
    orm = ""
    if not args.no_orm:
        parts = orm_runs(volunteers, args.size, args.runs)
        medians = {name: statistics.median(values) for name, values in parts.items()}
        dominant = max(("load", "compute", "store"), key=lambda name: medians[name])
        from django.db import connection

        print(
            f"services.draw on {connection.vendor}: median {medians['total'] * 1000:.0f} ms "
            f"(load {medians['load'] * 1000:.0f}, compute {medians['compute'] * 1000:.0f}, "
            f"store {medians['store'] * 1000:.0f}), max {max(parts['total']) * 1000:.0f} ms; "
            f"{dominant} dominates"
        )
        orm = (
            f"; with the database ({connection.vendor}) {medians['total'] * 1000:.0f} ms "
            f"median, {dominant} dominates"
        )
    verdict = "meets" if worst < 2.0 else "MISSES"
    print(
        f"| Panel draw: {args.size} of {args.volunteers:,} volunteers, 3 quota dimensions "
        f"| median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms ({args.runs} runs), "
        f"deviation {statistics.median(deviations)}{orm} | < 2 s ({verdict}) "
        f"| `.venv/bin/python bench/bench_panels.py` |"
    )


if __name__ == "__main__":
    main()
