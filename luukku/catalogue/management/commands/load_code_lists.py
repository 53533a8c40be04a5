"""`manage.py load_code_lists`: load the national service classes, target groups and life events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from luukku.catalogue.codelists import load_code_lists


class Command(BaseCommand):
    help = "Create or update PTV's service classes, target groups and life events (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_code_lists()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
