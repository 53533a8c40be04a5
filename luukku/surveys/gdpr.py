"""What the surveys hold about a person: identified answers and invitations linked to their cases.

An anonymous survey's answer keeps no link to anyone (the invitation forgets its case at the
first answer), so it cannot be found, exported or erased: it is not personal data. An identified
answer is found through its invitation's case. Erasing it is what the retention period does at
its end (retention.py, written once): free text and the invitation go, times are truncated to the
month, and the ratings, choices and background stay, so every satisfaction figure by month,
service, organisation or background stays the same. An invitation not answered forgets its case.
A staff member's export shows which staff surveys they took part in, never what they answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from luukku.cases import gdpr as cases_gdpr
from luukku.core import gdpr
from luukku.core.gdpr import Kind, Person, Record

from .models import Invitation, Response, StaffParticipation
from .retention import _anonymise_responses

_RETENTION = (
    "Each survey's own retention period (default 730 days) after answering: deleted, or "
    "anonymised (ratings kept, texts and links removed)."
)
KINDS = (
    Kind(
        key="survey_responses",
        models=(
            "surveys.Response",
            "surveys.Answer",
        ),
        description="Identified survey answers, with the consent given and the background.",
        purpose="Improving the service; with consent, following up the answer.",
        legal_basis="Consent (GDPR 6(1)(a)) for the link to the case; public task otherwise.",
        retention=_RETENTION,
    ),
    Kind(
        key="survey_invitations",
        models=("surveys.Invitation",),
        description="Invitations to answer a survey after a case closed.",
        purpose="Asking the customer about the service they received.",
        legal_basis="Public task (GDPR 6(1)(e)).",
        retention="Unanswered invitations deleted 30 days after they expired; an answered one "
        "goes with its answer's retention.",
    ),
    Kind(
        key="staff_survey_participations",
        models=("surveys.StaffParticipation",),
        description="Staff: which staff surveys the staff member answered (not the answers).",
        purpose="Letting each staff member answer once.",
        legal_basis="Legitimate interest of the employer (GDPR 6(1)(f)).",
        retention="Deleted with the survey.",
    ),
)


def responses_of(person: Person) -> QuerySet[Response]:
    return Response.objects.filter(invitation__case__in=cases_gdpr.cases_of(person))


def invitations_of(person: Person) -> QuerySet[Invitation]:
    return Invitation.objects.filter(case__in=cases_gdpr.cases_of(person))


def participations_of(person: Person) -> QuerySet[StaffParticipation]:
    if not person.username:
        return StaffParticipation.objects.none()
    return StaffParticipation.objects.filter(user__username=person.username)


def find(person: Person) -> list[Record]:
    return (
        [Record.of("survey_responses", r) for r in responses_of(person).order_by("pk")]
        + [Record.of("survey_invitations", i) for i in invitations_of(person).order_by("pk")]
        + [Record.of("staff_survey_participations", p) for p in participations_of(person)]
    )


RESPONSE_FIELDS = (
    "survey", "status", "language", "service", "channel", "organisation", "started_at",
    "submitted_at", "municipality", "age_band", "sex", "customer_type", "consent",
    "consented_at",
)  # fmt: skip


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    responses = []
    for response in (
        responses_of(person)
        .select_related("survey", "service", "organisation", "municipality", "consent")
        .prefetch_related("answers__question")
        .order_by("started_at", "pk")
    ):
        item = gdpr.row(response, RESPONSE_FIELDS)
        item["answers"] = [
            {
                "question": answer.question.code,
                "number": answer.number,
                "choices": answer.choices,
                "text": answer.text,
            }
            for answer in response.answers.all()
        ]
        responses.append(item)
    invitations = [
        gdpr.row(invitation, ("survey", "sent_via", "created_at", "expires_at"))
        | gdpr.row(invitation, ("first_answered_at",))
        for invitation in invitations_of(person).select_related("survey").order_by("pk")
    ]
    participations = [
        {"survey": str(participation.survey)}
        for participation in participations_of(person).select_related("survey")
    ]
    return {
        "survey_responses": responses,
        "survey_invitations": invitations,
        "staff_survey_participations": participations,
    }


def erase(person: Person, now: datetime) -> dict[str, int]:
    response_pks = list(responses_of(person).values_list("pk", flat=True))
    if response_pks:
        _anonymise_responses(response_pks, now=now)
    unanswered = invitations_of(person).update(case=None)
    return {"survey_responses": len(response_pks), "survey_invitations": unanswered}


gdpr.register(
    gdpr.Provider(app_label="surveys", kinds=KINDS, find=find, export=export, erase=erase)
)
