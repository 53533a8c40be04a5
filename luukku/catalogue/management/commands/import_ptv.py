"""`manage.py import_ptv FILE`: import services and channels from PTV open API JSON."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.catalogue.ptv.importer import PtvImporter, PtvImportError


class Command(BaseCommand):
    help = (
        "Import PTV open API JSON (one service or channel, a list, or a page with itemList). "
        "All or nothing: if any record is invalid, every problem is listed and nothing is "
        "written. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the JSON file.")
        parser.add_argument(
            "--reject-unknown-organisations",
            action="store_true",
            help="Refuse records that refer to organisations we do not know, instead of "
            "creating them from the file's reference.",
        )
        parser.add_argument(
            "--no-reindex",
            action="store_true",
            help="Do not refresh the search index of the imported services afterwards.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        importer = PtvImporter(
            create_missing_organisations=not options["reject_unknown_organisations"],
            reindex=not options["no_reindex"],
            progress=not options["no_progress"] and sys.stderr.isatty(),
        )
        try:
            result = importer.import_file(options["file"])
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {options['file']}") from error
        except PtvImportError as error:
            for problem in error.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"{len(error.problems)} problem(s) found in {options['file']}; nothing was "
                "imported."
            ) from error
        self.stdout.write(
            f"Services: {result.services_created} created, {result.services_updated} updated, "
            f"{result.services_unchanged} unchanged.\n"
            f"Channels: {result.channels_created} created, {result.channels_updated} updated, "
            f"{result.channels_unchanged} unchanged."
        )
        if result.areas_created:
            self.stdout.write(f"Areas created: {result.areas_created}.")
        if result.organisations_created:
            self.stdout.write(
                "Organisations created from references (complete their type and names):"
            )
            for name in result.organisations_created:
                self.stdout.write(f"  {name}")
        if result.skipped_links:
            self.stdout.write(
                f"Links skipped to services or channels not in the file or the catalogue: "
                f"{result.skipped_links}."
            )
