"""The person selectors export_person and erase_person share."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser

from luukku.core.gdpr import Person, PersonError

# argparse's and the shell's convention for a bad command line.
BAD_ARGUMENTS = 2


def add_person_arguments(parser: CommandParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--email", help="The person's e-mail address.")
    group.add_argument(
        "--phone", help="The person's phone number (040 123 4567, +358 40 123 4567, ...)."
    )
    group.add_argument(
        "--identity-code",
        help="The personal identity code; '-' reads it from standard input, which keeps it out "
        "of the shell history and the process list.",
    )
    group.add_argument("--username", help="A staff member's username.")


def person_from(options: dict[str, Any]) -> Person:
    """The person the options name; a bad value is a CommandError with exit status 2."""
    code = options.get("identity_code") or ""
    if code == "-":
        code = sys.stdin.readline().strip()
    try:
        return Person.from_selectors(
            email=options.get("email") or "",
            phone=options.get("phone") or "",
            identity_code=code,
            username=options.get("username") or "",
        )
    except PersonError as error:
        raise CommandError(str(error), returncode=BAD_ARGUMENTS) from None


def operator_label(command: str) -> str:
    """Who ran the command, for the audit log: the operating system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user} (manage.py {command})"
