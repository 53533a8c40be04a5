"""`manage.py import_population FILE`: load Statistics Finland population (PxWeb) figures."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.areas.population_import import PopulationImportError, import_population


class Command(BaseCommand):
    help = (
        "Import population by municipality × age × sex from Statistics Finland's PxWeb "
        "(JSON-stat2 or CSV, e.g. table 11re). Ages are summed into the age bands. All or "
        "nothing: if anything is wrong, every problem is listed and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the PxWeb JSON-stat2 or CSV file.")
        parser.add_argument(
            "--year",
            type=int,
            help="Import only this year from the file, or the year of a file without years.",
        )
        parser.add_argument(
            "--format",
            choices=["auto", "jsonstat", "csv"],
            default="auto",
            help="The file's format (default: from the file name and content).",
        )
        parser.add_argument(
            "--only-known-municipalities",
            action="store_true",
            help="Leave out municipalities that are not in the database (for example a "
            "whole-country file loaded for one region) instead of refusing the file.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            result = import_population(
                path,
                year=options["year"],
                file_format=options["format"],
                only_known=options["only_known_municipalities"],
                dry_run=options["dry_run"],
                progress=not options["no_progress"] and sys.stderr.isatty(),
            )
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {path}") from error
        except PopulationImportError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{error.total} problem(s) found in {path}; nothing was imported."
            ) from error
        verb = "would be" if result.dry_run else "were"
        years = ", ".join(str(year) for year in result.years)
        self.stdout.write(
            f"Population {years} for {result.municipalities} municipalities: "
            f"{result.created} cells {verb} created, {result.updated} updated, "
            f"{result.unchanged} unchanged. Source: {result.source}"
        )
        if result.skipped_areas:
            self.stdout.write(f"Totals skipped: {', '.join(result.skipped_areas)}.")
        if result.skipped_unknown:
            listed = ", ".join(result.skipped_unknown[:10])
            more = len(result.skipped_unknown) - 10
            self.stdout.write(
                f"Municipalities not in the database, left out: {len(result.skipped_unknown)} "
                f"({listed}{f' and {more} more' if more > 0 else ''})."
            )
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
