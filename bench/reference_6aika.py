"""Measure the 6Aika reference implementation (6aika/issue-reporting) like Luukku's Open311 API.

    python bench/reference_6aika.py --checkout /tmp/6aika [--count 1000000] [--runs 3] [--reuse]

Steps and reasons are in bench/reference_6aika.md. In short: a virtualenv for the checkout
(its requirements.txt, plus psycopg2-binary and gunicorn), a fresh PostgreSQL database migrated
with its own `manage.py migrate`, the same generated requests that bench/generate_requests.py
writes for Luukku (same seed, same --end, same services, times, places, texts, statuses and
history) written into its tables with COPY, then its server under gunicorn with 2 sync workers
and DEBUG off, loaded by bench/load_open311.py with the same scenarios and 16 connections.

This file contains none of the reference implementation's code: it only runs its manage.py and
gunicorn, and writes rows into the tables its migrations create. The generator needs Luukku's
benchmark database (bench/bench_open311.py makes it) for the demo region's services,
municipalities and routing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import load_open311  # noqa: E402
from bench.bench_open311 import DEFAULT_DATABASE_URL as LUUKKU_DATABASE_URL  # noqa: E402
from bench.bench_open311 import serve_gunicorn  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/sixaika_bench_open311"
API_PREFIX = "/api/georeport/v2/"
TRIAGE_CODE = "muu-palaute"  # the reference has no "I don't know": those requests go here
BATCH = 50_000
# The reference's tables (created by its migrations) and the columns this script fills.
ISSUE_COLUMNS = [
    "id", "identifier", "service_id", "service_code", "description", "status", "status_notes",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "zipcode", "media_url", "submitter_email",
    "submitter_first_name", "submitter_last_name", "submitter_phone", "location", "lat", "long",
    "moderation", "jurisdiction_id", "application_id",
]  # fmt: skip
LOG_COLUMNS = ["issue_id", "time", "status", "note", "handler", "attachment_url"]


def _reference_env(database_url: str) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LANGUAGES": "fi,en",
    }


def ensure_virtualenv(checkout: Path, venv: Path) -> Path:
    """The reference's own virtualenv: its pinned requirements from PyPI, Python 3.11."""
    python = venv / "bin" / "python"
    if not (venv / "bin" / "gunicorn").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 - pip of the venv just made
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(checkout / "requirements.txt"), "psycopg2-binary", "gunicorn"],
            check=True,
        )  # fmt: skip
    return python


def _requests_in(database_url: str) -> int | None:
    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            exists = connection.execute("SELECT to_regclass('issues_issue') IS NOT NULL")
            row = exists.fetchone()
            if not row or not row[0]:
                return None
            counted = connection.execute("SELECT count(*) FROM issues_issue").fetchone()
            return int(counted[0]) if counted else None
    except psycopg.OperationalError:
        return None


def _generator(count: int, seed: int, end: datetime, luukku_url: str) -> tuple[Any, Any]:
    """The same request stream as Luukku's benchmark data, and the organisation names."""
    os.environ["DATABASE_URL"] = luukku_url
    from bench.generate_requests import (
        RequestGenerator,
        load_municipalities,
        load_targets,
        setup_django,
    )

    setup_django()
    from luukku.organisations.models import Organisation

    municipalities = load_municipalities()
    targets = load_targets(municipalities)
    generator = RequestGenerator(targets, municipalities, end, seed)
    names = dict(Organisation.objects.values_list("id", "name_fi"))
    slugs = {target.service_id: target.slug for target in targets}
    return generator.requests(count), (names, slugs)


def load_reference(
    checkout: Path, python: Path, database_url: str, count: int, seed: int, end: datetime,
    luukku_url: str, api_key: str,
) -> None:  # fmt: skip
    """Migrate a fresh database with the reference's own migrations and COPY the requests in."""
    parts = database_url.rsplit("/", 1)
    admin_url, name = parts[0] + "/postgres", parts[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        database = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(database))
    subprocess.run(  # noqa: S603 - the reference's manage.py in its own venv
        [str(python), "manage.py", "migrate", "--no-input", "-v0"],
        cwd=checkout, env=_reference_env(database_url), check=True, capture_output=True,
    )  # fmt: skip
    stream, (organisation_names, slugs) = _generator(count, seed, end, luukku_url)
    started = time.perf_counter()
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "INSERT INTO issues_jurisdiction (identifier, name) VALUES (%s, %s) RETURNING id",
            ["pohjois-savo.fi", "Pohjois-Savo"],
        )
        jurisdiction_id = _one_id(cursor)
        cursor.execute(
            "INSERT INTO issues_application (active, identifier, name, key) "
            "VALUES (true, 'bench', 'bench', %s) RETURNING id",
            [api_key],
        )
        application_id = _one_id(cursor)
        service_ids = {}
        for slug in [*sorted(slugs.values()), TRIAGE_CODE]:
            cursor.execute(
                "INSERT INTO issues_service (service_code, metadata, type, location_req) "
                "VALUES (%s, false, 'realtime', 'coords_or_address') RETURNING id",
                [slug],
            )
            service_id = _one_id(cursor)
            service_ids[slug] = service_id
            cursor.execute(
                "INSERT INTO issues_service_translation "
                '(language_code, service_name, description, keywords, "group", master_id) '
                "VALUES ('fi', %s, '', '', '', %s)",
                [slug, service_id],
            )
            cursor.execute(
                "INSERT INTO issues_service_jurisdictions (service_id, jurisdiction_id) "
                "VALUES (%s, %s)",
                [service_id, jurisdiction_id],
            )
        issue_copy = f"COPY issues_issue ({', '.join(ISSUE_COLUMNS)}) FROM STDIN"
        log_copy = f"COPY issues_log_logentry ({', '.join(LOG_COLUMNS)}) FROM STDIN"
        next_id = 1
        while batch := list(itertools.islice(stream, BATCH)):
            with cursor.copy(issue_copy) as copy:
                for item in batch:
                    row = item.row
                    slug = slugs.get(row["service"], TRIAGE_CODE)
                    agency = organisation_names.get(row["agency_responsible"], "")
                    has_point = row["lat"] is not None
                    copy.write_row([
                        next_id, row["service_request_id"], service_ids[slug], slug,
                        row["description"], row["status"], row["status_notes"], agency, "",
                        row["requested_at"], row["updated_at"], row["expected_at"],
                        row["address_string"], "", "", row["email"], row["first_name"],
                        row["last_name"], row["phone"],
                        f"{row['long']};{row['lat']}" if has_point else None,
                        row["lat"], row["long"], row["moderation"], jurisdiction_id,
                        application_id,
                    ])  # fmt: skip
                    row["id"] = next_id
                    next_id += 1
            with cursor.copy(log_copy) as copy:
                for item in batch:
                    for state, at, note, handler in item.events:
                        copy.write_row([item.row["id"], at, state, note, handler, ""])
            print(f"{next_id - 1} issues ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        cursor.execute("SELECT setval('issues_issue_id_seq', %s)", [next_id - 1])
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    print(f"loaded {count} issues in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _one_id(cursor: psycopg.Cursor[Any]) -> int:
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("INSERT … RETURNING gave no row")
    return int(row[0])


def sample(database_url: str, ids_file: Path) -> tuple[list[str], list[str], datetime, str]:
    with psycopg.connect(database_url) as connection:
        ids = [row[0] for row in connection.execute(
            # The reference answers only public issues by id (404 for the rest).
            "SELECT identifier FROM issues_issue WHERE moderation = 'public' "
            "ORDER BY md5(identifier) LIMIT 5000"
        )]  # fmt: skip
        codes = [row[0] for row in connection.execute(
            "SELECT service_code FROM issues_service WHERE service_code <> %s ORDER BY 1",
            [TRIAGE_CODE],
        )]  # fmt: skip
        newest = connection.execute("SELECT max(requested_datetime) FROM issues_issue").fetchone()
        key = connection.execute("SELECT key FROM issues_application WHERE identifier = 'bench'")
        key_row = key.fetchone()
    if not ids or not newest or not key_row:
        raise RuntimeError("the reference database holds no issues; run without --reuse")
    ids_file.write_text("\n".join(ids) + "\n")
    return ids, codes, newest[0], str(key_row[0])


def start_reference(
    checkout: Path,
    python: Path,
    database_url: str,
    port: int,
    workers: int,
    log: Path,
    threads: int = 1,
) -> subprocess.Popen[bytes]:
    return serve_gunicorn(
        python.parent / "gunicorn",
        "cfh.wsgi:application",
        api_prefix=API_PREFIX,
        cwd=checkout,
        env=_reference_env(database_url),
        port=port,
        workers=workers,
        threads=threads,
        log=log,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--checkout", type=Path, required=True)
    parser.add_argument("--venv", type=Path, help="default: <checkout>-venv")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--luukku-database-url", default=LUUKKU_DATABASE_URL)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--end",
        type=datetime.fromisoformat,
        default=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0),
        help="as given to bench/generate_requests.py (default: today 00:00 UTC)",
    )
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--port", type=int, default=8312)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="per worker; 1 = sync workers (the measured default), else gthread",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--scenarios", default=",".join(load_open311.SCENARIOS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    checkout = args.checkout.resolve()
    python = ensure_virtualenv(checkout, args.venv or Path(f"{checkout}-venv"))
    existing = _requests_in(args.database_url)  # with the issues earlier runs POSTed
    if not (args.reuse and existing is not None and existing >= args.count):
        load_reference(
            checkout, python, args.database_url, args.count, args.seed, args.end,
            args.luukku_database_url, secrets.token_hex(12),
        )  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="bench-6aika-"))
    ids, codes, newest, api_key = sample(args.database_url, workdir / "ids.txt")
    base_url = f"http://127.0.0.1:{args.port}{API_PREFIX}"
    plan = load_open311.LoadPlan(
        base_url=base_url, api_key=api_key, ids=ids, service_codes=codes,
        window_end=newest, seed=args.seed,
    )  # fmt: skip
    server = start_reference(
        checkout, python, args.database_url, args.port, args.workers,
        workdir / "gunicorn.log", threads=args.threads,
    )  # fmt: skip
    try:
        results = load_open311.measure(
            plan, args.scenarios.split(","), args.duration, args.runs, args.warmup,
            server_group=server.pid,
        )  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(
        f"\n6Aika reference, {args.count} issues, {args.workers} gunicorn workers × "
        f"{args.threads} threads, "
        f"{load_open311.CONNECTIONS} connections, {args.runs} runs of {args.duration:.0f} s\n"
    )
    print(load_open311.format_table(results))
    if args.json:
        args.json.write_text(json.dumps(load_open311.results_as_json(results), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
