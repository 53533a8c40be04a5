"""Benchmark `manage.py import_ptv` on a generated 20,000-service catalogue.

    python bench/bench_import_ptv.py [--services 20000] [--runs 3] [--databases sqlite,postgres]
                                     [--write-docs]

Each run imports the same generated file (bench/generate_catalogue.py, seed 1) into a fresh
database that has only the migrations and the national code lists, through the real command
in a subprocess, and is timed on the wall clock from start to exit (Django start-up, reading,
validation, writing and, unless --no-reindex, the search reindex that follows the commit).
The median of the runs is reported, with and without the reindex. The goal is < 60 s.

PostgreSQL runs use DATABASE_URL (default postgres://postgres@127.0.0.1:5432/luukku_bench_a):
the database is dropped and created again from a migrated template before every run.
With --write-docs the results replace the "import_ptv" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.generate_catalogue import generate  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/luukku_bench_a"
GOAL_SECONDS = 60.0
SECTION = "## import_ptv"


@dataclass
class Measurement:
    database: str
    reindex: bool
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("DATABASE_URL")
                        if os.environ.get("DATABASE_URL", "").startswith("postgres")
                        else DEFAULT_POSTGRES_URL)  # fmt: skip
    parser.add_argument("--reindex", choices=["both", "yes", "no"], default="both")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-ptv-"))
    try:
        catalogue = workdir / "catalogue.json"
        started = time.perf_counter()
        catalogue.write_text(
            json.dumps(generate(args.services, 1), ensure_ascii=False), encoding="utf-8"
        )
        print(f"generated {args.services} services in {time.perf_counter() - started:.1f} s "
              f"({catalogue.stat().st_size / 1e6:.0f} MB)", file=sys.stderr)  # fmt: skip
        reindex_modes = {"both": [False, True], "yes": [True], "no": [False]}[args.reindex]
        measurements = []
        for database in args.databases.split(","):
            fresh = _fresh_database_factory(database, workdir, args.postgres_url)
            for reindex in reindex_modes:
                seconds = []
                for run in range(args.runs):
                    url = fresh()
                    elapsed = _timed_import(catalogue, url, reindex, args.services)
                    seconds.append(elapsed)
                    print(f"{database} reindex={reindex} run {run + 1}: {elapsed:.1f} s",
                          file=sys.stderr)  # fmt: skip
                measurements.append(Measurement(database, reindex, seconds))
        report = _report(measurements, args)
        print(report)
        if args.write_docs:
            _write_docs(report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(m.median < GOAL_SECONDS for m in measurements) else 1


def _manage(*arguments: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "luukku.settings"}
    env.pop("CELERY_BROKER_URL", None)  # the reindex runs in-process, as without a worker
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip


def _fresh_database_factory(database: str, workdir: Path, postgres_url: str) -> Callable[[], str]:
    """A function that returns the URL of a new, migrated database with the code lists."""
    if database == "sqlite":
        template = workdir / "template.sqlite3"
        template_url = f"sqlite:///{template}"
        _manage("migrate", "--no-input", "-v0", database_url=template_url)
        _manage("load_code_lists", database_url=template_url)
        target = workdir / "run.sqlite3"

        def fresh_sqlite() -> str:
            shutil.copyfile(template, target)
            return f"sqlite:///{target}"

        return fresh_sqlite
    if database == "postgres":
        parts = urlsplit(postgres_url)
        name = parts.path.lstrip("/")
        template_name = f"{name}_template"
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{template_name}"')
        _psql(admin_url, f'CREATE DATABASE "{template_name}"')
        template_url = urlunsplit(parts._replace(path=f"/{template_name}"))
        _manage("migrate", "--no-input", "-v0", database_url=template_url)
        _manage("load_code_lists", database_url=template_url)

        def fresh_postgres() -> str:
            _psql(admin_url, f'DROP DATABASE IF EXISTS "{name}"')
            _psql(admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
            return postgres_url

        return fresh_postgres
    raise SystemExit(f"unknown database {database!r} (sqlite or postgres)")


def _psql(admin_url: str, statement: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1),
                         autocommit=True) as connection:  # fmt: skip
        connection.execute(statement.encode())


def _timed_import(catalogue: Path, database_url: str, reindex: bool, services: int) -> float:
    arguments = ["import_ptv", str(catalogue), "--no-progress"]
    if not reindex:
        arguments.append("--no-reindex")
    started = time.perf_counter()
    result = _manage(*arguments, database_url=database_url)
    elapsed = time.perf_counter() - started
    if f"Services: {services} created" not in result.stdout:
        raise SystemExit(f"unexpected import output:\n{result.stdout}\n{result.stderr}")
    return elapsed


def _machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    head = "\n".join(lscpu.splitlines()[:10])
    load = os.getloadavg()
    return (f"nproc: {nproc.strip()}\n{head}\nload average at the end: "
            f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip


def _report(measurements: list[Measurement], args: argparse.Namespace) -> str:
    rows = "\n".join(
        f"| {m.database} | {'yes' if m.reindex else 'no'} | "
        f"{', '.join(f'{s:.1f}' for s in m.seconds)} | **{m.median:.1f} s** | "
        f"{'met' if m.median < GOAL_SECONDS else 'MISSED'} |"
        for m in measurements
    )
    command = (f"python bench/bench_import_ptv.py --services {args.services} --runs {args.runs} "
               f"--databases {args.databases} --reindex {args.reindex}")  # fmt: skip
    return f"""{SECTION}

`manage.py import_ptv` of a generated catalogue ({args.services} services, {args.services // 2}
channels, bench/generate_catalogue.py seed 1) into a fresh database that holds only the
migrations and the code lists. Wall clock of the whole command in a subprocess (start-up,
validation, writes, and with reindex the search index refresh after commit); median of
{args.runs} runs. Goal: < {GOAL_SECONDS:.0f} s.

Command: `{command}`

| database | search reindex | runs (s) | median | goal |
| --- | --- | --- | --- | --- |
{rows}

Machine (shared with other work while measured):

```
{_machine()}
```
"""


def _write_docs(report: str) -> None:
    """Replace our section of docs/benchmarks.md, leaving every other section as it is."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(SECTION + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + report
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + report + ("\n" + text[end + 1 :] if end != -1 else "")
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
