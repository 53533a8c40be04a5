"""Importing PTV open API JSON into the catalogue: all or nothing per file, idempotent.

The importer first reads and validates every record (`schema`), then plans what it will write
(matching existing rows, choosing slugs) and only then writes, in one transaction, with bulk
queries. A file with any problem writes nothing.

Decisions worth knowing:
- Records are matched by PTV id; a record whose `sourceId` equals the slug of a service or
  channel that has no PTV id yet (one made here or in the demo data) adopts that row.
- A slug never changes once given: it is the identifier used everywhere (Open311 codes too).
  New rows take it from `sourceId`, else from the Finnish name (made unique with -2, -3, ...).
- An organisation that a record refers to but that we do not know is created from what the
  file says (its PTV id and the name in the reference), typed "other" and flagged in the
  result, so that staff can complete it; `create_missing_organisations=False` refuses instead.
  PTV's open API serves organisations separately, and a service file alone is usable this way.
- Missing areas (municipalities, regions, ...) are created from their national code and the
  names in the file; existing areas are never changed.
- Links between services and channels are set from both sides; a reference to a service or
  channel that is neither in the file nor in the database is skipped and counted.
- Fields PTV does not have (a service's domain, whether it takes feedback, a channel's mobile
  stops) keep their values on re-import; a new service's domain comes from its service class.
- Unchanged rows are not touched: importing the same file twice leaves the database as it was.
  Services and channels that are not in the file are left alone: a file is not a full sync.
"""

from __future__ import annotations

import gc
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from luukku.areas.models import Area
from luukku.catalogue.models import (
    ChannelText,
    Domain,
    LifeEvent,
    Service,
    ServiceChannel,
    ServiceClass,
    ServiceHours,
    ServiceOrganisation,
    ServiceText,
    TargetGroup,
)
from luukku.catalogue.ptv.schema import (
    CHANNEL_SLUG_MAX,
    SERVICE_SLUG_MAX,
    AreaRef,
    ChannelRecord,
    KnownCodes,
    ParsedFile,
    Problem,
    PtvFormatError,
    ServiceRecord,
    count_records,
    iter_records,
    load_json,
    parse_records,
    source_id_to_slug,
)
from luukku.organisations.models import Organisation

CHUNK = 1000
_T = TypeVar("_T")

# The catalogue's coarse domain of a new service, from the top level of its first service class.
DOMAIN_BY_TOP_SERVICE_CLASS: dict[str, str] = {
    "P1": Domain.BUILT_ENVIRONMENT,  # Asuminen
    "P2": Domain.BUILT_ENVIRONMENT,  # Rakennettu ympäristö
    "P3": Domain.SOCIAL,  # Perheiden palvelut
    "P4": Domain.SOCIAL,  # Sosiaalipalvelut
    "P5": Domain.HEALTH,  # Terveydenhuolto, sairaanhoito ja ravitsemus
    "P6": Domain.EDUCATION_AND_CULTURE,  # Koulutus
    "P7": Domain.SAFETY,  # Oikeusturva
    "P8": Domain.EDUCATION_AND_CULTURE,  # Demokratia
    "P9": Domain.SAFETY,  # Yleiset tieto- ja hallintopalvelut
    "P10": Domain.EMPLOYMENT_AND_BUSINESS,  # Työ ja työttömyys
    "P11": Domain.EMPLOYMENT_AND_BUSINESS,  # Elinkeinot
    "P12": Domain.EMPLOYMENT_AND_BUSINESS,  # Työnantajan palvelut
    "P13": Domain.SOCIAL,  # Eläkkeet
    "P14": Domain.EMPLOYMENT_AND_BUSINESS,  # Verotus ja julkinen talous
    "P15": Domain.SOCIAL,  # Yksityinen talous ja rahoitus
    "P16": Domain.TRANSPORT,  # Liikenne
    "P17": Domain.EMPLOYMENT_AND_BUSINESS,  # Matkailu
    "P18": Domain.BUILT_ENVIRONMENT,  # Paikkatieto
    "P19": Domain.SAFETY,  # Turvallisuus
    "P20": Domain.SAFETY,  # Järjestys
    "P21": Domain.ENVIRONMENT,  # Kuluttaja-asiat
    "P22": Domain.EMPLOYMENT_AND_BUSINESS,  # Maahan- ja maastamuutto
    "P23": Domain.ENVIRONMENT,  # Ympäristö
    "P24": Domain.RURAL,  # Luonnonvarat, eläimet ja kasvit
    "P25": Domain.EDUCATION_AND_CULTURE,  # Kulttuuri
    "P26": Domain.EDUCATION_AND_CULTURE,  # Viestintä
    "P27": Domain.EDUCATION_AND_CULTURE,  # Liikunta ja ulkoilu
    "P28": Domain.EDUCATION_AND_CULTURE,  # Nuorisopalvelut
}
DEFAULT_DOMAIN = Domain.SOCIAL

SERVICE_FIELDS = ("ptv_id", "source", "service_type", "charge_type", "area_type", "languages")
CHANNEL_FIELDS = (
    "ptv_id", "source", "channel_type", "organisation_id", "url", "phone", "phone_charge",
    "email", "street_address", "postal_code", "post_office", "municipality_id", "latitude",
    "longitude", "languages",
)  # fmt: skip


class PtvImportError(Exception):
    """The file cannot be imported; `problems` lists every reason, record by record."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the PTV file")


@dataclass
class ImportResult:
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    channels_created: int = 0
    channels_updated: int = 0
    channels_unchanged: int = 0
    areas_created: int = 0
    organisations_created: list[str] = field(default_factory=list)
    skipped_links: int = 0
    service_ids: list[int] = field(default_factory=list)


class PtvImporter:
    """Imports one PTV file at a time; see the module docstring for the rules it follows."""

    def __init__(
        self,
        *,
        create_missing_organisations: bool = True,
        reindex: bool = True,
        progress: bool = False,
    ) -> None:
        self.create_missing_organisations = create_missing_organisations
        self.reindex = reindex
        self.progress = progress

    def import_file(self, path: str | Path) -> ImportResult:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            problem = Problem(str(path), "", "", f"not UTF-8 text (byte {error.start})")
            raise PtvImportError([problem]) from error
        return self.import_text(text, source=str(path))

    def import_text(self, text: str, *, source: str = "") -> ImportResult:
        with _cycle_collector_paused():
            try:
                document = load_json(text, source=source)
            except PtvFormatError as error:
                raise PtvImportError(error.problems) from error
            return self.import_document(document)

    def import_document(self, document: Any) -> ImportResult:
        """Validate everything, then write everything in one transaction, or nothing."""
        with _cycle_collector_paused():
            return self._import_document(document)

    def _import_document(self, document: Any) -> ImportResult:
        try:
            records = iter_records(document)
            with tqdm(
                total=count_records(document),
                desc="Validating",
                unit="record",
                disable=not self.progress,
            ) as bar:
                parsed = parse_records(_counting(records, bar), known_codes())
        except PtvFormatError as error:
            raise PtvImportError(error.problems) from error
        if parsed.problems:
            raise PtvImportError(parsed.problems)
        with transaction.atomic():
            writer = _Writer(parsed, self)
            writer.plan()
            if writer.problems:
                raise PtvImportError(writer.problems)
            result = writer.write()
            if self.reindex and result.service_ids:
                ids = list(result.service_ids)
                transaction.on_commit(lambda: _reindex(ids))
        return result


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a catalogue is read and written.

    A 20,000-service file becomes millions of small dicts, lists and records that all stay
    alive until the import ends; the collector would scan them again and again for cycles that
    are not there, which took half of the import's time. Reference counting still frees
    everything as usual, and the collector's previous state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def known_codes() -> KnownCodes:
    return KnownCodes(
        service_classes=frozenset(ServiceClass.objects.values_list("code", flat=True)),
        target_groups=frozenset(TargetGroup.objects.values_list("code", flat=True)),
        life_events=frozenset(LifeEvent.objects.values_list("code", flat=True)),
    )


def _reindex(service_ids: list[int]) -> None:
    from luukku.catalogue.tasks import reindex_services  # noqa: PLC0415 - search is heavy

    reindex_services.delay(service_ids)


def _counting(records: Iterator[tuple[str, Any]], bar: tqdm[Any]) -> Iterator[tuple[str, Any]]:
    for record in records:
        yield record
        bar.update(1)


def _chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_chunks(queryset: models.QuerySet[Any], lookup: str, values: Iterable[Any]) -> Iterator[Any]:
    """Rows matching `lookup__in=values`, in chunks that every database accepts."""
    values = list(values)
    for chunk in _chunks(values):
        yield from queryset.filter(**{f"{lookup}__in": chunk})


class _Writer:
    def __init__(self, parsed: ParsedFile, importer: PtvImporter) -> None:
        self.parsed = parsed
        self.importer = importer
        self.problems: list[Problem] = []
        self.result = ImportResult()
        self.now = timezone.now()
        self.service_rows: dict[uuid.UUID, Service] = {}  # by record ptv id, planned rows
        self.channel_rows: dict[uuid.UUID, ServiceChannel] = {}
        self.organisation_pks: dict[uuid.UUID, int] = {}
        self.missing_organisations: dict[uuid.UUID, list[str]] = defaultdict(list)
        self.area_pks: dict[tuple[str, str], int] = {}

    # -- planning: reads only -------------------------------------------------------------------

    def plan(self) -> None:
        self._plan_organisations()
        self.service_rows = self._plan_rows(
            Service, self.parsed.services, "service", slug_max=SERVICE_SLUG_MAX
        )
        self.channel_rows = self._plan_rows(
            ServiceChannel, self.parsed.channels, "channel", slug_max=CHANNEL_SLUG_MAX
        )

    def _plan_organisations(self) -> None:
        referenced: dict[uuid.UUID, list[str]] = defaultdict(list)
        for service in self.parsed.services:
            for role in service.organisations:
                referenced[role.ptv_id].append(service.position)
        for channel in self.parsed.channels:
            referenced[channel.organisation_id].append(channel.position)
        for ptv_id, pk in _in_chunks(
            Organisation.objects.values_list("ptv_id", "pk"), "ptv_id", referenced
        ):
            self.organisation_pks[ptv_id] = pk
        for ptv_id, positions in referenced.items():
            if ptv_id in self.organisation_pks:
                continue
            if self.importer.create_missing_organisations:
                self.missing_organisations[ptv_id] = positions
            else:
                for position in positions:
                    self.problems.append(
                        Problem(
                            position,
                            "",
                            "organization",
                            f"unknown organisation {ptv_id} (import or create it first)",
                        )
                    )

    def _plan_rows(
        self,
        model: type[Service] | type[ServiceChannel],
        records: Sequence[ServiceRecord] | Sequence[ChannelRecord],
        label: str,
        *,
        slug_max: int,
    ) -> dict[uuid.UUID, Any]:
        """Match each record to an existing row or a new one, and give new rows a slug."""
        manager = model._default_manager
        by_ptv = {
            row.ptv_id: row
            for row in _in_chunks(manager.all(), "ptv_id", [r.ptv_id for r in records])
        }
        wanted_slugs = {source_id_to_slug(r.source_id) for r in records if r.source_id}
        by_slug = {row.slug: row for row in _in_chunks(manager.all(), "slug", wanted_slugs)}
        taken = set(manager.values_list("slug", flat=True))
        rows: dict[uuid.UUID, Any] = {}
        adopted: set[int] = set()
        for record in records:
            row = by_ptv.get(record.ptv_id)
            source_slug = source_id_to_slug(record.source_id) if record.source_id else ""
            if row is None and source_slug in by_slug:
                candidate = by_slug[source_slug]
                if candidate.ptv_id is None and candidate.pk not in adopted:
                    row = candidate  # adopt our own row that PTV now describes
                    adopted.add(candidate.pk)
                else:
                    self.problems.append(
                        Problem(
                            record.position,
                            str(record.ptv_id),
                            "sourceId",
                            f"slug {source_slug!r} already belongs to another {label} "
                            f"(PTV id {candidate.ptv_id})",
                        )
                    )
                    continue
            if row is None:
                slug = source_slug or _unique_slug(record.fi_name, taken, slug_max)
                if slug in taken:
                    self.problems.append(
                        Problem(
                            record.position,
                            str(record.ptv_id),
                            "sourceId",
                            f"slug {slug!r} is already used by another {label}",
                        )
                    )
                    continue
                taken.add(slug)
                row = model(slug=slug)
            rows[record.ptv_id] = row
        return rows

    # -- writing ---------------------------------------------------------------------------

    def write(self) -> ImportResult:
        total = len(self.parsed.services) + len(self.parsed.channels)
        with tqdm(
            total=total, desc="Writing", unit="record", disable=not self.importer.progress
        ) as bar:
            self._create_organisations()
            self._ensure_areas()
            concept_pks = self._concept_pks()
            for chunk in _chunks(self.parsed.services):
                self._write_services(chunk, concept_pks)
                bar.update(len(chunk))
            for channel_chunk in _chunks(self.parsed.channels):
                self._write_channels(channel_chunk)
                bar.update(len(channel_chunk))
            self._write_links()
        self.result.service_ids = [self.service_rows[r.ptv_id].pk for r in self.parsed.services]
        return self.result

    def _create_organisations(self) -> None:
        if not self.missing_organisations:
            return
        taken = set(Organisation.objects.values_list("slug", flat=True))
        new = []
        for ptv_id in self.missing_organisations:
            name = self.parsed.organisation_names.get(ptv_id) or f"PTV-organisaatio {ptv_id}"
            base = slugify(name)[:60].strip("-") or "ptv-organisation"
            slug = f"{base}-{ptv_id.hex[:8]}"
            if slug in taken:
                slug = f"ptv-{ptv_id.hex}"
            taken.add(slug)
            new.append(
                Organisation(
                    slug=slug,
                    ptv_id=ptv_id,
                    name_fi=name[:200],
                    organisation_type=Organisation.Type.ORGANISATION,
                )
            )
        for organisation in Organisation.objects.bulk_create(new, batch_size=500):
            assert organisation.ptv_id is not None  # noqa: S101 - set just above
            self.organisation_pks[organisation.ptv_id] = organisation.pk
            self.result.organisations_created.append(
                f"{organisation.name_fi} ({organisation.ptv_id})"
            )

    def _ensure_areas(self) -> None:
        refs: dict[tuple[str, str], AreaRef] = {}
        for service in self.parsed.services:
            for area in service.areas:
                refs.setdefault(area.key, area)
        for channel in self.parsed.channels:
            for area in channel.areas:
                refs.setdefault(area.key, area)
            if channel.municipality:
                refs.setdefault(channel.municipality.key, channel.municipality)
        parents: dict[tuple[str, str], tuple[str, str]] = {}
        for municipality in self.parsed.region_municipalities:
            if municipality.parent:
                parents.setdefault(municipality.key, municipality.parent)
        codes = {key[1] for key in refs} | {key[1] for key in parents.values()}
        for area_type, code, pk in _in_chunks(
            Area.objects.values_list("area_type", "code", "pk"), "code", codes
        ):
            self.area_pks[(area_type, code)] = pk
        # Regions first, so that a new municipality can point at its region.
        ordered = sorted(refs.values(), key=lambda ref: ref.area_type != Area.Type.REGION)
        for ref in ordered:
            if ref.key in self.area_pks:
                continue
            names = dict(ref.names)
            parent_key = parents.get(ref.key)
            created = Area.objects.create(
                area_type=ref.area_type,
                code=ref.code,
                name_fi=names.get("fi") or names.get("sv") or names.get("en") or ref.code,
                name_sv=names.get("sv", ""),
                name_en=names.get("en", ""),
                parent_id=self.area_pks.get(parent_key) if parent_key else None,
            )
            self.area_pks[ref.key] = created.pk
            self.result.areas_created += 1

    def _concept_pks(self) -> dict[str, dict[str, int]]:
        return {
            "service_classes": dict(ServiceClass.objects.values_list("code", "pk")),
            "target_groups": dict(TargetGroup.objects.values_list("code", "pk")),
            "life_events": dict(LifeEvent.objects.values_list("code", "pk")),
        }

    def _write_services(
        self, records: Sequence[ServiceRecord], concept_pks: dict[str, dict[str, int]]
    ) -> None:
        created: list[Service] = []
        changed_fields: list[Service] = []
        for record in records:
            row = self.service_rows[record.ptv_id]
            values = {
                "ptv_id": record.ptv_id,
                "source": "ptv",
                "service_type": record.service_type,
                "charge_type": record.charge_type,
                "area_type": record.area_type,
                "languages": record.languages,
            }
            if row.pk is None:
                for name, value in values.items():
                    setattr(row, name, value)
                row.domain = _domain_for(record.service_classes)
                created.append(row)
            elif _assign_changed(row, values):
                row.updated_at = self.now
                changed_fields.append(row)
        Service.objects.bulk_create(created, batch_size=500)
        Service.objects.bulk_update(changed_fields, [*SERVICE_FIELDS, "updated_at"], batch_size=500)
        pks = {record.ptv_id: self.service_rows[record.ptv_id].pk for record in records}
        owners = list(pks.values())
        fresh = {row.pk for row in created}
        touched: set[int] = {row.pk for row in changed_fields}

        touched |= _sync_texts(
            ServiceText,
            "service_id",
            owners,
            {pks[r.ptv_id]: [(t.kind, t.language, t.value) for t in r.texts] for r in records},
            fresh,
        )
        m2m: list[tuple[Any, str, str, Callable[[ServiceRecord], Iterable[int]]]] = [
            (Service.service_classes.through, "service_id", "serviceclass_id",
             lambda r: (concept_pks["service_classes"][c] for c in r.service_classes)),
            (Service.target_groups.through, "service_id", "targetgroup_id",
             lambda r: (concept_pks["target_groups"][c] for c in r.target_groups)),
            (Service.life_events.through, "service_id", "lifeevent_id",
             lambda r: (concept_pks["life_events"][c] for c in r.life_events)),
            (Service.areas.through, "service_id", "area_id",
             lambda r: (self.area_pks[a.key] for a in r.areas)),
        ]  # fmt: skip
        for through, owner_field, target_field, targets in m2m:
            touched |= _sync_m2m(
                through,
                owner_field,
                target_field,
                owners,
                {pks[r.ptv_id]: set(targets(r)) for r in records},
                fresh,
            )
        touched |= self._sync_roles(records, pks)

        self.result.services_created += len(fresh)
        self.result.services_updated += len(touched - fresh)
        self.result.services_unchanged += len(records) - len(fresh | touched)

    def _sync_roles(self, records: Sequence[ServiceRecord], pks: dict[uuid.UUID, int]) -> set[int]:
        # Lists, not sets: new roles are created in the file's order, so exports are stable.
        desired = {
            pks[r.ptv_id]: list(
                dict.fromkeys(
                    (self.organisation_pks[role.ptv_id], role.role, role.provision_type)
                    for role in r.organisations
                )
            )
            for r in records
        }
        existing: dict[int, dict[tuple[int, str, str], int]] = defaultdict(dict)
        for pk, service_id, organisation_id, role, provision in _in_chunks(
            ServiceOrganisation.objects.values_list(
                "pk", "service_id", "organisation_id", "role", "provision_type"
            ),
            "service_id",
            desired,
        ):
            existing[service_id][(organisation_id, role, provision)] = pk
        stale, new, touched = [], [], set()
        for service_id, wanted in desired.items():
            have = existing.get(service_id, {})
            for key, pk in have.items():
                if key not in wanted:
                    stale.append(pk)
                    touched.add(service_id)
            for organisation_id, role, provision in wanted:
                if (organisation_id, role, provision) in have:
                    continue
                new.append((service_id, organisation_id, role, provision))
                touched.add(service_id)
        _delete_pks(ServiceOrganisation, stale)
        _insert_rows(
            ServiceOrganisation, ("service_id", "organisation_id", "role", "provision_type"), new
        )
        return touched

    def _write_channels(self, records: Sequence[ChannelRecord]) -> None:
        created: list[ServiceChannel] = []
        changed_fields: list[ServiceChannel] = []
        for record in records:
            row = self.channel_rows[record.ptv_id]
            values = {
                "ptv_id": record.ptv_id,
                "source": "ptv",
                "channel_type": record.channel_type,
                "organisation_id": self.organisation_pks[record.organisation_id],
                "url": record.url,
                "phone": record.phone,
                "phone_charge": record.phone_charge,
                "email": record.email,
                "street_address": record.street_address,
                "postal_code": record.postal_code,
                "post_office": record.post_office,
                "municipality_id": (
                    self.area_pks[record.municipality.key] if record.municipality else None
                ),
                "latitude": record.latitude,
                "longitude": record.longitude,
                "languages": record.languages,
            }
            if row.pk is None:
                for name, value in values.items():
                    setattr(row, name, value)
                created.append(row)
            elif _assign_changed(row, values):
                row.updated_at = self.now
                changed_fields.append(row)
        ServiceChannel.objects.bulk_create(created, batch_size=500)
        ServiceChannel.objects.bulk_update(
            changed_fields, [*CHANNEL_FIELDS, "updated_at"], batch_size=500
        )
        pks = {record.ptv_id: self.channel_rows[record.ptv_id].pk for record in records}
        owners = list(pks.values())
        fresh = {row.pk for row in created}
        touched: set[int] = {row.pk for row in changed_fields}
        touched |= _sync_texts(
            ChannelText,
            "channel_id",
            owners,
            {pks[r.ptv_id]: [(t.kind, t.language, t.value) for t in r.texts] for r in records},
            fresh,
        )
        touched |= _sync_rows(
            ServiceHours, "channel_id", owners, HOURS_FIELDS,
            {
                pks[r.ptv_id]: [
                    (h.kind, h.valid_from, h.valid_to, h.weekday, h.opens, h.closes,
                     h.is_closed, h.description)
                    for h in r.hours
                ]
                for r in records
            },
            fresh,
        )  # fmt: skip
        touched |= _sync_m2m(
            ServiceChannel.areas.through,
            "servicechannel_id",
            "area_id",
            owners,
            {pks[r.ptv_id]: {self.area_pks[a.key] for a in r.areas} for r in records},
            fresh,
        )
        self.result.channels_created += len(fresh)
        self.result.channels_updated += len(touched - fresh)
        self.result.channels_unchanged += len(records) - len(fresh | touched)

    def _write_links(self) -> None:
        """Service ↔ channel links, as both sides of the file state them."""
        service_pks = {ptv_id: row.pk for ptv_id, row in self.service_rows.items()}
        channel_pks = {ptv_id: row.pk for ptv_id, row in self.channel_rows.items()}
        outside_channels = {
            ref for s in self.parsed.services for ref in s.channel_ids if ref not in channel_pks
        }
        outside_services = {
            ref for c in self.parsed.channels for ref in c.service_ids if ref not in service_pks
        }
        channel_pks.update(
            _in_chunks(
                ServiceChannel.objects.values_list("ptv_id", "pk"), "ptv_id", outside_channels
            )
        )
        service_pks.update(
            _in_chunks(Service.objects.values_list("ptv_id", "pk"), "ptv_id", outside_services)
        )
        links: set[tuple[int, int]] = set()
        for service in self.parsed.services:
            for ref in service.channel_ids:
                if ref in channel_pks:
                    links.add((service_pks[service.ptv_id], channel_pks[ref]))
                else:
                    self.result.skipped_links += 1
        for channel in self.parsed.channels:
            for ref in channel.service_ids:
                if ref in service_pks:
                    links.add((service_pks[ref], channel_pks[channel.ptv_id]))
                else:
                    self.result.skipped_links += 1
        through = Service.channels.through
        imported_services = {self.service_rows[s.ptv_id].pk for s in self.parsed.services}
        imported_channels = {self.channel_rows[c.ptv_id].pk for c in self.parsed.channels}
        existing: dict[tuple[int, int], int] = {}
        for pk, service_id, channel_id in _in_chunks(
            through.objects.values_list("pk", "service_id", "servicechannel_id"),
            "service_id",
            imported_services,
        ):
            existing[(service_id, channel_id)] = pk
        for pk, service_id, channel_id in _in_chunks(
            through.objects.values_list("pk", "service_id", "servicechannel_id"),
            "servicechannel_id",
            imported_channels,
        ):
            existing[(service_id, channel_id)] = pk
        stale = [pk for key, pk in existing.items() if key not in links]
        _delete_pks(through, stale)
        _insert_rows(through, ("service_id", "servicechannel_id"), sorted(links - existing.keys()))


HOURS_FIELDS = (
    "kind", "valid_from", "valid_to", "weekday", "opens", "closes", "is_closed", "description",
)  # fmt: skip


def _assign_changed(row: models.Model, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _domain_for(service_classes: Sequence[str]) -> str:
    for code in service_classes:
        domain = DOMAIN_BY_TOP_SERVICE_CLASS.get(code.split(".")[0])
        if domain:
            return domain
    return DEFAULT_DOMAIN


def _unique_slug(name: str, taken: set[str], max_length: int) -> str:
    base = slugify(name)[:max_length].strip("-") or "palvelu"
    slug, counter = base, 2
    while slug in taken:
        suffix = f"-{counter}"
        slug = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        counter += 1
    return slug


def _delete_pks(model: Any, pks: Sequence[int]) -> None:
    for chunk in _chunks(pks):
        model.objects.filter(pk__in=chunk).delete()


def _sync_texts(
    model: type[ServiceText] | type[ChannelText],
    owner_field: str,
    owners: Sequence[int],
    desired: dict[int, list[tuple[str, str, str]]],
    fresh: set[int],
) -> set[int]:
    return _sync_rows(model, owner_field, owners, ("kind", "language", "value"), desired, fresh)


def _sync_rows(
    model: Any,
    owner_field: str,
    owners: Sequence[int],
    fields: Sequence[str],
    desired: dict[int, list[tuple[Any, ...]]],
    fresh: set[int],
) -> set[int]:
    """Replace an owner's child rows when they differ from the wanted ones; return the owners.

    Rows are compared as a multiset of field values, so an unchanged owner keeps its rows
    (and their ids) untouched. Owners in `fresh` were created in this import and have none.
    """
    existing_rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    existing_pks: dict[int, list[int]] = defaultdict(list)
    old_owners = [owner for owner in owners if owner not in fresh]
    for values in _in_chunks(
        model.objects.values_list("pk", owner_field, *fields), owner_field, old_owners
    ):
        existing_pks[values[1]].append(values[0])
        existing_rows[values[1]].append(tuple(values[2:]))
    stale: list[int] = []
    new: list[Any] = []
    touched: set[int] = set()
    for owner in owners:
        wanted = desired.get(owner, [])
        if owner in fresh:
            new.extend((owner, *row) for row in wanted)
            continue
        if Counter(existing_rows.get(owner, [])) == Counter(wanted):
            continue
        touched.add(owner)
        stale.extend(existing_pks.get(owner, []))
        new.extend((owner, *row) for row in wanted)
    _delete_pks(model, stale)
    _insert_rows(model, (owner_field, *fields), new)
    return touched


def _sync_m2m(
    through: Any,
    owner_field: str,
    target_field: str,
    owners: Sequence[int],
    desired: dict[int, set[int]],
    fresh: set[int],
) -> set[int]:
    existing: dict[int, dict[int, int]] = defaultdict(dict)
    old_owners = [owner for owner in owners if owner not in fresh]
    for pk, owner, target in _in_chunks(
        through.objects.values_list("pk", owner_field, target_field), owner_field, old_owners
    ):
        existing[owner][target] = pk
    stale: list[int] = []
    new: list[Any] = []
    touched: set[int] = set()
    for owner in owners:
        wanted = desired.get(owner, set())
        have = existing.get(owner, {})
        removed = [pk for target, pk in have.items() if target not in wanted]
        added = wanted - have.keys()
        if removed or added:
            touched.add(owner)
        stale.extend(removed)
        new.extend((owner, target) for target in sorted(added))
    _delete_pks(through, stale)
    _insert_rows(through, (owner_field, target_field), new)
    return touched


# Values of these fields go to the database as Python gives them; others are prepared first.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                 models.ForeignKey)  # fmt: skip


def _insert_rows(model: Any, field_names: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT many child rows with one prepared statement, without making model instances.

    This is the import's hot path: half a million texts, hours and links for a 20,000-service
    catalogue, where building and compiling a model instance per row took most of the time.
    Table and column names come from the model's meta; values are passed as parameters (COPY
    rows on PostgreSQL), never formatted into the SQL.
    """
    if not rows:
        return
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if connection.vendor == "postgresql":
        # COPY streams the rows in one round trip; psycopg adapts dates and times itself.
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 - names from model meta
    prepared = [None if isinstance(field, _PLAIN_FIELDS) else field for field in fields]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 2000):
            if any(prepared):
                chunk = [
                    tuple(
                        value if field is None else field.get_db_prep_save(value, connection)
                        for value, field in zip(row, prepared, strict=True)
                    )
                    for row in chunk
                ]
            cursor.executemany(sql, chunk)
