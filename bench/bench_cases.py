"""The case work benchmark of issue 4: the work queue and the case page with 100,000 open cases.

    nice -n 10 python bench/bench_cases.py [--cases 100000] [--runs 3] [--requests 300] [--reuse]

1. Creates the PostgreSQL database (default ``luukku_bench_cases`` on 127.0.0.1; dropped and
   created again unless ``--reuse`` finds one that already holds the generated cases), migrates
   it, loads the demo region and generates the work with COPY (`generate`):
   40 units in 4 parent organisations, 10 case owners and a unit lead per unit; ``--cases`` open
   cases plus a fifth as many closed ones, 0-3 tasks a case (about 1.5; most for another unit),
   about one note and three timeline events a case, consents on every tenth case; customers
   (persons with a hashed identity code, companies with a valid business ID, a few anonymous).
   Next action dates spread from ten days ago to a month ahead. Every table is VACUUM ANALYZEd.
2. Logs the measured users in (sessions in the database, as in production) and starts gunicorn
   with 2 sync workers on 127.0.0.1:8320, ``DJANGO_DEBUG=0``.
3. Checks every scenario's page answers 200 with the content it should, then times
   ``--requests`` sequential requests of each scenario (after 20 warm-up requests), ``--runs``
   times, and prints p50/p95 per run, the medians, and the gunicorn workers' CPU per request
   (from /proc: the figure a loaded machine does not inflate). Every page view writes its audit
   row, as in production.

Exit status 0 only when every scenario's median p95 is under the 100 ms target.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_open311 import _admin_url, serve_gunicorn, stop_server  # noqa: E402
from bench.generate_requests import _columns  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/luukku_bench_cases"
TARGET_P95_MS = 100.0
UNITS = 40
PARENTS = 4
OWNERS_PER_UNIT = 10
BATCH = 20_000
CHECKS = 5  # first pages of a scenario checked for their content before timing
WARM_UP = 20
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _base32(number: int, width: int = 5) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 32)
        digits.append(_REFERENCE_ALPHABET[digit])
    return "".join(reversed(digits))


def _business_id(n: int) -> str:
    from luukku.core.identifiers import business_id_check_digit

    body = 3_000_000 + n
    while (digit := business_id_check_digit(f"{body:07d}")) is None:
        body += 1_000_000
    return f"{body:07d}-{digit}"


# -- data ---------------------------------------------------------------------------------------


@dataclass
class Staff:
    units: list[Any]
    owners_by_unit: dict[int, list[Any]]
    leads: dict[int, Any]
    parents: list[Any]
    regional: Any


def create_staff() -> Staff:
    """Units, case owners and unit leads with the ORM (a few hundred rows)."""
    from django.contrib.auth.hashers import make_password

    from luukku.accounts.models import Membership, User
    from luukku.accounts.roles import Role
    from luukku.organisations.models import Organisation

    parents = [
        Organisation.objects.create(
            slug=f"bench-area-{p}",
            organisation_type=Organisation.Type.REGION,
            name_fi=f"Palvelualue {p}",
            name_sv=f"Serviceområde {p}",
            name_en=f"Service area {p}",
        )
        for p in range(PARENTS)
    ]
    units = [
        Organisation.objects.create(
            slug=f"bench-unit-{u}",
            organisation_type=Organisation.Type.REGION,
            parent=parents[u % PARENTS],
            name_fi=f"Yksikkö {u}",
            name_sv=f"Enhet {u}",
            name_en=f"Unit {u}",
        )
        for u in range(UNITS)
    ]
    password = make_password(None)
    owners_by_unit: dict[int, list[Any]] = {}
    leads: dict[int, Any] = {}
    memberships = []
    for unit in units:
        owners = User.objects.bulk_create(
            User(
                username=f"owner-{unit.pk}-{i}",
                first_name="Omistaja",
                last_name=f"{unit.pk}-{i}",
                password=password,
            )
            for i in range(OWNERS_PER_UNIT)
        )
        owners_by_unit[unit.pk] = owners
        memberships += [Membership(user=o, organisation=unit, role=Role.CASE_OWNER) for o in owners]
        lead = User.objects.create(
            username=f"lead-{unit.pk}", first_name="Esihenkilö", last_name=str(unit.pk)
        )
        leads[unit.pk] = lead
        memberships.append(Membership(user=lead, organisation=unit, role=Role.UNIT_LEAD))
    regional = User.objects.create(username="regional-handler", first_name="Alue", last_name="K")
    memberships.append(Membership(user=regional, organisation=parents[0], role=Role.CASE_OWNER))
    Membership.objects.bulk_create(memberships)
    return Staff(units, owners_by_unit, leads, parents, regional)


class Copier:
    """COPY rows of one model: the given fields, then every other column with its default."""

    def __init__(self, cursor: Any, model: Any, fields: list[str]) -> None:
        from django.db import connection

        self.cursor = cursor
        self.model = model
        self.fields = fields
        names, self.defaults, default_columns = _columns(model, fields)
        quote = connection.ops.quote_name
        self.statement = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(c) for c in names + default_columns)}) FROM STDIN"
        )
        self.count = 0

    def write(self, rows: Iterator[list[Any]]) -> None:
        while batch := list(itertools.islice(rows, BATCH)):
            with self.cursor.copy(self.statement) as copy:
                for row in batch:
                    copy.write_row(row + self.defaults)
            self.count += len(batch)

    def reset_sequence(self) -> None:
        table = self.model._meta.db_table
        self.cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
            [table],
        )


def generate(open_cases: int, seed: int) -> dict[str, int]:
    """The work of a region in service: customers, cases, tasks, notes, events, consents."""
    from django.db import connection, transaction
    from django.utils import timezone

    from luukku.cases.models import Case, CaseEvent, Consent, Customer, Note, Task
    from luukku.catalogue.models import Service

    rng = random.Random(seed)
    staff = create_staff()
    services = list(Service.objects.values_list("pk", flat=True))
    if not services:
        raise RuntimeError("no services: load the demo region first")
    unit_ids = [unit.pk for unit in staff.units]
    now = timezone.now()
    today = timezone.localdate()
    closed_cases = open_cases // 5
    total = open_cases + closed_cases
    customers = int(total * 0.8)

    def customer_rows() -> Iterator[list[Any]]:
        for n in range(1, customers + 1):
            if n % 8 == 0:
                yield [n, "company", f"Yritys {n} Oy", _business_id(n), "", "", "", "", "fi", now]
            else:
                code_hash = secrets.token_hex(32) if n % 2 else ""
                masked = (
                    f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(40, 99)}*****"
                )
                yield [
                    n, "person", f"Asiakas {n}", "", code_hash, masked if code_hash else "",
                    f"asiakas{n}@example.fi", "", "fi", now,
                ]  # fmt: skip

    case_owner: dict[int, tuple[int, int]] = {}
    task_rows: list[list[Any]] = []
    note_rows: list[list[Any]] = []
    event_rows: list[list[Any]] = []
    consent_rows: list[list[Any]] = []
    counters = {"task": 0, "note": 0, "event": 0, "consent": 0}

    def next_id(kind: str) -> int:
        counters[kind] += 1
        return counters[kind]

    def case_rows() -> Iterator[list[Any]]:
        for n in range(1, total + 1):
            is_open = n <= open_cases
            unit = unit_ids[rng.randrange(UNITS)]
            owner = rng.choice(staff.owners_by_unit[unit])
            case_owner[n] = (owner.pk, unit)
            opened = now - timedelta(days=rng.uniform(0, 120), hours=rng.uniform(0, 24))
            last = opened + (now - opened) * rng.random()
            next_action = today + timedelta(days=rng.randint(-10, 30)) if is_open else None
            customer = rng.randint(1, customers) if n % 20 else None
            reference = f"A{opened:%y%m%d}-{_base32(n)}"
            yield [
                n, reference, customer, f"Asia {n}: muutto ja palvelut",
                "Asiakas tarvitsee useamman palvelun.", rng.choice(
                    ["phone", "walk_in", "email", "mobile_van", "feedback"]),
                "open" if is_open else "closed", owner.pk, unit, next_action,
                opened + timedelta(days=14), "" if is_open else "solved", False,
                rng.choice([0, 0, 0, 1]), last, opened, None if is_open else last,
            ]  # fmt: skip
            add_case_content(n, is_open, owner.pk, unit, opened, last)

    def add_case_content(
        case: int, is_open: bool, owner: int, unit: int, opened: datetime, last: datetime
    ) -> None:
        event_rows.append(
            [next_id("event"), case, None, "opened", opened, owner, None, owner, "", "{}"]
        )
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            task = next_id("task")
            organisation = unit if rng.random() < 0.3 else unit_ids[rng.randrange(UNITS)]
            status = rng.choice(["open", "in_progress", "waiting", "done"]) if is_open else "done"
            active = status != "done"
            task_rows.append([
                task, case, rng.choice(services), organisation, None, "Palvelutarve.",
                "social_health" if rng.random() < 0.1 else "general", status,
                today + timedelta(days=rng.randint(-10, 30)) if active else None,
                opened + timedelta(days=21), last, opened, None if active else last,
            ])  # fmt: skip
            event_rows.append(
                [next_id("event"), case, task, "task_added", opened, owner, None, None, "", "{}"]
            )
        for _ in range(rng.choice([0, 1, 1, 2])):
            note_rows.append([
                next_id("note"), case, None, owner, unit, "Soitin asiakkaalle.",
                "internal", "general", last,
            ])  # fmt: skip
            event_rows.append(
                [next_id("event"), case, None, "note_added", last, owner, None, None, "", "{}"]
            )
        if case % 10 == 0:
            consent_rows.append([
                next_id("consent"), case, unit_ids[rng.randrange(UNITS)], "summary", False,
                "Suullisesti puhelimessa", opened, owner, None,
            ])  # fmt: skip
        if not is_open:
            event_rows.append(
                [next_id("event"), case, None, "closed", last, owner, None, None, "", "{}"]
            )

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute("SET LOCAL synchronous_commit = off")
        customer_copier = Copier(cursor, Customer, [
            "id", "kind", "name", "business_id", "identity_code_hash", "identity_code_masked",
            "email", "phone", "language", "created_at",
        ])  # fmt: skip
        customer_copier.write(customer_rows())
        case_copier = Copier(cursor, Case, [
            "id", "reference", "customer", "title", "description", "channel", "status", "owner",
            "owner_unit", "next_action_on", "due_at", "outcome", "first_contact_resolution",
            "owner_changes", "last_activity_at", "opened_at", "closed_at",
        ])  # fmt: skip
        case_copier.write(case_rows())
        copiers = [customer_copier, case_copier]
        for model, fields, rows in [
            (Task, ["id", "case", "service", "organisation", "assignee", "description",
                    "sensitivity", "status", "next_action_on", "due_at", "last_activity_at",
                    "created_at", "completed_at"], task_rows),
            (Note, ["id", "case", "task", "author", "author_unit", "body", "visibility",
                    "sensitivity", "created_at"], note_rows),
            (CaseEvent, ["id", "case", "task", "kind", "at", "actor", "from_owner", "to_owner",
                         "reason", "details"], event_rows),
            (Consent, ["id", "case", "organisation", "scope", "includes_social_health",
                       "how_given", "given_at", "recorded_by", "revoked_at"], consent_rows),
        ]:  # fmt: skip
            copier = Copier(cursor, model, fields)
            copier.write(iter(rows))
            copiers.append(copier)
        for copier in copiers:
            copier.reset_sequence()
    with connection.cursor() as cursor:
        for model in (Customer, Case, Task, Note, CaseEvent, Consent):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    counts = {copier.model.__name__: copier.count for copier in copiers}
    print(
        f"generated {counts} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True
    )
    return counts


# -- measurement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    user: Any
    paths: list[str]
    expect: str  # text every answer must hold, so that the timings are of real pages


def scenarios() -> list[Scenario]:
    """Typical users: an owner with ~250 open cases in a unit with ~3,700 active tasks; its lead;
    a handler whose role covers a parent organisation (10 units, ~37,000 active tasks)."""
    from django.urls import reverse

    from luukku.accounts.models import User
    from luukku.cases.models import Case, Task

    owner = User.objects.filter(username__startswith="owner-").order_by("pk").first()
    if owner is None:
        raise RuntimeError("no generated case owners: run without --reuse")
    unit_id = owner.memberships.get().organisation_id
    lead = User.objects.get(username=f"lead-{unit_id}")
    regional = User.objects.get(username="regional-handler")
    queue = reverse("cases:queue")
    own_cases = list(
        Case.objects.filter(owner=owner, status="open")
        .order_by("pk")
        .values_list("reference", flat=True)[:200]
    )
    team_cases = list(
        Task.objects.filter(organisation_id=unit_id, status__in=Task.ACTIVE)
        .exclude(case__owner_unit_id=unit_id)
        .order_by("pk")
        .values_list("case__reference", flat=True)[:200]
    )
    return [
        Scenario("queue: my cases", owner, [f"{queue}?tab=mine"], "tab=mine"),
        Scenario("queue: my cases, page 3", owner, [f"{queue}?tab=mine&page=3"], "tab=mine"),
        Scenario("queue: my unit's tasks", owner, [f"{queue}?tab=unit"], "tab=unit"),
        Scenario("queue: in transition", owner, [f"{queue}?tab=transition"], "tab=transition"),
        Scenario("queue: overdue cases (lead)", lead, [f"{queue}?tab=overdue"], "tab=overdue"),
        Scenario("queue: stalled tasks (lead)", lead, [f"{queue}?tab=stalled"], "tab=stalled"),
        Scenario("queue: unit's tasks, 10 units", regional, [f"{queue}?tab=unit"], "tab=unit"),
        Scenario(
            "case page (owner)",
            owner,
            [reverse("cases:case", args=[ref]) for ref in own_cases],
            "timeline-title",
        ),
        Scenario(
            "case page (team member, own task only)",
            owner,
            [reverse("cases:case", args=[ref]) for ref in team_cases],
            "timeline-title",
        ),
    ]


def session_cookie(user: Any) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def fetch(port: int, path: str, cookie: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    return response.status, body, elapsed


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of gunicorn's workers so far: the load-independent cost of the pages."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def measure(
    scenario: Scenario, cookie: str, port: int, requests: int, rng: random.Random
) -> list[float]:
    for path in scenario.paths[:CHECKS]:
        status, body, _ = fetch(port, path, cookie)
        if status != 200 or scenario.expect.encode() not in body:
            raise RuntimeError(f"{scenario.name}: {path} answered {status} without the content")
    for _ in range(WARM_UP):
        fetch(port, rng.choice(scenario.paths), cookie)
    timings = []
    for _ in range(requests):
        status, _body, elapsed = fetch(port, rng.choice(scenario.paths), cookie)
        if status != 200:
            raise RuntimeError(f"{scenario.name}: answered {status}")
        timings.append(elapsed * 1000)
    return timings


# -- orchestration ------------------------------------------------------------------------------


def _case_count(database_url: str) -> int | None:
    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            row = connection.execute("SELECT to_regclass('cases_case') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return None
            counted = connection.execute(
                "SELECT count(*) FROM cases_case WHERE status = 'open'"
            ).fetchone()
            return int(counted[0]) if counted else None
    except psycopg.OperationalError:
        return None


def _manage(*arguments: str, env: dict[str, str]) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *arguments],
        env=env, cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def prepare_database(database_url: str, cases: int, seed: int, reuse: bool) -> None:
    from django.db import connection

    existing = _case_count(database_url)
    if reuse and existing is not None and existing >= cases:
        print(f"reusing {database_url} ({existing} open cases)", file=sys.stderr)
        return
    connection.close()
    admin_url, name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        database = sql.Identifier(name)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(database))
    started = time.perf_counter()
    _manage("migrate", "--no-input", "-v0", env=dict(os.environ))
    _manage("load_demo_region", env=dict(os.environ))
    print(f"migrated and loaded the demo region in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)  # fmt: skip
    generate(cases, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--port", type=int, default=8320)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args(argv)

    secret = secrets.token_urlsafe(50)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "luukku.settings",
            "DATABASE_URL": args.database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secret,
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    prepare_database(args.database_url, args.cases, args.seed, args.reuse)
    plan = scenarios()
    cookies = {scenario.user.pk: session_cookie(scenario.user) for scenario in plan}
    from django.db import connection

    connection.close()

    workdir = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    server = serve_gunicorn(
        Path(sys.executable).parent / "gunicorn",
        "luukku.wsgi:application",
        api_prefix="/open311/v2/",
        cwd=ROOT,
        env=dict(os.environ),
        port=args.port,
        workers=args.workers,
        log=workdir / "gunicorn.log",
    )
    rng = random.Random(args.seed)
    results: dict[str, list[tuple[float, float, float]]] = {s.name: [] for s in plan}
    try:
        for run in range(1, args.runs + 1):
            for scenario in plan:
                cookie = cookies[scenario.user.pk]
                cpu_before = workers_cpu_seconds(server.pid)
                timings = measure(scenario, cookie, args.port, args.requests, rng)
                served = args.requests + WARM_UP + min(CHECKS, len(scenario.paths))
                cpu = (workers_cpu_seconds(server.pid) - cpu_before) * 1000 / served
                p50, p95 = percentile(timings, 0.50), percentile(timings, 0.95)
                results[scenario.name].append((p50, p95, cpu))
                print(f"run {run} {scenario.name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                      f"server CPU {cpu:.1f} ms/request, load {os.getloadavg()[0]:.2f}",
                      file=sys.stderr, flush=True)  # fmt: skip
    finally:
        stop_server(server)

    finished = datetime.now(UTC)
    print(f"\n{args.cases} open cases, gunicorn {args.workers} sync workers, "
          f"{args.requests} sequential requests per scenario and run, {args.runs} runs "
          f"({finished:%Y-%m-%d %H:%M} UTC, {platform.node()}, "
          f"load {os.getloadavg()[0]:.2f} at the end)")  # fmt: skip
    print("| scenario | p50 ms | p95 ms | p95 of each run | server CPU ms/request |")
    print("|---|---:|---:|---|---:|")
    met = True
    for name, figures in results.items():
        p50 = statistics.median(f[0] for f in figures)
        p95 = statistics.median(f[1] for f in figures)
        met = met and p95 < TARGET_P95_MS
        runs = " / ".join(f"{f[1]:.1f}" for f in figures)
        cpu = statistics.median(f[2] for f in figures)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {runs} | {cpu:.1f} |")
    print(f"\ntarget p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
