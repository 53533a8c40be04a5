"""The load tool drives real wrk against a small local server and reports what the server saw.

Run with `.venv/bin/pytest bench/tests` (needs Debian's `wrk`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from bench.load_open311 import (
    LoadPlan,
    ScenarioResult,
    format_table,
    process_group_cpu_seconds,
    run_wrk,
)


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: list[str] = []
        self.idempotency_keys: list[str] = []
        self.bodies: list[dict[str, list[str]]] = []
        self.fail = False


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, payload: object) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with recorder.lock:
                recorder.paths.append(self.path)
            if recorder.fail:
                self._answer(500, [{"code": 500, "description": "boom"}])
            else:
                self._answer(200, [{"service_request_id": "1"}])

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            with recorder.lock:
                recorder.paths.append(self.path)
                recorder.idempotency_keys.append(self.headers["Idempotency-Key"])
                recorder.bodies.append(form)
            self._answer(201, [{"service_request_id": str(len(recorder.bodies))}])

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder, f"http://127.0.0.1:{httpd.server_address[1]}/open311/v2/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _plan(base_url: str) -> LoadPlan:
    return LoadPlan(
        base_url=base_url,
        api_key="k3y",
        ids=["261101-AAAAAA", "261102-BBBBBB"],
        service_codes=["katujen-kunnossapito", "jatehuolto"],
        window_end=datetime(2026, 11, 25, tzinfo=UTC),
        post_count=50,
    )


def test_get_scenarios_ask_for_the_planned_urls_and_count_answers(
    server: tuple[Recorder, str],
) -> None:
    recorder, base_url = server
    result = run_wrk(_plan(base_url), "one", 1, "t", connections=4, threads=1)
    assert result.requests > 0
    assert result.statuses == {"200": result.requests}
    assert result.failures == 0
    assert 0 < result.p50_ms <= result.p99_ms
    assert set(recorder.paths) <= {
        "/open311/v2/requests/261101-AAAAAA.json",
        "/open311/v2/requests/261102-BBBBBB.json",
    }
    filtered = run_wrk(_plan(base_url), "list_filtered", 1, "t", connections=2, threads=1)
    assert filtered.failures == 0
    query = parse_qs(urlsplit(recorder.paths[-1]).query)
    assert query["page_size"] == ["50"]
    assert query["status"][0] in {"open", "closed"}
    start = datetime.fromisoformat(query["start_date"][0])
    end = datetime.fromisoformat(query["end_date"][0])
    assert (end - start).days == 30
    assert start.tzinfo is not None


def test_post_sends_form_bodies_with_unique_idempotency_keys(server: tuple[Recorder, str]) -> None:
    recorder, base_url = server
    result = run_wrk(_plan(base_url), "post", 1, "run-a", connections=4, threads=2)
    assert result.failures == 0
    assert len(recorder.idempotency_keys) >= result.requests > 0
    assert len(set(recorder.idempotency_keys)) == len(recorder.idempotency_keys)
    assert all(key.startswith("run-a-") for key in recorder.idempotency_keys)
    form = recorder.bodies[0]
    assert form["api_key"] == ["k3y"]
    assert form["service_code"][0] in {"katujen-kunnossapito", "jatehuolto"}
    assert 62 < float(form["lat"][0]) < 63
    assert 27 < float(form["long"][0]) < 28
    assert form["description"][0].startswith("Kuormitustesti")


def test_error_answers_are_failures_and_miss_the_target(server: tuple[Recorder, str]) -> None:
    recorder, base_url = server
    recorder.fail = True
    run = run_wrk(_plan(base_url), "list", 1, "t", connections=2, threads=1)
    assert run.statuses.get("500") == run.requests > 0
    assert run.failures == run.requests
    result = ScenarioResult("list", [run])
    assert not result.meets_target()
    table = format_table([result])
    assert "| list |" in table
    assert "| NO |" in table


def test_server_cpu_is_read_from_the_whole_process_group() -> None:
    # A parent and its child each burn 0.3 s of CPU and stay alive: like gunicorn's workers.
    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    script = (
        "import subprocess, sys\n"
        f"child = subprocess.Popen([sys.executable, '-c', {burn + 'time.sleep(60)'!r}])\n"
        f"{burn}"
        "print('ready', flush=True)\n"
        "child.wait()\n"
    )
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 20
        seconds = process_group_cpu_seconds(process.pid)
        while seconds < 0.55 and time.monotonic() < deadline:
            time.sleep(0.1)
            seconds = process_group_cpu_seconds(process.pid)
        assert 0.55 <= seconds < 5
        assert process_group_cpu_seconds(os.getpgid(0)) < 10_000
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # Once the killed child has been reaped as well, nothing of the group is left.
    deadline = time.monotonic() + 10
    while process_group_cpu_seconds(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process_group_cpu_seconds(process.pid) == 0
