"""`manage.py demo_logins`: print the demo staff logins and where to use them.

A developer tool whose output goes to the terminal next to the English README, so it prints in
English (role names too) whatever the project's default language is.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from luukku.demo.services import demo_logins

BASE_URL = "http://127.0.0.1:8000"
HEADERS = ("username", "password", "role", "organisation")


class Command(BaseCommand):
    help = "Print the demo logins (username, password, role, organisation) and the URLs."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            self._print_logins()

    def _print_logins(self) -> None:
        rows = demo_logins()
        self.stdout.write("")
        self.stdout.write(f"Luukku is at {BASE_URL}/  (public pages)")
        self.stdout.write(f"Staff pages:  {BASE_URL}/staff/")
        self.stdout.write(f"Django admin: {BASE_URL}/admin/")
        self.stdout.write("")
        if not rows:
            self.stdout.write(
                self.style.WARNING(
                    "No demo logins exist: run `manage.py load_demo_region` (with DEBUG on, or "
                    "with --with-demo-users)."
                )
            )
            return
        widths = [max(len(str(row[i])) for row in (HEADERS, *rows)) for i in range(len(HEADERS))]
        line = "  ".join("-" * width for width in widths)
        self.stdout.write(_line(HEADERS, widths))
        self.stdout.write(line)
        for row in rows:
            self.stdout.write(_line(row, widths))
        self.stdout.write("")


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
