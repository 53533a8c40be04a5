"""Which services a free-text message is about, who produces them there, and the triage queue.

`suggest` ranks services with the active trained model (see training.py) and names the producing
organisation by place. Other apps call only the functions of this module (the contract in the
issue): suggest, needs_triage, send_to_triage, decide_triage, record_example.

The active model and a snapshot of the catalogue's names and organisations are loaded once per
process and kept for `ROUTER_CACHE_SECONDS` (default 30 s). After that one cheap query asks which
version is active; only a changed version is loaded again. Activating a version in this process
forgets the cache at once. So `suggest` costs no queries at all while the cache is fresh.

Who produces a service at a place (`organisation_for`), in order:

1. a producer that is a unit of the municipality itself (its own daycare, its own library);
2. a producer serving the whole region: the wellbeing services county, the regional council,
   the state (their units included);
3. another producer located in the municipality (a municipal company, a local firm);
4. another producer with no home municipality;
5. otherwise the responsible organisation, by the rules of `intake.routing` for a decided place:
   the listed municipality, else the state or regional organiser, else the municipality's own
   organisation, else the single responsible one.

Without a place, the service's single responsible organisation, or none when several share it
(the place decides; `intake.routing` does the same).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from luukku.areas.models import Area
from luukku.catalogue.models import Service, ServiceOrganisation, ServiceText
from luukku.core.text import SUPPORTED_LANGUAGES
from luukku.organisations.models import Organisation

from .messages_csv import read_messages
from .models import MAX_TEXT_LENGTH, RouterModel, RoutingExample, TriageItem
from .ranking import Ranker
from .training import ModelRefused, load_pipeline, triage_limits

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SECONDS = 30.0

_REGION_WIDE_TYPES = frozenset(
    {
        Organisation.Type.REGION,
        Organisation.Type.REGIONAL_ORGANISATION,
        Organisation.Type.STATE,
        Organisation.Type.SOTE_PUBLIC,
    }
)


class RouterError(ValueError):
    """Bad input to a router service, with the field it concerns (like intake's SubmissionError)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NoActiveModel(Exception):
    """No usable trained model: none trained yet, or the active one was refused."""


@dataclass(frozen=True)
class Suggestion:
    service: Service
    slug: str
    name: str
    organisation: Organisation | None
    confidence: float


# --- the process-wide cache of the model and the catalogue ---------------------------------


@dataclass(frozen=True)
class _Producer:
    organisation: Organisation
    home_code: str | None
    municipal: bool
    region_wide: bool


@dataclass(frozen=True)
class _ServiceEntry:
    service: Service
    names: dict[str, str]
    producers: tuple[_Producer, ...]
    responsible: tuple[_Producer, ...]


@dataclass
class _Catalogue:
    services: dict[str, _ServiceEntry]
    municipality_codes: dict[str, str]  # code, and lower-case names in fi/sv/en → code
    municipality_organisations: dict[str, Organisation]


@dataclass
class _Loaded:
    model_id: int | None
    version: int | None
    ranker: Ranker | None
    catalogue: _Catalogue | None
    checked_at: float
    error: str = ""
    # Read from settings when loaded: a settings look-up per suggestion costs more than scoring.
    cache_seconds: float = DEFAULT_CACHE_SECONDS


_lock = threading.Lock()
_loaded: _Loaded | None = None


def forget_loaded_model() -> None:
    """Drop the cached model and catalogue; the next suggestion loads them again."""
    global _loaded
    with _lock:
        _loaded = None


def _cache_seconds() -> float:
    return float(getattr(settings, "ROUTER_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def _current() -> _Loaded:
    """The loaded model, checking at most every ROUTER_CACHE_SECONDS whether a new one is active."""
    global _loaded
    loaded = _loaded
    now = time.monotonic()
    if loaded is not None and now - loaded.checked_at < loaded.cache_seconds:
        return loaded
    with _lock:
        loaded = _loaded
        if loaded is not None and now - loaded.checked_at < loaded.cache_seconds:
            return loaded
        active = RouterModel.objects.filter(is_active=True).values_list("pk", flat=True).first()
        if loaded is not None and loaded.model_id == active:
            loaded.checked_at = now
            loaded.cache_seconds = _cache_seconds()
            loaded.catalogue = _load_catalogue() if active is not None else None
            return loaded
        _loaded = _load(active, now)
        _loaded.cache_seconds = _cache_seconds()
        return _loaded


def _load(model_id: int | None, now: float) -> _Loaded:
    if model_id is None:
        return _Loaded(None, None, None, None, now, "No router model has been trained yet.")
    row = RouterModel.objects.only("version", "blob", "signature").get(pk=model_id)
    try:
        ranker = Ranker(load_pipeline(bytes(row.blob), row.signature))
    except ModelRefused as error:
        logger.error("Router model v%s refused: %s", row.version, error)
        return _Loaded(model_id, row.version, None, None, now, str(error))
    return _Loaded(model_id, row.version, ranker, _load_catalogue(), now)


def _load_catalogue() -> _Catalogue:
    """Names, producers and responsible organisations of every service, in four queries."""
    organisations = {
        organisation.pk: organisation
        for organisation in Organisation.objects.select_related("municipality")
    }
    services = {service.pk: service for service in Service.objects.all()}
    names: dict[int, dict[str, str]] = {}
    for service_id, language, value in ServiceText.objects.filter(
        kind=ServiceText.Kind.NAME
    ).values_list("service_id", "language", "value"):
        names.setdefault(service_id, {})[language] = value
    producers: dict[int, list[_Producer]] = {}
    responsible: dict[int, list[_Producer]] = {}
    for service_id, organisation_id, role in ServiceOrganisation.objects.order_by("id").values_list(
        "service_id", "organisation_id", "role"
    ):
        target = producers if role == ServiceOrganisation.Role.PRODUCER else responsible
        target.setdefault(service_id, []).append(
            _describe(organisations[organisation_id], organisations)
        )
    municipality_codes: dict[str, str] = {}
    for area in Area.objects.filter(area_type=Area.Type.MUNICIPALITY):
        municipality_codes[area.code] = area.code
        for name in (area.name_fi, area.name_sv, area.name_en):
            if name:
                municipality_codes[name.casefold()] = area.code
    municipality_organisations: dict[str, Organisation] = {}
    for organisation in sorted(organisations.values(), key=lambda o: o.pk):
        if (
            organisation.organisation_type == Organisation.Type.MUNICIPALITY
            and organisation.parent_id is None
            and organisation.municipality is not None
        ):
            municipality_organisations.setdefault(organisation.municipality.code, organisation)
    return _Catalogue(
        services={
            service.slug: _ServiceEntry(
                service=service,
                names=names.get(service.pk, {}),
                producers=tuple(producers.get(service.pk, [])),
                responsible=tuple(responsible.get(service.pk, [])),
            )
            for service in services.values()
        },
        municipality_codes=municipality_codes,
        municipality_organisations=municipality_organisations,
    )


def _describe(organisation: Organisation, organisations: dict[int, Organisation]) -> _Producer:
    root = organisation
    seen = {root.pk}
    while root.parent_id is not None and root.parent_id in organisations:
        root = organisations[root.parent_id]
        if root.pk in seen:
            break
        seen.add(root.pk)
    home = organisation.municipality or root.municipality
    return _Producer(
        organisation=organisation,
        home_code=home.code if home is not None else None,
        municipal=root.organisation_type == Organisation.Type.MUNICIPALITY,
        region_wide=root.organisation_type in _REGION_WIDE_TYPES,
    )


# --- suggestions ---------------------------------------------------------------------------


def suggest(
    text: str,
    *,
    language: str = "fi",
    municipality: Area | str | None = None,
    limit: int = 3,
) -> list[Suggestion]:
    """The `limit` likeliest services for a message, best first; [] when no model is usable.

    Never raises for a missing or refused model: callers (case intake) carry on and the message
    goes to triage (`needs_triage([])` is True). A municipality it does not know counts as no
    place. The API (`suggest_or_raise`) reports both instead.
    """
    try:
        return suggest_or_raise(text, language=language, municipality=municipality, limit=limit)
    except NoActiveModel as error:
        logger.warning("Router has no usable model: %s", error)
        return []
    except RouterError as error:
        if error.field != "municipality":
            raise
        logger.warning("Router ignores the place: %s", error.message)
        return suggest_or_raise(text, language=language, municipality=None, limit=limit)


def suggest_or_raise(
    text: str,
    *,
    language: str = "fi",
    municipality: Area | str | None = None,
    limit: int = 3,
) -> list[Suggestion]:
    """`suggest`, but `NoActiveModel` says why there is nothing to suggest."""
    if language not in SUPPORTED_LANGUAGES:
        raise RouterError("lang", f"Unknown language {language!r}: use one of fi, sv, en.")
    loaded = _current()
    if loaded.ranker is None or loaded.catalogue is None:
        raise NoActiveModel(loaded.error or "No router model is active.")
    ranker, catalogue = loaded.ranker, loaded.catalogue
    code = municipality_code(municipality, catalogue)
    if municipality is not None and code is None:
        raise RouterError("municipality", f"Unknown municipality {municipality!s}.")
    if not text.strip() or limit < 1:
        return []
    probabilities = ranker.probabilities((text[:MAX_TEXT_LENGTH], language))
    suggestions: list[Suggestion] = []
    for index in np.argsort(-probabilities):
        entry = catalogue.services.get(ranker.classes[index])
        if entry is None:
            continue  # removed from the catalogue since the model was trained
        suggestions.append(
            Suggestion(
                service=entry.service,
                slug=entry.service.slug,
                name=entry.names.get(language) or entry.names.get("fi") or entry.service.slug,
                organisation=organisation_for(entry, code, catalogue),
                confidence=round(float(probabilities[index]), 4),
            )
        )
        if len(suggestions) >= limit:
            break
    return suggestions


def active_version() -> int | None:
    """The version number of the model suggestions come from (None when there is none)."""
    loaded = _current()
    return loaded.version if loaded.ranker is not None else None


def municipality_code(municipality: Area | str | None, catalogue: _Catalogue) -> str | None:
    """Statistics Finland code of a municipality given as an Area, a code or a name."""
    if municipality is None:
        return None
    if isinstance(municipality, Area):
        return municipality.code if municipality.area_type == Area.Type.MUNICIPALITY else None
    key = municipality.strip().casefold()
    return catalogue.municipality_codes.get(key) or catalogue.municipality_codes.get(
        key.replace("-", " ")
    )


def organisation_for(
    entry: _ServiceEntry, code: str | None, catalogue: _Catalogue
) -> Organisation | None:
    """Who produces the service in the municipality `code`; the rules are in the module doc."""
    if code is None:
        return entry.responsible[0].organisation if len(entry.responsible) == 1 else None
    rules = (
        lambda p: p.municipal and p.home_code == code,
        lambda p: p.region_wide,
        lambda p: not p.municipal and p.home_code == code,
        lambda p: not p.municipal and p.home_code is None,
    )
    for rule in rules:
        for producer in entry.producers:
            if rule(producer):
                return producer.organisation
    return _responsible_in(entry, code, catalogue)


def _responsible_in(entry: _ServiceEntry, code: str, catalogue: _Catalogue) -> Organisation | None:
    """`intake.routing.responsible_organisation` for a point decided to lie in `code`."""
    responsible = entry.responsible
    municipal = [
        p for p in responsible if p.organisation.organisation_type == Organisation.Type.MUNICIPALITY
    ]
    others = [
        p for p in responsible if p.organisation.organisation_type != Organisation.Type.MUNICIPALITY
    ]
    if not municipal:
        return responsible[0].organisation if responsible else None
    for producer in municipal:
        if producer.home_code == code:
            return producer.organisation
    if others:
        return others[0].organisation
    own = catalogue.municipality_organisations.get(code)
    if own is not None:
        return own
    return responsible[0].organisation if len(responsible) == 1 else None


def _is_municipality(organisation: Organisation) -> bool:
    return organisation.organisation_type == Organisation.Type.MUNICIPALITY


def needs_triage(suggestions: list[Suggestion]) -> bool:
    """True when a person should pick the service: nothing suggested, or the best is unsure."""
    if not suggestions:
        return True
    threshold, margin = triage_limits()
    best = suggestions[0].confidence
    if best < threshold:
        return True
    return len(suggestions) > 1 and best - suggestions[1].confidence < margin


# --- triage and examples -------------------------------------------------------------------


def _clean_text(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise RouterError("text", "The message is empty.")
    return cleaned[:MAX_TEXT_LENGTH]


def _check_language(language: str) -> str:
    if language not in SUPPORTED_LANGUAGES:
        raise RouterError("language", f"Unknown language {language!r}: use one of fi, sv, en.")
    return language


@transaction.atomic
def send_to_triage(
    *,
    text: str,
    language: str,
    suggestions: list[Suggestion],
    source: str,
    source_id: str,
) -> TriageItem:
    """Queue a message for a person to route. The same (source, source_id) is queued once."""
    cleaned = _clean_text(text)
    _check_language(language)
    if not source:
        raise RouterError("source", "Say where the message came from (source).")
    if source_id:
        existing = TriageItem.objects.filter(source=source, source_id=source_id).first()
        if existing is not None:
            return existing
    return TriageItem.objects.create(
        text=cleaned,
        language=language,
        suggestions=[
            {"slug": suggestion.slug, "confidence": suggestion.confidence}
            for suggestion in suggestions
        ],
        source=source,
        source_id=source_id,
    )


@transaction.atomic
def decide_triage(*, item: TriageItem, service: Service, decided_by: Any) -> None:
    """A person's decision: the item is closed and becomes a training example."""
    locked = TriageItem.objects.select_for_update().get(pk=item.pk)
    if locked.status == TriageItem.Status.DECIDED:
        raise RouterError("item", "This message has already been routed.")
    locked.status = TriageItem.Status.DECIDED
    locked.decided_service = service
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_service", "decided_by", "decided_at"])
    record_example(
        text=locked.text,
        service=service,
        language=locked.language,
        source=RoutingExample.Source.TRIAGE,
    )
    item.status = locked.status
    item.decided_service = service
    item.decided_by = decided_by
    item.decided_at = locked.decided_at


@transaction.atomic
def record_example(*, text: str, service: Service, language: str, source: str) -> RoutingExample:
    """Remember that a message was about `service`; the next `train_router` learns from it.

    A message already recorded for the service is kept as it was (its first source wins).
    """
    cleaned = _clean_text(text)
    _check_language(language)
    if source not in RoutingExample.Source.values:
        raise RouterError("source", f"Unknown example source {source!r}.")
    existing = RoutingExample.objects.filter(text=cleaned, service=service).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return RoutingExample.objects.create(
                text=cleaned, service=service, language=language, source=source
            )
    except IntegrityError:
        # Recorded by a concurrent transaction between our look-up and insert.
        return RoutingExample.objects.get(text=cleaned, service=service)


@transaction.atomic
def load_examples(*, path: str, source: str) -> tuple[int, int]:
    """Store every (message, service) pair of a labelled CSV file: (added, pairs in the file).

    The file is checked whole before anything is written (`MessageFileError` with line numbers);
    pairs already stored are left as they are, so loading a file again adds nothing.
    """
    if source not in RoutingExample.Source.values:
        raise RouterError("source", f"Unknown example source {source!r}.")
    services = {service.slug: service for service in Service.objects.all()}
    messages = read_messages(path, known_slugs=services)
    wanted: dict[tuple[str, int], RoutingExample] = {}
    for message in messages:
        text = _clean_text(message.text)
        for slug in message.slugs:
            service = services[slug]
            wanted.setdefault(
                (text, service.pk),
                RoutingExample(
                    text=text, service=service, language=message.language, source=source
                ),
            )
    existing = set(
        RoutingExample.objects.filter(service_id__in={pk for _, pk in wanted}).values_list(
            "text", "service_id"
        )
    )
    new = [example for key, example in wanted.items() if key not in existing]
    RoutingExample.objects.bulk_create(new, batch_size=500)
    return len(new), len(wanted)
