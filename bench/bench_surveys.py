"""The survey answer benchmark of issue 5: answers submitted per second through the answer API.

    python bench/bench_surveys.py [--runs 3] [--duration 20] [--workers 2] [--reuse]

Target: at least 500 answers a second on 2 cores with PostgreSQL, the production server and 16
clients. The same shape as bench/bench_open311.py, whose helpers it uses:

1. Creates the PostgreSQL database (default ``luukku_bench_surveys`` on 127.0.0.1; dropped and
   created again unless ``--reuse`` finds it migrated), migrates it, loads the demo region and
   creates the benchmark survey: the demo customer survey's unconditional questions plus a
   smiley, seven questions in all, with a service-page touchpoint (luukku/surveys/demo.py).
2. Starts gunicorn with ``--workers`` sync workers, ``DJANGO_DEBUG=0``, a generated secret key
   and Redis as cache and broker, the production settings otherwise; the answer limit per
   address (``SURVEYS_SUBMIT_RATE``) is raised so that the load measures saving answers, not
   the limiter refusing them (it is still counted on every request).
3. wrk, 16 connections, closed loop: ``POST /api/v1/surveys/<id>/responses/`` with JSON bodies
   of seven answers (scales, a single choice with 'other' text, a multiple choice, free text
   with Finnish letters) and the optional background, each request with its own
   ``Idempotency-Key``. A warm-up, then ``--runs`` timed runs; the median run is reported.
4. Checks afterwards that the database holds one response, with seven answers, per 201 reply
   (plus at most the requests wrk cut off unanswered when it stopped: the server may have
   completed those), and that every reply was a 201.

Exit status 0 only when the target is met and the counts agree.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import load_open311  # noqa: E402
from bench.bench_open311 import (  # noqa: E402
    HIGH_RATE,
    _admin_url,
    _manage,
    _server_env,
    flush_redis,
    serve_gunicorn,
    stop_server,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/luukku_bench_surveys"
TARGET_ANSWERS_PER_SECOND = 500.0
SURVEY_ID = uuid.UUID("5c1a7e2b-0d6f-4b8e-9a51-2f3c4d5e6fb0")
TOUCHPOINT_CODE = "bench-palvelusivu"
ANSWERS_PER_RESPONSE = 7
BODY_COUNT = 2000

COMMENTS = (
    "Kiitos, asia hoitui nopeasti ja ystävällisesti!",
    "Verkkosivuilta oli vaikea löytää oikeaa lomaketta.",
    "Toivoisin, että asiointipiste olisi auki myös lauantaisin.",
    "Sain apua myös ruotsiksi, kiitos.",
    "Jonotusnumeroita pitäisi olla enemmän ruuhka-aikaan.",
    "Hiekoitus tuli kadullemme vasta iltapäivällä.",
)
OTHER_CHANNELS = ("Kirjeellä", "Kirjaston neuvonnassa", "Sukulainen asioi puolestani")
MUNICIPALITIES = ("297", "749", "420", "140", "915", "686")
AGE_BANDS = ("15-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-")


def answer_bodies(count: int, seed: int, touchpoint: str = TOUCHPOINT_CODE) -> list[str]:
    """`count` JSON bodies, each answering all seven questions; ASCII (wrk's Lua takes only
    that), Finnish letters as JSON escapes. Deterministic by seed."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        channel = rng.choice(["web", "phone", "walk_in", "van", "other"])
        overall = rng.choices([1, 2, 3, 4, 5], weights=[5, 7, 15, 38, 35])[0]
        body: dict[str, object] = {
            "touchpoint": touchpoint,
            "language": rng.choice(["fi", "fi", "fi", "sv", "en"]),
            "status": "complete",
            "answers": {
                "overall": overall,
                "nps": max(0, min(10, 2 * overall + rng.choice([-2, -1, 0, 1]))),
                "easy": max(1, min(5, overall + rng.choice([-1, 0, 1]))),
                "contact_channel": channel,
                "went_well": rng.sample(["speed", "kindness", "clarity", "expertise"], 2),
                "comments": rng.choice(COMMENTS),
                "visit": rng.randint(1, 5),
            },
            "background": {
                "municipality": rng.choice(MUNICIPALITIES),
                "age_band": rng.choice(AGE_BANDS),
                "sex": rng.choice(["female", "male"]),
                "customer_type": "person",
            },
        }
        if channel == "other":
            body["other"] = {"contact_channel": rng.choice(OTHER_CHANNELS)}
        bodies.append(json.dumps(body, ensure_ascii=True, separators=(",", ":")))
    return bodies


def ensure_bench_survey() -> str:
    """The benchmark survey (created when missing); returns its answer API path."""
    from django.urls import reverse

    from luukku.catalogue.models import Service
    from luukku.organisations.models import Organisation
    from luukku.surveys import demo
    from luukku.surveys.models import Question, Touchpoint

    questions = (
        *(question for question in demo.CUSTOMER_QUESTIONS if question.show_if is None),
        demo.DemoQuestion(
            "visit",
            Question.Kind.SMILEY,
            ("Miltä asiointi tuntui?", "Hur kändes besöket?", "How did the visit feel?"),
        ),
    )
    if len(questions) != ANSWERS_PER_RESPONSE:
        raise RuntimeError(
            f"the bodies answer {ANSWERS_PER_RESPONSE} questions, not {len(questions)}"
        )
    survey = demo.ensure_survey(
        SURVEY_ID,
        questions,
        organisation=Organisation.objects.get(slug=demo.KUOPIO),
        title_fi="Kuormitustesti: miten onnistuimme?",
    )
    Touchpoint.objects.get_or_create(
        code=TOUCHPOINT_CODE,
        defaults={
            "survey": survey,
            "kind": Touchpoint.Kind.SERVICE_PAGE,
            "service": Service.objects.get(slug=demo.SERVICE_PAGE_SERVICE),
            "channel": "web",
        },
    )
    return reverse("surveys_api:responses", args=[survey.public_id])


def stored_counts() -> tuple[int, int]:
    """Responses and answers of the benchmark survey in the database."""
    from luukku.surveys.models import Answer, Response

    responses = Response.objects.filter(survey__public_id=SURVEY_ID).count()
    answers = Answer.objects.filter(response__survey__public_id=SURVEY_ID).count()
    return responses, answers


@dataclass(frozen=True)
class CountCheck:
    """Whether the database holds exactly what the 201 replies promised."""

    created: int  # 201 replies
    cut_off: int  # requests wrk wrote but stopped waiting for
    stored: int  # new responses in the database
    answers: int  # new answers in the database

    @property
    def ok(self) -> bool:
        return (
            self.created <= self.stored <= self.created + self.cut_off
            and self.answers == ANSWERS_PER_RESPONSE * self.stored
        )

    def describe(self) -> str:
        verdict = "agree" if self.ok else "DO NOT AGREE"
        return (
            f"counts {verdict}: {self.created} replies 201, {self.stored} new responses with "
            f"{self.answers} answers in the database, {self.cut_off} requests cut off by wrk's "
            "stop (completed or not by the server)"
        )


@dataclass(frozen=True)
class Summary:
    """The median of the timed runs."""

    responses_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms_per_response: float | None
    failures: int
    runs_text: str

    @property
    def answers_per_second(self) -> float:
        return self.responses_per_second * ANSWERS_PER_RESPONSE

    def meets_target(self) -> bool:
        return not self.failures and self.answers_per_second >= TARGET_ANSWERS_PER_SECOND


def summarise(runs: list[load_open311.RunResult]) -> Summary:
    cpu = [run.cpu_ms_per_request for run in runs if run.cpu_ms_per_request]
    return Summary(
        responses_per_second=statistics.median(run.rps for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p95_ms=statistics.median(run.p95_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        cpu_ms_per_response=statistics.median(cpu) if cpu else None,
        failures=sum(run.failures for run in runs),
        runs_text=" ".join(f"{run.rps:.0f}" for run in runs),
    )


def format_table(summary: Summary) -> str:
    cpu = f"{summary.cpu_ms_per_response:.1f}" if summary.cpu_ms_per_response else "–"
    return "\n".join(
        [
            "| responses/s | answers/s | p50 ms | p95 ms | p99 ms | runs' responses/s "
            "| server CPU ms/response | failures | target | met |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {summary.responses_per_second:.0f} | {summary.answers_per_second:.0f} "
            f"| {summary.p50_ms:.1f} | {summary.p95_ms:.1f} | {summary.p99_ms:.1f} "
            f"| {summary.runs_text} | {cpu} | {summary.failures} "
            f"| ≥ {TARGET_ANSWERS_PER_SECOND:.0f} answers/s "
            f"| {'yes' if summary.meets_target() else 'NO'} |",
        ]
    )


def run_load(
    url: str,
    bodies: list[str],
    *,
    duration: float,
    runs: int,
    warmup: float,
    connections: int = load_open311.CONNECTIONS,
    server_group: int | None = None,
) -> tuple[list[load_open311.RunResult], list[load_open311.RunResult]]:
    """A warm-up (when `warmup` > 0) and `runs` timed wrk runs POSTing `bodies` to `url`;
    returns (warm-up runs, timed runs). Progress goes to stderr."""
    path = urlsplit(url).path

    def one(seconds: float, label: str) -> load_open311.RunResult:
        script = load_open311.wrk_script(
            paths=[path] * len(bodies),
            bodies=bodies,
            content_type="application/json",
            body_marks=('"status"',),
            seed=1,
            run_id=f"{label}-{uuid.uuid4().hex[:12]}",
        )
        before = load_open311.process_group_cpu_seconds(server_group) if server_group else 0.0
        run = load_open311.run_wrk_script(url, script, seconds, connections)
        if server_group and run.requests:
            cpu = load_open311.process_group_cpu_seconds(server_group) - before
            run.cpu_ms_per_request = 1000 * cpu / run.requests
        print(
            f"{label}: {run.rps:.0f} responses/s, p50 {run.p50_ms:.1f} ms, p95 "
            f"{run.p95_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, statuses {run.statuses}, "
            f"load average {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
        return run

    warm = [one(warmup, "warm-up")] if warmup > 0 else []
    timed = [one(duration, f"run {number + 1}") for number in range(runs)]
    return warm, timed


def count_check(
    runs: list[load_open311.RunResult], before: tuple[int, int], after: tuple[int, int]
) -> CountCheck:
    return CountCheck(
        created=sum(run.statuses.get("201", 0) for run in runs),
        cut_off=sum(max(0, run.sent - run.requests) for run in runs),
        stored=after[0] - before[0],
        answers=after[1] - before[1],
    )


def prepare_database(database_url: str, reuse: bool, env: dict[str, str]) -> None:
    """A migrated database with the demo region (kept with --reuse when it is migrated)."""
    if reuse:
        try:
            with psycopg.connect(database_url, connect_timeout=5) as connection:
                row = connection.execute("SELECT to_regclass('surveys_survey') IS NOT NULL")
                found = row.fetchone()
            if found and found[0]:
                print(f"reusing {database_url}", file=sys.stderr)
                _manage("migrate", "--no-input", "-v0", env=env)
                return
        except psycopg.OperationalError:
            pass
    admin_url, name = _admin_url(database_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        database = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(database))
    _manage("migrate", "--no-input", "-v0", env=env)
    _manage("load_demo_region", env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="empty: none")
    parser.add_argument("--reuse", action="store_true", help="keep a migrated database")
    parser.add_argument("--port", type=int, default=8312)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settings", default="luukku.settings", help="the server's settings")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    env = {
        **_server_env(args.database_url, args.redis_url),
        "DJANGO_SETTINGS_MODULE": args.settings,
        "SURVEYS_SUBMIT_RATE": HIGH_RATE,
    }
    prepare_database(args.database_url, args.reuse, env)
    os.environ.update(
        DATABASE_URL=args.database_url,
        SURVEYS_SUBMIT_RATE=HIGH_RATE,
        DJANGO_SETTINGS_MODULE=args.settings,
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    if getattr(settings, "SURVEYS_SUBMIT_RATE", None) != HIGH_RATE:
        print(
            "The settings do not read SURVEYS_SUBMIT_RATE from the environment: the answer "
            "limit per address would refuse the load.",
            file=sys.stderr,
        )
        return 2
    path = ensure_bench_survey()
    before = stored_counts()
    connections.close_all()
    bodies = answer_bodies(BODY_COUNT, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="bench-surveys-"))
    server_commit = subprocess.run(  # noqa: S603 - git names the code the server runs
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    server = serve_gunicorn(
        Path(sys.executable).parent / "gunicorn",
        "luukku.wsgi:application",
        api_prefix="/open311/v2/",
        cwd=ROOT,
        env=env,
        port=args.port,
        workers=args.workers,
        log=workdir / "gunicorn.log",
    )
    try:
        warm, timed = run_load(
            f"http://127.0.0.1:{args.port}{path}",
            bodies,
            duration=args.duration,
            runs=args.runs,
            warmup=args.warmup,
            server_group=server.pid,
        )
    finally:
        stop_server(server)
        if args.redis_url:
            flush_redis(args.redis_url)
    check = count_check(warm + timed, before, stored_counts())
    summary = summarise(timed)
    print(f"\ncode measured: commit {server_commit}")
    print(
        f"{args.workers} gunicorn sync workers, {load_open311.CONNECTIONS} connections, "
        f"{ANSWERS_PER_RESPONSE} answers a response, {args.runs} runs of {args.duration:.0f} s "
        "(median of the runs)\n"
    )
    print(format_table(summary))
    print(f"\n{check.describe()}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "responses_per_second": summary.responses_per_second,
                    "answers_per_second": summary.answers_per_second,
                    "p50_ms": summary.p50_ms,
                    "p95_ms": summary.p95_ms,
                    "p99_ms": summary.p99_ms,
                    "failures": summary.failures,
                    "counts_agree": check.ok,
                    "runs": [run.__dict__ for run in timed],
                },
                indent=2,
            )
        )
    return 0 if summary.meets_target() and check.ok else 1


if __name__ == "__main__":
    sys.exit(main())
