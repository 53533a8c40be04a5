"""The one helper every feature calls when it reads or changes personal data."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from .identifiers import mask_identity_codes_in
from .models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
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
) -> AuditEvent:
    """Write one audit row. Identity codes in `purpose` or `details` are masked first."""
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "",
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
    masked: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, str):
            masked[key] = mask_identity_codes_in(value)
        elif isinstance(value, dict):
            masked[key] = _mask_details(value)
        else:
            masked[key] = value
    return masked
