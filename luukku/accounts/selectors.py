"""Reads for the staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Membership, User
from .permissions import has_permission
from .roles import (
    HANDLE_ACCESSIBILITY_FEEDBACK,
    HANDLE_CASES,
    MANAGE_PANELS,
    VIEW_ALLIANCE,
    VIEW_STAFF_PAGES,
    VIEW_SURVEY_RESULTS,
)


@dataclass(frozen=True)
class StaffLink:
    url_name: str
    label: str | Promise
    description: str | Promise


# What a staff member may open, in the order the home page lists them, and the permission each
# needs. The Django admin is added separately: it follows `is_staff`, not a single permission.
_PERMISSION_LINKS = [
    (
        HANDLE_CASES,
        StaffLink(
            "cases:queue",
            _("Case work queue"),
            _("Your cases, your unit's service needs, triage and overdue work."),
        ),
    ),
    (
        VIEW_SURVEY_RESULTS,
        StaffLink(
            "surveys_staff:list",
            _("Surveys"),
            _("Customer and staff surveys: questions, touchpoints, QR codes, results, exports."),
        ),
    ),
    (
        VIEW_SURVEY_RESULTS,
        StaffLink(
            "insights:dashboard",
            _("Customer insight"),
            _(
                "Weighted satisfaction by service, channel and municipality, who answered, "
                "the region report and alerts."
            ),
        ),
    ),
    (
        VIEW_STAFF_PAGES,
        StaffLink(
            "surveys:staff_surveys",
            _("Staff surveys to answer"),
            _("Surveys for you as a member of staff; your answers are not linked to you."),
        ),
    ),
    (
        VIEW_STAFF_PAGES,
        StaffLink(
            "ideas:list",
            _("Staff ideas and observed needs"),
            _("Log what you see where services fail customers; managers decide what to try."),
        ),
    ),
    (
        MANAGE_PANELS,
        StaffLink(
            "panels_staff:list",
            _("Customer panels"),
            _("Recruit volunteers, draw panels by population quotas, sessions and responses."),
        ),
    ),
    (
        VIEW_ALLIANCE,
        StaffLink(
            "catalogue_staff:alliance",
            _("Alliance view"),
            _("Services offered by several producers for the same service class and area."),
        ),
    ),
    (
        HANDLE_ACCESSIBILITY_FEEDBACK,
        StaffLink(
            "accessibility:inbox",
            _("Accessibility feedback"),
            _("Reports of accessibility problems and their 14-day answer deadlines."),
        ),
    ),
]
_ADMIN_LINK = StaffLink(
    "admin:index",
    _("Catalogue upkeep (admin)"),
    _("Services, channels, organisations and roles of your organisations."),
)


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's roles with their organisations, for listing."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name_fi", "role")
    )


def staff_links(user: User) -> list[StaffLink]:
    """The staff tools this user may open."""
    links = [link for permission, link in _PERMISSION_LINKS if has_permission(user, permission)]
    if user.is_active and user.is_staff:
        links.append(_ADMIN_LINK)
    return links
