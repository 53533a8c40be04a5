"""Staff roles and what each may do. Permission names are constants here and nowhere else."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_SERVICE_AGENT = "customer_service_agent", _("customer service agent")
    CASE_OWNER = "case_owner", _("case owner")
    UNIT_LEAD = "unit_lead", _("unit lead")
    SOCIAL_HEALTH_PROFESSIONAL = (
        "social_health_professional",
        _("social and health care professional"),
    )
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
# Cases: own, take, transfer and close cases and tasks of the organisation (unit).
HANDLE_CASES = "handle_cases"
# Receive escalations and the daily digest of overdue and stalled work; see the unit's metrics.
LEAD_UNIT = "lead_unit"
# See case content marked as social and health care (asiakastiedot), where the case allows it.
VIEW_SOCIAL_HEALTH_CONTENT = "view_social_health_content"
# Decide the service for messages the router was unsure about (the triage queue).
TRIAGE_ROUTING = "triage_routing"
# Listening: build surveys and their touchpoints (the organisation's own surveys).
MANAGE_SURVEYS = "manage_surveys"
# See survey results and export them (staff survey groups under 5 stay hidden whatever the role).
VIEW_SURVEY_RESULTS = "view_survey_results"
# Customer panels (asiakasraati): recruit, draw members, run sessions, answer recommendations.
MANAGE_PANELS = "manage_panels"
# Decide on staff ideas about the organisation's services (status, reasons); anyone with staff
# pages may log, comment on and support ideas.
DECIDE_IDEAS = "decide_ideas"
VIEW_AUDIT_LOG = "view_audit_log"
MANAGE_MEMBERS = "manage_members"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CUSTOMER_SERVICE_AGENT: frozenset(
        {VIEW_STAFF_PAGES, HANDLE_FEEDBACK, HANDLE_CASES, TRIAGE_ROUTING}
    ),
    Role.CASE_OWNER: frozenset({VIEW_STAFF_PAGES, HANDLE_FEEDBACK, HANDLE_CASES}),
    Role.UNIT_LEAD: frozenset(
        {
            VIEW_STAFF_PAGES,
            HANDLE_FEEDBACK,
            HANDLE_CASES,
            LEAD_UNIT,
            TRIAGE_ROUTING,
            VIEW_SURVEY_RESULTS,
        }
    ),
    Role.SOCIAL_HEALTH_PROFESSIONAL: frozenset(
        {VIEW_STAFF_PAGES, HANDLE_CASES, VIEW_SOCIAL_HEALTH_CONTENT}
    ),
    Role.SERVICE_MANAGER: frozenset(
        {
            VIEW_STAFF_PAGES,
            VIEW_ALLIANCE,
            MANAGE_CATALOGUE,
            MANAGE_SURVEYS,
            VIEW_SURVEY_RESULTS,
            MANAGE_PANELS,
            DECIDE_IDEAS,
        }
    ),
    Role.ANALYST: frozenset({VIEW_STAFF_PAGES, VIEW_ALLIANCE, VIEW_SURVEY_RESULTS}),
    Role.ORGANISATION_ADMIN: frozenset(
        {
            VIEW_STAFF_PAGES,
            MANAGE_CATALOGUE,
            MANAGE_MEMBERS,
            VIEW_AUDIT_LOG,
            MANAGE_SURVEYS,
            VIEW_SURVEY_RESULTS,
        }
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
            HANDLE_CASES,
            LEAD_UNIT,
            TRIAGE_ROUTING,
            MANAGE_SURVEYS,
            VIEW_SURVEY_RESULTS,
            MANAGE_PANELS,
            DECIDE_IDEAS,
        }
    ),
}
