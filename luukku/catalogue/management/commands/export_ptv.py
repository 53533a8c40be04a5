"""`manage.py export_ptv FILE`: write the catalogue as PTV open API JSON (a list page)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from luukku.catalogue.models import Service, ServiceChannel
from luukku.catalogue.ptv.exporter import export_catalogue, write_catalogue


class Command(BaseCommand):
    help = "Write services and channels as one PTV open API list page (itemList)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path of the JSON file to write ('-' for stdout).")
        parser.add_argument(
            "--service",
            action="append",
            dest="slugs",
            metavar="SLUG",
            help="Export only this service and its channels (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        services = Service.objects.all()
        channels = ServiceChannel.objects.all()
        if options["slugs"]:
            services = services.filter(slug__in=options["slugs"])
            channels = channels.filter(services__in=services).distinct()
        # Organisations without a PTV id are given one while exporting.
        with transaction.atomic():
            document = export_catalogue(services, channels)
        if options["file"] == "-":
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        write_catalogue(options["file"], document)
        self.stderr.write(f"{len(document['itemList'])} items written to {options['file']}.")
