"""`manage.py create_api_key NAME`: register an Open311 client; its key is the last line printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from luukku.intake.models import ApiClient
from luukku.intake.open311.throttling import is_valid_rate
from luukku.intake.services import create_api_client
from luukku.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an API client for POSTing Open311 requests and print its key (last line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The client application's name, unique.")
        parser.add_argument("--organisation", default="", help="Organisation identifier (slug).")
        parser.add_argument("--rate", default="", help="Own limit, e.g. 120/minute.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name:
            raise CommandError("The name must not be empty.")
        if ApiClient.objects.filter(name=name).exists():
            raise CommandError(f"An API client named {name!r} exists already.")
        if options["rate"] and not is_valid_rate(options["rate"]):
            raise CommandError("The rate has the form 120/minute (s, m, h or d).")
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation {options['organisation']!r}.")
        client, raw_key = create_api_client(
            name=name, organisation=organisation, throttle_rate=options["rate"]
        )
        self.stdout.write(f"Created API client {client.name} (key prefix {client.key_prefix}).")
        self.stdout.write("The key is shown only now; store it in the client's configuration.")
        self.stdout.write(raw_key)
