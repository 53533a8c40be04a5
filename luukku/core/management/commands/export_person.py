"""`manage.py export_person --email X [--output FILE]`: everything held about one person (the
right of access, GDPR article 15), as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luukku.core import gdpr
from luukku.core.management.persons import add_person_arguments, operator_label, person_from
from luukku.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Export everything held about one person as JSON, grouped by app and kind with each "
        "kind's purpose, legal basis and retention. The identity code is only ever shown "
        "masked. The export is audit-logged (the person by a keyed hash)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_person_arguments(parser)
        parser.add_argument("--output", help="Write the JSON to this file (default: stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        person = person_from(options)
        document = gdpr.export(person)
        gdpr.record_run(
            action=AuditEvent.Action.EXPORT,
            person=person,
            purpose="right of access (export_person)",
            actor_label=operator_label("export_person"),
            details={"found": document["found"]},
        )
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
        if not document["found"]:
            self.stderr.write(f"Nothing is held about {person}.")
        elif options.get("output"):
            self.stderr.write(f"Exported {person} to {options['output']}.")
