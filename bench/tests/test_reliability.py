"""The reliability run's own arithmetic: a wrong count here would hide a lost submission."""

from __future__ import annotations

import math
import random
from email.message import EmailMessage

import pytest

from bench.reliability import (
    Attempt,
    HttpResponse,
    Submission,
    acknowledged_id,
    backoff_delay,
    classify,
    default_schedule,
    email_counts,
    fault_windows,
    parse_http_response,
    percentile,
    reconcile,
    retryable,
    summarise,
    timeline,
)


def submission(marker: str, acked: str | None = None, gave_up: str | None = None) -> Submission:
    return Submission(
        marker=marker, key=f"key-{marker}", client=0, service_request_id=acked, gave_up=gave_up
    )


def test_reconcile_counts_each_way_an_acknowledgement_can_go_wrong() -> None:
    submissions = [
        submission("a", acked="A"),  # stored once: fine
        submission("b", acked="B"),  # stored twice: duplicate
        submission("c", acked="C"),  # not stored: lost
        submission("d", acked="D"),  # stored under another id
        submission("e", gave_up="12 attempts"),  # stored, never acknowledged: orphan, allowed
        submission("f", gave_up="HTTP 400"),  # not stored, not acknowledged: fine
    ]
    stored = [("a", "A"), ("b", "B"), ("b", "B2"), ("d", "X"), ("e", "E"), ("zz", "Z")]

    result = reconcile(submissions, stored)

    assert result.submissions == 6
    assert result.acknowledged == 4
    assert result.given_up == 2
    assert result.stored_rows == 6
    assert result.stored_markers == 5
    assert result.duplicates == ["b"]
    assert result.lost == ["c"]
    assert result.wrong_id == ["b", "d"]
    assert result.orphans == ["e", "zz"]
    # A row nobody sent (or a submission the client still counts as pending) is not allowed.
    assert result.orphans_not_given_up == ["zz"]
    assert not result.exactly_once


def test_reconcile_passes_when_every_acknowledgement_is_stored_once() -> None:
    result = reconcile(
        [submission("a", acked="A"), submission("b", gave_up="12 attempts")],
        [("a", "A"), ("b", "B")],
    )
    assert result.exactly_once
    assert result.orphans == ["b"]
    assert result.orphans_not_given_up == []


def test_backoff_grows_is_capped_and_respects_retry_after() -> None:
    rng = random.Random(1)
    windows = [max(backoff_delay(n, rng, base=0.25, cap=8.0) for _ in range(500)) for n in (1, 3)]
    assert windows[0] <= 0.25
    assert 0.75 < windows[1] <= 1.0
    assert all(backoff_delay(20, rng, cap=8.0) <= 8.0 for _ in range(100))
    assert backoff_delay(1, rng, retry_after=5) == 5
    assert backoff_delay(1, rng, retry_after=120, cap=8.0) == 8.0


def test_jitter_spreads_clients_refused_at_the_same_moment() -> None:
    delays = {round(backoff_delay(4, random.Random(seed)), 3) for seed in range(50)}
    assert len(delays) > 40


def test_parse_http_response_reads_a_whole_answer() -> None:
    raw = (
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        b"Retry-After: 5\r\nContent-Length: 14\r\n\r\n"
        b'[{"code":503}]'
    )
    response = parse_http_response(raw)
    assert response.status == 503
    assert response.headers["retry-after"] == "5"
    assert response.body == b'[{"code":503}]'


def test_parse_http_response_rejects_an_answer_cut_off_by_a_dying_worker() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        parse_http_response(b"")
    with pytest.raises(ValueError, match="incomplete"):
        parse_http_response(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n[{")


def test_parse_http_response_joins_chunks() -> None:
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[{}]\r\n0\r\n\r\n"
    assert parse_http_response(raw).body == b"[{}]"


def test_only_a_2xx_with_an_id_is_an_acknowledgement() -> None:
    ok = HttpResponse(200, {}, b'[{"service_request_id": "2026-ABC", "service_notice": ""}]')
    assert acknowledged_id(ok) == "2026-ABC"
    assert classify(ok, None) == "ok"
    assert acknowledged_id(HttpResponse(200, {}, b"<html>")) is None
    assert acknowledged_id(HttpResponse(200, {}, b'[{"token": "t"}]')) is None
    assert acknowledged_id(HttpResponse(503, {}, b'[{"service_request_id": "x"}]')) is None


def test_errors_are_classified_and_only_transient_ones_retried() -> None:
    assert classify(None, TimeoutError()) == "timeout"
    assert classify(None, ConnectionRefusedError()) == "connection refused"
    assert classify(None, ValueError("incomplete response")) == "connection reset"
    assert classify(HttpResponse(503, {}, b""), None) == "HTTP 503"
    assert retryable("timeout")
    assert retryable("connection refused")
    assert retryable("HTTP 503")
    assert retryable("HTTP 500")
    assert retryable("HTTP 429")
    # A 200 without an id is a broken answer: the same key makes a retry safe.
    assert retryable("HTTP 200")
    assert not retryable("HTTP 400")
    assert not retryable("HTTP 403")
    assert not retryable("ok")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([3.0], 0.95) == 3.0
    assert math.isnan(percentile([], 0.5))


def test_summarise_takes_the_attempts_started_inside_a_window() -> None:
    attempts = [Attempt(1, 0.1, "ok"), Attempt(10, 2.0, "HTTP 503"), Attempt(12, 0.5, "ok")]
    window = summarise(attempts, 9, 20)
    assert window.attempts == 2
    assert window.max == 2.0
    assert window.kinds == {"HTTP 503": 1, "ok": 1}
    assert summarise(attempts).attempts == 3


def test_timeline_puts_each_attempt_where_it_ended() -> None:
    s = submission("a", acked="A")
    s.attempts = [Attempt(1, 0.5, "HTTP 503"), Attempt(9, 2.0, "ok")]
    buckets = timeline([s], duration=20, step=10)
    assert buckets[0] == {"from": 0, "attempts": 1, "acknowledged": 0, "errors": 1}
    assert buckets[1] == {"from": 10, "attempts": 1, "acknowledged": 1, "errors": 0}


def test_fault_windows_run_from_start_to_settled_end() -> None:
    events = [
        {"at": 60.0, "event": "kill -9 gunicorn worker"},
        {"at": 61.0, "event": "gunicorn worker replaced"},
        {"at": 120.0, "event": "PostgreSQL stopping"},
        {"at": 133.0, "event": "PostgreSQL started"},
    ]
    assert fault_windows(events, settle=5) == {
        "worker killed": (60.0, 66.0),
        "database down": (120.0, 138.0),
    }


def test_default_schedule_leaves_load_before_and_after_each_fault() -> None:
    full = default_schedule(300)
    assert (full.kill_worker_at, full.restart_db_at, full.stop_celery_at) == (60, 120, 180)
    assert full.celery_down == 60
    short = default_schedule(40)
    assert short.stop_celery_at + short.celery_down < 40


def mail(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["Subject"] = subject
    message["To"] = "owner@example.com"
    message.set_content(body)
    return message.as_bytes()


def test_email_counts_find_each_case_in_encoded_subjects_and_bodies() -> None:
    messages = [
        mail("Uusi asia sinulle: AS-2026-0001", "Olet vastuuomistaja."),
        mail("Uusi asia sinulle", "Asia AS-2026-0002 odottaa."),
        mail("Uusi asia sinulle: AS-2026-0002", "Asia AS-2026-0002 odottaa."),
    ]
    counts = email_counts(messages, ["AS-2026-0001", "AS-2026-0002", "AS-2026-0003"])
    assert counts == {"AS-2026-0001": 1, "AS-2026-0002": 2, "AS-2026-0003": 0}
