"""The columnar extract insights reads: customer-survey answers copied into one DuckDB file.

Dashboards aggregate millions of answers; doing that in the transactional database would compete
with the people answering. The extract is rebuilt as a whole (Celery every 15 minutes, or
`manage.py refresh_insights`) into a new file that then replaces the old one atomically, so a
reader never sees half a file and answers deleted by retention leave it at the next refresh.
DuckDB allows one writing process, so readers open the file read-only and reopen it when it has
been replaced.

Only complete answers to customer surveys enter it (staff survey answers never do), with the
respondent's background, the numeric answers of questions that have a headline measure, and free
texts scrubbed of personal data (raw text never enters the extract).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from luukku.core.db_routers import read_replica
from luukku.surveys.models import Answer, Question, Response, Survey

# The table definitions, shared with the benchmark that writes a synthetic extract directly.
RESPONSE_COLUMNS: dict[str, str] = {
    "response_id": "BIGINT",
    "survey_id": "BIGINT",
    "survey_organisation_id": "BIGINT",
    "submitted": "DATE",
    "month": "DATE",
    "service_id": "BIGINT",
    "channel": "VARCHAR",
    "organisation_id": "BIGINT",
    "location_id": "BIGINT",
    "municipality_code": "VARCHAR",
    "age_band": "VARCHAR",
    "sex": "VARCHAR",
    "customer_type": "VARCHAR",
    "language": "VARCHAR",
    "touchpoint_kind": "VARCHAR",
}
SCORE_COLUMNS: dict[str, str] = {"response_id": "BIGINT", "measure": "VARCHAR", "value": "DOUBLE"}
TEXT_COLUMNS: dict[str, str] = {
    "response_id": "BIGINT",
    "question_code": "VARCHAR",
    "text": "VARCHAR",
    "language": "VARCHAR",
    "rating": "DOUBLE",
}
TABLES: dict[str, dict[str, str]] = {
    "responses": RESPONSE_COLUMNS,
    "scores": SCORE_COLUMNS,
    "texts": TEXT_COLUMNS,
}
MEASURES: tuple[str, ...] = tuple(Question.Measure.values)
# Rows are stored in this order so that DuckDB's per-block min/max skips whole blocks when a
# query asks for one municipality or one period.
SORT_ORDER: dict[str, str] = {
    "responses": "municipality_code, submitted, response_id",
    "scores": "response_id, measure",
    "texts": "response_id, question_code",
}
CHUNK_SIZE = 5000


@dataclass(frozen=True)
class ExtractSummary:
    path: Path
    responses: int
    scores: int
    texts: int


def extract_path() -> Path:
    return Path(
        getattr(settings, "INSIGHTS_EXTRACT_PATH", None)
        or Path(settings.BASE_DIR) / "var" / "insights.duckdb"
    )


def built_at(path: Path | None = None) -> datetime | None:
    """When the extract the pages read was written (None before the first refresh)."""
    try:
        modified = (path or extract_path()).stat().st_mtime
    except FileNotFoundError:
        return None
    return datetime.fromtimestamp(modified, tz=UTC)


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in TABLES.items():
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        con.execute(f"CREATE TABLE {table} ({body})")


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Insert a pandas frame that has the table's columns (any order)."""
    if frame.empty:
        return
    columns = ", ".join(TABLES[table])
    con.register("incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")  # noqa: S608
    finally:
        con.unregister("incoming")


def finish_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Give each response a column per measure, then rewrite every table in SORT_ORDER.

    The measure columns (the mean of the response's answers on that measure, NULL when none)
    let a dashboard read one table instead of joining millions of scores to their responses.
    """
    means = ", ".join(
        f"avg(value) FILTER (WHERE measure = '{measure}') AS {measure}" for measure in MEASURES
    )
    con.execute(
        f"CREATE TABLE sorted AS SELECT r.*, {', '.join(f'm.{x}' for x in MEASURES)} "  # noqa: S608
        f"FROM responses r LEFT JOIN (SELECT response_id, {means} FROM scores "
        f"GROUP BY response_id) m ON m.response_id = r.response_id "
        f"ORDER BY {SORT_ORDER['responses']}"
    )
    con.execute("DROP TABLE responses")
    con.execute("ALTER TABLE sorted RENAME TO responses")
    for table, order in SORT_ORDER.items():
        if table != "responses":
            con.execute(f"CREATE TABLE sorted AS SELECT * FROM {table} ORDER BY {order}")  # noqa: S608
            con.execute(f"DROP TABLE {table}")
            con.execute(f"ALTER TABLE sorted RENAME TO {table}")


def write_atomically(path: Path, fill: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Build a new extract beside `path` with `fill`, then swap it in with one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    partial.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(partial))
        try:
            create_tables(con)
            fill(con)
            finish_tables(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        Path(f"{partial}.wal").unlink(missing_ok=True)


def question_measures() -> dict[int, str]:
    """Each customer-survey question with a headline measure, and the measure."""
    return dict(
        Question.objects.filter(survey__kind=Survey.Kind.CUSTOMER)
        .exclude(measure="")
        .values_list("pk", "measure")
    )


def refresh_extract(
    path: Path | None = None,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[str, int], None] | None = None,
) -> ExtractSummary:
    """Rebuild the whole extract from the database. `progress(table, rows)` after each chunk.

    It reads from a read replica when there is one: the extract is minutes old by design, so a
    replica's lag does not matter, and the long scan stays off the primary.
    """
    with read_replica():
        return _refresh_extract(path, chunk_size=chunk_size, progress=progress)


def _refresh_extract(
    path: Path | None,
    *,
    chunk_size: int,
    progress: Callable[[str, int], None] | None,
) -> ExtractSummary:
    path = path or extract_path()
    counts = dict.fromkeys(TABLES, 0)
    measures = question_measures()

    def fill(con: duckdb.DuckDBPyConnection) -> None:
        for table, rows in (
            ("responses", _response_rows(chunk_size)),
            ("scores", _score_rows(chunk_size, measures)),
            ("texts", _text_rows(chunk_size, measures)),
        ):
            for chunk in _chunks(rows, chunk_size):
                append(con, table, pd.DataFrame(chunk, columns=list(TABLES[table])))
                counts[table] += len(chunk)
                if progress:
                    progress(table, counts[table])

    write_atomically(path, fill)
    return ExtractSummary(path, counts["responses"], counts["scores"], counts["texts"])


def _included_responses() -> QuerySet[Response]:
    return Response.objects.filter(
        status=Response.Status.COMPLETE,
        survey__kind=Survey.Kind.CUSTOMER,
        submitted_at__isnull=False,
    )


def _response_rows(chunk_size: int) -> Iterator[tuple[Any, ...]]:
    rows = (
        _included_responses()
        .order_by("pk")
        .values_list(
            "pk",
            "survey_id",
            "survey__organisation_id",
            "submitted_at",
            "service_id",
            "channel",
            "organisation_id",
            "location_id",
            "municipality__code",
            "age_band",
            "sex",
            "customer_type",
            "language",
            "touchpoint__kind",
        )
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        pk, survey, survey_org, submitted_at, service, channel, org, location = row[:8]
        municipality, age, sex, ctype, lang, touchpoint = row[8:]
        # The day and month as people in the region count them, not in UTC.
        day = timezone.localtime(submitted_at).date()
        yield (
            pk,
            survey,
            survey_org,
            day,
            day.replace(day=1),
            service,
            channel,
            org,
            location,
            municipality or "",
            age or "",
            sex or "",
            ctype or "",
            (lang or "")[:2],
            touchpoint or "",
        )


def _score_rows(chunk_size: int, measures: dict[int, str]) -> Iterator[tuple[Any, ...]]:
    answers = (
        Answer.objects.filter(
            response__in=_included_responses(), question__in=list(measures), number__isnull=False
        )
        .order_by("pk")
        .values_list("response_id", "question_id", "number")
        .iterator(chunk_size=chunk_size)
    )
    for response_id, question_id, number in answers:
        yield (response_id, measures[question_id], float(cast(int, number)))


def _text_rows(chunk_size: int, measures: dict[int, str]) -> Iterator[tuple[Any, ...]]:
    """Free-text answers, scrubbed, each with the respondent's satisfaction rating if any."""
    from .scrubbing import scrub

    satisfaction = dict(
        Answer.objects.filter(
            response__in=_included_responses(),
            number__isnull=False,
            question__in=[pk for pk, measure in measures.items() if measure == "satisfaction"],
        ).values_list("response_id", "number")
    )
    texts = (
        Answer.objects.filter(
            response__in=_included_responses(), question__kind=Question.Kind.FREE_TEXT
        )
        .exclude(text="")
        .order_by("pk")
        .values_list("response_id", "question__code", "text", "response__language")
        .iterator(chunk_size=chunk_size)
    )
    for response_id, code, text, language in texts:
        language = (language or "fi")[:2]
        yield (response_id, code, scrub(text, language), language, satisfaction.get(response_id))


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Reader:
    """One read-only database per process, reopened when the file has been replaced.

    The file is attached to a private in-memory database: `duckdb.connect(path)` would hand back
    the instance already open for that path (the replaced file), and closing that instance would
    break cursors still reading it in other threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, int, int] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None

    def cursor(self, path: Path) -> duckdb.DuckDBPyConnection:
        stat = path.stat()  # FileNotFoundError when no extract has been built yet
        key = (str(path), stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if key != self._key or self._con is None:
                con = duckdb.connect()
                quoted = str(path).replace("'", "''")
                con.execute(f"ATTACH '{quoted}' AS extract (READ_ONLY)")
                self._con, self._key = con, key
            # A cursor is a connection of its own to the same database: safe per thread.
            cursor = self._con.cursor()
        cursor.execute("USE extract")
        return cursor


_reader = _Reader()


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current extract (FileNotFoundError when there is none)."""
    return _reader.cursor(path or extract_path())
