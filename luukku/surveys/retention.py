"""Retention of survey answers and invitations (decision 0006, point 5), run daily.

Work goes in batches of `BATCH_SIZE` rows, each batch in its own transaction, so ten million
expired rows never sit in memory or in one long transaction; every step selects only what is
still to do, so a run that stopped half way, or a second run, simply carries on.

Anonymised means no longer linkable to a person by means reasonably likely to be used. What goes:
free text and "other" texts (people write names, addresses and case details into them), the
invitation (it names the case and thereby the customer), the resume token and idempotency key
(a browser cookie or a client log could pair them with a device), and exact times (a kiosk visit
or a case closing at 14:03 can be matched with other records), which are truncated to the month.
What stays is what statistics need and what identifies no one on its own: numbers and choice
codes, service, channel, service location, organisation, language, the coarse voluntary
background (municipality, age band, sex, customer type — issue 6 weights answers with it) and,
for staff surveys, the unit, shown only in groups of five or more. The consent reference stays
too: it is the version of the consent text, the same for everyone who saw it, and documents on
what terms the answers were collected; its time is truncated to the month like the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Answer, Invitation, Question, Response, Survey

BATCH_SIZE = 1000
# Exact times of an answer, truncated to the month when it is anonymised.
TIMES = ("started_at", "updated_at", "submitted_at", "consented_at")
DEFAULT_PARTIAL_DAYS = 30
DEFAULT_INVITATION_GRACE_DAYS = 30


def apply_retention(now: datetime | None = None) -> dict[str, int]:
    """Delete or anonymise expired answers, then drop stale partial answers and unused
    invitations. Returns how many rows each step touched."""
    now = now or timezone.now()
    counts = {"deleted": 0, "anonymised": 0, "partial_deleted": 0, "invitations_deleted": 0}
    for survey in Survey.objects.only("pk", "retention_days", "expiry_action").order_by("pk"):
        expired = _given_before(now - timedelta(days=survey.retention_days)).filter(survey=survey)
        if survey.expiry_action == Survey.ExpiryAction.DELETE:
            counts["deleted"] += _in_batches(expired, _delete_responses)
        else:
            counts["anonymised"] += _in_batches(
                expired.filter(anonymised_at__isnull=True),
                partial(_anonymise_responses, now=now),
            )
    partial_days = int(getattr(settings, "LUUKKU_SURVEY_PARTIAL_DAYS", DEFAULT_PARTIAL_DAYS))
    stale_partial = Response.objects.filter(
        status=Response.Status.PARTIAL, updated_at__lt=now - timedelta(days=partial_days)
    )
    counts["partial_deleted"] = _in_batches(stale_partial, _delete_responses)
    counts["invitations_deleted"] = _in_batches(
        Invitation.objects.filter(
            expires_at__lt=now - timedelta(days=DEFAULT_INVITATION_GRACE_DAYS),
            response__isnull=True,
        ),
        _delete_invitations,
    )
    return counts


def _given_before(cutoff: datetime) -> QuerySet[Response]:
    """Answers given before `cutoff`: sent then, or (never sent) last touched then."""
    return Response.objects.filter(
        Q(submitted_at__lt=cutoff) | Q(submitted_at__isnull=True, updated_at__lt=cutoff)
    )


def _in_batches(queryset: QuerySet, handle: Callable[[list[int]], None]) -> int:
    """Apply `handle(ids)` to the rows of `queryset`, BATCH_SIZE ids at a time, until none is
    left. `handle` must take each row out of the queryset (delete or change it)."""
    total = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return total
        with transaction.atomic():
            handle(ids)
        total += len(ids)


def _delete_responses(ids: list[int]) -> None:
    # The invitation names the case; with the answers gone it has nothing left to do.
    Invitation.objects.filter(response__pk__in=ids).delete()
    Response.objects.filter(pk__in=ids).delete()  # answers cascade


def _anonymise_responses(ids: list[int], *, now: datetime) -> None:
    Invitation.objects.filter(response__pk__in=ids).delete()  # sets Response.invitation null
    Answer.objects.filter(response__pk__in=ids, question__kind=Question.Kind.FREE_TEXT).delete()
    Answer.objects.filter(response__pk__in=ids).exclude(text="").update(text="")
    responses = list(Response.objects.filter(pk__in=ids).only("pk", *TIMES))
    for response in responses:
        response.resume_token_hash = ""
        response.idempotency_key = ""
        response.anonymised_at = now
        for field in TIMES:
            setattr(response, field, month_start(getattr(response, field)))
    Response.objects.bulk_update(
        responses, ["resume_token_hash", "idempotency_key", "anonymised_at", *TIMES]
    )


def month_start(moment: datetime | None) -> datetime | None:
    """The start of the moment's month as the region reads it (Helsinki time), so an answer
    stays in its own month in every report. Done here, not in SQL: a database's date_trunc
    gives a local time without a zone, which SQLite and PostgreSQL would then store as UTC."""
    if moment is None:
        return None
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _delete_invitations(ids: list[int]) -> None:
    Invitation.objects.filter(pk__in=ids).delete()
