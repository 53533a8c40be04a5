"""The request generator: deterministic, consistent rows, and COPY columns that match the model.

Run with `.venv/bin/pytest bench/tests` (bench/ is outside the default test paths).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from bench.generate_requests import (
    DAYS,
    Generated,
    Municipality,
    RequestGenerator,
    Target,
    _columns,
)
from luukku.intake.models import RequestEvent, ServiceRequest

END = datetime(2026, 11, 25, tzinfo=UTC)
MUNICIPALITIES = [
    Municipality("297", "Kuopio", 62.893, 27.679, 124_000),
    Municipality("140", "Iisalmi", 63.559, 27.19, 21_000),
    Municipality("204", "Kaavi", 62.975, 28.48, 2_900),
]
TARGETS = [
    Target(1, "katujen-kunnossapito", {"297": 10, "140": 11, "204": 12}),
    Target(2, "kirjasto", {"297": 20, "140": 20, "204": 20}),
    Target(3, "maantiet", {"297": 30, "140": 30, "204": 30}),
]


def _rows(count: int, seed: int = 1) -> list[Generated]:
    return list(RequestGenerator(TARGETS, MUNICIPALITIES, END, seed).requests(count))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    north = (lat1 - lat2) * 111.2
    east = (lon1 - lon2) * 111.2 * math.cos(math.radians(lat2))
    return math.hypot(north, east)


def test_same_seed_gives_the_same_rows_and_another_seed_other_rows() -> None:
    first, again, other = _rows(300, 7), _rows(300, 7), _rows(300, 8)
    assert [item.row for item in first] == [item.row for item in again]
    assert [item.events for item in first] == [item.events for item in again]
    assert [item.row["token"] for item in first] != [item.row["token"] for item in other]


def test_rows_are_consistent_with_the_model_rules() -> None:
    items = _rows(3000)
    ids = [item.row["service_request_id"] for item in items]
    assert len(set(ids)) == len(ids)
    for item in items:
        row, events = item.row, item.events
        assert END - timedelta(days=DAYS) <= row["requested_at"] < END
        assert row["status"] == ServiceRequest.status_for(row["detailed_status"])
        assert events[0][0] == "received"
        assert events[0][1] == row["requested_at"]
        assert [at for _, at, _, _ in events] == sorted(at for _, at, _, _ in events)
        assert row["updated_at"] == events[-1][1] < END
        assert (events[-1][0] == "done") == (row["status"] == "closed")
        assert {state for state, _, _, _ in events} <= set(RequestEvent.State.values)
        assert row["detailed_status"] in ServiceRequest.DetailedStatus.values
        assert row["kind"] in ServiceRequest.Kind.values
        assert row["channel"] in ServiceRequest.Channel.values
        assert row["lat"] is not None or row["address_string"]
        if row["service"] is None:
            assert row["agency_responsible"] is None
        if not row["consent"]:
            assert row["email"] == row["phone"] == row["first_name"] == ""


def test_points_lie_near_a_municipality_centre_and_requests_follow_population() -> None:
    items = _rows(3000)
    counts = {m.code: 0 for m in MUNICIPALITIES}
    for item in items:
        if item.row["lat"] is None:
            continue
        lat, lon = float(item.row["lat"]), float(item.row["long"])
        nearest = min(MUNICIPALITIES, key=lambda m: _km(lat, lon, m.latitude, m.longitude))
        assert _km(lat, lon, nearest.latitude, nearest.longitude) <= 8.01
        counts[nearest.code] += 1
    assert counts["297"] > counts["140"] > counts["204"]


def test_distribution_is_skewed_mostly_public_and_old_requests_closed() -> None:
    items = _rows(5000)
    public = sum(item.row["moderation"] == "public" for item in items) / len(items)
    assert 0.9 < public < 0.97
    by_service: dict[object, int] = {}
    for item in items:
        by_service[item.row["service"]] = by_service.get(item.row["service"], 0) + 1
    # street maintenance is listed as the most popular service
    assert max(by_service, key=lambda key: by_service[key]) == 1
    old = [item for item in items if item.row["requested_at"] < END - timedelta(days=180)]
    closed_share = sum(item.row["status"] == "closed" for item in old) / len(old)
    assert closed_share > 0.8
    recent = [item for item in items if item.row["requested_at"] > END - timedelta(days=2)]
    assert any(item.row["status"] == "open" for item in recent)


def test_copy_columns_cover_every_model_column_once() -> None:
    generated = ["id", "service_request_id", "token", "service", "description", "requested_at",
                 "updated_at"]  # fmt: skip
    names, defaults, default_columns = _columns(ServiceRequest, generated)
    all_columns = [str(field.column) for field in ServiceRequest._meta.concrete_fields]
    assert sorted(names + default_columns) == sorted(all_columns)
    assert len(defaults) == len(default_columns)
    by_column = dict(zip(default_columns, defaults, strict=True))
    assert by_column["attributes"] == "{}"
    assert by_column["media_urls"] == "[]"
    assert by_column["idempotency_key"] == ""


def test_requests_come_oldest_first_and_exactly_as_many_as_asked() -> None:
    items = _rows(1234)
    assert len(items) == 1234
    times = [item.row["requested_at"] for item in items]
    assert times == sorted(times)
    assert times[-1] - times[0] > timedelta(days=DAYS - 30)
