"""Rights of the data subject: everything held about one person, exported or erased.

Core knows no app above it, so the inventory is a registry the apps fill. Every app that holds
personal data has a `gdpr` module (found like the admin finds `admin` modules: `discover()`
imports `<app>.gdpr` of every installed app) that calls `register()` with a `Provider`:

- `kinds`: what it holds, each with its purpose, legal basis and retention rule (the inventory);
- `find(person)`: the rows that are about the person (`Record`s);
- `export(person)`: those rows as JSON-ready dicts, by kind;
- `erase(person, now)`: anonymise them, keeping the rows and what statistics need; counts by kind;
- `holds(person)`: reasons the erasure must wait (an open matter), if any.

A person is named by an e-mail address, a phone number, a personal identity code or a staff
username. The identity code lives only in memory: apps match it through their keyed hash, and
everything printed or logged shows it masked (`Person.masked`). Erasure runs from the top layer
down (surveys before cases before intake), so an app still finds its rows through the links of
the layer below before that layer's identifiers are gone.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from . import audit
from .identifiers import mask_identity_code, mask_identity_codes_in, validate_identity_code
from .models import AuditEvent

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)

# What replaces a name or a required text that is erased; empty where the field may be empty.
ERASED = "–"
STAFF_PSEUDONYM_PREFIX = "erased-"


class PersonError(ValueError):
    """The selectors do not name a person (bad or missing value)."""


# -- the person -------------------------------------------------------------------------------

_PHONE_SEPARATORS_RE = re.compile(r"[\s\-().]")


def normalise_phone(raw: str) -> str:
    """A phone number in international form (+358401234567). Finnish national forms (040 123
    4567, 09-310 1691), 00358 and 358 prefixes are understood; raises PersonError otherwise."""
    number = _PHONE_SEPARATORS_RE.sub("", raw.strip())
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number.startswith("0"):
        number = "+358" + number[1:]
    elif number.startswith("358") and len(number) >= 10:
        number = "+" + number
    if not re.fullmatch(r"\+[1-9]\d{7,14}", number):
        raise PersonError(f"Not a phone number: {mask_phone(raw)!s}")
    return number


def same_phone(stored: str, normalised: str) -> bool:
    """Whether a phone number as stored (any format) is `normalised`."""
    try:
        return normalise_phone(stored) == normalised
    except PersonError:
        return False


def phone_filter(field_name: str, normalised: str) -> Q:
    """A database filter that finds every stored spelling of the number (with spaces, hyphens,
    0 or +358); it can over-match, so callers confirm each row with `same_phone`."""
    national = normalised[4:] if normalised.startswith("+358") else normalised[1:]
    pattern = r"[^0-9]*".join(national) + r"[^0-9]*$"
    return Q(**{f"{field_name}__regex": pattern})


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def staff_pseudonym(username: str) -> str:
    """The stable pseudonymous id an erased staff member's account and audit events carry.

    A keyed hash of the username: the same in every table, not reversible without the key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), username.encode(), hashlib.sha256)
    return STAFF_PSEUDONYM_PREFIX + digest.hexdigest()[:12]


@dataclass(frozen=True)
class Person:
    """Whom a request is about. Exactly one selector is usually given; several are allowed."""

    email: str = ""
    phone: str = ""
    identity_code: str = field(default="", repr=False)
    username: str = ""

    @classmethod
    def from_selectors(
        cls, *, email: str = "", phone: str = "", identity_code: str = "", username: str = ""
    ) -> Person:
        """Validate and normalise; raises PersonError saying what is wrong."""
        email, username = email.strip().lower(), username.strip()
        if not any((email, phone.strip(), identity_code.strip(), username)):
            raise PersonError("Name the person: an e-mail, phone, identity code or username.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise PersonError("Not an e-mail address.") from None
        code = ""
        if identity_code.strip():
            try:
                code = validate_identity_code(identity_code)
            except ValidationError as error:
                raise PersonError(
                    f"Not a valid personal identity code ({mask_identity_code(identity_code)}): "
                    f"{' '.join(error.messages)}"
                ) from None
        return cls(
            email=email,
            phone=normalise_phone(phone) if phone.strip() else "",
            identity_code=code,
            username=username,
        )

    @property
    def is_resident(self) -> bool:
        return bool(self.email or self.phone or self.identity_code)

    def masked(self) -> dict[str, str]:
        """The selectors as they may be printed and logged."""
        shown = {
            "email": mask_email(self.email) if self.email else "",
            "phone": mask_phone(self.phone) if self.phone else "",
            "identity_code": mask_identity_code(self.identity_code) if self.identity_code else "",
            "username": self.username,
        }
        return {key: value for key, value in shown.items() if value}

    def audit_key(self) -> str:
        """A keyed hash of the selectors: two runs about the same person can be paired in the
        audit log without the log naming them."""
        text = "|".join((self.email, self.phone, self.identity_code, self.username))
        digest = hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256)
        return digest.hexdigest()[:32]

    def __str__(self) -> str:
        return ", ".join(f"{key}={value}" for key, value in self.masked().items())


def matching(
    queryset: models.QuerySet[M],
    condition: Q,
    person: Person,
    *,
    phone_fields: tuple[str, ...] = ("phone",),
) -> models.QuerySet[M]:
    """The rows of `queryset` about the person: those matching `condition`, and (when the
    person is named by a phone number) those whose `phone_fields` hold that number in any
    spelling. The phone match is confirmed row by row (`same_phone`), as the database filter
    can over-match, so the result is a filter by primary key."""
    pks = set(queryset.filter(condition).values_list("pk", flat=True))
    if person.phone:
        for field_name in phone_fields:
            candidates = queryset.filter(phone_filter(field_name, person.phone))
            pks |= {
                pk
                for pk, value in candidates.values_list("pk", field_name)
                if same_phone(value, person.phone)
            }
    return queryset.filter(pk__in=pks)


# -- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of personal data an app holds, for the inventory and the export."""

    key: str
    models: tuple[str, ...]  # app_label.ModelName of the rows this kind is made of
    description: str
    purpose: str
    legal_basis: str
    retention: str


@dataclass(frozen=True)
class Record:
    """One row about the person: its kind and the model and key it can be found by."""

    kind: str
    model: str  # app_label.ModelName
    pk: str

    @classmethod
    def of(cls, kind: str, instance: models.Model) -> Record:
        return cls(kind=kind, model=instance._meta.label, pk=str(instance.pk))


Counts = dict[str, int]


def _no_holds(person: Person) -> list[str]:
    return []


@dataclass(frozen=True)
class Provider:
    app_label: str
    kinds: tuple[Kind, ...]
    find: Callable[[Person], list[Record]]
    export: Callable[[Person], dict[str, list[dict[str, Any]]]]
    erase: Callable[[Person, datetime], Counts]
    holds: Callable[[Person], list[str]] = _no_holds


_registry: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Called by an app's gdpr module when it is imported."""
    _registry[provider.app_label] = provider


def discover() -> None:
    autodiscover_modules("gdpr")


def providers() -> list[Provider]:
    """Every registered provider, lowest layer first (the order of INSTALLED_APPS)."""
    discover()
    order = [config.label for config in apps.get_app_configs()]
    return sorted(_registry.values(), key=lambda p: order.index(p.app_label))


def inventory() -> list[tuple[str, Kind]]:
    """(app label, kind) for every kind of personal data held: the record of processing."""
    held = [(provider.app_label, kind) for provider in providers() for kind in provider.kinds]
    return [*held, ("core", AUDIT_KIND)]


# -- JSON ------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as JSON holds it: ISO 8601 dates, strings for decimals, lists for sets."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    return value


def row(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """`fields` of `instance` as plain values; a foreign key gives its string form."""
    result: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = str(value)
        result[name] = plain(value)
    return result


def sha256_of(file: Any) -> str | None:
    """The SHA-256 of a stored file, or None when the file is missing from storage."""
    try:
        with file.open("rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, ValueError, OSError):
        return None


# -- the audit log's own part ----------------------------------------------------------------

AUDIT_KIND = Kind(
    key="audit_events",
    models=("core.AuditEvent",),
    description="Who read or changed the person's records, and (staff) what they did.",
    purpose="Security: showing who handled personal data, and why.",
    legal_basis="Legal obligation (GDPR 6(1)(c), art. 32; Act on Information Management in "
    "Public Administration 906/2019, section 17).",
    retention="Deleted LUUKKU_AUDIT_RETENTION_DAYS (default 5 years) after the event. An erased "
    "staff member's events stay, attributed to a pseudonymous id.",
)


def _audit_about(records: Iterable[Record]) -> models.QuerySet[AuditEvent]:
    """Audit events whose target is one of `records`."""
    by_model: dict[str, list[str]] = {}
    for record in records:
        by_model.setdefault(record.model, []).append(record.pk)
    condition = Q(pk__in=[])
    for label, pks in by_model.items():
        model = apps.get_model(label)
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_id__in=pks)
    return AuditEvent.objects.filter(condition)


def _audit_by(person: Person) -> models.QuerySet[AuditEvent]:
    if not person.username:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(actor_label=person.username)


def _audit_rows(events: models.QuerySet[AuditEvent], *, by_person: bool) -> list[dict[str, Any]]:
    rows = []
    for event in events.select_related("content_type").order_by("at", "pk"):
        rows.append(
            {
                "at": plain(event.at),
                "action": event.action,
                "actor": "" if by_person else event.actor_label,
                "object_type": event.content_type.model if event.content_type else "",
                "object_id": event.object_id,
                "purpose": event.purpose,
            }
        )
    return rows


# -- what the commands call ------------------------------------------------------------------


def find(person: Person) -> dict[str, list[Record]]:
    """The person's rows, by app; apps with nothing are left out."""
    found = {provider.app_label: provider.find(person) for provider in providers()}
    return {label: records for label, records in found.items() if records}


def export(person: Person, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about the person, grouped by app and kind, with each kind's purpose,
    legal basis and retention. `found` is False when nothing is held."""
    now = now or timezone.now()
    data: dict[str, Any] = {}
    records: list[Record] = []
    for provider in providers():
        kinds = {kind.key: kind for kind in provider.kinds}
        exported = provider.export(person)
        section = {
            key: _kind_section(kinds[key], rows) for key, rows in sorted(exported.items()) if rows
        }
        if section:
            data[provider.app_label] = section
        records.extend(provider.find(person))
    audit_rows = _audit_rows(_audit_about(records), by_person=False) + _audit_rows(
        _audit_by(person), by_person=True
    )
    if audit_rows:
        data.setdefault("core", {})[AUDIT_KIND.key] = _kind_section(AUDIT_KIND, audit_rows)
    return {
        "person": person.masked(),
        "generated_at": plain(now),
        "found": bool(data),
        "data": mask_identity_codes(data),
    }


def mask_identity_codes(value: Any) -> Any:
    """Every identity code written in a text (a customer writes theirs into feedback) masked."""
    if isinstance(value, str):
        return mask_identity_codes_in(value)
    if isinstance(value, dict):
        return {key: mask_identity_codes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_identity_codes(item) for item in value]
    return value


def _kind_section(kind: Kind, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "description": kind.description,
        "purpose": kind.purpose,
        "legal_basis": kind.legal_basis,
        "retention": kind.retention,
        "records": rows,
    }


def holds(person: Person) -> list[str]:
    """Why the person's data cannot be erased yet (open matters), from every app."""
    return [reason for provider in providers() for reason in provider.holds(person)]


class ErasureRefused(Exception):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that nothing it did is kept."""


def erase(
    person: Person,
    *,
    now: datetime | None = None,
    include_open: bool = False,
    dry_run: bool = False,
    actor_label: str = "",
) -> dict[str, Counts]:
    """Anonymise the person everywhere, in one transaction; the rows changed, by app and kind.

    Refused (ErasureRefused) while a matter is open, unless `include_open`. A dry run does all
    the work and rolls it back, so its counts are exactly what a real run would change. A second
    run finds nothing left to change. Writes one audit event (not for a dry run)."""
    now = now or timezone.now()
    reasons = holds(person)
    if reasons and not include_open:
        raise ErasureRefused(reasons)
    counts: dict[str, Counts] = {}
    try:
        with transaction.atomic():
            # Top layer first: an upper app finds its rows through the lower apps' identifiers.
            for provider in reversed(providers()):
                changed = {key: n for key, n in provider.erase(person, now).items() if n}
                if changed:
                    counts[provider.app_label] = changed
            pseudonymised = pseudonymise_audit_of(person.username) if person.username else 0
            if pseudonymised:
                counts.setdefault("core", {})[AUDIT_KIND.key] = pseudonymised
            if dry_run:
                raise _DryRun
            record_run(
                action=AuditEvent.Action.DELETE,
                person=person,
                purpose="right to erasure (erase_person)",
                actor_label=actor_label,
                details={"counts": counts, "included_open": bool(reasons)},
            )
    except _DryRun:
        record_run(
            action=AuditEvent.Action.READ,
            person=person,
            purpose="right to erasure, dry run (erase_person --dry-run)",
            actor_label=actor_label,
            details={"counts": counts},
        )
    return counts


def pseudonymise_audit_of(username: str) -> int:
    """An erased staff member's events: attributed to their pseudonym, the rest untouched."""
    return AuditEvent.objects.filter(actor_label=username).update(
        actor_label=staff_pseudonym(username)
    )


def record_run(
    *,
    action: str,
    person: Person,
    purpose: str,
    actor_label: str,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """The audit event of an export or erasure: who ran it, and for whom by a keyed hash and
    masked selectors only."""
    return audit.record(
        action=action,
        actor_label=actor_label,
        purpose=purpose,
        details={
            "person_key": person.audit_key(),
            "person": person.masked(),
            **(details or {}),
        },
    )


RETENTION_BATCH_SIZE = 500


def in_batches(
    queryset: models.QuerySet[Any], handle: Callable[[list[int]], T], batch_size: int = 0
) -> Iterator[T]:
    """`handle(pks)` for the rows of `queryset`, a batch at a time, each in its own transaction,
    so a retention run over millions of rows holds no long transaction; yields each result.

    Walks the keys upwards, so it ends even when `handle` leaves a row in the queryset."""
    size = batch_size or RETENTION_BATCH_SIZE
    last = None
    while True:
        batch = queryset.order_by("pk")
        if last is not None:
            batch = batch.filter(pk__gt=last)
        pks = list(batch.values_list("pk", flat=True)[:size])
        if not pks:
            return
        with transaction.atomic():
            result = handle(pks)
        yield result
        last = pks[-1]


def retention_days(name: str, default: int) -> int:
    """A retention period from settings (days), never below one day."""
    return max(int(getattr(settings, name, default)), 1)
