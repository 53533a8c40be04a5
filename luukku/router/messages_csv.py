"""Reading labelled customer messages from CSV (evaluation sets, handled cases for training).

Columns: `text`, `slug` (one service slug, or several separated by ";" for a message with
several needs), optionally `language` (fi/sv/en; fi when absent or empty) and others, which are
ignored. The whole file is checked before anything is used: every problem is reported with its
line number, so a file is fixed in one go.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from luukku.core.text import SUPPORTED_LANGUAGES

REQUIRED_COLUMNS = ("text", "slug")
MAX_ERRORS_SHOWN = 20


class MessageFileError(ValueError):
    """The file cannot be used; `problems` lists each one with its line number."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        lines = "\n".join(f"  {problem}" for problem in shown)
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{path}: {len(problems)} problem(s):\n{lines}{tail}")
        self.problems = problems


@dataclass(frozen=True)
class LabelledMessage:
    line: int
    text: str
    slugs: tuple[str, ...]
    language: str


def read_messages(path: Path | str, *, known_slugs: Iterable[str]) -> list[LabelledMessage]:
    """All rows of the file, or `MessageFileError` naming every bad line."""
    known = set(known_slugs)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            return _read(handle, path, known)
    except OSError as error:
        raise MessageFileError(path, [f"cannot be read: {error.strerror or error}"]) from error


def _read(handle: TextIO, path: Path | str, known: set[str]) -> list[LabelledMessage]:
    reader = csv.DictReader(handle)
    try:
        columns = reader.fieldnames or []
    except (csv.Error, UnicodeDecodeError) as error:
        raise MessageFileError(path, [f"line 1: not valid UTF-8 CSV ({error})"]) from error
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        found = ", ".join(columns) if columns else "none (empty file?)"
        raise MessageFileError(
            path, [f"line 1: missing column(s) {', '.join(missing)}; the header has {found}"]
        )
    messages: list[LabelledMessage] = []
    problems: list[str] = []
    while True:
        # A quoted text may span lines: a row is reported by the line it starts on.
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except (csv.Error, UnicodeDecodeError) as error:
            problems.append(f"line {line}: not valid UTF-8 CSV ({error})")
            break
        message, row_problems = _parse_row(row, line, known)
        problems.extend(row_problems)
        if message is not None:
            messages.append(message)
    if not messages and not problems:
        problems.append("no messages: the file has a header but no rows")
    if problems:
        raise MessageFileError(path, problems)
    return messages


def _parse_row(
    row: dict[str | None, str | list[str] | None], line: int, known: set[str]
) -> tuple[LabelledMessage | None, list[str]]:
    problems: list[str] = []
    if None in row:
        problems.append(f"line {line}: more fields than columns (quote text that has commas)")
    text = _field(row, "text").strip()
    slug_field = _field(row, "slug")
    language = _field(row, "language").strip() or "fi"
    slugs = tuple(dict.fromkeys(slug.strip() for slug in slug_field.split(";") if slug.strip()))
    if not text:
        problems.append(f"line {line}: the text is empty")
    if not slugs:
        problems.append(f"line {line}: the slug is empty")
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        problems.append(f"line {line}: unknown service slug(s) {', '.join(unknown)}")
    if language not in SUPPORTED_LANGUAGES:
        problems.append(f"line {line}: unknown language {language!r} (use fi, sv or en)")
    if problems:
        return None, problems
    return LabelledMessage(line=line, text=text, slugs=slugs, language=language), []


def _field(row: dict[str | None, str | list[str] | None], name: str) -> str:
    value = row.get(name)
    return value if isinstance(value, str) else ""
