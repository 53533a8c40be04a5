"""Table checksums that prove a restored PostgreSQL database holds what was backed up.

deploy/backup.sh stores, beside the pg_dump file, a manifest: every table's row count and a
checksum of its contents. deploy/restore.sh computes the same manifest on the restored database
and compares. Both sides run the SQL here, so a backup and its check can never disagree about
how a row is hashed.

The checksum is computed in the database, one pass per table and in constant memory: each row's
text form is hashed with md5, and the two 64-bit halves of the hashes are summed as numerics.
A sum does not depend on the order rows come back in, so no sort and no primary key is needed,
and a deleted, added or changed row changes it. The text form of a value depends on session
settings (time zone, date style, float digits, bytea output); they are fixed before hashing so
that the same rows give the same checksum on any server.

On a live database the manifest must describe the same moment as the dump: `in_snapshot()` opens
a repeatable-read transaction, exports its snapshot for pg_dump (`pg_dump --snapshot`), and
hashes the tables in that same snapshot after pg_dump has finished.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

MANIFEST_FORMAT = 1
SNAPSHOT_PLACEHOLDER = "{snapshot}"

# Settings that decide how values print as text; the checksum hashes that text.
_STABLE_TEXT_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
}

_TABLES = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
ORDER BY n.nspname, c.relname
"""

# Each sequence that numbers a column (serial or identity), with that column.
_OWNED_SEQUENCES = """
SELECT sn.nspname, s.relname, tn.nspname, t.relname, a.attname
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_namespace sn ON sn.oid = s.relnamespace
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype IN ('a', 'i')
ORDER BY sn.nspname, s.relname
"""


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str


@dataclass
class Manifest:
    """What a database held at one moment: table name ("schema.table") → rows and checksum."""

    tables: dict[str, TableSum]
    database: str = ""
    server_version: str = ""
    created_at: str = ""
    seconds: float = 0.0
    snapshot: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(table.rows for table in self.tables.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "created_at": self.created_at,
            "database": self.database,
            "server_version": self.server_version,
            "snapshot": self.snapshot,
            "seconds": round(self.seconds, 3),
            "total_tables": len(self.tables),
            "total_rows": self.total_rows,
            "tables": {
                name: {"rows": table.rows, "checksum": table.checksum}
                for name, table in sorted(self.tables.items())
            },
            **self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"Unknown manifest format {data.get('format')!r}")
        return cls(
            tables={
                name: TableSum(rows=int(table["rows"]), checksum=str(table["checksum"]))
                for name, table in data["tables"].items()
            },
            database=data.get("database", ""),
            server_version=data.get("server_version", ""),
            created_at=data.get("created_at", ""),
            seconds=float(data.get("seconds", 0.0)),
            snapshot=data.get("snapshot", ""),
        )


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection to a PostgreSQL URL (postgres:// or postgresql://, as DATABASE_URL)."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise ValueError("Table checksums need a PostgreSQL URL (postgres://…)")
    return psycopg.connect(url)


def table_checksum(cursor: psycopg.Cursor[Any], schema: str, table: str) -> TableSum:
    """One table's row count and content checksum, computed in one pass in the database."""
    query = sql.SQL(
        """
        SELECT count(*),
               md5(count(*)::text
                   || ':' || coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)
                   || ':' || coalesce(sum(('x' || substr(h, 17))::bit(64)::bigint::numeric), 0))
        FROM (SELECT md5(t::text) AS h FROM {table} AS t) AS hashed
        """
    ).format(table=sql.Identifier(schema, table))
    row = cursor.execute(query).fetchone()
    assert row is not None  # noqa: S101 — an aggregate always returns one row
    return TableSum(rows=int(row[0]), checksum=str(row[1]))


def compute_manifest(connection: psycopg.Connection[Any], *, snapshot: str = "") -> Manifest:
    """Every ordinary table's rows and checksum, read in the connection's current transaction."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        for name, value in _STABLE_TEXT_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, true)", (name, value))
        # now() is the transaction's start: the moment the snapshot shows.
        database, version, taken_at = cursor.execute(
            "SELECT current_database(), current_setting('server_version'), now()"
        ).fetchone() or ("", "", datetime.now(UTC))
        tables = {
            f"{schema}.{table}": table_checksum(cursor, schema, table)
            for schema, table in cursor.execute(_TABLES).fetchall()
        }
    return Manifest(
        tables=tables,
        database=database,
        server_version=version,
        created_at=taken_at.astimezone(UTC).isoformat(timespec="seconds"),
        seconds=time.monotonic() - started,
        snapshot=snapshot,
    )


def manifest_of(url: str) -> Manifest:
    """The manifest of a database, read in one repeatable-read snapshot."""
    with connect(url) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.transaction():
            return compute_manifest(connection)


@contextmanager
def in_snapshot(url: str) -> Iterator[tuple[str, psycopg.Connection[Any]]]:
    """A repeatable-read transaction and its exported snapshot id, valid while the block runs."""
    with connect(url) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.transaction():
            row = connection.execute("SELECT pg_export_snapshot()").fetchone()
            assert row is not None  # noqa: S101
            yield str(row[0]), connection


def manifest_with_command(url: str, command: Sequence[str]) -> Manifest:
    """Run `command` (pg_dump) with `{snapshot}` replaced by an exported snapshot, then compute
    the manifest in that snapshot: the dump and the manifest describe the same moment."""
    with in_snapshot(url) as (snapshot, connection):
        argv = [part.replace(SNAPSHOT_PLACEHOLDER, snapshot) for part in command]
        subprocess.run(argv, check=True)  # noqa: S603 — the operator's own backup command
        return compute_manifest(connection, snapshot=snapshot)


def compare(expected: Manifest, actual: Manifest) -> list[str]:
    """The differences between a backup's manifest and a restored database's, one line each."""
    differences = []
    for name in sorted(expected.tables.keys() | actual.tables.keys()):
        was, now = expected.tables.get(name), actual.tables.get(name)
        if now is None:
            differences.append(f"{name}: in the backup, missing from the restored database")
        elif was is None:
            differences.append(f"{name}: in the restored database, not in the backup")
        elif was.rows != now.rows:
            differences.append(f"{name}: {was.rows} rows in the backup, {now.rows} restored")
        elif was.checksum != now.checksum:
            differences.append(
                f"{name}: same {now.rows} rows, different contents "
                f"(checksum {was.checksum} in the backup, {now.checksum} restored)"
            )
    return differences


def sequences_behind(connection: psycopg.Connection[Any]) -> list[str]:
    """Sequences whose next number is already used in their column: after a bad restore every
    insert into that table would fail on the primary key."""
    problems = []
    with connection.cursor() as cursor:
        owned = cursor.execute(_OWNED_SEQUENCES).fetchall()
        for seq_schema, seq_name, schema, table, column in owned:
            next_row = cursor.execute(
                sql.SQL(
                    "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM {}"
                ).format(sql.Identifier(seq_schema, seq_name))
            ).fetchone()
            max_row = cursor.execute(
                sql.SQL("SELECT max({}) FROM {}").format(
                    sql.Identifier(column), sql.Identifier(schema, table)
                )
            ).fetchone()
            next_value = next_row[0] if next_row else None
            highest = max_row[0] if max_row else None
            if highest is not None and next_value is not None and next_value <= highest:
                problems.append(
                    f"{seq_schema}.{seq_name}: would hand out {next_value}, but "
                    f"{schema}.{table}.{column} already holds {highest}"
                )
    return problems
