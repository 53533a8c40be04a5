"""Router throughput on one core (issue 4: at least 1,000 suggestions per second).

    .venv/bin/python bench/bench_router.py [--runs 5] [--cpu 0] [--rebuild]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luukku_bench_router \\
        .venv/bin/python bench/bench_router.py

The demo region is loaded into a database of its own (a file in the temporary directory unless
DATABASE_URL is given; never the development database), with its handled messages as routing
examples, and the router is trained on it (`train_router --no-cv`, only when stale). The process
is then pinned to one CPU (`os.sched_setaffinity`).

One suggestion = one `router.services.suggest(text, language=..., municipality=..., limit=3)`
call for one message, as case intake makes it: the top three services with their producer at
the municipality. Messages are the demo's 910 handled messages, each with its municipality, in a
fresh random order per run. The model and the dictionaries are loaded first; the first pass
(the per-word caches still cold) is reported on its own; then `--runs` timed passes, and the
median of their rates is the figure.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MESSAGES_FILE = ROOT / "luukku" / "demo" / "data" / "handled_messages.csv"
SQLITE_PATH = Path(tempfile.gettempdir()) / "luukku_bench_router.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=0, help="The CPU to pin the process to.")
    parser.add_argument("--rebuild", action="store_true", help="Start from an empty database.")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        if args.rebuild:
            SQLITE_PATH.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_demo_region", verbosity=0)
    call_command("train_router", "--if-stale", "--no-cv", stdout=io.StringIO())
    print(f"database ready in {time.monotonic() - started:.1f} s")

    from luukku.router import services

    messages = _messages()
    os.sched_setaffinity(0, {args.cpu})
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"pinned to CPU {args.cpu}; load average {os.getloadavg()[0]:.2f}; "
        f"database {_database_vendor()}; model v{services.active_version()}"
    )

    # Model, catalogue snapshot and the fi/sv/en dictionaries (about 3 s), as a server's warm-up.
    from luukku.core.text import warm_up

    warm_up()
    services.suggest("lämmittely", language="fi")
    random.seed(0)
    cold_wall, cold_cpu = _run(messages, services.suggest)
    print(
        f"first pass (word caches cold): {cold_wall:,.0f} suggestions/s wall-clock, "
        f"{cold_cpu:,.0f} per CPU-second, over {len(messages)} messages"
    )
    runs = [_run(messages, services.suggest) for _ in range(args.runs)]
    for index, (wall, cpu) in enumerate(runs, start=1):
        print(f"run {index}: {wall:,.0f} suggestions/s wall-clock, {cpu:,.0f} per CPU-second")
    print(
        f"median: {statistics.median(wall for wall, _ in runs):,.0f} suggestions/s wall-clock, "
        f"{statistics.median(cpu for _, cpu in runs):,.0f} per CPU-second, on one core "
        f"({len(messages)} messages × {args.runs} runs; load average {os.getloadavg()[0]:.2f})"
    )


def _messages() -> list[tuple[str, str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        return [
            (row["text"], row["language"] or "fi", row.get("municipality") or "")
            for row in csv.DictReader(handle)
        ]


def _run(messages: list[tuple[str, str, str]], suggest: object) -> tuple[float, float]:
    """(suggestions per wall-clock second, per second of this process's CPU time).

    On a shared machine the wall clock also counts time other processes had the core; the CPU
    time counts only this process's work on it.
    """
    order = messages[:]
    random.shuffle(order)
    cpu_started = time.process_time()
    started = time.perf_counter()
    for text, language, municipality in order:
        suggestions = suggest(  # type: ignore[operator]
            text, language=language, municipality=municipality or None, limit=3
        )
        if not suggestions:
            raise SystemExit("The router gave no suggestions: is a model trained?")
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return len(order) / wall, len(order) / cpu


def _database_vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


if __name__ == "__main__":
    main()
