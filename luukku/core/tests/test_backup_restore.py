"""A backup restores whole into an empty database, and a restore that lost or changed a row fails.

This runs deploy/backup.sh and deploy/restore.sh as an operator would, on the demo region in
the PostgreSQL test database, and restores into a new database it drops afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.core import backup
from luukku.demo.services import load_demo_region
from luukku.organisations.models import Organisation

ROOT = Path(__file__).resolve().parents[3]
BACKUP_SH = ROOT / "deploy" / "backup.sh"
RESTORE_SH = ROOT / "deploy" / "restore.sh"
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = [
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="Backups are pg_dump/pg_restore of PostgreSQL: run with "
        "DATABASE_URL=postgres://… (the test database here is SQLite)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _url(database: str) -> str:
    """A postgres:// URL to `database` on the test database's server, as DATABASE_URL gives."""
    params = connection.settings_dict
    user = quote(params.get("USER") or "", safe="")
    password = quote(params.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = params.get("HOST") or "localhost"
    port = params.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{database}"


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the same server (its URL), dropped after the test."""
    name = f"luukku_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield _url(name)
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _run(*argv: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(part) for part in argv],
        env={**os.environ, "PYTHON": sys.executable, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _compare(database_url: str, manifest: Path) -> subprocess.CompletedProcess[str]:
    return _run(
        sys.executable,
        ROOT / "manage.py",
        "table_checksums",
        "--database-url",
        database_url,
        "--compare",
        manifest,
    )


def test_a_backup_restores_whole_and_a_lost_or_changed_row_is_caught(tmp_path, empty_database):
    load_demo_region(with_demo_users=True)
    media = tmp_path / "media"
    (media / "intake").mkdir(parents=True)
    (media / "intake" / "pothole.jpg").write_bytes(b"\xff\xd8 a photo of a pothole")

    started = time.monotonic()
    made = _run(
        BACKUP_SH,
        tmp_path / "backups",
        env={"DATABASE_URL": _url(connection.settings_dict["NAME"]), "MEDIA_ROOT": str(media)},
    )
    backup_seconds = time.monotonic() - started
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip().splitlines()[-1])
    assert backup_dir.name.startswith("luukku-")
    assert sorted(path.name for path in backup_dir.iterdir()) == [
        "SHA256SUMS",
        "database.dump",
        "manifest.json",
        "media.tar",
    ]
    manifest_path = backup_dir / "manifest.json"
    backed_up = backup.Manifest.from_json(json.loads(manifest_path.read_text()))

    started = time.monotonic()
    restored_run = _run(RESTORE_SH, backup_dir, empty_database, tmp_path / "media-restored")
    restore_seconds = time.monotonic() - started
    assert restored_run.returncode == 0, restored_run.stderr
    assert "Restore verified" in restored_run.stderr

    restored = backup.manifest_of(empty_database)
    assert restored.tables == backed_up.tables
    non_empty = {name: table.rows for name, table in restored.tables.items() if table.rows}
    assert len(restored.tables) > 50
    assert len(non_empty) > 25
    assert restored.total_rows > 5_000
    for table in ("public.cases_case", "public.surveys_response", "public.catalogue_service"):
        assert non_empty.get(table, 0) > 0, table
    assert (
        (tmp_path / "media-restored" / "intake" / "pothole.jpg")
        .read_bytes()
        .startswith(b"\xff\xd8")
    )
    print(  # noqa: T201 — the figures docs/operations.md quotes (run with -s)
        f"\nbackup {backup_seconds:.1f} s, restore + verification {restore_seconds:.1f} s: "
        f"{len(restored.tables)} tables ({len(non_empty)} with rows), "
        f"{restored.total_rows} rows"
    )

    # A restore never writes over a database that holds anything.
    again = _run(RESTORE_SH, backup_dir, empty_database)
    assert again.returncode == 2
    assert "not empty" in again.stderr

    # A row lost, a value changed and a sequence set back after the restore: the comparison
    # names each.
    with psycopg.connect(empty_database, autocommit=True) as restored_db:
        restored_db.execute(
            "DELETE FROM catalogue_searchterm WHERE id = (SELECT max(id) FROM catalogue_searchterm)"
        )
        restored_db.execute(
            "UPDATE catalogue_servicetext SET value = value || '.' "
            "WHERE id = (SELECT min(id) FROM catalogue_servicetext)"
        )
        restored_db.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), 1)")
    checked = _compare(empty_database, manifest_path)
    assert checked.returncode == 1
    terms = backed_up.tables["public.catalogue_searchterm"].rows
    texts = backed_up.tables["public.catalogue_servicetext"].rows
    assert f"public.catalogue_searchterm: {terms} rows in the backup, {terms - 1} restored" in (
        checked.stderr
    )
    assert f"public.catalogue_servicetext: same {texts} rows, different contents" in checked.stderr
    assert "would hand out 2, but public.cases_case.id already holds" in checked.stderr
    assert "3 differences" in checked.stderr


def test_the_manifest_describes_the_moment_of_the_dump_snapshot(tmp_path):
    """Rows written while pg_dump runs are in neither the dump nor the manifest."""
    OrganisationFactory.create_batch(3)
    source = _url(connection.settings_dict["NAME"])
    psql = Path(os.environ.get("PG_BIN", "/usr/bin")) / "psql"
    # Stands in for pg_dump: deletes a row from outside the snapshot while the "dump" runs.
    meanwhile = [
        str(psql),
        "--no-psqlrc",
        f"--dbname={source}",
        "--set=snapshot={snapshot}",
        "--command=DELETE FROM organisations_organisation "
        "WHERE id = (SELECT min(id) FROM organisations_organisation)",
    ]

    manifest = backup.manifest_with_command(source, meanwhile)

    assert Organisation.objects.count() == 2
    assert manifest.tables["public.organisations_organisation"].rows == 3
    assert manifest.snapshot
    assert backup.manifest_of(source).tables["public.organisations_organisation"].rows == 2


def test_a_damaged_backup_file_is_refused_before_anything_is_restored(tmp_path, empty_database):
    made = _run(
        BACKUP_SH,
        tmp_path / "backups",
        env={
            "DATABASE_URL": _url(connection.settings_dict["NAME"]),
            "MEDIA_ROOT": str(tmp_path / "no-media"),
        },
    )
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip().splitlines()[-1])
    with (backup_dir / "database.dump").open("ab") as dump:
        dump.write(b"\0")

    refused = _run(RESTORE_SH, backup_dir, empty_database)

    assert refused.returncode == 2
    assert "do not match SHA256SUMS" in refused.stderr
    assert backup.manifest_of(empty_database).tables == {}
