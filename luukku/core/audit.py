"""The one helper every feature calls when it reads or changes personal data."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from .identifiers import mask_identity_codes_in
from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind `TRUSTED_PROXY_COUNT` proxies, from X-Forwarded-For.

    Each proxy appends the address it received the request from, so the client is the entry
    that many places from the end (the same rule as DRF's NUM_PROXIES). Entries further left
    were written by the client itself and prove nothing.
    """
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(proxies, len(hops))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    purpose: str = "",
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Write one audit row. Identity codes in `purpose`, `details` or `actor_label` are masked.

    `actor_label` names an actor who is not a logged-in user, e.g. the username a failed login
    tried; for a logged-in `actor` the username is taken from the user.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    label = user.get_username() if user is not None else actor_label
    return AuditEvent.objects.create(
        actor=user,
        actor_label=mask_identity_codes_in(label)[:150],
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        purpose=mask_identity_codes_in(purpose)[:200],
        ip_address=client_ip(request),
        details=_mask_details(details or {}),
    )


def record_read(
    *, actor: Any, target: models.Model, purpose: str, request: HttpRequest | None = None
) -> AuditEvent:
    """Log that `actor` saw personal data in `target`, and why."""
    return record(
        action=AuditEvent.Action.READ, actor=actor, target=target, purpose=purpose, request=request
    )


def _mask_details(details: dict[str, Any]) -> dict[str, Any]:
    return {key: _mask_value(value) for key, value in details.items()}


def _mask_value(value: Any) -> Any:
    """Mask identity codes in strings, however deep in dicts and lists they are."""
    if isinstance(value, str):
        return mask_identity_codes_in(value)
    if isinstance(value, dict):
        return _mask_details(value)
    if isinstance(value, list | tuple):
        return [_mask_value(item) for item in value]
    return value
