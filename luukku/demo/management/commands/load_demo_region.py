"""`manage.py load_demo_region`: load or refresh the Pohjois-Savo demo region (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from luukku.demo.services import load_demo_region


class Command(BaseCommand):
    help = (
        "Load the demo region: municipalities, population, organisations, channels, the "
        "service catalogue and (with DEBUG on) demo staff logins. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--with-demo-users",
            action="store_true",
            help="Create the demo staff users with their published password even when DEBUG "
            "is off (never on a server that is reachable by others).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with_demo_users: bool = options["with_demo_users"]
        started = time.monotonic()
        result = load_demo_region(with_demo_users=with_demo_users)
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count} {name}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo region loaded: {summary}."))
        self.stdout.write(
            f"{result.written} rows written, {result.reindexed} services queued for search "
            f"indexing, {elapsed:.1f} s."
        )
        if not result.users_loaded:
            self.stdout.write(
                self.style.WARNING(
                    "Demo users were NOT created: DEBUG is off, and their password is public "
                    "(printed by `manage.py demo_logins`). Run with --with-demo-users to create "
                    "them anyway on a machine only you can reach."
                )
            )
