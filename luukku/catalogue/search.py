"""Finding the right service: a lemma index of the catalogue's texts and its ranked search.

The index (SearchTerm rows) holds, per service and language, every lemma of the service's
names, keywords, summary and description, and the parts of compound lemmas, each with the
weight of the strongest field it appears in. A query is analysed the same way (lemmas, compound
parts, one-edit typo candidates from the index's vocabulary) and scored in one portable SQL
query: IN-list on the indexed (language, term) column, GROUP BY service, the sum of
field weight × query-term weight × rarity.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, F, FloatField, Max, Prefetch, Sum, Value, When

from luukku.catalogue.models import SearchTerm, Service, ServiceText
from luukku.core import text

# Where a word appears says how much it tells about the service.
FIELD_WEIGHTS: dict[str, float] = {
    ServiceText.Kind.NAME: 5.0,
    ServiceText.Kind.ALTERNATIVE_NAME: 4.0,
    ServiceText.Kind.KEYWORD: 3.0,
    ServiceText.Kind.SUMMARY: 2.0,
    ServiceText.Kind.DESCRIPTION: 1.0,
}
# A part of a compound says less than the whole word: "lupa" in "ympäristölupa".
COMPOUND_PART_FACTOR = 0.5
# A typo correction is a guess; the exact word, when present, ranks above it.
FUZZY_FACTOR = 0.7
# Long queries are cut: the words after these add nothing but cost.
MAX_QUERY_TOKENS = 12
# After another process changed the index, the vocabulary (typo candidates, rarity) may be this
# many seconds old before it is reloaded; exact words are always looked up in the database.
VOCABULARY_MAX_AGE = 30.0
_INDEX_CHUNK = 500
_TERM_MAX_LENGTH = SearchTerm._meta.get_field("term").max_length or 100


@dataclass(frozen=True)
class SearchHit:
    service: Service
    score: float


@dataclass(frozen=True)
class SearchPage:
    """One page of results, best first, and how many services matched in all."""

    query: str
    language: str
    hits: list[SearchHit]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total


# --- Index ---------------------------------------------------------------------------------


def service_terms(texts: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], float]:
    """{(language, term): weight} for a service's (language, kind, value) texts."""
    weights: dict[tuple[str, str], float] = {}
    for language, kind, value in texts:
        field_weight = FIELD_WEIGHTS.get(kind)
        if field_weight is None:
            continue
        for lemma, parts in text.terms(value, language):
            _keep_max(weights, (language, lemma[:_TERM_MAX_LENGTH]), field_weight)
            for part in parts:
                _keep_max(
                    weights,
                    (language, part[:_TERM_MAX_LENGTH]),
                    field_weight * COMPOUND_PART_FACTOR,
                )
    return weights


def _keep_max(weights: dict[tuple[str, str], float], key: tuple[str, str], value: float) -> None:
    if value > weights.get(key, 0.0):
        weights[key] = value


def index_services(service_ids: Iterable[int]) -> int:
    """Rebuild the index rows of these services from their texts; returns rows written.

    Services that no longer exist simply lose their rows.
    """
    ids = sorted(set(service_ids))
    written = 0
    for start in range(0, len(ids), _INDEX_CHUNK):
        chunk = ids[start : start + _INDEX_CHUNK]
        texts: dict[int, list[tuple[str, str, str]]] = {}
        rows = ServiceText.objects.filter(service_id__in=chunk, kind__in=FIELD_WEIGHTS)
        for service_id, language, kind, value in rows.values_list(
            "service_id", "language", "kind", "value"
        ):
            texts.setdefault(service_id, []).append((language, kind, value))
        terms = [
            SearchTerm(service_id=service_id, language=language, term=term, weight=weight)
            for service_id, service_texts in texts.items()
            for (language, term), weight in service_terms(service_texts).items()
        ]
        with transaction.atomic():
            SearchTerm.objects.filter(service_id__in=chunk).delete()
            SearchTerm.objects.bulk_create(terms, batch_size=2000)
        written += len(terms)
    invalidate_vocabulary()
    return written


def rebuild_index() -> int:
    """Index every service again, e.g. after a bulk load or a change to the analysis."""
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        written = index_services(ids)
    return written


# --- Vocabulary: the index's terms per language, for typo candidates and rarity -------------


@dataclass
class _Vocabulary:
    version: int | None
    loaded_at: float
    services: int
    document_frequency: dict[str, int]
    by_length: dict[int, list[str]] = field(default_factory=dict)


_vocabularies: dict[str, _Vocabulary] = {}
_vocabulary_lock = threading.Lock()


def invalidate_vocabulary() -> None:
    """Forget this process's vocabularies; the next search loads them again."""
    with _vocabulary_lock:
        _vocabularies.clear()


def _index_version(language: str) -> int | None:
    # Index rows are only ever replaced, never updated, and ids only grow (AUTOINCREMENT on
    # SQLite, sequences on PostgreSQL): the newest id tells whether the index changed.
    return SearchTerm.objects.filter(language=language).aggregate(v=Max("pk"))["v"]


def _vocabulary(language: str) -> _Vocabulary:
    current = _vocabularies.get(language)
    now = time.monotonic()
    if current is not None and now - current.loaded_at < VOCABULARY_MAX_AGE:
        return current
    version = _index_version(language)
    if current is not None and current.version == version:
        current.loaded_at = now
        return current
    rows = SearchTerm.objects.filter(language=language)
    frequency = dict(rows.values("term").annotate(n=Count("pk")).values_list("term", "n"))
    vocabulary = _Vocabulary(
        version=version,
        loaded_at=now,
        services=rows.values("service_id").distinct().count(),
        document_frequency=frequency,
        by_length=text.group_by_length(frequency),
    )
    with _vocabulary_lock:
        _vocabularies[language] = vocabulary
    return vocabulary


# --- Query ---------------------------------------------------------------------------------


def query_terms(query: str, language: str) -> dict[str, float]:
    """{term: weight} to look up for a query: lemmas, compound parts and typo candidates."""
    vocabulary = _vocabulary(language)
    known = vocabulary.document_frequency
    weights: dict[str, float] = {}
    tokens = [t for t in text.tokenize(query) if not text.is_stop_word(t, language)]
    for token in tokens[:MAX_QUERY_TOKENS]:
        lemma, parts = text.analyse(token, language)
        candidates: dict[str, float] = {lemma: 1.0}
        for part in parts:
            candidates.setdefault(part, COMPOUND_PART_FACTOR)
        if lemma not in known and token not in known:
            for word in dict.fromkeys((lemma, token)):
                for match in text.fuzzy_candidates(word, vocabulary.by_length):
                    candidates.setdefault(match, FUZZY_FACTOR)
        for term, factor in candidates.items():
            term = term[:_TERM_MAX_LENGTH]
            weight = factor * _rarity(term, vocabulary)
            if weight > weights.get(term, 0.0):
                weights[term] = weight
    return weights


def _rarity(term: str, vocabulary: _Vocabulary) -> float:
    """An idf: a word few services use tells more than one most of them use."""
    frequency = vocabulary.document_frequency.get(term, 1)
    return math.log(1.0 + max(vocabulary.services, 1) / frequency)


def search_services(
    query: str,
    language: str,
    *,
    limit: int = 20,
    offset: int = 0,
    prefetch: Sequence[str | Prefetch[Any]] = ("texts",),
) -> SearchPage:
    """Services matching `query` in `language`, best first (ties by id, so pages are stable).

    The hits' services come with `prefetch` done (their texts, unless told otherwise).
    """
    weights = query_terms(query, language)
    if not weights:
        return SearchPage(query, language, [], 0, limit, offset)
    matches = (
        SearchTerm.objects.filter(language=language, term__in=list(weights))
        .values("service_id")
        .annotate(
            score=Sum(
                F("weight")
                * Case(
                    *(When(term=term, then=Value(weight)) for term, weight in weights.items()),
                    default=Value(0.0),
                    output_field=FloatField(),
                ),
                output_field=FloatField(),
            )
        )
    )
    page = list(
        matches.order_by("-score", "service_id").values_list("service_id", "score")[
            offset : offset + limit
        ]
    )
    if page and len(page) < limit or not page and offset == 0:
        total = offset + len(page)  # the last page: no need to count
    else:
        total = matches.count()
    services = Service.objects.prefetch_related(*prefetch).in_bulk(
        [service_id for service_id, _ in page]
    )
    hits = [
        SearchHit(service=services[service_id], score=float(score))
        for service_id, score in page
        if service_id in services
    ]
    return SearchPage(query, language, hits, total, limit, offset)
