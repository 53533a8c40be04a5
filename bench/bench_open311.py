"""The Open311 API benchmark of issue 3, end to end: data, production server, load, report.

    python bench/bench_open311.py [--count 1000000] [--runs 3] [--duration 20] [--reuse]

1. Creates the PostgreSQL database (default ``luukku_bench_open311`` on 127.0.0.1; dropped and
   created again unless ``--reuse`` finds one that already holds ``--count`` requests), migrates
   it, loads the demo region and generates the requests (bench/generate_requests.py, COPY).
2. Creates an API key with ``manage.py create_api_key``.
3. Starts gunicorn (pinned in requirements/base.txt) with 2 sync workers on 127.0.0.1,
   ``DJANGO_DEBUG=0`` and a generated ``DJANGO_SECRET_KEY``, the production settings otherwise.
   Two deliberate differences from a default production start, both so that the load measures
   the API and not the rate limiter refusing it: the Open311 and API throttles are raised to
   10,000,000/minute (still evaluated on every request), and the cache and the Celery broker
   are Redis (``--redis-url``), as in production, so that throttle counters and queued
   confirmation e-mails cost what they cost there. No Celery worker runs during the load:
   queued tasks wait in Redis (as they would wait for a worker on another machine) and are
   removed at the end.
4. Checks that the server answers the way the scenarios assume (a page of 50 from
   requests.json, a request by id), then runs bench/load_open311.py's scenarios with 16
   concurrent connections (wrk), stops the server and prints the table (median of the runs).

Exit status 0 only when every target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import load_open311  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/luukku_bench_open311"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
HIGH_RATE = "10000000/minute"
API_PREFIX = "/open311/v2/"


@dataclass(frozen=True)
class Names:
    """Table and column names from the models, so that the SQL here follows model changes."""

    requests: str
    request_id: str
    requested_at: str
    services: str
    slug: str
    accepts_feedback: str


def model_names() -> Names:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
    django.setup()
    from django.db import models

    from luukku.catalogue.models import Service
    from luukku.intake.models import ServiceRequest

    def column(model: type[models.Model], name: str) -> str:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field) or not field.column:
            raise RuntimeError(f"{model.__name__}.{name} is not a column")
        return field.column

    return Names(
        requests=ServiceRequest._meta.db_table,
        request_id=column(ServiceRequest, "service_request_id"),
        requested_at=column(ServiceRequest, "requested_at"),
        services=Service._meta.db_table,
        slug=column(Service, "slug"),
        accepts_feedback=column(Service, "accepts_feedback"),
    )


def _server_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "luukku.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "OPEN311_IP_RATE": HIGH_RATE,
        "OPEN311_KEY_RATE": HIGH_RATE,
        "API_ANON_RATE": HIGH_RATE,
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CELERY_BROKER_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
        env.pop("CELERY_BROKER_URL", None)
    return env


def _manage(*arguments: str, env: dict[str, str]) -> str:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{completed.stderr}")
    return completed.stdout


def _admin_url(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def _request_count(database_url: str, names: Names) -> int | None:
    """Requests already in the database, or None when it is missing or not migrated."""
    table = sql.Identifier(names.requests)
    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", [names.requests])
            exists = row.fetchone()
            if not exists or not exists[0]:
                return None
            counted = connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(table)
            ).fetchone()
            return int(counted[0]) if counted else None
    except psycopg.OperationalError:
        return None


def prepare_database(
    database_url: str, count: int, seed: int, reuse: bool, env: dict[str, str], names: Names
) -> None:
    """A migrated database with the demo region and `count` generated requests."""
    # A reused database also holds the requests earlier runs POSTed (some thousands).
    existing = _request_count(database_url, names)
    if reuse and existing is not None and existing >= count:
        print(f"reusing {database_url} ({existing} requests)", file=sys.stderr)
        return
    admin_url, name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        database = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(database))
    started = time.perf_counter()
    _manage("migrate", "--no-input", "-v0", env=env)
    _manage("load_demo_region", env=env)
    print(f"migrated and loaded the demo region in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)  # fmt: skip
    completed = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "bench" / "generate_requests.py"),
         "--count", str(count), "--seed", str(seed)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    print(f"generated: {completed.stdout.strip()}", file=sys.stderr)


def create_api_key(env: dict[str, str]) -> str:
    """A fresh key from `manage.py create_api_key`, which prints it as its last line."""
    name = f"bench-{secrets.token_hex(4)}"
    if "create_api_key" not in _manage("help", "--commands", env=env).split():
        # Until the command exists: the service function it wraps.
        output = _manage(
            "shell", "-c",
            "from luukku.intake.services import create_api_client; "
            f"print(create_api_client(name={name!r})[1])",
            env=env,
        )  # fmt: skip
    else:
        output = _manage("create_api_key", name, env=env)
    return output.strip().splitlines()[-1].strip()


def sample_data(
    database_url: str, names: Names, ids_file: Path, sample: int = 5000
) -> tuple[list[str], str]:
    """Request ids (a fixed pseudo-random sample, written to `ids_file`), the service codes and
    the newest request time."""
    request_id = sql.Identifier(names.request_id)
    requests = sql.Identifier(names.requests)
    with psycopg.connect(database_url) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                sql.SQL("SELECT {id} FROM {table} ORDER BY md5({id}) LIMIT %s").format(
                    id=request_id, table=requests
                ),
                [sample],
            )
        ]
        codes = [
            row[0]
            for row in connection.execute(
                sql.SQL("SELECT {slug} FROM {table} WHERE {accepts} ORDER BY {slug}").format(
                    slug=sql.Identifier(names.slug),
                    table=sql.Identifier(names.services),
                    accepts=sql.Identifier(names.accepts_feedback),
                )
            )
        ]
        newest = connection.execute(
            sql.SQL("SELECT max({at}) FROM {table}").format(
                at=sql.Identifier(names.requested_at), table=requests
            )
        ).fetchone()
    if not ids or not codes or not newest or newest[0] is None:
        raise RuntimeError("the database holds no requests or no services")
    ids_file.write_text("\n".join(ids) + "\n")
    return codes, newest[0].isoformat()


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path, threads: int = 1
) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return serve_gunicorn(
        gunicorn,
        "luukku.wsgi:application",
        api_prefix=API_PREFIX,
        cwd=ROOT,
        env=env,
        port=port,
        workers=workers,
        threads=threads,
        log=log,
    )


def serve_gunicorn(
    gunicorn: Path,
    app: str,
    *,
    api_prefix: str,
    cwd: Path,
    env: dict[str, str],
    port: int,
    workers: int,
    log: Path,
    threads: int = 1,
) -> subprocess.Popen[bytes]:
    """Start `app` under gunicorn on loopback and wait until `api_prefix`services.json answers.

    Luukku and the 6Aika reference are served the same way, so their figures compare. With
    `threads` > 1 each worker is a gthread worker (keeps connections alive, overlaps one
    thread's database wait with another's work); measured here, its tails were longer than
    sync workers' (docs/benchmarks.md), so sync is the default.
    """
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"something already listens on 127.0.0.1:{port}: use --port")
    process = subprocess.Popen(  # noqa: S603 - a virtualenv's gunicorn
        [str(gunicorn), app, f"--workers={workers}", f"--bind=127.0.0.1:{port}",
         *(["--worker-class=gthread", f"--threads={threads}"] if threads > 1
           else ["--worker-class=sync"]),
         f"--error-logfile={log}"],
        env=env, cwd=cwd, start_new_session=True,
    )  # fmt: skip
    wait_until_answering(process, f"http://127.0.0.1:{port}{api_prefix}services.json", 60, log)
    return process


def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, seconds: float, log: Path
) -> None:
    """Return once `url` answers 200; stop the server and raise if it exits or stays silent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise RuntimeError(f"the server did not answer {url} within {seconds:.0f} s; see {log}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def check_answers(base_url: str, request_id: str) -> None:
    """The scenarios' URLs give what they should, so that the timings are of real answers."""
    with urllib.request.urlopen(f"{base_url}requests.json?page_size=50", timeout=30) as answer:  # noqa: S310
        page = json.load(answer)
    if not isinstance(page, list) or len(page) != 50:
        raise RuntimeError(f"requests.json?page_size=50 gave {len(page)} items, not 50")
    with urllib.request.urlopen(f"{base_url}requests/{request_id}.json", timeout=30) as answer:  # noqa: S310
        one = json.load(answer)
    if not one or one[0].get("service_request_id") != request_id:
        raise RuntimeError(f"requests/{request_id}.json did not answer with that request")


def flush_redis(redis_url: str) -> None:
    """Remove the queued tasks and throttle counters the run left in its Redis database."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="empty: no Redis")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database with at least --count requests"
    )
    parser.add_argument("--port", type=int, default=8311)
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
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    env = _server_env(args.database_url, args.redis_url)
    os.environ["DATABASE_URL"] = args.database_url
    names = model_names()
    prepare_database(args.database_url, args.count, args.seed, args.reuse, env, names)
    api_key = create_api_key(env)
    workdir = Path(tempfile.mkdtemp(prefix="bench-open311-"))
    ids_file = workdir / "ids.txt"
    codes, newest = sample_data(args.database_url, names, ids_file)
    ids = ids_file.read_text().split()
    base_url = f"http://127.0.0.1:{args.port}{API_PREFIX}"
    plan = load_open311.LoadPlan(
        base_url=base_url,
        api_key=api_key,
        ids=ids,
        service_codes=codes,
        window_end=datetime.fromisoformat(newest),
        seed=args.seed,
    )
    server_commit = subprocess.run(  # noqa: S603 - git names the code the server runs
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    server = start_server(
        env, args.port, args.workers, workdir / "gunicorn.log", threads=args.threads
    )
    try:
        check_answers(base_url, ids[0])
        results = load_open311.measure(
            plan, args.scenarios.split(","), args.duration, args.runs, args.warmup,
            server_group=server.pid,
        )  # fmt: skip
    finally:
        stop_server(server)
        if args.redis_url:
            flush_redis(args.redis_url)
    print(f"\ncode measured: commit {server_commit}")
    print(f"{args.count} requests, {args.workers} gunicorn workers × {args.threads} threads, "
          f"{load_open311.CONNECTIONS} connections, {args.runs} runs of {args.duration:.0f} s "
          "(median of the runs)\n")  # fmt: skip
    print(load_open311.format_table(results))
    if args.json:
        args.json.write_text(json.dumps(load_open311.results_as_json(results), indent=2))
    return 0 if all(result.meets_target() for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
