"""Search API latency on a generated catalogue (issue 2: p95 < 50 ms with 20,000 services).

    .venv/bin/python bench/bench_search.py [--services 20000] [--queries 600] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luukku_bench_c \\
        .venv/bin/python bench/bench_search.py

The catalogue comes from `bench/generate_catalogue.py` (`generate(n, seed)`) and is loaded with
`manage.py import_ptv`, as a real one would be, then indexed. It is built once per database and
reused while it holds the same number of services (`--rebuild` forces a new one); the SQLite
database is a file in the temporary directory, never the development database.

Requests go through Django's test Client in this process: URL routing, middleware, throttling,
DRF, the search and serialisation are all measured; an HTTP server and the network are not.
Each run sends the same query mix, in a fresh random order, after a warm-up; the figures are
per-request wall-clock times.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A query mix as residents type them: inflected forms, compounds, one-letter typos, Swedish and
# English, words no service has, and words most services have. (query, language, kind)
QUERIES: list[tuple[str, str, str]] = [
    ("rakennuslupaa", "fi", "inflected"),
    ("rakennusluvan hakeminen", "fi", "inflected"),
    ("kotihoitoa", "fi", "inflected"),
    ("hammashoidon ajanvaraus", "fi", "inflected"),
    ("toimeentulotukea", "fi", "inflected"),
    ("työttömäksi", "fi", "inflected"),
    ("starttirahan", "fi", "inflected"),
    ("kirjastoon", "fi", "inflected"),
    ("palkkatuen hakemus", "fi", "inflected"),
    ("omaishoidon tuen", "fi", "inflected"),
    ("velkaneuvontaa", "fi", "inflected"),
    ("lupa rakentaa", "fi", "inflected"),
    ("päivähoitopaikka", "fi", "compound"),
    ("hammaslääkäri", "fi", "compound"),
    ("terveysasemalle", "fi", "compound"),
    ("ympäristöluvan", "fi", "compound"),
    ("jätehuoltomaksut", "fi", "compound"),
    ("lastenneuvolaan", "fi", "compound"),
    ("yritysneuvonta", "fi", "compound"),
    ("mielenterveyspalvelut nuorille", "fi", "compound"),
    ("rakenuslupa", "fi", "typo"),
    ("hamashoito", "fi", "typo"),
    ("kotihoitto", "fi", "typo"),
    ("vammaispalvlut", "fi", "typo"),  # one edit from the plural, two from the lemma
    ("vamaispalvelu", "fi", "typo"),
    ("joukoliikenne", "fi", "typo"),
    ("kirjasot", "fi", "typo"),
    ("bygglov", "sv", "swedish"),
    ("tandvården", "sv", "swedish"),
    ("hemvård för äldre", "sv", "swedish"),
    ("utkomststöd", "sv", "swedish"),
    ("building permit", "en", "english"),
    ("dental care", "en", "english"),
    ("home care for older people", "en", "english"),
    ("rental housing", "en", "english"),
    ("avaruusmatkailu", "fi", "no-hit"),
    # Words most services use: the slowest kind, every matching service is scored.
    ("kvanttitietokone", "fi", "common-words"),  # its part "tieto" is in half the texts
    ("kunnan palvelut", "fi", "common-words"),
    ("xyzzy", "en", "no-hit"),
    ("rymdturism", "sv", "no-hit"),
]


@dataclass
class Run:
    timings_ms: list[float]
    by_kind: dict[str, list[float]]

    def percentile(self, p: int, values: list[float] | None = None) -> float:
        data = sorted(values if values is not None else self.timings_ms)
        return statistics.quantiles(data, n=100, method="inclusive")[p - 1]


def configure_environment(database_url: str | None) -> str:
    """Production-like settings: DEBUG off (no query log), throttling high enough not to bite."""
    url = (
        database_url
        or os.environ.get("DATABASE_URL")
        or (f"sqlite:///{Path(tempfile.gettempdir()) / 'luukku_bench_search.sqlite3'}")
    )
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "luukku.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ["API_ANON_RATE"] = "100000000/minute"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("CELERY_BROKER_URL", None)  # index in-process
    return url


def ensure_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    import dj_database_url  # noqa: PLC0415
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def build_catalogue(services: int, seed: int, rebuild: bool) -> None:
    from django.core.management import call_command  # noqa: PLC0415

    from bench.generate_catalogue import generate  # noqa: PLC0415
    from luukku.catalogue import search  # noqa: PLC0415
    from luukku.catalogue.models import SearchTerm, Service  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    if not rebuild and Service.objects.count() == services and SearchTerm.objects.exists():
        print(f"Reusing the catalogue of {services} services already in the database.")
        search.refresh_statistics()
        return
    started = time.perf_counter()
    Service.objects.all().delete()
    quiet = io.StringIO()
    call_command("load_code_lists", verbosity=0, stdout=quiet)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "catalogue.json"
        path.write_text(json.dumps(generate(services, seed), ensure_ascii=False), "utf-8")
        call_command(
            "import_ptv", str(path), "--no-progress", "--no-reindex", verbosity=0, stdout=quiet
        )
    imported = time.perf_counter()
    rows = search.rebuild_index()
    print(
        f"Catalogue: {Service.objects.count()} services imported in "
        f"{imported - started:.1f} s, {rows} index rows built in "
        f"{time.perf_counter() - imported:.1f} s."
    )


def measure(client: Any, mix: list[tuple[str, str, str]], seed: int) -> Run:
    order = list(mix)
    random.Random(seed).shuffle(order)
    timings: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for query, language, kind in order:
        started = time.perf_counter()
        response = client.get("/api/v1/services", {"q": query, "lang": language})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{query!r} ({language}) → HTTP {response.status_code}")
        timings.append(elapsed)
        by_kind.setdefault(kind, []).append(elapsed)
    return Run(timings, by_kind)


def check_answers(client: Any) -> list[str]:
    """The benchmark's queries must find what they mean, or the timings mean nothing."""
    lines = []
    for query, language, kind in QUERIES:
        body = client.get("/api/v1/services", {"q": query, "lang": language}).json()
        top = body["results"][0]["name"] if body["results"] else "—"
        lines.append(f"| {query} | {language} | {kind} | {body['count']} | {top} |")
    return lines


def machine() -> str:
    def run(command: str) -> str:
        result = subprocess.run(  # noqa: S602 - fixed commands, no user input
            command, shell=True, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    return "\n".join(
        [f"nproc: {run('nproc')}", run("lscpu | head -n 10"), f"Python {platform.python_version()}"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=600, help="Timed requests per run.")
    parser.add_argument("--warmup", type=int, default=100, help="Untimed requests first.")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="Defaults to $DATABASE_URL, else a temp SQLite.")
    parser.add_argument("--rebuild", action="store_true", help="Build the catalogue again.")
    args = parser.parse_args(argv)

    url = configure_environment(args.database_url)
    if url.startswith("postgres"):
        ensure_postgres_database(url)

    import django  # noqa: PLC0415

    django.setup()
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from luukku.core.text import warm_up  # noqa: PLC0415

    warm_up()  # as the WSGI entry point does at server start
    build_catalogue(args.services, args.seed, args.rebuild)
    client = Client()
    mix = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
    measure(client, [QUERIES[i % len(QUERIES)] for i in range(args.warmup)], seed=0)

    runs = [measure(client, mix, seed=run + 1) for run in range(args.runs)]
    p50 = statistics.median(run.percentile(50) for run in runs)
    p95 = statistics.median(run.percentile(95) for run in runs)
    p99 = statistics.median(run.percentile(99) for run in runs)
    print(
        f"\nDatabase: {connection.vendor}; {args.services} services; "
        f"{args.queries} timed queries per run after {args.warmup} warm-up; {args.runs} runs."
    )
    print(
        "Per run (p50 / p95 / p99 ms): "
        + "; ".join(
            f"{run.percentile(50):.1f} / {run.percentile(95):.1f} / {run.percentile(99):.1f}"
            for run in runs
        )
    )
    print(
        f"Median of runs: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms "
        f"(target p95 < 50 ms: {'met' if p95 < 50 else 'MISSED'})."
    )
    print("\np95 by kind of query (median of runs, ms):")
    for kind in dict.fromkeys(kind for _, _, kind in QUERIES):
        values = [
            statistics.quantiles(sorted(run.by_kind[kind]), n=100, method="inclusive")[94]
            for run in runs
        ]
        print(f"  {kind}: {statistics.median(values):.1f}")
    print("\n| query | lang | kind | matches | first result |\n|---|---|---|---|---|")
    print("\n".join(check_answers(client)))
    print("\n" + machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
