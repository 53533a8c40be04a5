"""Permission checks for staff views and APIs, in one place.

Roles are scoped to organisations (see roles.py). Views ask "may this user do X somewhere?"
with the decorator or the DRF class below; querysets are then narrowed to the organisations
where X holds with `organisation_scope`. A Django superuser passes every check: it is the
installation's break-glass account, not a role anyone works in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from luukku.organisations.models import Organisation

from .roles import MANAGE_CATALOGUE, MANAGE_MEMBERS, VIEW_AUDIT_LOG, Role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

# Holding any of these in some organisation makes a user staff (may enter the Django admin).
ADMIN_SITE_PERMISSIONS = frozenset({MANAGE_CATALOGUE, MANAGE_MEMBERS, VIEW_AUDIT_LOG})


def has_permission(user: Any, permission: str, organisation: Organisation | None = None) -> bool:
    """Whether `user` holds `permission` in `organisation` (or anywhere, without one)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.has_org_permission(permission, organisation))


def is_region_admin(user: Any) -> bool:
    """The region admin sees and edits everything, whatever organisation the role sits in."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(m.role == Role.REGION_ADMIN for m in user._memberships())


def organisation_scope(user: Any, permission: str) -> QuerySet[Organisation] | None:
    """The organisations where `permission` holds, with their units; None means all of them."""
    if is_region_admin(user):
        return None
    if not has_permission(user, permission):
        return Organisation.objects.none()
    return cast(QuerySet[Organisation], user.organisations_with(permission))


def require_org_permission(permission: str) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: anonymous users go to the login page, others without `permission` get 403.

    Works on function views directly and on class-based views through `method_decorator`.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_permission(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapped)

    return decorator


def org_permission(permission: str) -> type[BasePermission]:
    """A DRF permission class for `permission_classes`: 401/403 without the permission.

    An object that has an `organisation` is checked against that organisation (and its parents).
    """

    class HasOrgPermission(BasePermission):
        message = _("You do not have the role this needs.")

        def has_permission(self, request: Request, view: APIView) -> bool:
            return has_permission(request.user, permission)

        def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
            organisation = getattr(obj, "organisation", None)
            if not isinstance(organisation, Organisation):
                return has_permission(request.user, permission)
            return has_permission(request.user, permission, organisation)

    HasOrgPermission.__name__ = f"HasOrgPermission[{permission}]"
    return HasOrgPermission
