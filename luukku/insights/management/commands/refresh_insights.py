"""`manage.py refresh_insights`: rebuild the columnar extract the insight pages read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from luukku.insights.extract import refresh_extract


class Command(BaseCommand):
    help = (
        "Rebuild the insights extract (a DuckDB file) from the survey answers. Readers keep "
        "the previous file until the new one is complete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path", type=Path, help="Write here instead of INSIGHTS_EXTRACT_PATH."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show progress.")

    def handle(self, *args: Any, **options: Any) -> None:
        bars: dict[str, tqdm[Any]] = {}

        def progress(table: str, rows: int) -> None:
            if options["no_progress"]:
                return
            bar = bars.setdefault(table, tqdm(desc=table, unit=" rows"))
            bar.update(rows - bar.n)

        try:
            summary = refresh_extract(options["path"], progress=progress)
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.path}: {summary.responses} responses, {summary.scores} scores, "
                f"{summary.texts} texts."
            )
        )
