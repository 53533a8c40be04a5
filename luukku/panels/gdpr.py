"""What the customer panels hold about a person: their sign-ups (and a guardian's details).

Erasing a volunteer is what the panel's retention period does at its end (services.anonymise,
written once): name, contacts, birth year and the guardian's details go; the background, status,
seats and attendance stay, so the panel's counts and quota reports keep working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import Kind, Person, Record

from .models import Volunteer
from .services import anonymise

KINDS = (
    Kind(
        key="panel_volunteers",
        models=(
            "panels.Volunteer",
            "panels.SelectionMember",
            "panels.Attendance",
        ),
        description="Sign-ups to customer and youth panels: contacts, background, consent.",
        purpose="Drawing a representative panel and inviting its members.",
        legal_basis="Consent (GDPR 6(1)(a)); a guardian's consent under 15.",
        retention="Contact details erased the panel's retention period (default 365 days) "
        "after it closed (volunteers never drawn: after the draw or the sign-up).",
    ),
)


def volunteers_of(person: Person) -> QuerySet[Volunteer]:
    condition = Q(pk__in=[])
    if person.email:
        condition |= Q(email__iexact=person.email) | Q(guardian_email__iexact=person.email)
    return gdpr.matching(Volunteer.objects.all(), condition, person)


def find(person: Person) -> list[Record]:
    return [Record.of("panel_volunteers", v) for v in volunteers_of(person).order_by("pk")]


FIELDS = (
    "panel", "name", "email", "phone", "birth_year", "age_band", "municipality", "sex",
    "customer_type", "interests", "consent", "consented_at", "guardian_name", "guardian_email",
    "guardian_consented_at", "status", "created_at",
)  # fmt: skip


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    volunteers = []
    for volunteer in (
        volunteers_of(person)
        .select_related("panel", "municipality", "consent")
        .prefetch_related("seats__attendance__session")
        .order_by("pk")
    ):
        item = gdpr.row(volunteer, FIELDS)
        item["sessions_attended"] = [
            gdpr.plain(attendance.session.starts_at)
            for seat in volunteer.seats.all()
            for attendance in seat.attendance.all()
            if attendance.present
        ]
        volunteers.append(item)
    return {"panel_volunteers": volunteers}


def erase(person: Person, now: datetime) -> dict[str, int]:
    return {"panel_volunteers": anonymise(volunteers_of(person), now=now)}


gdpr.register(gdpr.Provider(app_label="panels", kinds=KINDS, find=find, export=export, erase=erase))
