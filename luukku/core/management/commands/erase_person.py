"""`manage.py erase_person --email X [--dry-run] [--yes]`: anonymise one person everywhere (the
right to erasure, GDPR article 17), keeping the rows that statistics count."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.core import gdpr
from luukku.core.management.persons import add_person_arguments, operator_label, person_from


class Command(BaseCommand):
    help = (
        "Anonymise one person everywhere in one transaction: names, contact details, texts, "
        "identity code hashes and images go; the rows with their service, organisation, dates, "
        "status and ratings stay, so statistics do not change. Refused while the person has an "
        "open case or request, unless --include-open. Audit-logged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_person_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Only count what would change.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--include-open",
            action="store_true",
            help="Erase also matters still being handled (their handlers lose the contact "
            "details and texts they are working with).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        person = person_from(options)
        dry_run = bool(options["dry_run"])
        if not dry_run and not options["yes"]:
            try:
                answer = input(f"Erase everything about {person}? This cannot be undone. [yes/no] ")
            except EOFError:  # no terminal to ask (a script): only --yes erases
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing erased.")
        try:
            counts = gdpr.erase(
                person,
                dry_run=dry_run,
                include_open=bool(options["include_open"]),
                actor_label=operator_label("erase_person"),
            )
        except gdpr.ErasureRefused as refused:
            lines = "\n".join(f"  {reason}" for reason in refused.reasons)
            raise CommandError(
                f"Not erased: the person has open matters (close them, or use --include-open):"
                f"\n{lines}"
            ) from None
        if not counts:
            self.stdout.write(f"Nothing to erase about {person}.")
            return
        self.stdout.write(f"{'Would change' if dry_run else 'Changed'} ({person}):")
        for app_label, kinds in counts.items():
            for kind, count in kinds.items():
                self.stdout.write(f"  {app_label}.{kind}: {count}")
