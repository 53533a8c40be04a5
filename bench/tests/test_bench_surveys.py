"""The survey benchmark's own logic: its bodies are answers the real API accepts, the load sends
each with its own key, and the count check catches lost or duplicated answers.

Run with `.venv/bin/pytest bench/tests` (the load test needs Debian's `wrk`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from bench import bench_surveys
from bench.bench_surveys import (
    ANSWERS_PER_RESPONSE,
    CountCheck,
    answer_bodies,
    format_table,
    run_load,
    summarise,
)


def test_bodies_answer_seven_questions_in_ascii_json_the_same_for_a_seed() -> None:
    bodies = answer_bodies(50, seed=3)
    assert bodies == answer_bodies(50, seed=3)
    assert bodies != answer_bodies(50, seed=4)
    for text in bodies:
        assert text.isascii()
        body = json.loads(text)
        assert len(body["answers"]) == ANSWERS_PER_RESPONSE
        assert ("other" in body) == (body["answers"]["contact_channel"] == "other")
    assert any("ä" in json.loads(text)["answers"]["comments"] for text in bodies)


@pytest.mark.django_db
def test_the_real_api_stores_a_body_with_seven_answers(client: Client, settings: Any) -> None:
    from luukku.areas.models import Area
    from luukku.catalogue.tests.factories import AreaFactory, OrganisationFactory, ServiceFactory
    from luukku.surveys.models import Answer, Response

    settings.SURVEYS_SUBMIT_RATE = ""
    OrganisationFactory.create(slug="kuopion-kaupunki")
    ServiceFactory.create(slug="kirjasto")
    for code in bench_surveys.MUNICIPALITIES:
        AreaFactory.create(area_type=Area.Type.MUNICIPALITY, code=code)
    path = bench_surveys.ensure_bench_survey()
    assert bench_surveys.ensure_bench_survey() == path  # a reused database keeps its survey

    bodies = answer_bodies(20, seed=1)
    for number, body in enumerate(bodies):
        reply = client.post(
            path, body, content_type="application/json", headers={"Idempotency-Key": f"k{number}"}
        )
        assert reply.status_code == 201, reply.content
        assert '"status"' in reply.content.decode()
    assert bench_surveys.stored_counts() == (20, 20 * ANSWERS_PER_RESPONSE)
    assert (
        Response.objects.filter(municipality__isnull=False, touchpoint__isnull=False).count() == 20
    )
    assert Answer.objects.filter(question__code="comments").exclude(text="").count() == 20


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: list[str] = []
        self.content_types: set[str] = set()
        self.paths: set[str] = set()


@pytest.fixture
def server() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with recorder.lock:
                recorder.keys.append(self.headers["Idempotency-Key"])
                recorder.content_types.add(self.headers["Content-Type"])
                recorder.paths.add(self.path)
            reply = json.dumps({"id": "x", "status": body["status"]}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder, f"http://127.0.0.1:{httpd.server_address[1]}/api/v1/surveys/abc/responses/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_load_posts_json_each_with_its_own_idempotency_key(
    server: tuple[Recorder, str],
) -> None:
    recorder, url = server
    warm, timed = run_load(url, answer_bodies(30, seed=1), duration=1, runs=2, warmup=1)
    assert len(warm) == 1
    assert len(timed) == 2
    runs = warm + timed
    created = sum(run.statuses.get("201", 0) for run in runs)
    assert created > 0
    assert sum(run.failures for run in runs) == 0
    assert len(recorder.keys) == len(set(recorder.keys)) >= created
    assert recorder.content_types == {"application/json"}
    assert recorder.paths == {"/api/v1/surveys/abc/responses/"}
    for run in runs:
        assert run.sent >= run.requests

    summary = summarise(timed)
    assert summary.answers_per_second == pytest.approx(7 * summary.responses_per_second)
    table = format_table(summary)
    assert f"{summary.answers_per_second:.0f}" in table


def test_the_count_check_catches_lost_and_duplicated_answers() -> None:
    assert CountCheck(created=100, cut_off=0, stored=100, answers=700).ok
    assert CountCheck(created=100, cut_off=16, stored=110, answers=770).ok  # cut off, completed
    assert not CountCheck(created=100, cut_off=16, stored=99, answers=693).ok  # one lost
    assert not CountCheck(created=100, cut_off=0, stored=101, answers=707).ok  # one duplicated
    assert not CountCheck(created=100, cut_off=0, stored=100, answers=699).ok  # an answer lost
    assert "DO NOT AGREE" in CountCheck(created=1, cut_off=0, stored=0, answers=0).describe()


def test_a_run_that_misses_the_target_or_fails_is_not_met() -> None:
    from bench.load_open311 import RunResult

    def run(requests: int, statuses: dict[str, int]) -> RunResult:
        return RunResult(requests, 10.0, 5.0, 9.0, 12.0, 20.0, statuses, 0, 0)

    assert summarise([run(800, {"201": 800})]).meets_target()  # 80/s × 7 = 560 answers/s
    assert not summarise([run(700, {"201": 700})]).meets_target()  # 490 answers/s
    assert not summarise([run(800, {"201": 799, "500": 1})]).meets_target()
