"""Writes for customer panels: sign-up, the draw, withdrawals, sessions and responses.

Every function runs in one transaction. Contact details never reach a log or an audit row:
audit rows name the volunteer by id only.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from luukku.areas.demographics import age_band_for
from luukku.areas.models import Area, PopulationGroup
from luukku.catalogue.models import Service
from luukku.core import audit
from luukku.core.models import AuditEvent, ConsentText

from . import sortition
from .models import (
    ANONYMISED_NAME,
    GUARDIAN_AGE,
    YOUTH_AGES,
    Attendance,
    Panel,
    PanelSession,
    Recommendation,
    Selection,
    SelectionMember,
    Volunteer,
)

logger = logging.getLogger(__name__)

# The largest seed staff may type, and the range of the seeds drawn for them: twelve digits
# are easy to read aloud and to write into the minutes.
MAX_SEED = 10**12 - 1

# Allowed status changes of a panel, in one place.
TRANSITIONS: dict[str, frozenset[str]] = {
    Panel.Status.RECRUITING: frozenset({Panel.Status.SELECTED, Panel.Status.CLOSED}),
    Panel.Status.SELECTED: frozenset({Panel.Status.ACTIVE, Panel.Status.CLOSED}),
    Panel.Status.ACTIVE: frozenset({Panel.Status.CLOSED}),
    Panel.Status.CLOSED: frozenset(),
}


class PanelError(ValueError):
    """A rule of the panel process says no; the message is for the user."""


def _move(panel: Panel, to: str) -> None:
    if to not in TRANSITIONS[panel.status]:
        raise PanelError(
            _("A panel that is %(status)s cannot become %(new)s.")
            % {"status": panel.get_status_display(), "new": Panel.Status(to).label}
        )
    panel.status = to
    fields = ["status"]
    if to == Panel.Status.CLOSED:
        panel.closed_at = timezone.now()
        fields.append("closed_at")
    panel.save(update_fields=fields)


# --- panels ----------------------------------------------------------------------------------


def default_ages(kind: str) -> tuple[int, int | None]:
    """The age range a new panel of `kind` gets when staff leave it empty."""
    if kind == Panel.Kind.YOUTH:
        return YOUTH_AGES
    return (Panel._meta.get_field("min_age").default, None)


@transaction.atomic
def save_panel(
    *,
    panel: Panel | None,
    fields: Mapping[str, Any],
    municipalities: Iterable[Area],
    actor: Any,
) -> Panel:
    """Create or edit a panel; its size, ages and area are fixed once members are drawn."""
    fixed = ("size", "min_age", "max_age")
    if panel is not None and panel.status != Panel.Status.RECRUITING:
        changed = [name for name in fixed if fields.get(name) != getattr(panel, name)]
        same_area = set(panel.municipalities.values_list("pk", flat=True)) == {
            area.pk for area in municipalities
        }
        if changed or not same_area:
            raise PanelError(
                _(
                    "Members have been drawn: the size, ages and municipalities can no longer "
                    "change."
                )
            )
    if panel is None:
        panel = Panel(created_by=actor if getattr(actor, "is_authenticated", False) else None)
    for name, value in fields.items():
        setattr(panel, name, value)
    panel.full_clean(exclude=["municipalities"])
    panel.save()
    panel.municipalities.set(list(municipalities))
    audit.record(action=AuditEvent.Action.UPDATE, actor=actor, target=panel, purpose="panel saved")
    return panel


@transaction.atomic
def close_panel(*, panel: Panel, actor: Any) -> Panel:
    """Close a panel: the retention period of its volunteers' contact details starts now."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    _move(panel, Panel.Status.CLOSED)
    audit.record(action=AuditEvent.Action.UPDATE, actor=actor, target=panel, purpose="panel closed")
    return panel


# --- sign-up ---------------------------------------------------------------------------------


def age_this_year(birth_year: int, today: date) -> int:
    """The age reached this year. Only the birth year is asked (data minimisation)."""
    return today.year - birth_year


def needs_guardian(birth_year: int, today: date) -> bool:
    """Whether the volunteer may still be under 15 today: until the year they turn 16 is over,
    someone whose birthday has not come yet is 14 or 15, so the rule errs on the safe side for
    those turning 15 this year."""
    return age_this_year(birth_year, today) <= GUARDIAN_AGE


def panel_areas(panel: Panel) -> QuerySet[Area]:
    """The municipalities a panel takes volunteers from (all with population, if none set)."""
    if panel.municipalities.exists():
        return panel.municipalities.order_by("name_fi")
    return (
        Area.objects.filter(area_type=Area.Type.MUNICIPALITY, population__isnull=False)
        .distinct()
        .order_by("name_fi")
    )


def _consent(purpose: str, version_id: int | None) -> ConsentText:
    """The consent text the person saw: it must exist, be of `purpose` and be in force."""
    consent = (
        ConsentText.objects.filter(
            pk=version_id, purpose=purpose, valid_from__lte=timezone.now()
        ).first()
        if version_id is not None
        else None
    )
    if consent is None:
        raise PanelError(_("The consent text changed while you were filling in the form."))
    return consent


@transaction.atomic
def sign_up(
    *,
    panel: Panel,
    name: str,
    email: str,
    birth_year: int,
    municipality: Area,
    sex: str,
    customer_type: str,
    consent_id: int | None,
    consent_given: bool,
    phone: str = "",
    interests: Sequence[str] = (),
    guardian_name: str = "",
    guardian_email: str = "",
    guardian_consent_id: int | None = None,
    guardian_consent_given: bool = False,
    today: date | None = None,
) -> Volunteer:
    """A volunteer signs up. Rule violations raise ValidationError keyed by form field."""
    today = today or timezone.localdate()
    now = timezone.now()
    if not panel.is_open_for_signup(today):
        raise PanelError(_("Sign-up for this panel has closed."))
    errors: dict[str, str] = {}
    age = age_this_year(birth_year, today)
    if age < panel.min_age or (panel.max_age is not None and age > panel.max_age):
        errors["birth_year"] = age_range_message(panel)
    if not panel_areas(panel).filter(pk=municipality.pk).exists():
        errors["municipality"] = _("This panel takes members from its own municipalities only.")
    if not consent_given:
        errors["consent_given"] = _("Tick the box to agree, or you cannot join the panel.")
    guardian = not errors.get("birth_year") and needs_guardian(birth_year, today)
    if guardian:
        if not guardian_name.strip():
            errors["guardian_name"] = _("Under 15: give your guardian's name.")
        if not guardian_email.strip():
            errors["guardian_email"] = _("Under 15: give your guardian's e-mail address.")
        if not guardian_consent_given:
            errors["guardian_consent_given"] = _(
                "Under 15: your guardian must agree too. Ask them to tick the box."
            )
    email = email.strip().lower()
    if Volunteer.objects.filter(panel=panel, email=email).exists():
        errors["email"] = duplicate_message()
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                panel=panel,
                name=name.strip(),
                email=email,
                phone=phone.strip(),
                birth_year=birth_year,
                age_band=age_band_for(age),
                municipality=municipality,
                sex=sex,
                customer_type=customer_type,
                interests=sorted(set(interests)),
                consent=_consent(ConsentText.Purpose.PANEL_MEMBERSHIP, consent_id),
                consented_at=now,
                guardian_name=guardian_name.strip() if guardian else "",
                guardian_email=guardian_email.strip().lower() if guardian else "",
                guardian_consent=(
                    _consent(ConsentText.Purpose.PANEL_GUARDIAN, guardian_consent_id)
                    if guardian
                    else None
                ),
                guardian_consented_at=now if guardian else None,
            )
    except IntegrityError as error:
        # The same address sent twice at once: the unique constraint caught the second.
        raise ValidationError({"email": duplicate_message()}) from error
    logger.debug("panel %s: volunteer %s signed up", panel.pk, volunteer.pk)
    return volunteer


def age_range_message(panel: Panel) -> str:
    if panel.max_age is None:
        return _("This panel is for people aged %(min)s or over.") % {"min": panel.min_age}
    return _("This panel is for people aged %(min)s–%(max)s.") % {
        "min": panel.min_age,
        "max": panel.max_age,
    }


def duplicate_message() -> str:
    return _(
        "This e-mail address has already signed up for this panel. You do not need to sign up "
        "again; to change your details, contact the panel's organiser."
    )


# --- the draw --------------------------------------------------------------------------------


def candidates(volunteers: QuerySet[Volunteer]) -> list[sortition.Candidate]:
    """The volunteers as the draw sees them, read as plain columns (10,000 rows in tens of ms)."""
    return [
        sortition.Candidate(pk, code, band, sex)
        for pk, code, band, sex in volunteers.order_by("pk").values_list(
            "pk", "municipality__code", "age_band", "sex"
        )
    ]


def population_shares(panel: Panel) -> sortition.Shares:
    """Population shares of the panel's area and ages, from the newest population year."""
    areas = panel_areas(panel)
    groups = PopulationGroup.objects.filter(municipality__in=areas)
    year = groups.aggregate(year=Max("year"))["year"]
    if year is None:
        raise PanelError(_("There are no population figures for the panel's municipalities."))
    cells = [
        sortition.PopulationCell(code, band, sex, population)
        for code, band, sex, population in groups.filter(year=year).values_list(
            "municipality__code", "age_band", "sex", "population"
        )
    ]
    return sortition.population_shares(cells, min_age=panel.min_age, max_age=panel.max_age)


def new_seed() -> int:
    return secrets.randbelow(MAX_SEED + 1)


@transaction.atomic
def draw(
    *,
    panel: Panel,
    actor: Any,
    seed: int | None = None,
    request: HttpRequest | None = None,
) -> Selection:
    """Draw the panel's members from its volunteers and record the seed and the quota report.

    Those not drawn become reserves: replacements come from them.
    """
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status != Panel.Status.RECRUITING:
        raise PanelError(_("The members of this panel have already been drawn."))
    seed = new_seed() if seed is None else seed
    shares = population_shares(panel)
    quotas = sortition.quotas_from_shares(shares, panel.size)
    pool = candidates(Volunteer.objects.filter(panel=panel, status=Volunteer.Status.VOLUNTEER))
    if not pool:
        raise PanelError(_("Nobody has signed up yet: there is no one to draw."))
    result = sortition.select(pool, quotas, panel.size, seed, shares=shares)
    selection = Selection.objects.create(
        panel=panel,
        seed=seed,
        size=panel.size,
        algorithm=sortition.ALGORITHM_VERSION,
        report=result.report,
        made_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    SelectionMember.objects.bulk_create(
        SelectionMember(selection=selection, volunteer_id=volunteer_id, position=position)
        for position, volunteer_id in enumerate(result.member_ids, start=1)
    )
    chosen = set(result.member_ids)
    Volunteer.objects.filter(pk__in=chosen).update(status=Volunteer.Status.SELECTED)
    Volunteer.objects.filter(panel=panel, status=Volunteer.Status.VOLUNTEER).exclude(
        pk__in=chosen
    ).update(status=Volunteer.Status.RESERVE)
    _move(panel, Panel.Status.SELECTED)
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        target=selection,
        purpose="panel members drawn",
        request=request,
        details={"seed": seed, "size": panel.size, "pool": len(pool)},
    )
    return selection


def current_selection(panel: Panel) -> Selection | None:
    return panel.selections.order_by("-made_at", "-pk").first()


def seated(selection: Selection) -> list[SelectionMember]:
    """The members who hold a seat now (not withdrawn or replaced), in seat order."""
    return list(
        selection.members.filter(volunteer__status=Volunteer.Status.SELECTED)
        .select_related("volunteer__municipality")
        .order_by("position")
    )


def refresh_report(selection: Selection) -> dict[str, Any]:
    """The quota report for the members seated now (after withdrawals and replacements)."""
    shares = population_shares(selection.panel)
    quotas = sortition.quotas_from_shares(shares, selection.size)
    members = candidates(
        Volunteer.objects.filter(pk__in=[m.volunteer_id for m in seated(selection)])
    )
    pool = candidates(
        Volunteer.objects.filter(panel=selection.panel).exclude(
            status__in=[Volunteer.Status.WITHDRAWN, Volunteer.Status.REPLACED]
        )
    )
    report = sortition.quota_report(members, pool, quotas, shares)
    report["seed"] = selection.seed
    return report


@transaction.atomic
def withdraw(
    *,
    member: SelectionMember,
    actor: Any,
    replace: bool = True,
    seed: int | None = None,
    request: HttpRequest | None = None,
) -> SelectionMember | None:
    """A member leaves; with `replace`, the reserve who best restores the balance takes the seat.

    Returns the new member, or None when there was no replacement (or none was asked for).
    """
    member = (
        SelectionMember.objects.select_for_update()
        .select_related("volunteer", "selection__panel")
        .get(pk=member.pk)
    )
    volunteer = member.volunteer
    if volunteer.status != Volunteer.Status.SELECTED:
        raise PanelError(_("This person no longer holds a seat."))
    selection = member.selection
    panel = selection.panel
    if panel.status == Panel.Status.CLOSED:
        raise PanelError(_("The panel is closed."))
    volunteer.status = Volunteer.Status.WITHDRAWN
    volunteer.save(update_fields=["status"])
    new_member = None
    if replace:
        new_member = _replace(member, seed=seed)
        if new_member is not None:
            volunteer.status = Volunteer.Status.REPLACED
            volunteer.save(update_fields=["status"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        target=member,
        purpose="panel member withdrew",
        request=request,
        details={
            "replaced_by": new_member.volunteer_id if new_member else None,
            "seed": new_member.replacement_seed if new_member else None,
        },
    )
    return new_member


def _replace(member: SelectionMember, *, seed: int | None) -> SelectionMember | None:
    selection = member.selection
    seed = new_seed() if seed is None else seed
    shares = population_shares(selection.panel)
    quotas = sortition.quotas_from_shares(shares, selection.size)
    chosen = sortition.replacement(
        candidates(Volunteer.objects.filter(pk__in=[m.volunteer_id for m in seated(selection)])),
        # A reserve erased by the retention period can no longer be reached.
        candidates(
            Volunteer.objects.filter(
                panel=selection.panel,
                status=Volunteer.Status.RESERVE,
                anonymised_at__isnull=True,
            )
        ),
        quotas,
        seed,
    )
    if chosen is None:
        return None
    Volunteer.objects.filter(pk=chosen.id).update(status=Volunteer.Status.SELECTED)
    return SelectionMember.objects.create(
        selection=selection,
        volunteer_id=chosen.id,
        position=member.position,
        replacement_for=member,
        replacement_seed=seed,
    )


# --- sessions and outputs --------------------------------------------------------------------


@transaction.atomic
def add_session(*, panel: Panel, starts_at: datetime, place: str, agenda: str) -> PanelSession:
    """Plan a session; the first one makes a drawn panel active."""
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.status not in (Panel.Status.SELECTED, Panel.Status.ACTIVE):
        raise PanelError(_("Sessions can be planned once the members have been drawn."))
    session = PanelSession.objects.create(
        panel=panel, starts_at=starts_at, place=place.strip(), agenda=agenda.strip()
    )
    if panel.status == Panel.Status.SELECTED:
        _move(panel, Panel.Status.ACTIVE)
    return session


@transaction.atomic
def record_attendance(*, session: PanelSession, present: Iterable[int]) -> list[Attendance]:
    """Mark who of the seated members came (`present`: member ids); the others were absent."""
    selection = current_selection(session.panel)
    if selection is None:
        raise PanelError(_("The panel has no members yet."))
    present_ids = set(present)
    rows = []
    for member in seated(selection):
        row, _created = Attendance.objects.update_or_create(
            session=session, member=member, defaults={"present": member.pk in present_ids}
        )
        rows.append(row)
    return rows


@transaction.atomic
def add_recommendation(
    *, session: PanelSession, text: str, services: Iterable[Service]
) -> Recommendation:
    recommendation = Recommendation.objects.create(session=session, text=text.strip())
    recommendation.services.set(list(services))
    return recommendation


@transaction.atomic
def respond(
    *,
    recommendation: Recommendation,
    response: str,
    publish: bool,
    actor: Any,
    request: HttpRequest | None = None,
) -> Recommendation:
    """The service manager answers a recommendation; `publish` shows both on the public page."""
    recommendation = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    response = response.strip()
    if publish and not response:
        raise PanelError(_("Write the response before publishing it."))
    recommendation.response = response
    recommendation.responded_by = actor
    recommendation.responded_at = timezone.now()
    if publish and recommendation.published_at is None:
        recommendation.published_at = timezone.now()
    elif not publish:
        recommendation.published_at = None
    recommendation.save(update_fields=["response", "responded_by", "responded_at", "published_at"])
    audit.record(
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        target=recommendation,
        purpose="panel recommendation answered",
        request=request,
        details={"published": recommendation.is_published},
    )
    return recommendation


# --- retention -------------------------------------------------------------------------------


def anonymise(volunteers: QuerySet[Volunteer], *, now: datetime) -> int:
    """Erase contact details and birth year; the background stays for counts."""
    return int(
        volunteers.filter(anonymised_at__isnull=True).update(
            name=ANONYMISED_NAME,
            email="",
            phone="",
            birth_year=None,
            guardian_name="",
            guardian_email="",
            anonymised_at=now,
        )
    )
