"""Writes about staff accounts."""

from __future__ import annotations

from django.db import transaction

from .models import Membership, User
from .permissions import ADMIN_SITE_PERMISSIONS
from .roles import ROLE_PERMISSIONS


@transaction.atomic
def sync_staff_flag(*, user: User) -> bool:
    """Keep `is_staff` (entry to the Django admin) in step with the user's roles.

    A role that manages the catalogue, members or reads the audit log needs the admin; the admin
    itself then shows only what the role's organisations may touch. Superusers stay staff.
    Returns the new value.
    """
    roles = Membership.objects.filter(user=user).values_list("role", flat=True)
    needs_admin = user.is_superuser or any(
        ROLE_PERMISSIONS[role] & ADMIN_SITE_PERMISSIONS for role in roles
    )
    if user.is_staff != needs_admin:
        user.is_staff = needs_admin
        user.save(update_fields=["is_staff"])
    return needs_admin
