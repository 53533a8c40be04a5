"""`manage.py table_checksums`: every table's row count and checksum (see luukku/core/backup.py).

deploy/backup.sh runs it around pg_dump (`-- pg_dump ... --snapshot={snapshot}`) to write the
backup's manifest; deploy/restore.sh runs it with `--compare` on the restored database.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import psycopg
from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.core import backup


class Command(BaseCommand):
    help = (
        "Count and checksum the rows of every table of a PostgreSQL database and write them as "
        "JSON; with --compare, check them against a backup's manifest (exit 1 on differences). "
        "Arguments after -- form a command (pg_dump) run first in the same snapshot, with "
        "{snapshot} replaced by the snapshot's id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database-url",
            default=os.environ.get("DATABASE_URL", ""),
            help="postgres://… URL of the database (default: DATABASE_URL).",
        )
        parser.add_argument("--output", help="Write the manifest to this file (default: stdout).")
        parser.add_argument(
            "--compare",
            metavar="MANIFEST",
            help="A backup's manifest.json: exit 1 listing every table whose rows or checksum "
            "differ, and every sequence behind its column.",
        )
        parser.add_argument("command", nargs="*", help="e.g. -- pg_dump --snapshot={snapshot} …")

    def handle(self, *args: Any, **options: Any) -> None:
        url: str = options["database_url"]
        command: list[str] = options["command"]
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("Give a PostgreSQL database: --database-url postgres://… ")
        if command and options["compare"]:
            raise CommandError("--compare checks a restored database; it runs no command.")
        try:
            if command:
                if not any(backup.SNAPSHOT_PLACEHOLDER in part for part in command):
                    raise CommandError("The command must use {snapshot} (pg_dump --snapshot=…).")
                manifest = backup.manifest_with_command(url, command)
            else:
                manifest = backup.manifest_of(url)
        except psycopg.Error as error:
            raise CommandError(f"Database error: {error}") from error
        if options["output"] or not options["compare"]:
            self._write(manifest, options["output"])
        summary = (
            f"{len(manifest.tables)} tables, {manifest.total_rows} rows, "
            f"checksummed in {manifest.seconds:.1f} s"
        )
        if not options["compare"]:
            self.stderr.write(summary)
            return
        self._compare(url, manifest, Path(options["compare"]), summary)

    def _write(self, manifest: backup.Manifest, output: str | None) -> None:
        text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _compare(self, url: str, restored: backup.Manifest, path: Path, summary: str) -> None:
        expected = backup.Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
        differences = backup.compare(expected, restored)
        with backup.connect(url) as connection:
            differences += backup.sequences_behind(connection)
        if differences:
            listing = "\n".join(f"  {line}" for line in differences)
            raise CommandError(
                f"The restored database differs from the backup ({len(differences)} "
                f"differences):\n{listing}",
                returncode=1,
            )
        self.stderr.write(
            self.style.SUCCESS(
                f"Restore verified: {summary}; every table's rows and checksum match the backup "
                f"taken {expected.created_at}."
            )
        )
