"""Proactive alerts: a significant drop in a service's satisfaction, or a surge of complaints.

Once a day the last 28 days (recent) are compared with the 84 days before them (baseline), for
each survey organisation and service:

- drop: the satisfaction mean, one-sided Welch t-test;
- theme surge: the share of the written answers that are complaints (rating ≤ 2) about one
  theme, one-sided two-proportion z-test; themes are found in the group's complaint texts.

A finding becomes an alert only with at least 30 recent and 30 baseline answers, an effect a
manager would notice (0.3 points, 10 percentage points), and a p-value that survives the
Benjamini–Hochberg procedure at q = 0.05 across all the groups tested that day: with dozens of
services some would "drop" by chance every day otherwise. An alert is written once (a repeated
run, or the next day's run while the drop lasts, finds the alert it already wrote) and goes to
the service managers of the organisations that run the service and of the survey's owner, in
the app and by e-mail through the outbox.

Answers are read from the database (`ratings_from_database`, themes.texts_from_database) or,
equally, from the columnar extract (`ratings_from_extract`, themes.texts_from_extract).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from scipy.stats import norm, ttest_ind

from luukku.accounts.models import User
from luukku.accounts.roles import Role
from luukku.catalogue.models import Service
from luukku.notifications.models import Notification
from luukku.notifications.services import notify
from luukku.organisations.models import Organisation
from luukku.surveys.models import Answer, Response, Survey

from .estimates import Estimate, weighted_mean, weighted_share
from .extract import question_measures
from .models import InsightAlert
from .themes import TextRecord, find_themes, texts_from_database, two_proportion_z

RECENT_DAYS = 28
BASELINE_DAYS = 84
MIN_RECENT = 30
MIN_BASELINE = 30
MIN_DROP = 0.3  # points on the 1–5 scale
MIN_SURGE = 0.10  # share of written answers
FALSE_DISCOVERY_RATE = 0.05
COMPLAINT_MAX_RATING = 2
MEASURE = "satisfaction"

Group = tuple[int | None, int | None]  # (survey organisation, service)


@dataclass(frozen=True)
class Rating:
    """One respondent's satisfaction rating with what alerts group it by."""

    organisation_id: int | None
    service_id: int | None
    submitted: date
    value: float


@dataclass(frozen=True)
class Windows:
    recent_start: date
    end: date
    baseline_start: date

    @classmethod
    def ending(cls, today: date) -> Windows:
        recent_start = today - timedelta(days=RECENT_DAYS - 1)
        return cls(recent_start, today, recent_start - timedelta(days=BASELINE_DAYS))

    def is_recent(self, day: date) -> bool:
        return self.recent_start <= day <= self.end

    def is_baseline(self, day: date) -> bool:
        return self.baseline_start <= day < self.recent_start


@dataclass(frozen=True)
class Finding:
    """A tested group: its p-value decides, with the others', whether it is alerted."""

    kind: str
    group: Group
    p_value: float
    large_enough: bool
    evidence: dict[str, Any]
    theme: str = ""


def ratings_from_database(since: date, until: date) -> list[Rating]:
    """Satisfaction ratings of complete customer-survey responses submitted since..until."""
    questions = [pk for pk, measure in question_measures().items() if measure == MEASURE]
    rows = Answer.objects.filter(
        question__in=questions,
        number__isnull=False,
        response__status=Response.Status.COMPLETE,
        response__survey__kind=Survey.Kind.CUSTOMER,
        response__submitted_at__gte=_day_start(since),
        response__submitted_at__lt=_day_start(until + timedelta(days=1)),
    ).values_list(
        "response__survey__organisation_id",
        "response__service_id",
        "response__submitted_at",
        "number",
    )
    return [
        Rating(org, service, timezone.localtime(submitted_at).date(), float(number))
        for org, service, submitted_at, number in rows
        if number is not None
    ]


def ratings_from_extract(con: Any, since: date, until: date) -> list[Rating]:
    """The same ratings from the columnar extract."""
    rows = con.execute(
        """
        SELECT r.survey_organisation_id, r.service_id, r.submitted, s.value
        FROM scores s JOIN responses r USING (response_id)
        WHERE s.measure = ? AND r.submitted BETWEEN ? AND ?
        """,
        [MEASURE, since, until],
    ).fetchall()
    return [Rating(*row) for row in rows]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def benjamini_hochberg(p_values: Sequence[float], q: float = FALSE_DISCOVERY_RATE) -> list[bool]:
    """Which hypotheses are rejected keeping the expected share of false alarms under q."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    passing = [rank for rank, i in enumerate(order, start=1) if p_values[i] <= rank * q / m]
    cutoff = max(passing, default=0)
    rejected = [False] * m
    for i in order[:cutoff]:
        rejected[i] = True
    return rejected


def _summary(estimate: Estimate) -> dict[str, Any]:
    return {"n": estimate.n, "mean": estimate.value, "low": estimate.low, "high": estimate.high}


def _share_summary(estimate: Estimate) -> dict[str, Any]:
    """A share of written answers (0–1) with its interval; no "mean", as it is not one."""
    return {
        "n": estimate.n,
        "share": (estimate.value or 0.0) / 100,
        "low": estimate.low / 100 if estimate.low is not None else None,
        "high": estimate.high / 100 if estimate.high is not None else None,
    }


def drop_findings(ratings: Iterable[Rating], windows: Windows) -> list[Finding]:
    """A one-sided Welch test per group with enough answers in both windows."""
    values: dict[Group, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for rating in ratings:
        group = (rating.organisation_id, rating.service_id)
        if windows.is_recent(rating.submitted):
            values[group][0].append(rating.value)
        elif windows.is_baseline(rating.submitted):
            values[group][1].append(rating.value)
    findings = []
    for group, (recent, baseline) in sorted(values.items(), key=lambda item: str(item[0])):
        if len(recent) < MIN_RECENT or len(baseline) < MIN_BASELINE:
            continue
        test = ttest_ind(recent, baseline, equal_var=False, alternative="less")
        p_value = float(test.pvalue) if np.isfinite(test.pvalue) else 1.0
        before, after = weighted_mean(baseline), weighted_mean(recent)
        drop = (before.value or 0.0) - (after.value or 0.0)
        findings.append(
            Finding(
                kind=InsightAlert.Kind.DROP,
                group=group,
                p_value=p_value,
                large_enough=drop >= MIN_DROP,
                evidence={
                    "baseline": _summary(before),
                    "recent": _summary(after),
                    "difference": -drop,
                    "test": "Welch t-test, one-sided",
                    "statistic": float(test.statistic) if np.isfinite(test.statistic) else 0.0,
                    "p_value": p_value,
                },
            )
        )
    return findings


def surge_findings(texts: Iterable[TextRecord], windows: Windows) -> list[Finding]:
    """Per group, the themes of its complaint texts: has any theme's share of texts grown?"""
    by_group: dict[Group, list[TextRecord]] = defaultdict(list)
    for record in texts:
        if windows.baseline_start <= record.submitted <= windows.end:
            by_group[(record.organisation_id, record.service_id)].append(record)
    findings = []
    for group, records in sorted(by_group.items(), key=lambda item: str(item[0])):
        n_recent = sum(windows.is_recent(r.submitted) for r in records)
        n_baseline = len(records) - n_recent
        if n_recent < MIN_RECENT or n_baseline < MIN_BASELINE:
            continue
        complaints = [
            r for r in records if r.rating is not None and r.rating <= COMPLAINT_MAX_RATING
        ]
        for theme in find_themes(complaints).themes:
            recent_members = [complaints[i] for i in theme.members]
            x_recent = sum(windows.is_recent(r.submitted) for r in recent_members)
            x_baseline = theme.count - x_recent
            z = two_proportion_z(x_recent, n_recent, x_baseline, n_baseline)
            p_value = float(norm.sf(z))
            before = weighted_share([1.0] * x_baseline + [0.0] * (n_baseline - x_baseline))
            after = weighted_share([1.0] * x_recent + [0.0] * (n_recent - x_recent))
            findings.append(
                Finding(
                    kind=InsightAlert.Kind.THEME_SURGE,
                    group=group,
                    theme=theme.label,
                    p_value=p_value,
                    large_enough=x_recent / n_recent - x_baseline / n_baseline >= MIN_SURGE,
                    evidence={
                        "baseline": _share_summary(before),
                        "recent": _share_summary(after),
                        "test": "two-proportion z-test, one-sided",
                        "statistic": z,
                        "p_value": p_value,
                        "quotes": list(theme.quotes),
                        "terms": list(theme.terms),
                    },
                )
            )
    return findings


def significant(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that pass Benjamini–Hochberg (per kind) and are large enough to matter."""
    kept: list[Finding] = []
    for kind in InsightAlert.Kind.values:
        of_kind = [f for f in findings if f.kind == kind]
        rejected = benjamini_hochberg([f.p_value for f in of_kind])
        kept.extend(f for f, r in zip(of_kind, rejected, strict=True) if r and f.large_enough)
    return kept


def detect_alerts(
    now: datetime | None = None,
    *,
    ratings: Iterable[Rating] | None = None,
    texts: Iterable[TextRecord] | None = None,
) -> list[InsightAlert]:
    """Find today's significant drops and surges; write and send the new ones, return them.

    Reads the database unless the answers are given (e.g. from the extract).
    """
    windows = Windows.ending(timezone.localdate(now or timezone.now()))
    if ratings is None:
        ratings = ratings_from_database(windows.baseline_start, windows.end)
    if texts is None:
        texts = texts_from_database(windows.baseline_start, windows.end)
    findings = significant([*drop_findings(ratings, windows), *surge_findings(texts, windows)])
    created = []
    for finding in findings:
        alert = _record(finding, windows)
        if alert is not None:
            created.append(alert)
    return created


def _record(finding: Finding, windows: Windows) -> InsightAlert | None:
    """Write the alert and its notifications in one transaction, unless it was alerted already
    (same kind, group and theme with a recent window overlapping this one)."""
    organisation_id, service_id = finding.group
    with transaction.atomic():
        # `None` matches a missing service (IS NULL), as the alert stores it.
        same_group: dict[str, Any] = {
            "organisation_id": organisation_id,
            "service_id": service_id,
        }
        already = InsightAlert.objects.filter(
            kind=finding.kind,
            theme=finding.theme,
            period_end__gte=windows.recent_start,
            **same_group,
        )
        if already.exists():
            return None
        service = Service.objects.filter(pk=service_id).first() if service_id else None
        organisation = (
            Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
        )
        alert = InsightAlert.objects.create(
            key=InsightAlert.key_for(
                kind=finding.kind,
                service_id=service_id,
                organisation_id=organisation_id,
                theme=finding.theme,
                start=windows.recent_start,
            ),
            kind=finding.kind,
            service=service,
            organisation=organisation,
            measure=MEASURE,
            theme=finding.theme,
            period_start=windows.recent_start,
            period_end=windows.end,
            evidence={
                **finding.evidence,
                "subject": _subject(service, organisation),
                "baseline_period": [str(windows.baseline_start), str(windows.recent_start)],
            },
        )
        _send(alert, recipients(service, organisation))
    return alert


def _subject(service: Service | None, organisation: Organisation | None) -> str:
    """What the alert is about, as the Finnish-speaking manager knows it."""
    if service is not None:
        return service.name("fi")
    return organisation.name("fi") if organisation is not None else ""


def recipients(service: Service | None, organisation: Organisation | None) -> list[User]:
    """The service managers of the organisations that run the service and of the survey's."""
    organisations = Q(pk=organisation.pk) if organisation is not None else Q(pk__in=[])
    if service is not None:
        organisations |= Q(service_roles__service=service)
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.SERVICE_MANAGER,
            memberships__organisation__in=Organisation.objects.filter(organisations),
        )
        .distinct()
        .order_by("pk")
    )


def _send(alert: InsightAlert, users: Sequence[User]) -> None:
    """In the app with the quotes; by e-mail without them: an e-mail leaves the system, and a
    scrubbed text may still tell something about someone's health or life."""
    with translation.override("fi"):
        subject = (
            _("Satisfaction dropped: %(subject)s")
            if alert.kind == InsightAlert.Kind.DROP
            else _("Complaints increased: %(subject)s")
        ) % {"subject": alert.evidence["subject"]}
        summary = alert.summary()
        pointer = _("The alert and its evidence are on the insights pages.")
        quotes = alert.evidence.get("quotes") or []
        quoted = [_("What respondents wrote:"), *(f"“{quote}”" for quote in quotes)]
    bodies = {
        Notification.Channel.IN_APP: "\n\n".join([summary, *(quoted if quotes else [])]),
        Notification.Channel.EMAIL: "\n\n".join([summary, pointer]),
    }
    for user in users:
        for channel, body in bodies.items():
            notify(
                kind="insight_alert",
                subject=subject[:200],
                body=body,
                recipient=user,
                channel=channel,
                dedupe_key=f"insight-alert:{alert.pk}:{user.pk}:{channel}",
            )
