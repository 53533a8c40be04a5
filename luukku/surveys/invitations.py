"""Inviting the customer of a closed case to the case-closed survey, once per closing.

The invitation is written, and its e-mail or text message queued in the notification outbox,
in one transaction: either both exist or neither. Only a keyed hash of the link's token is
stored; the token itself travels in the message alone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from luukku.cases.models import Case, Customer, Sensitivity, Task
from luukku.cases.models import Channel as CaseChannel
from luukku.intake.tasks import public_base_url
from luukku.notifications.models import Notification
from luukku.notifications.services import notify

from .models import LANGUAGES, Channel, Invitation, Survey, Touchpoint
from .tokens import keyed_hash, new_token

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "survey_invitation"
DEFAULT_VALID_DAYS = 30
DEFAULT_INTERVAL_DAYS = 30

# How the customer was served, in the survey's terms: a feedback form or Open311 is the web.
CHANNELS: dict[str, str] = {
    CaseChannel.FEEDBACK: Channel.WEB,
    CaseChannel.PHONE: Channel.PHONE,
    CaseChannel.WALK_IN: Channel.WALK_IN,
    CaseChannel.MOBILE_VAN: Channel.MOBILE_VAN,
    CaseChannel.EMAIL: Channel.EMAIL,
    CaseChannel.CHAT: Channel.CHAT,
}


def valid_days() -> int:
    return int(getattr(settings, "LUUKKU_SURVEY_INVITATION_VALID_DAYS", DEFAULT_VALID_DAYS))


def interval_days() -> int:
    """Days after an invitation during which the same customer is not invited again."""
    return int(getattr(settings, "LUUKKU_SURVEY_INVITATION_INTERVAL_DAYS", DEFAULT_INTERVAL_DAYS))


def case_key(case: Case) -> str:
    """A keyed hash of the case and its closing time: the same closing (a retried signal) gives
    the same key, a later closing of a reopened case a new one. Not reversible to the case."""
    closed_at = case.closed_at.isoformat() if case.closed_at else ""
    return keyed_hash(b"survey-case:", f"{case.pk}:{closed_at}")


def invite_for_closed_case(*, case: Case, now: datetime | None = None) -> Invitation | None:
    """Invite the customer of a just-closed case to the matching open case-closed survey.

    None when nobody is to be invited: see `_why_not_invite` and `matching_touchpoint`.
    """
    now = now or timezone.now()
    case = Case.objects.select_related("customer", "owner_unit").get(pk=case.pk)
    tasks = list(case.tasks.select_related("service").order_by("created_at", "pk"))
    reason = _why_not_invite(case, tasks, now)
    customer = case.customer
    if reason or customer is None:
        logger.debug("Case %s: no survey invitation (%s).", case.pk, reason)
        return None
    touchpoint = matching_touchpoint(case, tasks, now)
    if touchpoint is None:
        return None
    key = case_key(case)
    try:
        with transaction.atomic():
            if Invitation.objects.filter(case_key=key).exists():
                return None
            return _create_and_send(case, customer, tasks, touchpoint, key, now)
    except IntegrityError:
        # A retried signal racing the first one: the unique (touchpoint, case_key) stopped it.
        return None


def _why_not_invite(case: Case, tasks: list[Task], now: datetime) -> str:
    """The reason this closing invites nobody, or "" when it may invite.

    A case with a social or health care task is never surveyed: an e-mail or text message about
    it, seen by anyone else who reads the customer's messages, would reveal that the person is
    a client of social or health services, which is itself sensitive information.
    """
    if case.status != Case.Status.CLOSED or case.closed_at is None:
        return "not closed"
    if case.outcome == Case.Outcome.MERGED or case.merged_into_id is not None:
        return "merged into another case"
    customer = case.customer
    if customer is None or not (customer.email.strip() or customer.phone.strip()):
        return "no e-mail address or phone number"
    if any(task.sensitivity == Sensitivity.SOCIAL_HEALTH for task in tasks):
        return "social and health care task"
    if _invited_recently(customer, now):
        return "invited recently"
    return ""


def _invited_recently(customer: Customer, now: datetime) -> bool:
    """Against survey fatigue. Invitations of anonymous surveys lose their case once answered,
    so the outbox (same address, same kind) is asked too."""
    since = now - timedelta(days=interval_days())
    if Invitation.objects.filter(case__customer=customer, created_at__gte=since).exists():
        return True
    addresses = [address for address in (customer.email.strip(), customer.phone.strip()) if address]
    return Notification.objects.filter(
        kind=NOTIFICATION_KIND, address__in=addresses, created_at__gte=since
    ).exists()


def matching_touchpoint(case: Case, tasks: list[Task], now: datetime) -> Touchpoint | None:
    """The most specific active case-closed touchpoint of an open customer survey for the case.

    A touchpoint (or, when it names none, its survey) limited to a service matches when one of
    the case's tasks is for that service; one limited to an organisation matches cases owned by
    it or its units. A service match is more specific than an organisation match, and the
    nearer organisation more specific than the one above it; ties go to the oldest touchpoint.
    """
    service_ids = {task.service_id for task in tasks}
    chain = [organisation.pk for organisation in case.owner_unit.ancestors_and_self()]
    candidates = (
        Touchpoint.objects.filter(
            kind=Touchpoint.Kind.CASE_CLOSED,
            active=True,
            survey__kind=Survey.Kind.CUSTOMER,
            survey__status=Survey.Status.OPEN,
        )
        .filter(Q(organisation__isnull=True) | Q(organisation__in=chain))
        .select_related("survey")
        .order_by("created_at", "pk")
    )
    best: tuple[int, int] | None = None
    chosen = None
    for touchpoint in candidates:
        service_id = touchpoint.service_id or touchpoint.survey.service_id
        if service_id is not None and service_id not in service_ids:
            continue
        if not touchpoint.survey.accepts_answers(now):
            continue
        nearness = (
            len(chain) - chain.index(touchpoint.organisation_id)
            if touchpoint.organisation_id
            else 0
        )
        score = (1 if service_id is not None else 0, nearness)
        if best is None or score > best:
            best, chosen = score, touchpoint
    return chosen


def _create_and_send(
    case: Case,
    customer: Customer,
    tasks: list[Task],
    touchpoint: Touchpoint,
    key: str,
    now: datetime,
) -> Invitation:
    email, phone = customer.email.strip(), customer.phone.strip()
    by_sms = bool(phone) and (touchpoint.prefer_sms or not email)
    language = customer.language if customer.language in LANGUAGES else "fi"
    service = (
        touchpoint.service or touchpoint.survey.service or (tasks[0].service if tasks else None)
    )
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        survey=touchpoint.survey,
        touchpoint=touchpoint,
        token_hash=token_hash,
        case=case,
        case_key=key,
        sent_via=Invitation.SentVia.SMS if by_sms else Invitation.SentVia.EMAIL,
        service=service,
        channel=CHANNELS.get(case.channel, ""),
        organisation=case.owner_unit,
        language=language,
        created_at=now,
        expires_at=now + timedelta(days=valid_days()),
    )
    link = public_base_url() + reverse("surveys:invitation", args=[token])
    subject, body = invitation_message(invitation, link, by_sms=by_sms)
    notify(
        kind=NOTIFICATION_KIND,
        subject=subject,
        body=body,
        address=phone if by_sms else email,
        channel=Notification.Channel.SMS if by_sms else Notification.Channel.EMAIL,
        language=language,
        dedupe_key=f"{NOTIFICATION_KIND}:{key}",
        forget_body_when_sent=True,
    )
    return invitation


def invitation_message(invitation: Invitation, link: str, *, by_sms: bool) -> tuple[str, str]:
    """Subject and text in the invitation's language; a text message stays short (one SMS
    segment plus the link where possible) and names no case or service."""
    organisation = invitation.organisation
    with translation.override(invitation.language):
        name = organisation.name(invitation.language) if organisation else ""
        if by_sms:
            text = _(
                "Thank you for using our services. How did we do? Answer in 2 minutes: %(link)s"
            )
            return "", text % {"link": link}
        subject = _("How did we do? %(survey)s") % {"survey": invitation.survey.title()}
        body = _(
            "Hello,\n\n"
            "your matter with %(organisation)s has been completed. We would like to know how "
            "we did. Answering takes about two minutes:\n\n"
            "%(link)s\n\n"
            "The link is personal and works until %(expires)s. Your answer helps us improve "
            "our services.\n\n"
            "Thank you!\n%(organisation)s"
        ) % {
            "organisation": name,
            "link": link,
            "expires": date_format(timezone.localtime(invitation.expires_at), "SHORT_DATE_FORMAT"),
        }
        return subject, body
