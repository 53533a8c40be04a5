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

from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch

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
# A word in more services than this (and than this share of them) is common: see
# `_required_terms`.
COMMON_TERM_MIN_SERVICES = 1000
COMMON_TERM_SHARE = 0.05
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
        with transaction.atomic():
            # Two workers reindexing the same service take turns and each reads the texts as
            # committed when its turn came, so rows are never doubled nor stale.
            list(Service.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
            terms = _terms_of(chunk)
            SearchTerm.objects.filter(service_id__in=chunk).delete()
            _insert_terms(terms)
        written += len(terms)
    invalidate_vocabulary()
    return written


def _terms_of(service_ids: list[int]) -> list[tuple[int, str, str, float]]:
    """(service id, language, term, weight) rows of these services' index."""
    texts: dict[int, list[tuple[str, str, str]]] = {}
    rows = ServiceText.objects.filter(service_id__in=service_ids, kind__in=FIELD_WEIGHTS)
    for service_id, language, kind, value in rows.values_list(
        "service_id", "language", "kind", "value"
    ):
        texts.setdefault(service_id, []).append((language, kind, value))
    return [
        (service_id, language, term, weight)
        for service_id, service_texts in texts.items()
        for (language, term), weight in service_terms(service_texts).items()
    ]


def _insert_terms(rows: list[tuple[int, str, str, float]]) -> None:
    """Write index rows without model instances: a 20,000-service catalogue has about 1.8
    million of them, and bulk_create's per-object work cost more than the analysis itself."""
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    columns = "(service_id, language, term, weight)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):
            # COPY (psycopg 3) is PostgreSQL's bulk path, much faster than one INSERT a row.
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s)",  # noqa: S608 - identifiers only
                rows,
            )


def rebuild_index() -> int:
    """Index every service again, e.g. after a bulk load or a change to the analysis."""
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        SearchTerm.objects.all().delete()
        written = index_services(ids)
    refresh_statistics()
    return written


def refresh_statistics() -> None:
    """Tell the database's planner about the new index after a bulk (re)build.

    On PostgreSQL, VACUUM also marks the pages all-visible, without which ranking cannot be an
    index-only scan; it cannot run inside a transaction, so there only ANALYZE runs.
    """
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}" if vacuum else f"ANALYZE {table}")


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
    return _plan(query, language).weights


@dataclass(frozen=True)
class _QueryPlan:
    weights: dict[str, float]
    # Only services with one of these terms can match; None when every term may stand alone.
    required: list[str] | None


def _plan(query: str, language: str) -> _QueryPlan:
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
                for match in text.typo_candidates(word, vocabulary.by_length):
                    candidates.setdefault(match, FUZZY_FACTOR)
        for term, factor in candidates.items():
            term = term[:_TERM_MAX_LENGTH]
            weight = factor * _rarity(term, vocabulary)
            if weight > weights.get(term, 0.0):
                weights[term] = weight
    return _QueryPlan(weights=weights, required=_required_terms(weights, vocabulary))


def _required_terms(weights: dict[str, float], vocabulary: _Vocabulary) -> list[str] | None:
    """The query's distinctive terms, when it also has words much of the catalogue uses.

    A word in thousands of services ("hakeminen", "palvelu") adds little to the score but
    would make the database add up every one of those services. As in Lucene's common-terms
    query, such words then only score the services that a distinctive word of the query
    found. A query of common words only is scored in full. Small catalogues have no common
    words in this sense, so there every word counts on its own.
    """
    cutoff = max(COMMON_TERM_MIN_SERVICES, COMMON_TERM_SHARE * vocabulary.services)
    frequency = vocabulary.document_frequency
    if all(frequency.get(term, 0) <= cutoff for term in weights):
        return None
    # A word the index does not have cannot lead: it would find nothing.
    rare = [term for term in weights if 0 < frequency.get(term, 0) <= cutoff]
    return rare or None


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
    plan = _plan(query, language)
    if not plan.weights:
        return SearchPage(query, language, [], 0, limit, offset)
    page, total = _ranked(language, plan, limit=limit, offset=offset)
    services = Service.objects.prefetch_related(*prefetch).in_bulk(
        [service_id for service_id, _ in page]
    )
    hits = [
        SearchHit(service=services[service_id], score=score)
        for service_id, score in page
        if service_id in services
    ]
    return SearchPage(query, language, hits, total, limit, offset)


def _ranked(
    language: str, plan: _QueryPlan, *, limit: int, offset: int
) -> tuple[list[tuple[int, float]], int]:
    """One page of (service id, score) and the number of matching services, in one query.

    Plain SQL that SQLite (3.25+) and PostgreSQL run alike: IN-lists on the covering
    (language, term, service, weight) index, GROUP BY service, and COUNT(*) OVER () for the
    total of all pages. With distinctive terms, the services they find are listed first and
    only their rows of the other terms are read.
    """
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    terms = list(plan.weights)
    in_terms = ", ".join(["%s"] * len(terms))
    cases = " ".join(["WHEN %s THEN %s"] * len(terms))
    score_params: list[Any] = [value for term in terms for value in (term, plan.weights[term])]
    if plan.required is None:
        source = f"{table} AS t"
        source_params: list[Any] = []
        join = ""
    else:
        in_required = ", ".join(["%s"] * len(plan.required))
        # CROSS JOIN keeps SQLite from reordering: candidates first, then index probes.
        source = (
            f"(SELECT DISTINCT service_id FROM {table}"  # noqa: S608 - identifiers only
            f" WHERE language = %s AND term IN ({in_required})) AS c CROSS JOIN {table} AS t"
        )
        source_params = [language, *plan.required]
        join = "t.service_id = c.service_id AND "
    where = f"WHERE {join}t.language = %s AND t.term IN ({in_terms})"
    where_params = [language, *terms]
    # Only identifiers and placeholders are formatted in; every value is a parameter. The ELSE's
    # type makes PostgreSQL multiply floats, not numerics.
    sql = (
        f"SELECT t.service_id,"  # noqa: S608
        f" SUM(t.weight * CASE t.term {cases} ELSE CAST(0 AS DOUBLE PRECISION) END) AS score,"
        f" COUNT(*) OVER () AS total FROM {source} {where}"
        f" GROUP BY t.service_id ORDER BY score DESC, t.service_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*score_params, *source_params, *where_params, limit, offset])
        rows = cursor.fetchall()
    if rows:
        return [(int(row[0]), float(row[1])) for row in rows], int(rows[0][2])
    if offset == 0:
        return [], 0
    # Past the last page: the window had no row to count on, so count on its own.
    count_sql = f"SELECT COUNT(DISTINCT t.service_id) FROM {source} {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(count_sql, [*source_params, *where_params])
        (total,) = cursor.fetchone() or (0,)
    return [], int(total)
