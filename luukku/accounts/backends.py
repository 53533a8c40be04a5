"""Django model permissions derived from organisation roles.

The Django admin asks `user.has_perm("catalogue.change_service")`. Instead of keeping Django
permission rows in step with roles by hand, this backend answers from the roles: a service
manager may change services (and the admin then narrows the list to their organisations').
Changing an organisation, an area or a user account is for the region admin only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from .permissions import has_permission, is_region_admin
from .roles import MANAGE_CATALOGUE, MANAGE_MEMBERS, VIEW_AUDIT_LOG

_ALL = ("view", "add", "change", "delete")
_VIEW = ("view",)
REGION_ADMIN = "region_admin"  # pseudo-permission: held by the region admin only

# (app_label, model) → [(actions, organisation permission that grants them), ...]
MODEL_PERMISSIONS: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {
    **{
        ("catalogue", model): [(_ALL, MANAGE_CATALOGUE)]
        for model in (
            "service",
            "servicetext",
            "serviceorganisation",
            "servicechannel",
            "channeltext",
            "servicehours",
            "mobilestop",
        )
    },
    # National code lists are loaded with `load_code_lists`, never edited by hand.
    **{
        ("catalogue", model): [(_VIEW, MANAGE_CATALOGUE)]
        for model in ("serviceclass", "targetgroup", "lifeevent")
    },
    ("areas", "area"): [(_VIEW, MANAGE_CATALOGUE), (_VIEW, MANAGE_MEMBERS), (_ALL, REGION_ADMIN)],
    ("areas", "populationgroup"): [(_VIEW, MANAGE_CATALOGUE), (_ALL, REGION_ADMIN)],
    ("organisations", "organisation"): [
        (_VIEW, MANAGE_CATALOGUE),
        (_VIEW, MANAGE_MEMBERS),
        (_ALL, REGION_ADMIN),
    ],
    ("accounts", "user"): [(_VIEW, MANAGE_MEMBERS), (_ALL, REGION_ADMIN)],
    ("accounts", "membership"): [(_ALL, MANAGE_MEMBERS)],
    ("core", "auditevent"): [(_VIEW, VIEW_AUDIT_LOG)],
}


def role_permissions(user: Any) -> set[str]:
    """The Django permission names ("app.action_model") the user's roles grant."""
    granted: set[str] = set()
    region_admin = is_region_admin(user)
    for (app_label, model), rules in MODEL_PERMISSIONS.items():
        for actions, permission in rules:
            holds = region_admin if permission == REGION_ADMIN else has_permission(user, permission)
            if holds:
                granted.update(f"{app_label}.{action}_{model}" for action in actions)
    return granted


class RolePermissionBackend(BaseBackend):
    """Grants model permissions from roles; authenticates nobody (ModelBackend does)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not getattr(user_obj, "is_active", False) or user_obj.is_anonymous:
            return set()
        cached: set[str] | None = getattr(user_obj, "_role_permission_cache", None)
        if cached is None:
            cached = role_permissions(user_obj)
            user_obj._role_permission_cache = cached
        return cached

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        prefix = f"{app_label}."
        return any(perm.startswith(prefix) for perm in self.get_all_permissions(user_obj))
