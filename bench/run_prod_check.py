"""Prove `make run-prod` (deploy/run-prod.sh): the production shape runs and stops cleanly.

Starts the script on a free port with its own PostgreSQL database and Redis database number,
then, as an operator and a staff member would notice:

1. /healthz/ answers 200 (database and Redis cache checked);
2. a demo user logs in through the login form (DEBUG off, CSRF, secure cookies over loopback);
3. a WebSocket to /ws/notifications/ with that session receives the unread count;
4. another process (`manage.py shell`) writes an in-app notification for the user: the socket,
   served by one of the gunicorn workers, gets the new count through the Redis channel layer;
5. the same process writes an e-mail notification: the Celery worker (not the writer: its tasks
   are not eager when a broker is set) delivers it, the outbox row turns sent and the e-mail
   appears in the worker's prefixed output;
6. optionally (--browser) headless Chromium logs in, opens a staff page and sees the header
   badge change without reloading (CSP allows the socket; the script runs);
7. SIGTERM to the script: it exits, and no process of its session is left.

    .venv/bin/python bench/run_prod_check.py [--keep-database] [--browser]

Prints each step with its timing and exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/luukku_e_prod"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
DEMO_PASSWORD = "luukku-demo-2025"  # noqa: S105 - the demo's published password
START_TIMEOUT_SECONDS = 900.0
STOP_TIMEOUT_SECONDS = 90.0
EVENT_TIMEOUT_SECONDS = 15.0
DELIVERY_TIMEOUT_SECONDS = 90.0
IDLE_SECONDS = 12.0


class CheckFailed(AssertionError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def step(name: str, started: float) -> None:
    print(f"  ok  {name} ({time.monotonic() - started:.1f} s)", flush=True)


def wait_for(what: str, condition: Callable[[], bool], timeout: float, pause: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(pause)
    raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browserless:
    """Just enough of a browser: keeps cookies itself (urllib's jar will not send Secure
    cookies over http://127.0.0.1, while browsers treat loopback as a secure context)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        request.add_header("Origin", self.base)
        request.add_header("Referer", self.base + path)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return int(response.status), response.read().decode("utf-8", "replace")


def session_processes(session_id: int) -> list[str]:
    """Processes still in the session the script was started in (its own and its children's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # Field 6 is the session id; the command name (field 2) may contain spaces.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session_id:
            found.append(f"{entry.name} {cmdline}")
    return found


def production_env(env: dict[str, str]) -> dict[str, str]:
    """The environment run-prod gives its processes, for a process of our own beside them."""
    key = (Path(env["RUN_PROD_VAR"]) / "run-prod-secret-key").read_text().strip()
    return {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": key,
        "CELERY_BROKER_URL": env["REDIS_URL"],
        "CHANNEL_LAYER_URL": env["REDIS_URL"],
    }


def manage(env: dict[str, str], code: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [str(PYTHON), "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise CheckFailed(f"manage.py shell failed:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def reset_database(database_url: str) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(database_url)
    with psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    ) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"]))
        )


def first_demo_username(output: str) -> str:
    match = re.search(r"^username\s+password.*\n-[- ]+\n(\S+)\s", output, re.MULTILINE)
    if not match:
        raise CheckFailed("run-prod printed no demo logins")
    return match.group(1)


def check(args: argparse.Namespace) -> None:  # noqa: PLR0915 - one scenario, step by step
    import redis
    from websockets.sync.client import connect

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="luukku-run-prod-"))
    log_path = workdir / "run-prod.log"
    if not args.keep_database:
        reset_database(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "RUN_PROD_VAR": str(workdir / "var"),
        "GUNICORN_WORKERS": str(args.workers),
    }
    print(f"run-prod on {base}, database {args.database_url}, Redis {args.redis_url}")
    print(f"output: {log_path}")
    started = time.monotonic()
    with log_path.open("wb") as log:
        script = subprocess.Popen(  # noqa: S603 - the script under test
            [str(REPO_ROOT / "deploy" / "run-prod.sh")],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    session_id = script.pid

    def output() -> str:
        return log_path.read_text(errors="replace")

    try:

        def healthy() -> bool:
            if script.poll() is not None:
                raise CheckFailed(f"run-prod exited ({script.returncode}):\n{output()[-3000:]}")
            try:
                status, body = Browserless(base).request("/healthz/")
            except OSError:
                return False
            return status == 200 and json.loads(body)["checks"] == {
                "database": "ok",
                "cache": "ok",
            }

        wait_for("/healthz/", healthy, START_TIMEOUT_SECONDS, pause=1)
        step("started: migrate, demo region, gunicorn, worker, beat; /healthz/ ok", started)
        env = production_env(env)
        wait_for("the demo logins", lambda: "Luukku (production shape) is at" in output(), 120)
        username = first_demo_username(output())
        web_workers = len(set(re.findall(r"\[web\] .*Booting worker with pid: (\d+)", output())))
        print(f"      {web_workers} gunicorn workers; logging in as {username}")

        started = time.monotonic()
        client = Browserless(base)
        status, page = client.request("/staff/kirjaudu/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise CheckFailed(f"login page answered {status}")
        status, _ = client.request(
            "/staff/kirjaudu/",
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token[1]},
        )
        if status != 302 or "sessionid" not in client.cookies:
            raise CheckFailed(f"login answered {status}, cookies {sorted(client.cookies)}")
        status, page = client.request("/staff/notifications/")
        if status != 200 or "data-live-unread" not in page:
            raise CheckFailed(f"staff inbox answered {status} without the live badge")
        step("logged in through the form; the inbox has the live badge", started)

        started = time.monotonic()
        headers = {
            "Cookie": f"sessionid={client.cookies['sessionid']}",
            "Origin": base,
        }
        with connect(
            f"ws://127.0.0.1:{port}/ws/notifications/?lang=en", additional_headers=headers
        ) as websocket:
            first = json.loads(websocket.recv(timeout=EVENT_TIMEOUT_SECONDS))
            step(f"socket open, unread count {first['count']}", started)
            # Idle longer than the channel layer's blocking read (5 s): a socket must survive
            # that (redis-py 8's default 5 s socket timeout killed it; see deploy/run-prod.sh).
            started = time.monotonic()
            time.sleep(IDLE_SECONDS)
            websocket.ping().wait(EVENT_TIMEOUT_SECONDS)
            step(f"socket still open after {IDLE_SECONDS:.0f} s idle", started)

            started = time.monotonic()
            received: list[tuple[float, dict[str, Any]]] = []

            def listen() -> None:
                text = websocket.recv(timeout=EVENT_TIMEOUT_SECONDS + 60)
                received.append((time.time(), json.loads(text)))

            arrival = threading.Thread(target=listen, daemon=True)
            arrival.start()
            marker = f"run-prod check {int(time.time())}"
            written = manage(
                env,
                "from luukku.accounts.models import User\n"
                "from luukku.celery import app\n"
                "from luukku.notifications.services import notify\n"
                "assert not app.conf.task_always_eager, 'tasks would run in this process'\n"
                f"user = User.objects.get(username={username!r})\n"
                "import time\n"
                "committing_at = time.time()\n"
                f"notify(kind='run_prod_check', subject={marker!r}, body='Live.',"
                " recipient=user, channel='in_app')\n"
                f"mail = notify(kind='run_prod_check', subject={marker + ' mail'!r},"
                " body='Sent by the worker.', address='operator@example.invalid')\n"
                "print(mail.pk, committing_at)",
            )
            # notify() commits (autocommit) and sends the event before it returns: the time is
            # taken just before the call.
            mail_pk, committing_at = written.split()
            mail_id = int(mail_pk)
            arrival.join(EVENT_TIMEOUT_SECONDS)
            if not received:
                raise CheckFailed("no message on the socket")
            arrived_at, message = received[0]
            latency = arrived_at - float(committing_at)
            if message["count"] != first["count"] + 1 or message["label"] != (
                f"({message['count']} unread)"
            ):
                raise CheckFailed(f"unexpected socket message {message}")
            step(
                f"notification written by another process arrived on the socket "
                f"{latency * 1000:.0f} ms after the writing call began: {message}",
                started,
            )

            # Marking read in an HTTP request (a sync view under uvicorn, its on-commit event
            # sent from the request's thread) lowers the count on the open socket.
            started = time.monotonic()
            status, page = client.request("/staff/notifications/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status != 200 or not token:
                raise CheckFailed(f"inbox answered {status}")
            status, _ = client.request(
                "/staff/notifications/luettu/", {"all": "1", "csrfmiddlewaretoken": token[1]}
            )
            if status != 302:
                raise CheckFailed(f"marking read answered {status}")
            message = json.loads(websocket.recv(timeout=EVENT_TIMEOUT_SECONDS))
            if message["count"] != 0 or message["label"] != "":
                raise CheckFailed(f"unexpected socket message after marking read: {message}")
            step(f"marked all read over HTTP: the socket says {message}", started)

        started = time.monotonic()

        def mail_sent() -> bool:
            status = manage(
                env,
                "from luukku.notifications.models import Notification\n"
                f"print(Notification.objects.get(pk={mail_id}).status)",
            )
            return status == "sent"

        wait_for("the worker to send the e-mail", mail_sent, DELIVERY_TIMEOUT_SECONDS, pause=1)
        wait_for(
            "the e-mail in the worker's output",
            lambda: f"[worker] Subject: {marker} mail" in output(),
            10,
        )
        tasks = re.findall(
            r"\[worker\] .*Task notifications\.deliver_pending\[.*\] succeeded", output()
        )
        step(f"the Celery worker sent the e-mail ({len(tasks)} drain tasks succeeded)", started)

        if args.browser:
            started = time.monotonic()
            browser_check(base, username, env)
            step("Chromium: the header badge changed live, no console errors", started)
    finally:
        started = time.monotonic()
        if script.poll() is None:
            script.send_signal(signal.SIGTERM)
        code: int | None
        try:
            code = script.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        time.sleep(0.5)
        left = session_processes(session_id)
        if left:
            os.killpg(session_id, signal.SIGKILL)
            for line in left:
                print(f"      LEFT: {line}")
        print(f"      exit status after SIGTERM: {code}; processes left: {len(left)}")
        if code is None or left:
            raise CheckFailed("run-prod did not stop cleanly")
        step("SIGTERM: everything stopped", started)
    # The log stays for reading; the secret key and beat's schedule go.
    shutil.rmtree(workdir / "var", ignore_errors=True)


def browser_check(base: str, username: str, env: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("LUUKKU_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page(locale="en-GB")
        errors: list[str] = []

        def console(message: Any) -> None:
            # The site has no favicon: Chromium's own request for it is not the page's error.
            where = message.location.get("url", "")
            if message.type == "error" and not where.endswith("/favicon.ico"):
                errors.append(f"{message.text} ({where})")

        page.on("console", console)
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.goto(base + "/en/staff/kirjaudu/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/staff/(?!kirjaudu)"))
        badge = page.locator("[data-live-unread]")
        before = badge.text_content() or ""
        page.wait_for_timeout(1500)  # the socket opens
        manage(
            env,
            "from luukku.accounts.models import User\n"
            "from luukku.notifications.services import notify\n"
            f"notify(kind='run_prod_check', subject='Browser', body='Live.',"
            f" recipient=User.objects.get(username={username!r}), channel='in_app')",
        )
        page.wait_for_function(
            "before => document.querySelector('[data-live-unread]').textContent !== before",
            arg=before,
            timeout=EVENT_TIMEOUT_SECONDS * 1000,
        )
        print(f"      badge: {before!r} -> {badge.text_content()!r}")
        browser.close()
    if errors:
        raise CheckFailed(f"console errors: {errors}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--keep-database", action="store_true", help="reuse the database (skips the demo load)"
    )
    parser.add_argument("--browser", action="store_true", help="also check in Chromium")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        check(args)
    except CheckFailed as error:
        print(f"FAILED: {error}")
        return 1
    print(f"run-prod check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
