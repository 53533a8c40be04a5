"""The national code lists PTV classifies services with: service classes, target groups and
life events, with their real codes and fi/sv/en labels.

The data ships with the code in `data/codelists/` (see the README there for its source and
licence), so that a fresh database gets the same codes that PTV's open API returns and an import
can resolve every `code` of a service's `serviceClasses`, `targetGroups` and `lifeEvents`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from luukku.catalogue.models import Concept, LifeEvent, ServiceClass, TargetGroup

DATA_DIR = Path(__file__).resolve().parent / "data" / "codelists"


@dataclass(frozen=True)
class CodeListEntry:
    """One row of a shipped code list file."""

    code: str
    uri: str
    parent: str | None
    label_fi: str
    label_sv: str
    label_en: str


# File name (without .json) → model; also the keys of `load_code_lists`' result.
CODE_LISTS: dict[str, type[Concept]] = {
    "service_classes": ServiceClass,
    "target_groups": TargetGroup,
    "life_events": LifeEvent,
}


def read_code_list(name: str) -> list[CodeListEntry]:
    """The entries of one shipped code list, parents listed before their children."""
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as handle:
        rows = json.load(handle)
    entries = [
        CodeListEntry(
            code=row["code"],
            uri=row["uri"],
            parent=row["parent"],
            label_fi=row["label"]["fi"],
            label_sv=row["label"]["sv"],
            label_en=row["label"]["en"],
        )
        for row in rows
    ]
    return _parents_first(entries)


def _parents_first(entries: list[CodeListEntry]) -> list[CodeListEntry]:
    """Order entries so that each parent comes before its children, whatever the file's order."""
    parent_of = {entry.code: entry.parent for entry in entries}

    def depth(code: str) -> int:
        level, parent = 0, parent_of.get(code)
        while parent is not None and level <= len(parent_of):
            level, parent = level + 1, parent_of.get(parent)
        return level

    return sorted(entries, key=lambda entry: depth(entry.code))


@transaction.atomic
def load_code_lists() -> dict[str, int]:
    """Create or update every code list entry; return how many entries each list has.

    Idempotent: a second run changes nothing. Entries are matched by code, so links from
    services to codes survive a reload with updated labels. Entries no longer in the files are
    kept (services may still point at them); PTV retires codes rarely and never reuses them.
    """
    return {name: _load(model, read_code_list(name)) for name, model in CODE_LISTS.items()}


def _load(model: type[Concept], entries: list[CodeListEntry]) -> int:
    existing = {concept.code: concept for concept in model._default_manager.all()}
    for entry in entries:
        concept = existing.get(entry.code)
        if concept is None:
            concept = model(code=entry.code)
            existing[entry.code] = concept
        parent = existing[entry.parent] if entry.parent else None
        wanted = {
            "uri": entry.uri,
            "label_fi": entry.label_fi,
            "label_sv": entry.label_sv,
            "label_en": entry.label_en,
            "parent_id": parent.pk if parent else None,
        }
        changed = [field for field, value in wanted.items() if getattr(concept, field) != value]
        if concept.pk is None:
            for field, value in wanted.items():
                setattr(concept, field, value)
            concept.save()
        elif changed:
            for field in changed:
                setattr(concept, field, wanted[field])
            concept.save(update_fields=[f.removesuffix("_id") for f in changed])
    return len(entries)
