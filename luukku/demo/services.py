"""Load the demo region (Pohjois-Savo) from the JSON files in `data/`.

The files are the source of truth for the demo: a load creates what is missing, updates what
changed in place (matched by stable keys: area code, organisation/channel/service slug,
username) and removes child rows of demo records (texts, hours, stops, roles, links) that the
files no longer list. Rows that did not change are not written, so a second load is a handful
of SELECTs and no search reindex.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction

from luukku.accounts.models import Membership, User
from luukku.accounts.roles import Role
from luukku.accounts.services import sync_staff_flag
from luukku.areas.models import Area, PopulationGroup
from luukku.cases.demo import DEMO_CASES, DEMO_FEEDBACK, load_demo_cases
from luukku.catalogue.codelists import load_code_lists
from luukku.catalogue.models import (
    ChannelText,
    LifeEvent,
    MobileStop,
    SearchTerm,
    Service,
    ServiceChannel,
    ServiceClass,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
    TargetGroup,
)
from luukku.catalogue.signals import suspend_search_indexing
from luukku.catalogue.tasks import reindex_services
from luukku.core.identifiers import validate_business_id
from luukku.ideas.demo import DEMO_IDEAS, load_demo_ideas
from luukku.organisations.models import Organisation
from luukku.panels.demo import load_demo_panels
from luukku.panels.models import Panel
from luukku.router.models import RoutingExample
from luukku.router.services import load_examples as load_routing_examples
from luukku.surveys.demo import load_demo_surveys

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCE = "demo"
REGION_CODE = "11"

# The demo staff share one password so that a reviewer can try every role from one table. It is
# public (printed by `demo_logins`), which is why the loader refuses it outside DEBUG unless asked.
DEMO_PASSWORD = "luukku-demo-2025"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str | None
    organisation: str | None
    superuser: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "demo-asiakaspalvelu",
        "Aino",
        "Asiakaspalvelu",
        Role.CUSTOMER_SERVICE_AGENT,
        "kuopion-kaupunki",
    ),
    DemoUser(
        "demo-asiakkuusvastaava",
        "Veikko",
        "Vastuuhenkilö",
        Role.CASE_OWNER,
        "pohjois-savon-hyvinvointialue-sosiaalipalvelut",
    ),
    DemoUser(
        "demo-palvelupaallikko",
        "Pirjo",
        "Palvelupäällikkö",
        Role.SERVICE_MANAGER,
        "pohjois-savon-te-toimisto",
    ),
    DemoUser(
        "demo-kehittamispaallikko",
        "Kaisa",
        "Kehittämispäällikkö",
        Role.SERVICE_MANAGER,
        "kuopion-kaupunki",
    ),
    DemoUser(
        "demo-analyytikko", "Antti", "Analyytikko", Role.ANALYST, "pohjois-savon-hyvinvointialue"
    ),
    DemoUser(
        "demo-organisaatioadmin",
        "Olli",
        "Organisaatiopääkäyttäjä",
        Role.ORGANISATION_ADMIN,
        "kuopion-kaupunki",
    ),
    DemoUser(
        "demo-aluepaakayttaja",
        "Riikka",
        "Aluepääkäyttäjä",
        Role.REGION_ADMIN,
        "pohjois-savon-hyvinvointialue",
    ),
    DemoUser("demo-esihenkilo", "Leena", "Lähiesihenkilö", Role.UNIT_LEAD, "kuopion-kaupunki"),
    DemoUser(
        "demo-sote-esihenkilo",
        "Sirpa",
        "Sosiaalipalvelujen esihenkilö",
        Role.UNIT_LEAD,
        "pohjois-savon-hyvinvointialue-sosiaalipalvelut",
    ),
    DemoUser(
        "demo-sote-ammattilainen",
        "Sonja",
        "Sosiaalityöntekijä",
        Role.SOCIAL_HEALTH_PROFESSIONAL,
        "pohjois-savon-hyvinvointialue-perhepalvelut",
    ),
    DemoUser("demo-admin", "Sami", "Superuser", None, None, superuser=True),
)


class DemoDataError(ValueError):
    """The data files contradict themselves (an unknown code, slug or organisation)."""


@dataclass
class LoadResult:
    """What a load did: rows per kind, how many were written, and what happened to the users."""

    counts: dict[str, int] = field(default_factory=dict)
    written: int = 0
    users_loaded: bool = False
    reindexed: int = 0


def read_data(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def demo_users_allowed(*, with_demo_users: bool) -> bool:
    """Known-password users belong on a developer's machine only, unless explicitly asked."""
    return bool(settings.DEBUG) or with_demo_users


def load_demo_region(*, with_demo_users: bool = False) -> LoadResult:
    """Load (or refresh) the whole demo region in one transaction; see the module docstring."""
    result = LoadResult()
    loader = _Loader(result)
    with transaction.atomic(), suspend_search_indexing(reindex_on_exit=False):
        load_code_lists()
        loader.areas()
        loader.population()
        loader.organisations()
        loader.channels()
        loader.services()
        # Messages the demo's service staff routed: what the service router learns from.
        added, pairs = load_routing_examples(
            path=str(DATA_DIR / "handled_messages.csv"), source=RoutingExample.Source.DEMO
        )
        result.written += added
        result.counts["routing examples"] = pairs
        if demo_users_allowed(with_demo_users=with_demo_users):
            loader.users()
            result.users_loaded = True
            # Cases need their owners: the demo staff above (see luukku/cases/demo.py).
            result.written += load_demo_cases()
            result.counts["demo cases"] = len(DEMO_CASES) + len(DEMO_FEEDBACK)
            # Listening: surveys with their touchpoints and answers, staff ideas, panels.
            surveys_written = load_demo_surveys()
            result.written += surveys_written
            result.counts["demo survey rows"] = surveys_written
            result.written += load_demo_ideas()
            result.counts["demo ideas"] = len(DEMO_IDEAS)
            result.written += load_demo_panels()
            result.counts["demo panels"] = Panel.objects.count()
        stale = loader.services_to_reindex()
        result.reindexed = len(stale)
        if stale:
            transaction.on_commit(lambda: reindex_services.delay(stale))
    return result


M = TypeVar("M", bound=models.Model)


class _Loader:
    def __init__(self, result: LoadResult) -> None:
        self.result = result
        self.area_by_code: dict[str, Area] = {}
        self.org_by_slug: dict[str, Organisation] = {}
        self.channel_ids: dict[str, int] = {}
        self.service_ids: dict[str, int] = {}
        self.changed_services: set[int] = set()

    # --- helpers -------------------------------------------------------------------------

    def _upsert(self, instance: M | None, model: type[M], wanted: Mapping[str, Any]) -> M:
        """Create the row, or update only the fields whose values differ."""
        if instance is None:
            instance = model(**wanted)
            instance.save()
            self.result.written += 1
            return instance
        changed = [name for name, value in wanted.items() if getattr(instance, name) != value]
        if changed:
            for name in changed:
                setattr(instance, name, wanted[name])
            instance.save(update_fields=[name.removesuffix("_id") for name in changed])
            self.result.written += 1
        return instance

    def _sync_rows(
        self,
        queryset: models.QuerySet[M],
        key: Callable[[M], tuple[Any, ...]],
        wanted: Mapping[tuple[Any, ...], dict[str, Any]],
        model: type[M],
    ) -> set[tuple[Any, ...]]:
        """Make `queryset` hold exactly the `wanted` rows (by key); returns the keys touched."""
        existing: dict[tuple[Any, ...], M] = {}
        stale: list[Any] = []
        touched: set[tuple[Any, ...]] = set()
        for row in queryset:
            k = key(row)
            if k in existing or k not in wanted:  # a duplicate, or no longer in the files
                stale.append(row.pk)
                touched.add(k)
            else:
                existing[k] = row
        if stale:
            model._default_manager.filter(pk__in=stale).delete()
        to_create: list[M] = []
        to_update: list[M] = []
        update_fields: set[str] = set()
        for k, values in wanted.items():
            current = existing.get(k)
            if current is None:
                to_create.append(model(**values))
                touched.add(k)
                continue
            changed = [name for name, value in values.items() if getattr(current, name) != value]
            if changed:
                for name in changed:
                    setattr(current, name, values[name])
                to_update.append(current)
                update_fields.update(changed)
                touched.add(k)
        if to_create:
            model._default_manager.bulk_create(to_create, batch_size=500)
        if to_update:
            model._default_manager.bulk_update(to_update, sorted(update_fields), batch_size=500)
        self.result.written += len(stale) + len(to_create) + len(to_update)
        return touched

    def _sync_links(
        self,
        through: type[models.Model],
        owner_field: str,
        target_field: str,
        wanted: Mapping[int, Iterable[int]],
    ) -> set[int]:
        """Set many-to-many links of the owners in `wanted`; returns the owners that changed."""
        pairs = {(owner, target) for owner, targets in wanted.items() for target in targets}
        manager = through._default_manager
        existing = set(
            manager.filter(**{f"{owner_field}__in": list(wanted)}).values_list(
                owner_field, target_field
            )
        )
        stale = existing - pairs
        missing = pairs - existing
        for owner, target in stale:
            manager.filter(**{owner_field: owner, target_field: target}).delete()
        if missing:
            manager.bulk_create(
                [through(**{owner_field: o, target_field: t}) for o, t in sorted(missing)]
            )
        self.result.written += len(stale) + len(missing)
        return {owner for owner, _target in stale | missing}

    def _area(self, code: str) -> Area:
        try:
            return self.area_by_code[code]
        except KeyError:
            raise DemoDataError(f"unknown area code {code!r}") from None

    def _org(self, slug: str) -> Organisation:
        try:
            return self.org_by_slug[slug]
        except KeyError:
            raise DemoDataError(f"unknown organisation {slug!r}") from None

    # --- areas and population ------------------------------------------------------------

    def areas(self) -> None:
        data = read_data("areas.json")
        existing = {
            (a.area_type, a.code): a
            for a in Area.objects.filter(area_type__in=[Area.Type.REGION, Area.Type.MUNICIPALITY])
        }
        region_data = data["region"]
        region = self._upsert(
            existing.get((Area.Type.REGION, region_data["code"])),
            Area,
            {
                "area_type": Area.Type.REGION,
                "code": region_data["code"],
                "name_fi": region_data["fi"],
                "name_sv": region_data["sv"],
                "name_en": region_data["en"],
                "parent_id": None,
            },
        )
        self.area_by_code[region.code] = region
        for row in data["municipalities"]:
            area = self._upsert(
                existing.get((Area.Type.MUNICIPALITY, row["code"])),
                Area,
                {
                    "area_type": Area.Type.MUNICIPALITY,
                    "code": row["code"],
                    "name_fi": row["fi"],
                    "name_sv": row["sv"],
                    "name_en": row["en"],
                    "parent_id": region.pk,
                },
            )
            self.area_by_code[area.code] = area
        self.result.counts["municipalities"] = len(data["municipalities"])

    def population(self) -> None:
        data = read_data("population.json")
        year = int(data["year"])
        wanted: dict[tuple[Any, ...], dict[str, Any]] = {}
        for code, municipality in data["municipalities"].items():
            area = self._area(code)
            for band in data["age_bands"]:
                for sex in PopulationGroup.Sex.values:
                    wanted[(area.pk, band, sex)] = {
                        "municipality_id": area.pk,
                        "year": year,
                        "age_band": band,
                        "sex": sex,
                        "population": int(municipality["cells"][band][sex]),
                        "approximate": bool(data["approximate"]),
                        "source": data["source"],
                    }
        self._sync_rows(
            PopulationGroup.objects.filter(
                municipality__parent__code=REGION_CODE,
                municipality__parent__area_type=Area.Type.REGION,
                year=year,
            ),
            lambda row: (row.municipality_id, row.age_band, row.sex),
            wanted,
            PopulationGroup,
        )
        self.result.counts["population cells"] = len(wanted)

    # --- organisations -------------------------------------------------------------------

    def organisations(self) -> None:
        rows = read_data("organisations.json")
        existing = {
            o.slug: o for o in Organisation.objects.filter(slug__in=[r["slug"] for r in rows])
        }
        # Parents first: the files list them so, but do not depend on it.
        pending = list(rows)
        while pending:
            ready = [r for r in pending if not r["parent"] or r["parent"] in self.org_by_slug]
            if not ready:
                raise DemoDataError(
                    f"unknown parent organisations: {[r['parent'] for r in pending]}"
                )
            for row in ready:
                business_id = row["business_id"]
                if business_id:
                    business_id = validate_business_id(business_id)
                municipality = self._area(row["municipality"]) if row["municipality"] else None
                parent = self._org(row["parent"]) if row["parent"] else None
                self.org_by_slug[row["slug"]] = self._upsert(
                    existing.get(row["slug"]),
                    Organisation,
                    {
                        "slug": row["slug"],
                        "organisation_type": row["type"],
                        "business_id": business_id,
                        "parent_id": parent.pk if parent else None,
                        "municipality_id": municipality.pk if municipality else None,
                        "name_fi": row["name"]["fi"],
                        "name_sv": row["name"]["sv"],
                        "name_en": row["name"]["en"],
                    },
                )
            pending = [r for r in pending if r not in ready]
        self.result.counts["organisations"] = len(rows)

    # --- channels ------------------------------------------------------------------------

    def channels(self) -> None:
        rows = read_data("channels.json")
        existing = {
            c.slug: c for c in ServiceChannel.objects.filter(slug__in=[r["slug"] for r in rows])
        }
        for row in rows:
            address = row["address"] or {}
            channel = self._upsert(
                existing.get(row["slug"]),
                ServiceChannel,
                {
                    "slug": row["slug"],
                    "source": SOURCE,
                    "channel_type": row["type"],
                    "organisation_id": self._org(row["organisation"]).pk,
                    "is_mobile": row["is_mobile"],
                    "url": row["url"],
                    "phone": row["phone"],
                    "phone_charge": row["phone_charge"],
                    "email": row["email"],
                    "street_address": address.get("street", ""),
                    "postal_code": address.get("postal_code", ""),
                    "post_office": address.get("post_office", ""),
                    "municipality_id": (
                        self._area(row["municipality"]).pk if row["municipality"] else None
                    ),
                    "latitude": _decimal(row["latitude"]),
                    "longitude": _decimal(row["longitude"]),
                    "languages": row["languages"],
                },
            )
            self.channel_ids[row["slug"]] = channel.pk
        ids = list(self.channel_ids.values())
        by_slug = {row["slug"]: row for row in rows}

        texts: dict[tuple[Any, ...], dict[str, Any]] = {}
        hours: dict[tuple[Any, ...], dict[str, Any]] = {}
        stops: dict[tuple[Any, ...], dict[str, Any]] = {}
        for slug, channel_id in self.channel_ids.items():
            row = by_slug[slug]
            for language, values in row["texts"].items():
                for kind, value in (
                    (ChannelText.Kind.NAME, values["name"]),
                    (ChannelText.Kind.SUMMARY, values["summary"]),
                ):
                    if value:
                        texts[(channel_id, language, str(kind))] = {
                            "channel_id": channel_id,
                            "language": language,
                            "kind": kind,
                            "value": value,
                        }
            for span in row["hours"]:
                opens, closes = _time(span["opens"]), _time(span["closes"])
                for day in span["days"]:
                    hours[(channel_id, day, opens)] = {
                        "channel_id": channel_id,
                        "kind": ServiceHours.Kind.STANDARD,
                        "weekday": day,
                        "opens": opens,
                        "closes": closes,
                        "is_closed": False,
                    }
            for stop in row["stops"]:
                arrives = _time(stop["arrives"])
                stops[(channel_id, stop["weekday"], arrives)] = {
                    "channel_id": channel_id,
                    "municipality_id": self._area(stop["municipality"]).pk,
                    "place": stop["place"],
                    "street_address": stop["street_address"],
                    "weekday": stop["weekday"],
                    "arrives": arrives,
                    "departs": _time(stop["departs"]),
                    "latitude": _decimal(stop["latitude"]),
                    "longitude": _decimal(stop["longitude"]),
                }
        self._sync_rows(
            ChannelText.objects.filter(channel_id__in=ids),
            lambda t: (t.channel_id, t.language, t.kind),
            texts,
            ChannelText,
        )
        self._sync_rows(
            ServiceHours.objects.filter(channel_id__in=ids, kind=ServiceHours.Kind.STANDARD),
            lambda h: (h.channel_id, h.weekday, h.opens),
            hours,
            ServiceHours,
        )
        self._sync_rows(
            MobileStop.objects.filter(channel_id__in=ids),
            lambda s: (s.channel_id, s.weekday, s.arrives),
            stops,
            MobileStop,
        )
        self._sync_links(
            ServiceChannel.areas.through,
            "servicechannel_id",
            "area_id",
            {self.channel_ids[r["slug"]]: [self._area(c).pk for c in r["areas"]] for r in rows},
        )
        self.result.counts["channels"] = len(rows)
        self.result.counts["mobile stops"] = len(stops)

    # --- services ------------------------------------------------------------------------

    def services(self) -> None:
        rows = read_data("services.json")
        existing = {s.slug: s for s in Service.objects.filter(slug__in=[r["slug"] for r in rows])}
        for row in rows:
            before = existing.get(row["slug"])
            written = self.result.written
            service = self._upsert(
                before,
                Service,
                {
                    "slug": row["slug"],
                    "source": SOURCE,
                    "service_type": row["type"],
                    "charge_type": row["charge"],
                    "area_type": row["area_type"],
                    "domain": row["domain"],
                    "languages": row["languages"],
                },
            )
            self.service_ids[row["slug"]] = service.pk
            if self.result.written != written:
                self.changed_services.add(service.pk)
        ids = list(self.service_ids.values())
        by_id = {self.service_ids[r["slug"]]: r for r in rows}

        texts: dict[tuple[Any, ...], dict[str, Any]] = {}
        roles: dict[tuple[Any, ...], dict[str, Any]] = {}
        for service_id, row in by_id.items():
            for language, values in row["texts"].items():
                for kind, value in (
                    (ServiceText.Kind.NAME, values["name"]),
                    (ServiceText.Kind.SUMMARY, values["summary"]),
                    (ServiceText.Kind.DESCRIPTION, values["description"]),
                ):
                    texts[(service_id, language, str(kind), "")] = _text(
                        service_id, language, kind, value
                    )
                for keyword in values["keywords"]:
                    texts[(service_id, language, str(ServiceText.Kind.KEYWORD), keyword)] = _text(
                        service_id, language, ServiceText.Kind.KEYWORD, keyword
                    )
            for slug in row["responsible"]:
                org = self._org(slug)
                roles[(service_id, org.pk, ServiceOrganisation.Role.RESPONSIBLE)] = {
                    "service_id": service_id,
                    "organisation_id": org.pk,
                    "role": ServiceOrganisation.Role.RESPONSIBLE,
                    "provision_type": "",
                }
            for producer in row["producers"]:
                org = self._org(producer["organisation"])
                roles[(service_id, org.pk, ServiceOrganisation.Role.PRODUCER)] = {
                    "service_id": service_id,
                    "organisation_id": org.pk,
                    "role": ServiceOrganisation.Role.PRODUCER,
                    "provision_type": producer["provision"],
                }
        touched = self._sync_rows(
            ServiceText.objects.filter(service_id__in=ids),
            _service_text_key,
            texts,
            ServiceText,
        )
        self.changed_services.update(key[0] for key in touched)
        self._sync_rows(
            ServiceOrganisation.objects.filter(service_id__in=ids),
            lambda r: (r.service_id, r.organisation_id, r.role),
            roles,
            ServiceOrganisation,
        )
        self._link_codes(rows, ServiceClass, "service_classes", "serviceclass_id")
        self._link_codes(rows, TargetGroup, "target_groups", "targetgroup_id")
        self._link_codes(rows, LifeEvent, "life_events", "lifeevent_id")
        self._sync_links(
            Service.areas.through,
            "service_id",
            "area_id",
            {self.service_ids[r["slug"]]: [self._area(c).pk for c in r["areas"]] for r in rows},
        )
        self._sync_links(
            Service.channels.through,
            "service_id",
            "servicechannel_id",
            {
                self.service_ids[r["slug"]]: [self._channel_id(slug) for slug in r["channels"]]
                for r in rows
            },
        )
        self.result.counts["services"] = len(rows)

    def _channel_id(self, slug: str) -> int:
        try:
            return self.channel_ids[slug]
        except KeyError:
            raise DemoDataError(f"unknown channel {slug!r}") from None

    def _link_codes(
        self, rows: list[dict[str, Any]], model: type[models.Model], key: str, target_field: str
    ) -> None:
        wanted_codes = {code for row in rows for code in row[key]}
        pk_by_code = dict(
            model._default_manager.filter(code__in=wanted_codes).values_list("code", "pk")
        )
        unknown = wanted_codes - set(pk_by_code)
        if unknown:
            raise DemoDataError(f"{key}: codes not in the national code lists: {sorted(unknown)}")
        through = getattr(Service, key).through
        self._sync_links(
            through,
            "service_id",
            target_field,
            {self.service_ids[r["slug"]]: [pk_by_code[c] for c in r[key]] for r in rows},
        )

    def services_to_reindex(self) -> list[int]:
        """Services whose texts changed, and any that the search index does not know yet."""
        indexed = set(
            SearchTerm.objects.filter(service_id__in=self.service_ids.values())
            .values_list("service_id", flat=True)
            .distinct()
        )
        missing = set(self.service_ids.values()) - indexed
        return sorted(self.changed_services | missing)

    # --- users ---------------------------------------------------------------------------

    def users(self) -> None:
        existing = {
            u.username: u
            for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
        }
        memberships: dict[tuple[Any, ...], dict[str, Any]] = {}
        user_ids = []
        for demo in DEMO_USERS:
            user = existing.get(demo.username)
            wanted: dict[str, Any] = {
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@luukku.example",
                "is_active": True,
                "is_superuser": demo.superuser,
            }
            if demo.superuser:
                wanted["is_staff"] = True
            if user is None:
                # The password is set on creation only: hashing it again on every load would
                # make a second load slow, and would undo a password a developer changed.
                user = User(username=demo.username, **wanted)
                user.set_password(DEMO_PASSWORD)
                user.save()
                self.result.written += 1
            else:
                self._upsert(user, User, wanted)
            user_ids.append(user.pk)
            if demo.role and demo.organisation:
                org = self._org(demo.organisation)
                memberships[(user.pk, org.pk, demo.role)] = {
                    "user_id": user.pk,
                    "organisation_id": org.pk,
                    "role": demo.role,
                }
        self._sync_rows(
            Membership.objects.filter(user_id__in=user_ids),
            lambda m: (m.user_id, m.organisation_id, m.role),
            memberships,
            Membership,
        )
        # Bulk writes send no signals: let accounts decide who may enter the Django admin.
        for user in User.objects.filter(pk__in=user_ids):
            sync_staff_flag(user=user)
        self.result.counts["demo users"] = len(DEMO_USERS)


def _service_text_key(text: ServiceText) -> tuple[Any, ...]:
    # Keywords are many per language, the other kinds one: a keyword is keyed by its value.
    value = text.value if text.kind == ServiceText.Kind.KEYWORD else ""
    return (text.service_id, text.language, text.kind, value)


def _text(service_id: int, language: str, kind: str, value: str) -> dict[str, Any]:
    return {"service_id": service_id, "language": language, "kind": kind, "value": value}


def _time(value: str) -> time:
    return time.fromisoformat(value)


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, organisation) of the demo users that exist in the database."""
    users = {
        u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
    }
    orgs = {
        o.slug: o
        for o in Organisation.objects.filter(
            slug__in=[d.organisation for d in DEMO_USERS if d.organisation]
        )
    }
    rows = []
    for demo in DEMO_USERS:
        if demo.username not in users:
            continue
        role = str(Role(demo.role).label) if demo.role else "superuser (Django admin)"
        org = orgs[demo.organisation].name("fi") if demo.organisation in orgs else "–"
        rows.append((demo.username, DEMO_PASSWORD, role, org))
    return rows
