"""Staff roles and what each may do. Permission names are constants here and nowhere else."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_SERVICE_AGENT = "customer_service_agent", _("customer service agent")
    CASE_OWNER = "case_owner", _("case owner")
    SERVICE_MANAGER = "service_manager", _("service manager")
    ANALYST = "analyst", _("analyst")
    ORGANISATION_ADMIN = "organisation_admin", _("organisation admin")
    REGION_ADMIN = "region_admin", _("region admin")


# Permissions: what a role lets a user do inside the organisations the role is scoped to.
VIEW_STAFF_PAGES = "view_staff_pages"
VIEW_ALLIANCE = "view_alliance"
MANAGE_CATALOGUE = "manage_catalogue"
HANDLE_ACCESSIBILITY_FEEDBACK = "handle_accessibility_feedback"
# Handle feedback and service requests (intake): for now, merge duplicates.
HANDLE_FEEDBACK = "handle_feedback"
VIEW_AUDIT_LOG = "view_audit_log"
MANAGE_MEMBERS = "manage_members"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CUSTOMER_SERVICE_AGENT: frozenset({VIEW_STAFF_PAGES, HANDLE_FEEDBACK}),
    Role.CASE_OWNER: frozenset({VIEW_STAFF_PAGES, HANDLE_FEEDBACK}),
    Role.SERVICE_MANAGER: frozenset({VIEW_STAFF_PAGES, VIEW_ALLIANCE, MANAGE_CATALOGUE}),
    Role.ANALYST: frozenset({VIEW_STAFF_PAGES, VIEW_ALLIANCE}),
    Role.ORGANISATION_ADMIN: frozenset(
        {VIEW_STAFF_PAGES, MANAGE_CATALOGUE, MANAGE_MEMBERS, VIEW_AUDIT_LOG}
    ),
    Role.REGION_ADMIN: frozenset(
        {
            VIEW_STAFF_PAGES,
            VIEW_ALLIANCE,
            MANAGE_CATALOGUE,
            MANAGE_MEMBERS,
            VIEW_AUDIT_LOG,
            HANDLE_ACCESSIBILITY_FEEDBACK,
            HANDLE_FEEDBACK,
        }
    ),
}
