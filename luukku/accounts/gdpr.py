"""What the accounts hold about a staff member: the account, roles and login records.

Erasing a staff member deactivates the account and replaces the username with a pseudonymous
id (`core.gdpr.staff_pseudonym`), names and e-mail with nothing, and the password with an
unusable one. The row stays: cases, notes, ideas and audit events keep pointing at it, so what
the person did stays attributed to one (pseudonymous) actor, and the roles stay so that an
organisation admin still sees those events in their scope. The login records (django-axes)
carry the pseudonym too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db.models import Q, QuerySet

from luukku.core import gdpr
from luukku.core.gdpr import Kind, Person, Record

from .models import User

RETENTION_SETTING = "LUUKKU_STAFF_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 365
_LOGIN_MODELS = (AccessAttempt, AccessFailureLog, AccessLog)

KINDS = (
    Kind(
        key="staff_account",
        models=(
            "accounts.User",
            "accounts.Membership",
        ),
        description="The staff account: username, name, e-mail, roles, last login.",
        purpose="Signing in and organisation-scoped access rights.",
        legal_basis="Employment and public task (GDPR 6(1)(b), (e)).",
        retention=f"Deactivated accounts pseudonymised {RETENTION_SETTING} (default 1 year) "
        "after the last login.",
    ),
    Kind(
        key="login_records",
        models=(
            "axes.AccessAttempt",
            "axes.AccessFailureLog",
            "axes.AccessLog",
        ),
        description="Sign-ins and failed sign-ins: time, address, browser.",
        purpose="Security: throttling password guessing, investigating misuse.",
        legal_basis="Legal obligation (GDPR 6(1)(c), art. 32).",
        retention="With the account; an erased account's records carry its pseudonym.",
    ),
)


def users_of(person: Person) -> QuerySet[User]:
    if not person.username:
        return User.objects.none()
    return User.objects.filter(username=person.username)


def find(person: Person) -> list[Record]:
    records = [Record.of("staff_account", user) for user in users_of(person)]
    if person.username:
        for model in _LOGIN_MODELS:
            records += [
                Record.of("login_records", r)
                for r in model.objects.filter(username=person.username)
            ]
    return records


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    accounts = []
    for user in users_of(person).prefetch_related("memberships__organisation"):
        item = gdpr.row(
            user,
            ("username", "first_name", "last_name", "email", "is_active", "date_joined"),
        ) | gdpr.row(user, ("last_login",))
        item["roles"] = [
            gdpr.row(m, ("organisation", "role", "granted_at")) for m in user.memberships.all()
        ]
        accounts.append(item)
    logins = []
    if person.username:
        for model in _LOGIN_MODELS:
            logins += [
                {"type": model.__name__}
                | gdpr.row(record, ("attempt_time", "ip_address", "user_agent", "path_info"))
                for record in model.objects.filter(username=person.username).order_by("pk")
            ]
    return {"staff_account": accounts, "login_records": logins}


def pseudonymise_users(pks: list[int]) -> int:
    changed = 0
    for user in User.objects.filter(pk__in=pks):
        if user.username.startswith(gdpr.STAFF_PSEUDONYM_PREFIX):
            continue
        old, user.username = user.username, gdpr.staff_pseudonym(user.username)
        user.first_name = user.last_name = user.email = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(
            update_fields=["username", "first_name", "last_name", "email", "is_active", "password"]
        )
        for model in _LOGIN_MODELS:
            model.objects.filter(username=old).update(username=user.username)
        changed += 1
    return changed


def erase(person: Person, now: datetime) -> dict[str, int]:
    logins = 0
    if person.username:
        logins = sum(
            model.objects.filter(username=person.username).count() for model in _LOGIN_MODELS
        )
    accounts = pseudonymise_users(list(users_of(person).values_list("pk", flat=True)))
    return {"staff_account": accounts, "login_records": logins}


def expired_users(now: datetime) -> QuerySet[User]:
    """Deactivated accounts not used within the retention period, not yet pseudonymised."""
    cutoff = now - timedelta(days=gdpr.retention_days(RETENTION_SETTING, DEFAULT_RETENTION_DAYS))
    return (
        User.objects.filter(is_active=False)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(username__startswith=gdpr.STAFF_PSEUDONYM_PREFIX)
    )


def apply_retention(now: datetime) -> int:
    """Pseudonymise expired accounts; their audit events follow (same pseudonym)."""
    return sum(gdpr.in_batches(expired_users(now), _retire))


def _retire(pks: list[int]) -> int:
    usernames = list(User.objects.filter(pk__in=pks).values_list("username", flat=True))
    changed = pseudonymise_users(pks)
    for username in usernames:
        gdpr.pseudonymise_audit_of(username)
    return changed


gdpr.register(
    gdpr.Provider(app_label="accounts", kinds=KINDS, find=find, export=export, erase=erase)
)
