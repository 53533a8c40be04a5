"""`manage.py load_routing_examples FILE.csv`: add labelled messages for the router to learn from.

Columns text, slug[, language] (others, such as municipality, are ignored). The whole file is
checked first and then written in one transaction, or nothing is. A message already stored for
the service is skipped, so loading the same file again changes nothing. Run `train_router`
afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.router.messages_csv import MessageFileError
from luukku.router.models import RoutingExample
from luukku.router.services import load_examples


class Command(BaseCommand):
    help = (
        "Load labelled messages (CSV: text, slug[, language]) as routing examples for the next "
        "train_router. Idempotent. Never give it the evaluation set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="CSV file with columns text, slug and optionally language."
        )
        parser.add_argument(
            "--source",
            default=RoutingExample.Source.DEMO,
            choices=[RoutingExample.Source.DEMO, RoutingExample.Source.CASE],
            help="Where the messages come from (default: demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, total = load_examples(path=options["file"], source=options["source"])
        except MessageFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{created} routing examples added ({total - created} already there) "
                f"from {total} message-service pairs."
            )
        )
