"""Load and faults (issue 7): nothing a client was told was received is lost.

    python bench/reliability.py [--clients 200] [--duration 300] [--output results.json]

Everything runs on this machine, on loopback, and is torn down at the end (also on Ctrl-C):

1. A PostgreSQL cluster of its own (Debian's ``15/reliability`` on port 5433, created with
   ``pg_createcluster`` when missing) so that restarting PostgreSQL disturbs no one else; the
   database ``luukku_reliability`` in it is created again, migrated and loaded with the demo
   region. A redis-server of its own on port 6390 (cache, throttle counters, Celery broker)
   and an SMTP sink on port 2526 that keeps every e-mail the application sends.
2. The production server: ``gunicorn -c deploy/gunicorn.conf.py luukku.asgi:application``
   (4 uvicorn workers, ``DJANGO_DEBUG=0``) and a Celery worker with beat, as deployed. One
   deliberate difference: the Open311 throttles are raised (as in bench_open311.py) so that the
   load measures the service, not the rate limiter refusing it.
3. ``--clients`` concurrent clients post feedback to ``POST /open311/v2/requests.json`` for
   ``--duration`` seconds. A submission is retried on a connection error, a timeout, a 429 or
   a 5xx, with the same body and the same Idempotency-Key, with capped exponential backoff and
   jitter (honouring Retry-After), until it is acknowledged (2xx with a service_request_id) or
   the client gives up. Each submission carries a unique marker in its description.
4. Faults, on a schedule during the load: ``kill -9`` of one gunicorn worker; PostgreSQL
   stopped for ``--db-down`` seconds and started again; the Celery worker (and beat) stopped for
   ``--celery-down`` seconds and started again.
5. Afterwards: acknowledged vs stored by marker (duplicates, lost, orphans), errors by kind,
   latency overall and in each fault window, and the notifications: every request's case opened,
   the outbox drained (no pending rows) and each case owner's e-mail received exactly once.

Exit status 0 only when nothing acknowledged was lost or duplicated, no request hung past the
client timeout while the database was down, and every notification arrived exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PG_VERSION = "15"
CLUSTER = "reliability"
DATABASE = "luukku_reliability"
HIGH_RATE = "10000000/minute"
POST_PATH = "/open311/v2/requests.json"
WORD_RE = re.compile(r"[\w-]+")
MARKER_RE = re.compile(r"\[(rel-[0-9a-f]+-c\d+-n\d+)\]")


# --- Pure parts (bench/tests/test_reliability.py) ------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When each fault starts (seconds after the load started) and how long it lasts."""

    kill_worker_at: float
    restart_db_at: float
    db_down: float
    stop_celery_at: float
    celery_down: float


def default_schedule(duration: float) -> Schedule:
    """Faults at 20 %, 40 % and 60 % of the run (60, 120 and 180 s of five minutes), so that each
    has load before and after it; the worker stays down a minute, or a fifth of a short run."""
    return Schedule(
        kill_worker_at=round(duration * 0.2, 1),
        restart_db_at=round(duration * 0.4, 1),
        db_down=10.0,
        stop_celery_at=round(duration * 0.6, 1),
        celery_down=min(60.0, round(duration * 0.2, 1)),
    )


def backoff_delay(
    attempt: int,
    rng: random.Random,
    *,
    base: float = 0.25,
    cap: float = 8.0,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1 = the first retry): "full jitter" over
    an exponentially growing, capped window, so that 200 clients refused at once do not come
    back at once; never sooner than the server's Retry-After (itself capped)."""
    window = min(cap, base * 2 ** (attempt - 1))
    delay = rng.uniform(0, window)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def parse_http_response(raw: bytes) -> HttpResponse:
    """A whole HTTP/1.1 response read to the end of the connection (we send Connection: close).

    Raises ValueError for an empty or cut-off response: the server died while answering."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError("incomplete response")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"bad status line: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, _colon, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length")
    if length is not None and length.isdigit() and len(body) < int(length):
        raise ValueError("incomplete body")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return HttpResponse(status=int(parts[1]), headers=headers, body=body)


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, separator, rest = body.partition(b"\r\n")
        if not separator:
            raise ValueError("incomplete chunked body")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            return bytes(out)
        if len(rest) < size:
            raise ValueError("incomplete chunked body")
        out += rest[:size]
        body = rest[size + 2 :]


def acknowledged_id(response: HttpResponse) -> str | None:
    """The service_request_id of a 2xx Open311 answer (a one-element list), else None."""
    if not 200 <= response.status < 300:
        return None
    try:
        data = json.loads(response.body)
    except ValueError:
        return None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        value = data[0].get("service_request_id")
        return str(value) if value else None
    return None


def classify(response: HttpResponse | None, error: BaseException | None) -> str:
    """The kind of an attempt's outcome, as tallied in the report ("ok" when acknowledged)."""
    if error is not None:
        if isinstance(error, TimeoutError):
            return "timeout"
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, ConnectionResetError | BrokenPipeError | ValueError):
            return "connection reset"
        return f"connection error ({type(error).__name__})"
    if response is None:
        return "no response"
    if acknowledged_id(response):
        return "ok"
    return f"HTTP {response.status}"


def retryable(kind: str) -> bool:
    """Worth the same submission again: the server may not have stored it, or may store it now.

    A 4xx other than 429 is the client's own mistake; sending it again cannot help."""
    if kind == "ok":
        return False
    if kind.startswith("HTTP "):
        status = int(kind.split()[1])
        return status == 429 or status >= 500 or 200 <= status < 300
    return True


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Attempt:
    started: float  # seconds after the load started
    latency: float
    kind: str


@dataclass
class Submission:
    marker: str
    key: str
    client: int
    attempts: list[Attempt] = field(default_factory=list)
    service_request_id: str | None = None
    gave_up: str | None = None


@dataclass(frozen=True)
class Reconciliation:
    """Acknowledged submissions against the rows in the database, by marker."""

    submissions: int
    acknowledged: int
    given_up: int
    stored_rows: int
    stored_markers: int
    duplicates: list[str]
    lost: list[str]
    wrong_id: list[str]
    orphans: list[str]
    orphans_not_given_up: list[str]

    @property
    def exactly_once(self) -> bool:
        return not (self.duplicates or self.lost or self.wrong_id)


def reconcile(
    submissions: Iterable[Submission], stored: Iterable[tuple[str, str]]
) -> Reconciliation:
    """Compare what clients were told with what is stored (`stored`: (marker, id) per row).

    An orphan (stored, never acknowledged) is allowed: the server committed it but the answer
    was lost (a killed worker, the client's timeout) and the client gave up before a retry got
    through. It must be a submission the client gave up on, never an unknown one."""
    by_marker = {submission.marker: submission for submission in submissions}
    rows: dict[str, list[str]] = {}
    count = 0
    for marker, request_id in stored:
        rows.setdefault(marker, []).append(request_id)
        count += 1
    acknowledged = {m: s for m, s in by_marker.items() if s.service_request_id}
    orphans = sorted(m for m in rows if m not in acknowledged)
    return Reconciliation(
        submissions=len(by_marker),
        acknowledged=len(acknowledged),
        given_up=sum(1 for s in by_marker.values() if s.gave_up),
        stored_rows=count,
        stored_markers=len(rows),
        duplicates=sorted(m for m, ids in rows.items() if len(ids) > 1),
        lost=sorted(m for m in acknowledged if m not in rows),
        wrong_id=sorted(
            m for m, s in acknowledged.items() if m in rows and rows[m] != [s.service_request_id]
        ),
        orphans=orphans,
        orphans_not_given_up=[m for m in orphans if not (m in by_marker and by_marker[m].gave_up)],
    )


@dataclass(frozen=True)
class LatencySummary:
    attempts: int
    p50: float
    p95: float
    max: float
    kinds: dict[str, int]


def summarise(
    attempts: Iterable[Attempt], start: float = -math.inf, end: float = math.inf
) -> LatencySummary:
    """Latency (seconds) and outcome kinds of the attempts that started in [start, end)."""
    chosen = [a for a in attempts if start <= a.started < end]
    latencies = [a.latency for a in chosen]
    return LatencySummary(
        attempts=len(chosen),
        p50=percentile(latencies, 0.50),
        p95=percentile(latencies, 0.95),
        max=max(latencies, default=math.nan),
        kinds=dict(Counter(a.kind for a in chosen).most_common()),
    )


def timeline(
    submissions: Iterable[Submission], duration: float, step: float = 10.0
) -> list[dict[str, Any]]:
    """Per `step` seconds: attempts, acknowledgements and errors, to see each fault's dip."""
    buckets = [
        {"from": i * step, "attempts": 0, "acknowledged": 0, "errors": 0}
        for i in range(max(1, math.ceil(duration / step)))
    ]
    for submission in submissions:
        for attempt in submission.attempts:
            index = min(max(int((attempt.started + attempt.latency) // step), 0), len(buckets) - 1)
            bucket = buckets[index]
            bucket["attempts"] += 1
            if attempt.kind == "ok":
                bucket["acknowledged"] += 1
            else:
                bucket["errors"] += 1
    return buckets


def email_counts(messages: Iterable[bytes], references: Iterable[str]) -> Counter[str]:
    """How many received e-mails name each case reference (subject or body); a reference is a
    word of its own (letters, digits and hyphens), so this is one pass over the messages."""
    wanted = set(references)
    counts: Counter[str] = Counter(dict.fromkeys(wanted, 0))
    for raw in messages:
        for reference in set(WORD_RE.findall(email_text(raw))) & wanted:
            counts[reference] += 1
    return counts


def email_text(raw: bytes) -> str:
    message = message_from_bytes(raw)
    subject = str(make_header(decode_header(message.get("Subject", ""))))
    parts = [subject]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


# --- The machinery: processes, faults, clients -----------------------------------------------


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class SmtpSink(threading.Thread):
    """A minimal SMTP server on loopback that keeps every message (the application's own SMTP
    backend talks to it, as it would to the mail relay)."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.messages: list[bytes] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None

    def run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", self.port)
        )
        self._ready.set()
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self._server.serve_forever())

    def start_and_wait(self) -> None:
        self.start()
        if not self._ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        if self._loop and self._server:
            self._loop.call_soon_threadsafe(self._server.close)

    def received(self) -> list[bytes]:
        with self._lock:
            return list(self.messages)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        say("220 reliability-sink ESMTP")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    say("250-reliability-sink")
                    say("250 8BITMIME")
                elif verb == b"DATA":
                    say("354 end with <CRLF>.<CRLF>")
                    await writer.drain()
                    lines = []
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    with self._lock:
                        self.messages.append(b"".join(lines))
                    say("250 queued")
                elif verb == b"QUIT":
                    say("221 bye")
                    await writer.drain()
                    break
                elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    say("250 ok")
                else:
                    say("502 not implemented")
                await writer.drain()
        finally:
            writer.close()


def run(command: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603


def pg_cluster(action: str, *extra: str) -> None:
    completed = run(["pg_ctlcluster", PG_VERSION, CLUSTER, action, *extra])
    if completed.returncode != 0 and "is not running" not in completed.stderr:
        raise RuntimeError(f"pg_ctlcluster {action} failed: {completed.stderr.strip()}")


def ensure_cluster(port: int, max_connections: int) -> None:
    """Our own cluster, created when missing; never the shared one on 5432."""
    clusters = run(["pg_lsclusters", "--no-header"]).stdout.splitlines()
    ours = [line.split() for line in clusters if line.split()[:2] == [PG_VERSION, CLUSTER]]
    if not ours:
        log(f"creating PostgreSQL cluster {PG_VERSION}/{CLUSTER} on port {port}")
        completed = run(
            ["pg_createcluster", PG_VERSION, CLUSTER, "-p", str(port), "--", "--auth=trust"]
        )
        if completed.returncode != 0:
            raise RuntimeError(f"pg_createcluster failed: {completed.stderr.strip()}")
    elif ours[0][2] != str(port):
        raise RuntimeError(f"cluster {PG_VERSION}/{CLUSTER} listens on {ours[0][2]}, not {port}")
    # Every request being served holds a connection (no pooler here): room for all clients.
    completed = run(
        ["pg_conftool", PG_VERSION, CLUSTER, "set", "max_connections", str(max_connections)]
    )
    if completed.returncode != 0:
        raise RuntimeError(f"pg_conftool failed: {completed.stderr.strip()}")
    pg_cluster("start")


def database_url(port: int) -> str:
    # connect_timeout: a database that does not answer fails a request in 3 s instead of hanging.
    return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}?connect_timeout=3"


def server_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    redis = f"redis://127.0.0.1:{args.redis_port}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DATABASE_URL": database_url(args.pg_port),
        # Under ASGI each request runs in a thread of its own, and a persistent connection
        # stays with its thread: with the default 60 s, idle connections pile up until
        # PostgreSQL refuses new ones ("too many clients"). Django's advice for ASGI is 0.
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "REDIS_URL": f"{redis}/0",
        "CELERY_BROKER_URL": f"{redis}/1",
        "CHANNEL_LAYER_URL": f"{redis}/2",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(args.smtp_port),
        "MEDIA_ROOT": str(workdir / "media"),
        "INSIGHTS_EXTRACT_PATH": str(workdir / "insights.duckdb"),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_WORKERS": str(args.workers),
        "OPEN311_IP_RATE": HIGH_RATE,
        "OPEN311_KEY_RATE": HIGH_RATE,
        "API_ANON_RATE": HIGH_RATE,
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *arguments: str) -> str:
    completed = run([sys.executable, str(ROOT / "manage.py"), *arguments], env=env, cwd=ROOT)
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{completed.stderr}")
    return completed.stdout


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> str:
    """A fresh database with the demo region; returns a new API key."""
    admin = [
        "psql", "-h", "127.0.0.1", "-p", str(args.pg_port), "-U", "postgres", "-v",
        "ON_ERROR_STOP=1", "-d", "postgres", "-c",
    ]  # fmt: skip
    for statement in (
        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
        f"CREATE DATABASE {DATABASE}",
    ):
        completed = run([*admin, statement])
        if completed.returncode != 0:
            raise RuntimeError(f"{statement}: {completed.stderr.strip()}")
    # Set-up work runs in-process (no broker) and mails nothing.
    setup = {
        **env,
        "CELERY_BROKER_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    started = time.monotonic()
    manage(setup, "migrate", "--no-input", "-v0")
    # The demo staff (their password is public: loopback only, dropped by the next run) own the
    # cases that each submission opens, and get the notifications that are counted.
    manage(setup, "load_demo_region", "--with-demo-users")
    key = manage(setup, "create_api_key", f"reliability-{secrets.token_hex(4)}")
    log(f"database migrated, demo region loaded in {time.monotonic() - started:.0f} s")
    return key.strip().splitlines()[-1].strip()


class Processes:
    """The child processes; each in its own session, so Ctrl-C reaches only this script and the
    teardown stops them in order."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], workdir: Path) -> None:
        self.args, self.env, self.workdir = args, env, workdir
        self.redis: subprocess.Popen[bytes] | None = None
        self.gunicorn: subprocess.Popen[bytes] | None = None
        self.celery: subprocess.Popen[bytes] | None = None
        self.celery_starts = 0

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        output = (self.workdir / f"{name}.log").open("ab")
        return subprocess.Popen(  # noqa: S603 - fixed commands from our own venv
            command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_redis(self) -> None:
        self.redis = self._spawn(
            "redis",
            ["redis-server", "--port", str(self.args.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
        )  # fmt: skip
        wait_for(lambda: run(["redis-cli", "-p", str(self.args.redis_port), "ping"]).stdout
                 .strip() == "PONG", "redis-server", 10)  # fmt: skip

    def start_gunicorn(self) -> None:
        self.gunicorn = self._spawn(
            "gunicorn",
            [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
             "luukku.asgi:application"],
        )  # fmt: skip

    def start_celery(self) -> None:
        self.celery_starts += 1
        self.celery = self._spawn(
            "celery",
            [str(VENV_BIN / "celery"), "-A", "luukku", "worker", "--beat",
             "--schedule", str(self.workdir / "celerybeat-schedule"),
             "--concurrency", str(self.args.celery_concurrency), "--loglevel", "WARNING",
             "--hostname", f"reliability{self.celery_starts}@%h"],
        )  # fmt: skip

    def gunicorn_workers(self) -> list[int]:
        if self.gunicorn is None:
            return []
        return children_of(self.gunicorn.pid)

    def stop_celery(self) -> float:
        """Warm shutdown (SIGTERM, as systemd stops it), SIGKILL after 30 s; seconds taken."""
        started = time.monotonic()
        if self.celery is not None:
            stop(self.celery, timeout=30)
            self.celery = None
        return time.monotonic() - started

    def stop_all(self) -> None:
        for process in (self.gunicorn, self.celery, self.redis):
            if process is not None:
                stop(process, timeout=30)
        self.gunicorn = self.celery = self.redis = None


def children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces; the ppid follows the state.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the leader only (gunicorn's master and Celery's main process then stop their
    workers gracefully, as under systemd with KillMode=mixed), SIGKILL to the group after
    `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    # Children the leader left behind (a prefork pool, a worker being replaced).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_for(check: Any, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


async def http_post(
    port: int, path: str, body: bytes, headers: dict[str, str], timeout: float
) -> HttpResponse:
    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
                    "Content-Type: application/x-www-form-urlencoded",
                    f"Content-Length: {len(body)}", "Connection: close"]  # fmt: skip
            head += [f"{name}: {value}" for name, value in headers.items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return parse_http_response(await asyncio.wait_for(exchange(), timeout))


def http_get(port: int, path: str) -> tuple[int, bytes]:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except OSError as error:
        raise RuntimeError(f"GET {path}: {error}") from error


@dataclass
class Load:
    args: argparse.Namespace
    api_key: str
    service_codes: list[str]
    run_id: str
    started: float = 0.0
    submissions: list[Submission] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.started

    async def client(self, number: int) -> None:
        rng = random.Random(f"{self.run_id}-{number}")
        sequence = 0
        # Spread the first requests over a second instead of 200 at the same instant.
        await asyncio.sleep(rng.uniform(0, 1))
        while self.now() < self.args.duration:
            sequence += 1
            marker = f"rel-{self.run_id}-c{number}-n{sequence}"
            submission = Submission(marker=marker, key=str(uuid.uuid4()), client=number)
            self.submissions.append(submission)
            await self.submit(submission, rng, sequence)
            if self.args.think > 0:
                await asyncio.sleep(rng.expovariate(1 / self.args.think))

    def form(self, submission: Submission, rng: random.Random, sequence: int) -> bytes:
        fields = {
            "api_key": self.api_key,
            "service_code": rng.choice(self.service_codes),
            "description": f"Reliability run feedback [{submission.marker}]: the street light "
            f"at the bus stop has been out for {sequence} days.",
        }
        if sequence % 3 == 0:
            fields["email"] = f"resident.{submission.client}.{sequence}@example.com"
        if sequence % 2 == 0:
            fields["lat"] = f"{60.45 + rng.uniform(0, 0.1):.6f}"
            fields["long"] = f"{22.25 + rng.uniform(0, 0.1):.6f}"
        return urlencode(fields).encode()

    async def submit(self, submission: Submission, rng: random.Random, sequence: int) -> None:
        body = self.form(submission, rng, sequence)
        headers = {"Idempotency-Key": submission.key}
        for attempt_number in range(1, self.args.max_attempts + 1):
            started = self.now()
            response: HttpResponse | None = None
            error: BaseException | None = None
            try:
                response = await http_post(
                    self.args.port, POST_PATH, body, headers, self.args.request_timeout
                )
            except (OSError, TimeoutError, ValueError) as caught:
                error = caught
            kind = classify(response, error)
            submission.attempts.append(Attempt(started, self.now() - started, kind))
            if kind == "ok" and response is not None:
                submission.service_request_id = acknowledged_id(response)
                return
            if not retryable(kind):
                submission.gave_up = kind
                return
            if attempt_number == self.args.max_attempts:
                submission.gave_up = f"{attempt_number} attempts"
                return
            retry_after = None
            if response is not None and response.headers.get("retry-after", "").isdigit():
                retry_after = float(response.headers["retry-after"])
            await asyncio.sleep(backoff_delay(attempt_number, rng, retry_after=retry_after))


@dataclass
class FaultLog:
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, load: Load, what: str, **details: Any) -> None:
        entry = {"at": round(load.now(), 2), "event": what, **details}
        self.events.append(entry)
        log(f"t={entry['at']:.1f}s {what} {details if details else ''}")


async def inject_faults(
    load: Load, processes: Processes, schedule: Schedule, faults: FaultLog
) -> None:
    """Each fault on its own clock, so that a slow PostgreSQL restart does not delay the next."""

    async def until(moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - load.now()))

    async def kill_worker() -> None:
        await until(schedule.kill_worker_at)
        workers = processes.gunicorn_workers()
        if not workers:
            faults.add(load, "no gunicorn worker to kill")
            return
        victim = random.Random(load.run_id).choice(workers)
        os.kill(victim, signal.SIGKILL)
        faults.add(load, "kill -9 gunicorn worker", pid=victim, workers=len(workers))
        while True:
            await asyncio.sleep(0.2)
            now = processes.gunicorn_workers()
            if victim not in now and len(now) >= len(workers):
                break
        faults.add(load, "gunicorn worker replaced", workers=now)

    async def restart_database() -> None:
        await until(schedule.restart_db_at)
        faults.add(load, "PostgreSQL stopping")
        await asyncio.to_thread(pg_cluster, "stop", "-m", "fast")
        faults.add(load, "PostgreSQL stopped")
        await asyncio.sleep(schedule.db_down)
        faults.add(load, "PostgreSQL starting")
        await asyncio.to_thread(pg_cluster, "start")
        faults.add(load, "PostgreSQL started")

    async def stop_celery() -> None:
        await until(schedule.stop_celery_at)
        faults.add(load, "Celery worker and beat stopping")
        took = await asyncio.to_thread(processes.stop_celery)
        faults.add(load, "Celery worker and beat stopped", shutdown_seconds=round(took, 1))
        await asyncio.sleep(schedule.celery_down)
        processes.start_celery()
        faults.add(load, "Celery worker and beat started")

    await asyncio.gather(kill_worker(), restart_database(), stop_celery())


def fault_windows(
    events: list[dict[str, Any]], settle: float = 5.0
) -> dict[str, tuple[float, float]]:
    """Per fault, the time from its start until `settle` seconds after it ended."""

    def at(name: str) -> float | None:
        return next((e["at"] for e in events if e["event"] == name), None)

    windows = {}
    pairs = {
        "worker killed": ("kill -9 gunicorn worker", "gunicorn worker replaced"),
        "database down": ("PostgreSQL stopping", "PostgreSQL started"),
        "celery down": ("Celery worker and beat stopping", "Celery worker and beat started"),
    }
    for name, (first, last) in pairs.items():
        start, end = at(first), at(last)
        if start is not None and end is not None:
            windows[name] = (start, end + settle)
    return windows


# --- Checks after the load ----------------------------------------------------------------------


def stored_rows(run_id: str) -> list[tuple[str, str]]:
    from luukku.intake.models import ServiceRequest

    rows = []
    for description, request_id in ServiceRequest.objects.filter(
        description__contains=f"[rel-{run_id}-"
    ).values_list("description", "service_request_id"):
        match = MARKER_RE.search(description)
        if match:
            rows.append((match.group(1), request_id))
    return rows


def notification_state(run_id: str) -> dict[str, Any]:
    """Cases of this run's requests and their owners' e-mail notifications, and the outbox."""
    from luukku.cases.models import Case
    from luukku.intake.models import ServiceRequest
    from luukku.notifications.models import Notification

    requests = ServiceRequest.objects.filter(description__contains=f"[rel-{run_id}-")
    cases = dict(Case.objects.filter(service_request__in=requests).values_list("pk", "reference"))
    emails = Notification.objects.filter(
        channel=Notification.Channel.EMAIL, kind="case_assigned"
    ).filter(dedupe_key__regex=r"^case-assigned:\d+:")
    ours = [
        (key, status)
        for key, status in emails.values_list("dedupe_key", "status")
        if int(key.split(":")[1]) in cases
    ]
    return {
        "requests": requests.count(),
        "requests_with_case": len(cases),
        "references": sorted(cases.values()),
        "email_notifications": len(ours),
        "email_by_status": dict(Counter(status for _key, status in ours)),
        "outbox_pending": Notification.objects.filter(status=Notification.Status.PENDING).count(),
        "outbox_by_status": dict(Counter(Notification.objects.values_list("status", flat=True))),
    }


def wait_for_delivery(
    run_id: str, sink: SmtpSink, timeout: float
) -> tuple[dict[str, Any], float, list[dict[str, Any]]]:
    """Poll until every request has its case, the outbox has nothing pending and every e-mail
    notification has been received; returns the last state, the seconds waited and the
    progress every 10 s (cases opened, e-mails received), which gives the hand-off rate."""
    started = time.monotonic()
    progress: list[dict[str, Any]] = []
    while True:
        state = notification_state(run_id)
        waited = time.monotonic() - started
        if not progress or waited - progress[-1]["after"] >= 10:
            progress.append(
                {
                    "after": round(waited, 1),
                    "cases": state["requests_with_case"],
                    "emails_received": len(sink.received()),
                    "outbox_pending": state["outbox_pending"],
                }
            )
            log(f"{progress[-1]} of {state['requests']} requests")
        done = (
            state["requests_with_case"] == state["requests"]
            and state["outbox_pending"] == 0
            and len(sink.received()) >= state["email_by_status"].get("sent", 0)
        )
        if done or waited > timeout:
            return state, waited, progress
        time.sleep(2)


# --- Report -------------------------------------------------------------------------------------


def fmt_seconds(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def print_summary(results: dict[str, Any]) -> None:
    r = results["reconciliation"]
    n = results["notifications"]
    lines = [
        f"clients {results['clients']}, load {results['duration']} s, "
        f"{results['throughput_per_second']:.1f} acknowledged/s",
        "",
        f"{'submissions':32}{r['submissions']:>10}",
        f"{'acknowledged':32}{r['acknowledged']:>10}",
        f"{'given up':32}{r['given_up']:>10}",
        f"{'stored (rows)':32}{r['stored_rows']:>10}",
        f"{'duplicates':32}{len(r['duplicates']):>10}",
        f"{'lost (acknowledged, not stored)':32}{len(r['lost']):>10}",
        f"{'stored under another id':32}{len(r['wrong_id']):>10}",
        f"{'orphans (stored, not acked)':32}{len(r['orphans']):>10}",
        "",
        f"{'window':18}{'attempts':>9}{'p50':>10}{'p95':>10}{'max':>10}  outcomes",
    ]
    for name, summary in results["latency"].items():
        kinds = ", ".join(f"{k} {v}" for k, v in summary["kinds"].items())
        lines.append(
            f"{name:18}{summary['attempts']:>9}{fmt_seconds(summary['p50']):>10}"
            f"{fmt_seconds(summary['p95']):>10}{fmt_seconds(summary['max']):>10}  {kinds}"
        )
    clean = results.get("database_down_503_latency") or {}
    if clean:
        lines.append(
            f"503 answers while the database was down: {clean['attempts']}, p50 "
            f"{fmt_seconds(clean['p50'])}, p95 {fmt_seconds(clean['p95'])}, max "
            f"{fmt_seconds(clean['max'])}"
        )
    lines += [
        "",
        f"cases opened {n['requests_with_case']}/{n['requests']}; e-mail notifications "
        f"{n['email_notifications']} {n['email_by_status']}; outbox pending {n['outbox_pending']} "
        f"after {n['waited_seconds']:.0f} s",
        f"e-mails received {n['emails_received']}: exactly once {n['emails_exactly_once']}, "
        f"missing {n['emails_missing']}, duplicated {n['emails_duplicated']}",
        "",
        "faults: " + "; ".join(f"{e['at']:.0f} s {e['event']}" for e in results["faults"]),
        "",
        "PASS" if results["passed"] else "FAIL: " + "; ".join(results["failures"]),
    ]
    print("\n".join(lines))


def markdown_summary(results: dict[str, Any]) -> str:
    """The figures of one run as the Markdown tables docs/reliability.md shows."""
    r, n = results["reconciliation"], results["notifications"]
    m = results["machine_before"]
    load = ", ".join(f"{x:.1f}" for x in m["load_average"])
    after = ", ".join(f"{x:.1f}" for x in results["machine_after"]["load_average"])
    lines = [
        f"Finished {results['finished_at']}; {m['nproc']} × {m['cpu']}; load average "
        f"{load} before, {after} after (1/5/15 min).",
        "",
        "| Submissions | Figure |",
        "|---|---:|",
        f"| sent (distinct submissions) | {r['submissions']} |",
        f"| acknowledged | {r['acknowledged']} |",
        f"| given up by the client | {r['given_up']} |",
        f"| stored (rows with a marker) | {r['stored_rows']} |",
        f"| duplicates | {len(r['duplicates'])} |",
        f"| lost (acknowledged, not stored) | {len(r['lost'])} |",
        f"| stored under another id | {len(r['wrong_id'])} |",
        f"| orphans (stored, never acknowledged) | {len(r['orphans'])} |",
        f"| throughput (acknowledged per second of load) | "
        f"{results['throughput_per_second']:.1f} |",
        "",
        "| Window | Attempts | p50 | p95 | max | Outcomes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    windows = results.get("fault_windows", {})
    for name, summary in results["latency"].items():
        label = name
        if name in windows:
            start, end = windows[name]
            label = f"{name} ({start:.0f}–{end:.0f} s)"
        kinds = ", ".join(f"{k} {v}" for k, v in summary["kinds"].items())
        lines.append(
            f"| {label} | {summary['attempts']} | {fmt_seconds(summary['p50'])} | "
            f"{fmt_seconds(summary['p95'])} | {fmt_seconds(summary['max'])} | {kinds} |"
        )
    clean = results.get("database_down_503_latency") or {}
    lines += [""]
    if clean:
        lines.append(
            f"503 answers while the database was down: {clean['attempts']}, p50 "
            f"{fmt_seconds(clean['p50'])}, p95 {fmt_seconds(clean['p95'])}, max "
            f"{fmt_seconds(clean['max'])}."
        )
    attempts = results.get("attempts_per_acknowledged", {})
    lines += [
        "Attempts per acknowledged submission: "
        + ", ".join(f"{k}: {v}" for k, v in attempts.items())
        + ". Given up: "
        + (", ".join(f"{k}: {v}" for k, v in results["given_up_by_reason"].items()) or "none")
        + ".",
        "",
        f"Notifications: {n['requests_with_case']} of {n['requests']} requests got their case; "
        f"{n['email_notifications']} case-owner e-mail notifications {n['email_by_status']}; "
        f"outbox pending {n['outbox_pending']} after waiting {n['waited_seconds']:.0f} s; "
        f"e-mails received {n['emails_received']}: {n['emails_exactly_once']} cases exactly "
        f"once, {n['emails_missing']} missing, {n['emails_duplicated']} twice or more.",
        "",
        "Faults: " + "; ".join(f"{e['at']:.0f} s {e['event']}" for e in results["faults"]) + ".",
        "",
        "Result: " + ("PASS" if results["passed"] else "FAIL — " + "; ".join(results["failures"])),
    ]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": model, "load_average": os.getloadavg()}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean pause (s) between a client's submissions")  # fmt: skip
    parser.add_argument("--request-timeout", type=float, default=15.0)
    parser.add_argument("--max-attempts", type=int, default=12)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--max-connections", type=int, default=300, help="of the cluster")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="DATABASE_CONN_MAX_AGE of the server (60, the settings' default, runs out of "
        "connections under ASGI)",
    )
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--smtp-port", type=int, default=2526)
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=1800.0,
        help="seconds to wait after the load for every case and notification",
    )
    for name in ("kill-worker-at", "restart-db-at", "db-down", "stop-celery-at", "celery-down"):
        parser.add_argument(f"--{name}", type=float, help="seconds (default: scaled to --duration)")
    parser.add_argument(
        "--settings",
        default="luukku.settings",
        help="DJANGO_SETTINGS_MODULE of the server and worker (the production settings)",
    )
    parser.add_argument(
        "--markdown", type=Path, help="print the figures of a results file as Markdown, run nothing"
    )
    parser.add_argument("--output", type=Path, help="JSON results (default: in the work dir)")
    return parser.parse_args(argv)


def schedule_from(args: argparse.Namespace) -> Schedule:
    default = default_schedule(args.duration)
    chosen = {
        name: getattr(args, name) if getattr(args, name) is not None else getattr(default, name)
        for name in Schedule.__dataclass_fields__
    }
    return Schedule(**chosen)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.markdown:
        print(markdown_summary(json.loads(args.markdown.read_text())))
        return 0
    schedule = schedule_from(args)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="luukku-reliability-"))
    log(f"work dir {workdir} (logs of gunicorn, celery, redis)")
    env = server_env(args, workdir)
    processes = Processes(args, env, workdir)
    sink = SmtpSink(args.smtp_port)
    machine_before = machine()
    try:
        ensure_cluster(args.pg_port, args.max_connections)
        processes.start_redis()
        sink.start_and_wait()
        api_key = prepare_database(args, env)
        processes.start_gunicorn()
        wait_for(lambda: http_get(args.port, "/open311/v2/services.json")[0] == 200,
                 "gunicorn", 60)  # fmt: skip
        processes.start_celery()
        services = json.loads(http_get(args.port, "/open311/v2/services.json")[1])
        codes = [s["service_code"] for s in services]
        if not codes:
            raise RuntimeError("no service accepts feedback")
        load = Load(args, api_key, codes, run_id=secrets.token_hex(4))
        faults = FaultLog()
        log(f"load: {args.clients} clients for {args.duration:.0f} s, run {load.run_id}, "
            f"schedule {asdict(schedule)}")  # fmt: skip

        async def drive() -> None:
            load.started = time.monotonic()
            clients = [asyncio.create_task(load.client(i)) for i in range(args.clients)]
            injector = asyncio.create_task(inject_faults(load, processes, schedule, faults))
            await asyncio.gather(*clients)
            faults.add(load, "clients finished")
            await injector

        asyncio.run(drive())
        load_seconds = load.now()

        os.environ.update(env)
        import django

        django.setup()
        log("waiting for cases and notifications")
        state, waited, progress = wait_for_delivery(load.run_id, sink, args.drain_timeout)
        reconciliation = reconcile(load.submissions, stored_rows(load.run_id))
        received = sink.received()
        counts = email_counts(received, state["references"])
        attempts = [a for s in load.submissions for a in s.attempts]
        windows = fault_windows(faults.events)
        latency = {"whole run": summarise(attempts)}
        for name, (start, end) in windows.items():
            latency[name] = summarise(attempts, start, end)
        clean_errors = {}
        if "database down" in windows:
            # How fast a client learns that the database is down: the 503 answers' latency.
            start, end = windows["database down"]
            clean_errors = asdict(
                summarise([a for a in attempts if a.kind == "HTTP 503"], start, end)
            )
        acknowledged_in_load = sum(
            1
            for s in load.submissions
            if s.service_request_id and s.attempts[-1].started < args.duration
        )
        notifications = {
            **{k: v for k, v in state.items() if k != "references"},
            "waited_seconds": round(waited, 1),
            "emails_received": len(received),
            "emails_exactly_once": sum(1 for c in counts.values() if c == 1),
            "emails_missing": sum(1 for c in counts.values() if c == 0),
            "emails_duplicated": sum(1 for c in counts.values() if c > 1),
        }
        failures = []
        if not reconciliation.exactly_once:
            failures.append("acknowledged submissions lost, duplicated or stored under another id")
        if reconciliation.orphans_not_given_up:
            failures.append("stored submissions nobody sent")
        outage = latency.get("database down")
        if outage and set(outage.kinds) - {"ok", "HTTP 503"}:
            failures.append("errors other than 503 while the database was down")
        if outage and outage.max >= args.request_timeout:
            failures.append("requests hung while the database was down")
        if notifications["outbox_pending"] or notifications["emails_missing"]:
            failures.append("notifications not delivered")
        if notifications["emails_duplicated"]:
            failures.append("notifications delivered twice")
        if state["requests_with_case"] != state["requests"]:
            failures.append("requests without a case")
        results = {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine_before": machine_before,
            "machine_after": machine(),
            "clients": args.clients,
            "duration": args.duration,
            "think_seconds": args.think,
            "gunicorn_workers": args.workers,
            "schedule": asdict(schedule),
            "load_seconds_including_retries": round(load_seconds, 1),
            "throughput_per_second": acknowledged_in_load / args.duration,
            "faults": faults.events,
            "fault_windows": windows,
            "reconciliation": {
                **asdict(reconciliation),
                "orphans_not_given_up": reconciliation.orphans_not_given_up,
            },
            "given_up_by_reason": dict(Counter(s.gave_up for s in load.submissions if s.gave_up)),
            "attempts_per_acknowledged": dict(
                sorted(
                    Counter(
                        len(s.attempts) for s in load.submissions if s.service_request_id
                    ).items()
                )  # fmt: skip
            ),
            "latency": {name: asdict(summary) for name, summary in latency.items()},
            "timeline": timeline(load.submissions, load_seconds),
            "database_down_503_latency": clean_errors,
            "notifications": notifications,
            "delivery_progress": progress,
            "gunicorn_worker_boots": (workdir / "gunicorn.log").read_text().count("Booting worker"),
            "failures": failures,
            "passed": not failures,
        }
        output = args.output or workdir / "results.json"
        output.write_text(json.dumps(results, indent=2, default=str))
        print_summary(results)
        log(f"results written to {output}")
        return 0 if not failures else 1
    finally:
        log("tearing down")
        processes.stop_all()
        sink.stop()
        with contextlib.suppress(Exception):
            pg_cluster("stop", "-m", "fast")
        log("gunicorn, celery and redis stopped; PostgreSQL cluster 15/reliability stopped")


if __name__ == "__main__":
    sys.exit(main())
