"""Fill PostgreSQL with N generated feedback and service requests, fast, for the Open311 benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luukku_bench_open311 \\
        python bench/generate_requests.py [--count 1000000] [--seed 1] [--end 2026-11-25T00:00Z]

The database must be migrated and hold the demo region (`manage.py load_demo_region`): the
requests are for its services that accept feedback, placed in its municipalities.

Rows go in with PostgreSQL's COPY through psycopg (the ORM would need an hour for a million
rows and their history). The table and column names come from the models' `_meta`
(`ServiceRequest._meta.db_table`, `field.column`), and every concrete column the generator does
not fill gets the model field's own default, so the generator follows model changes; a new
NOT NULL column without a default stops it with a clear error instead of loading wrong data.

What the data looks like (all drawn from one `random.Random(seed)`, so the same seed, count and
--end give the same rows):

- Services: the demo region's services that accept feedback, with a skewed popularity (street
  maintenance, waste, roads, sports grounds and water first, then the rest in a seeded order;
  weights 1/rank^0.9); about 1 % have no service (the customer did not know: triage).
- Times: over the two years before --end, more on weekdays and in working hours, more in spring
  (potholes and gravel) and in the snow months, a slight growth over time. Rows are written
  oldest first, so ids and the table's physical order follow time as in a real table.
- Places: a municipality drawn by population, then a point scattered around its centre
  (normal, sigma about 2.5 km, cut at 8 km): every point lies within the municipality's
  central area. 85 % have coordinates, 60 % a street address (some only an address).
- The responsible organisation follows the project's own routing rules
  (`luukku.intake.routing.responsible_organisation`) for the service and the municipality.
- Status from age: old requests are mostly done (DONE/CLOSED, some REJECTED), recent ones
  RECEIVED, ALLOCATED or HANDLING; `status` is the model's `status_for(detailed_status)`.
  Each request has a request_history (`RequestEvent`) of 1–4 events that matches its state
  (received, allocated, handling, done), about 3.8 a request since most requests are old.
- Moderation: 93 % public, 5 % hidden, 2 % unmoderated (those among the newest).
- Contact details on 40 % (with consent), none of them shown by the public API; about 2 % of
  the descriptions carry a phone number or an email address (the API must mask them).

The loader drops nothing and disables no index: it appends to what is there (ids continue
after the largest one) and VACUUM ANALYZEs the tables at the end, as autovacuum would have.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DAYS = 730
HELSINKI = ZoneInfo("Europe/Helsinki")
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the model's public id alphabet
AREAS_FILE = ROOT / "luukku" / "demo" / "data" / "areas.json"
BATCH = 50_000
# Services that get most feedback in Finnish cities (streets, waste, roads, water, parks).
POPULAR = [
    "katujen-kunnossapito", "jatehuolto", "maantiet", "liikuntapaikat", "vesihuolto",
    "joukkoliikenne", "kiinteiston-huoltopyynto", "kirjasto", "terveysasema", "varhaiskasvatus",
]  # fmt: skip

STREETS = [
    "Kauppakatu", "Puijonkatu", "Tulliportinkatu", "Minna Canthin katu", "Savonkatu",
    "Asemakatu", "Koulukatu", "Kirkkokatu", "Rantatie", "Satamakatu", "Myllykatu", "Sairaalakatu",
    "Kuopiontie", "Pohjolankatu", "Haapaniemenkatu", "Vuorikatu", "Maaherrankatu", "Snellmaninkatu",
    "Pappilantie", "Koivukuja", "Männistöntie", "Harjukatu", "Teollisuustie", "Peltotie",
]  # fmt: skip
FIRST_NAMES = [
    "Aino", "Matti", "Liisa", "Juha", "Sanna", "Mikko", "Elina", "Pekka", "Anna", "Ville",
]  # fmt: skip
LAST_NAMES = ["Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Heikkinen", "Hyvönen", "Räsänen"]
# Short Finnish texts by kind: {thing}, {place} and {detail} are filled in.
TEXTS = {
    "service_request": [
        "{thing} {place} on rikki. {detail}",
        "Pyydän korjaamaan: {thing} {place}. {detail}",
        "{thing} {place} vaatii huoltoa. {detail}",
    ],
    "complaint": [
        "{thing} {place} on ollut huonossa kunnossa jo viikkoja. {detail}",
        "Valitus: {thing} {place}. Asiaan ei ole reagoitu. {detail}",
    ],
    "suggestion": [
        "Ehdotan, että {thing} {place} uusittaisiin. {detail}",
        "Voisiko {place} lisätä penkkejä? {detail}",
    ],
    "question": [
        "Milloin {thing} {place} korjataan? {detail}",
        "Kenelle kuuluu {thing} {place}? {detail}",
    ],
    "praise": [
        "Kiitos! {thing} {place} korjattiin nopeasti. {detail}",
        "Hyvää työtä: {thing} {place} on nyt kunnossa.",
    ],
}
THINGS = [
    "Katuvalo", "Kuoppa", "Liikennemerkki", "Roska-astia", "Penkki", "Leikkipaikan keinu",
    "Pyörätie", "Suojatie", "Jäteastia", "Lumivalli", "Hiekoitus", "Kaivonkansi", "Aita",
]  # fmt: skip
DETAILS = [
    "Vaarallinen erityisesti pimeällä.", "Asukkaat ovat huomanneet saman.", "",
    "Kuva liitteenä.", "Ongelma toistuu joka talvi.", "Koskee myös viereistä korttelia.",
    "Lapset kulkevat tästä kouluun.", "",
]  # fmt: skip
HANDLERS = [
    "Kaupunkiympäristön palvelut", "Katujen kunnossapito", "Asiakaspalvelu", "Tekninen toimi",
]  # fmt: skip
REPLIES = [
    "Kiitos palautteesta. Asia on korjattu.",
    "Korjaus on tilattu urakoitsijalta ja tehdään kahden viikon kuluessa.",
    "Asia siirretty vastuualueelle.",
    "Kohde tarkastettiin, eikä korjaustarvetta havaittu.",
]
KINDS = [("service_request", 60), ("complaint", 14), ("suggestion", 11), ("question", 10),
         ("praise", 5)]  # fmt: skip
CHANNELS = [("web", 55), ("api", 30), ("phone", 8), ("email", 5), ("service_point", 2)]
LOCALES = [("fi", 90), ("en", 7), ("sv", 3)]
CONSENT_TEXT = "Minuun saa ottaa yhteyttä tämän palautteen asiassa."


def _weighted(pairs: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    """Values and cumulative weights for `random.choices(..., cum_weights=...)`."""
    values = [value for value, _ in pairs]
    cumulative = list(itertools.accumulate(weight for _, weight in pairs))
    return values, cumulative


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True)
class Target:
    """A service requests can be for, and who answers it in each municipality."""

    service_id: int | None
    slug: str
    agency_by_municipality: dict[str, int | None]


@dataclass
class Generated:
    """One request row (column name → value) and its history rows."""

    row: dict[str, Any]
    events: list[tuple[str, datetime, str, str]]


class RequestGenerator:
    """Deterministic stream of requests for given services and municipalities.

    It holds no database state: `bench/generate_requests.py`'s loader gives it the services and
    the municipalities and turns its dicts into COPY rows; the tests use it without a database.
    """

    def __init__(
        self,
        targets: Sequence[Target],
        municipalities: Sequence[Municipality],
        end: datetime,
        seed: int = 1,
        triage_share: float = 0.01,
    ) -> None:
        if not targets:
            raise ValueError("no services accept feedback: load the demo region first")
        if end.tzinfo is None:
            raise ValueError("end must carry its UTC offset")
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - timedelta(days=DAYS)
        self.municipalities = list(municipalities)
        self.triage_share = triage_share
        # Popularity: the usual leaders of municipal feedback first, then the other services in
        # a seeded order; weight 1/rank^0.9.
        leaders = {slug: rank for rank, slug in enumerate(POPULAR)}
        rest = [target for target in targets if target.slug not in leaders]
        self.rng.shuffle(rest)
        order = sorted((t for t in targets if t.slug in leaders), key=lambda t: leaders[t.slug])
        order += rest
        self.targets, self.target_weights = _weighted(
            [(target, 1 / (rank + 1) ** 0.9) for rank, target in enumerate(order)]
        )
        self.places, self.place_weights = _weighted(
            [(m, max(m.population, 1)) for m in self.municipalities]
        )
        _, self.day_weights = _weighted([(day, self._day_weight(day)) for day in range(DAYS)])
        self.hours, self.hour_weights = _weighted(
            [(hour, 1 + 6 * math.exp(-(((hour - 12.5) / 3.5) ** 2))) for hour in range(24)]
        )
        self.kinds, self.kind_weights = _weighted(KINDS)
        self.channels, self.channel_weights = _weighted(CHANNELS)
        self.locales, self.locale_weights = _weighted(LOCALES)
        self.used_ids: set[str] = set()

    def _day_weight(self, day: int) -> float:
        date = self.start + timedelta(days=day)
        weekday = 1.0 if date.weekday() < 5 else 0.55
        month = date.month
        season = {3: 1.3, 4: 1.5, 5: 1.4, 11: 1.1, 12: 1.25, 1: 1.3, 2: 1.25}.get(month, 1.0)
        growth = 0.85 + 0.3 * day / DAYS
        return weekday * season * growth

    def _pick(self, values: list[Any], cumulative: list[float]) -> Any:
        # random.choices with cum_weights, inlined: one bisect instead of a list per call.
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def _public_id(self, requested_at: datetime) -> str:
        # The day in Finnish time, as the model's `new_public_id` writes it.
        day = requested_at.astimezone(HELSINKI).strftime("%y%m%d")
        while True:
            tail = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(6))
            public_id = f"{day}-{tail}"
            if public_id not in self.used_ids:
                self.used_ids.add(public_id)
                return public_id

    def requests(self, count: int) -> Iterator[Generated]:
        """`count` requests, oldest first: real tables fill in time order, and so do ids."""
        total = self.day_weights[-1]
        previous = 0.0
        shares = []
        for cumulative in self.day_weights:
            shares.append(count * (cumulative - previous) / total)
            previous = cumulative
        per_day = [int(share) for share in shares]
        # Largest remainders get the requests that rounding down left over.
        leftover = count - sum(per_day)
        for day in sorted(range(DAYS), key=lambda d: per_day[d] - shares[d])[:leftover]:
            per_day[day] += 1
        for day, day_count in enumerate(per_day):
            yield from sorted(
                (self._one(day) for _ in range(day_count)),
                key=lambda item: item.row["requested_at"],
            )

    def _one(self, day: int) -> Generated:
        rng = self.rng
        hour = self._pick(self.hours, self.hour_weights)
        requested_at = self.start + timedelta(
            days=day, hours=hour, seconds=rng.randrange(3600), microseconds=rng.randrange(10**6)
        )
        if requested_at >= self.end:
            requested_at = self.end - timedelta(seconds=rng.randrange(1, 3600))
        age_days = (self.end - requested_at).total_seconds() / 86400

        target = None if rng.random() < self.triage_share else self._pick(
            self.targets, self.target_weights
        )  # fmt: skip
        municipality = self._pick(self.places, self.place_weights)
        kind = self._pick(self.kinds, self.kind_weights)

        lat = long = None
        if rng.random() < 0.85:
            lat, long = self._point(municipality)
        address = ""
        if lat is None or rng.random() < 0.6:
            address = f"{rng.choice(STREETS)} {rng.randrange(1, 120)}, {municipality.name}"

        detailed, events, notes = self._history(requested_at, age_days)
        status = _status_for(detailed)
        moderation = "public"
        draw = rng.random()
        if age_days < 3 and draw < 0.3:
            moderation = "unmoderated"
        elif draw > 0.95:
            moderation = "hidden"

        thing = rng.choice(THINGS)
        place = f"osoitteessa {address.split(',')[0]}" if address else "tässä kohdassa"
        description = (
            rng.choice(TEXTS[kind])
            .format(thing=thing, place=place, detail=rng.choice(DETAILS))
            .strip()
        )
        if rng.random() < 0.02:
            description += rng.choice(
                [" Soittakaa numeroon 040 123 4567.", " Vastaus: aino.asukas@example.fi"]
            )
        contact = rng.random() < 0.4
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        service_id = target.service_id if target else None
        agency = target.agency_by_municipality.get(municipality.code) if target else None
        row = {
            "service_request_id": self._public_id(requested_at),
            "token": f"{rng.getrandbits(128):032x}",
            "service": service_id,
            "kind": kind,
            "title": f"{thing} {municipality.name}",
            "description": description,
            "lat": None if lat is None else f"{lat:.6f}",
            "long": None if long is None else f"{long:.6f}",
            "address_string": address,
            "email": f"{first}.{last}@example.fi".lower() if contact else "",
            "first_name": first if contact else "",
            "last_name": last if contact else "",
            "phone": f"040 {rng.randrange(1000000, 9999999)}" if contact else "",
            "consent": contact,
            "consent_text": CONSENT_TEXT if contact else "",
            "status": status,
            "detailed_status": detailed,
            "status_notes": notes,
            "agency_responsible": agency,
            "moderation": moderation,
            "locale": self._pick(self.locales, self.locale_weights),
            "channel": self._pick(self.channels, self.channel_weights),
            "requested_at": requested_at,
            "updated_at": events[-1][1],
            "expected_at": requested_at + timedelta(days=14) if status == "open" else None,
        }
        return Generated(row=row, events=events)

    def _point(self, municipality: Municipality) -> tuple[float, float]:
        rng = self.rng
        while True:
            north_km, east_km = rng.gauss(0, 2.5), rng.gauss(0, 2.5)
            if north_km * north_km + east_km * east_km <= 64:  # within 8 km of the centre
                break
        lat = municipality.latitude + north_km / 111.2
        long = municipality.longitude + east_km / (111.2 * math.cos(math.radians(lat)))
        return lat, long

    def _history(
        self, requested_at: datetime, age_days: float
    ) -> tuple[str, list[tuple[str, datetime, str, str]], str]:
        """The 6Aika detailed status, the request_history events and the public reply."""
        rng = self.rng
        handler = rng.choice(HANDLERS)
        events = [("received", requested_at, "", "")]
        allocated = requested_at + timedelta(hours=rng.uniform(0.5, 30))
        handling = allocated + timedelta(days=rng.uniform(0.2, 5))
        done = handling + timedelta(days=rng.expovariate(1 / 6))
        now = self.end
        if allocated >= now:
            return "RECEIVED", events, ""
        events.append(("allocated", allocated, "", handler))
        if handling >= now or rng.random() < 0.08:
            return "ALLOCATED", events, ""
        events.append(("handling", handling, "Työ on aloitettu.", handler))
        if done >= now or (age_days < 60 and rng.random() < 0.15):
            return "HANDLING", events, ""
        reply = rng.choice(REPLIES)
        events.append(("done", done, reply, handler))
        draw = rng.random()
        detailed = "DONE" if draw < 0.8 else "CLOSED" if draw < 0.95 else "REJECTED"
        return detailed, events, reply


def _status_for(detailed_status: str) -> str:
    from luukku.intake.models import ServiceRequest

    return ServiceRequest.status_for(detailed_status)


def load_municipalities() -> list[Municipality]:
    """The demo region's municipalities: centres from the demo data, population from the DB."""
    from django.db.models import Sum

    from luukku.areas.models import Area, PopulationGroup

    centres = json.loads(AREAS_FILE.read_text(encoding="utf-8"))["municipalities"]
    latest = PopulationGroup.objects.order_by("-year").values_list("year", flat=True).first()
    population = dict(
        PopulationGroup.objects.filter(year=latest or 0)
        .values("municipality__code")
        .annotate(total=Sum("population"))
        .values_list("municipality__code", "total")
    )
    known = set(
        Area.objects.filter(area_type=Area.Type.MUNICIPALITY).values_list("code", flat=True)
    )
    return [
        Municipality(
            code=row["code"],
            name=row["fi"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(population.get(row["code"], 1000)),
        )
        for row in centres
        if row["code"] in known
    ]


def load_targets(municipalities: Sequence[Municipality]) -> list[Target]:
    """Services that accept feedback, with the routing rules' answer per municipality centre."""
    from luukku.catalogue.models import Service
    from luukku.intake.routing import responsible_organisation

    targets = []
    for service in Service.objects.filter(accepts_feedback=True).order_by("slug"):
        agencies = {}
        for municipality in municipalities:
            organisation = responsible_organisation(
                service, municipality.latitude, municipality.longitude
            )
            agencies[municipality.code] = organisation.pk if organisation else None
        targets.append(Target(service.pk, service.slug, agencies))
    return targets


def _column(model: Any, name: str) -> str:
    column: str = model._meta.get_field(name).column
    return column


def _columns(model: Any, generated: Sequence[str]) -> tuple[list[str], list[Any], list[str]]:
    """COPY column list: generated fields first, then every other column with its default."""
    from django.db import connection

    names = []
    for name in generated:
        names.append(model._meta.get_field(name).column)
    defaults = []
    default_columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in generated:
            continue
        if not field.has_default() and not field.null:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                raise RuntimeError(f"{model.__name__}.{field.name}: auto time not generated")
            if not field.blank or field.get_internal_type() not in {"CharField", "TextField"}:
                raise RuntimeError(
                    f"{model.__name__}.{field.name} is NOT NULL without a default: "
                    "teach bench/generate_requests.py what to put there"
                )
        value = field.get_default()
        prepared = field.get_db_prep_save(value, connection)
        if field.get_internal_type() == "JSONField":
            prepared = json.dumps(value)
        default_columns.append(field.column)
        defaults.append(prepared)
    return names, defaults, default_columns


def generate(count: int, seed: int, end: datetime, triage_share: float = 0.01) -> dict[str, Any]:
    """Append `count` requests and their history to the database Django is configured for."""
    from django.db import connection, transaction

    from luukku.intake.models import RequestEvent, ServiceRequest

    if connection.vendor != "postgresql":
        raise RuntimeError("the generator uses COPY: point DATABASE_URL at PostgreSQL")
    started = time.perf_counter()
    municipalities = load_municipalities()
    targets = load_targets(municipalities)
    generator = RequestGenerator(targets, municipalities, end, seed, triage_share)
    request_fields = [
        "id", "service_request_id", "token", "service", "kind", "title", "description", "lat",
        "long", "address_string", "email", "first_name", "last_name", "phone", "consent",
        "consent_text", "status", "detailed_status", "status_notes", "agency_responsible",
        "moderation", "locale", "channel", "requested_at", "updated_at", "expected_at",
    ]  # fmt: skip
    request_columns, request_defaults, default_columns = _columns(ServiceRequest, request_fields)
    event_fields = ["request", "state", "at", "note", "handler"]
    event_columns, event_defaults, event_default_columns = _columns(RequestEvent, event_fields)
    request_table = connection.ops.quote_name(ServiceRequest._meta.db_table)
    event_table = connection.ops.quote_name(RequestEvent._meta.db_table)
    quote = connection.ops.quote_name
    request_copy = (
        f"COPY {request_table} ({', '.join(quote(c) for c in request_columns + default_columns)})"
        " FROM STDIN"
    )
    event_copy = (
        f"COPY {event_table} "
        f"({', '.join(quote(c) for c in event_columns + event_default_columns)}) FROM STDIN"
    )
    events_written = 0
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor under Django's wrapper
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(f"LOCK TABLE {request_table} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {request_table}")  # noqa: S608
        next_id = int(cursor.fetchone()[0]) + 1
        # Appending: the public ids already there are taken.
        id_column = connection.ops.quote_name(_column(ServiceRequest, "service_request_id"))
        cursor.execute(f"SELECT {id_column} FROM {request_table}")  # noqa: S608
        generator.used_ids.update(row[0] for row in cursor.fetchall())
        first_id = next_id
        stream = generator.requests(count)
        remaining = count
        while remaining > 0:
            batch = list(itertools.islice(stream, BATCH))
            remaining -= len(batch)
            with cursor.copy(request_copy) as copy:
                for item in batch:
                    item.row["id"] = next_id
                    next_id += 1
                    values = [item.row[name] for name in request_fields]
                    copy.write_row(values + request_defaults)
            with cursor.copy(event_copy) as copy:
                for item in batch:
                    for state, at, note, handler in item.events:
                        copy.write_row([item.row["id"], state, at, note, handler, *event_defaults])
                        events_written += 1
            done = count - remaining
            print(f"{done} requests ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
            [ServiceRequest._meta.db_table, next_id - 1],
        )
    # VACUUM as well: it sets the visibility map, as autovacuum has done on a table in service,
    # so that index-only scans do not visit the heap for every fresh row.
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {request_table}")
        cursor.execute(f"VACUUM ANALYZE {event_table}")
    return {
        "requests": count,
        "events": events_written,
        "first_id": first_id,
        "last_id": next_id - 1,
        "services": len(targets),
        "municipalities": len(municipalities),
        "seconds": round(time.perf_counter() - started, 1),
    }


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--end",
        type=datetime.fromisoformat,
        default=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0),
        help="the newest moment in the data, ISO 8601 with offset (default: today 00:00 UTC)",
    )
    parser.add_argument("--triage-share", type=float, default=0.01)
    args = parser.parse_args(argv)
    setup_django()
    summary = generate(args.count, args.seed, args.end, args.triage_share)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
