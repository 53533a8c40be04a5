"""Audit of logins, logouts and failed logins; the staff flag follows role changes.

Django's auth signals fire for every login form (ours and the admin's), so no view can forget
to audit. A failed login stores the username tried, never the password.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from luukku.core import audit
from luukku.core.models import AuditEvent

from .models import Membership, User
from .services import sync_staff_flag


@receiver(user_logged_in, dispatch_uid="luukku_audit_login")
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.record(action=AuditEvent.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="luukku_audit_logout")
def audit_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is None:  # the session had already expired: nobody to name
        return
    audit.record(action=AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="luukku_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit.record(
        action=AuditEvent.Action.LOGIN_FAILED,
        actor_label=username,
        request=request,
        details={"locked_out": locked_out},
    )


@receiver(post_save, sender=Membership, dispatch_uid="luukku_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="luukku_membership_deleted")
def membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:  # None while the user itself is being deleted (cascade)
        sync_staff_flag(user=user)
