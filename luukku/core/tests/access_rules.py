"""Who may open each URL: the rule table that test_permission_matrix.py checks against the URLconf.

Every URL pattern of the project is either declared PUBLIC here (with the reason) or has a RULE:
the roles that may use it in their own organisation, and whether it names an object that belongs
to one organisation (then a user of another organisation must be refused, whatever their role).
A new URL pattern without an entry fails test_every_url_pattern_has_an_access_rule: add it here.

Keys are the URL pattern's name with its namespaces ("cases:case"); a pattern without a name is
keyed by its full route ("open311/v2/^(?P<path>.*)$").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from luukku.accounts import roles
from luukku.accounts.roles import ROLE_PERMISSIONS, Role

ALL_ROLES: tuple[str, ...] = tuple(Role.values)
# Roles that open the Django admin at all (accounts.services.sync_staff_flag sets is_staff).
ADMIN_SITE_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ORGANISATION_ADMIN, Role.REGION_ADMIN})
NOBODY: frozenset[str] = frozenset()
REGION_ADMIN_ONLY = frozenset({Role.REGION_ADMIN})


def holders(permission: str) -> frozenset[str]:
    """The roles that grant `permission` (roles.ROLE_PERMISSIONS is the single source)."""
    return frozenset(role for role, granted in ROLE_PERMISSIONS.items() if permission in granted)


@dataclass(frozen=True)
class Rule:
    """Who may use one URL pattern.

    roles: roles allowed on an object of their own organisation (or on the page at all).
    scoped: the URL names an object of one organisation; another organisation's user is refused
        unless their role is in `cross_org`.
    any_user: any logged-in user, even without a role (their own inbox, the staff surveys list).
    method: how the matrix calls it; POST-only views are posted to without a form (deny rows
        must be refused; allow rows must get past the permission check, not necessarily succeed).
    kind: "html" (anonymous → login page), "api" (anonymous → 401/403) or "admin" (anonymous →
        the admin's login page).
    ok: success codes for an allowed GET (a page that redirects on purpose lists 302).
    forms: the view accepts POST (checked by test_csrf.py).
    variants: query strings asked too (tabs of one page that show different data).
    refusal_names_object: the refusal page names the object on purpose (its title only).
    """

    roles: frozenset[str]
    scoped: bool
    any_user: bool = False
    method: str = "GET"
    kind: str = "html"
    ok: tuple[int, ...] = (200,)
    cross_org: frozenset[str] = field(default_factory=frozenset)
    forms: bool = False
    variants: tuple[str, ...] = ("",)
    refusal_names_object: bool = False
    note: str = ""

    def allows(self, role: str | None, *, own_org: bool) -> bool:
        """The expected answer for a user holding `role` (None: a user with no role)."""
        if role is None:
            return self.any_user
        if self.any_user and not self.roles:
            return True
        if role not in self.roles:
            return False
        return own_org or not self.scoped or role in self.cross_org


def staff(
    permission: str,
    *,
    scoped: bool,
    post_only: bool = False,
    forms: bool = False,
    ok: tuple[int, ...] = (200,),
    cross_org: frozenset[str] = NOBODY,
    note: str = "",
) -> Rule:
    """A staff page behind `require_org_permission(permission)`."""
    return Rule(
        roles=holders(permission),
        scoped=scoped,
        method="POST" if post_only else "GET",
        forms=forms or post_only,
        ok=ok,
        cross_org=cross_org,
        note=note,
    )


def logged_in(*, forms: bool = False, post_only: bool = False, note: str = "") -> Rule:
    """Any logged-in user: the page shows only their own things."""
    return Rule(
        roles=NOBODY,
        scoped=False,
        any_user=True,
        method="POST" if post_only else "GET",
        forms=forms or post_only,
        note=note,
    )


# --- public: no login, on purpose -------------------------------------------------------------

PUBLIC: dict[str, str] = {
    "catalogue:home": "service catalogue",
    "catalogue:search": "service catalogue",
    "catalogue:life_events": "service catalogue",
    "catalogue:life_event": "service catalogue",
    "catalogue:target_groups": "service catalogue",
    "catalogue:target_group": "service catalogue",
    "catalogue:domain": "service catalogue",
    "catalogue:service": "service catalogue",
    "api:service-list": "service catalogue API (open data)",
    "api:service-detail": "service catalogue API (open data)",
    "api-schema": "OpenAPI document of the public APIs",
    "accessibility:statement": "accessibility statement (required by law)",
    "accessibility:feedback": "accessibility feedback form for anyone",
    "accessibility:receipt": "receipt of that form",
    "intake_public:start": "feedback form",
    "intake_public:write": "feedback form",
    "intake_public:find": "status of one's own feedback, by its id",
    "intake_public:status": "status of one's own feedback, by its id (no personal data shown)",
    "surveys:invitation": "survey answering by an invitation token",
    "surveys:touchpoint": "survey answering by an open link",
    "surveys:kiosk": "survey answering on a kiosk",
    "surveys:kiosk_thanks": "survey answering on a kiosk",
    "surveys:thanks": "survey answering",
    "surveys_api:responses": "survey answers from touchpoints (public, rate-limited by touchpoint)",
    "panels:list": "customer panels sign-up",
    "panels:recommendations": "customer panels' published recommendations",
    "panels:panel": "customer panels sign-up",
    "panels:signup": "customer panels sign-up",
    "panels:thanks": "customer panels sign-up",
    "set_language": "language switch (i18n)",
    "accounts:login": "the staff login page itself",
    "accounts:logout": "logging out",
    "admin:login": "the admin's login page itself",
    "admin:logout": "logging out of the admin",
    "open311:openapi": "Open311 GeoReport v2 reads are public by the standard",
    "open311:discovery": "Open311 GeoReport v2 reads are public by the standard",
    "open311:services": "Open311 GeoReport v2 reads are public by the standard",
    "open311:service": "Open311 GeoReport v2 reads are public by the standard",
    "open311:requests": (
        "Open311 reads are public by the standard (public fields only); POST needs an API key "
        "(luukku/intake/tests cover the key)"
    ),
    "open311:request": "Open311 GeoReport v2 reads are public by the standard",
    "open311:token": "Open311 GeoReport v2 reads are public by the standard",
    "open311/v2/^(?P<path>.*)$": "Open311's own 404 for unknown paths",
    "healthz": "the load balancer's health check (no data)",
}

# --- staff pages, APIs and the admin ----------------------------------------------------------

HANDLE_CASES = roles.HANDLE_CASES
MANAGE_SURVEYS = roles.MANAGE_SURVEYS
SURVEY_RESULTS = roles.VIEW_SURVEY_RESULTS
MANAGE_PANELS = roles.MANAGE_PANELS
STAFF_PAGES = roles.VIEW_STAFF_PAGES


def _case_page(*, post_only: bool = False, forms: bool = False) -> Rule:
    return staff(HANDLE_CASES, scoped=True, post_only=post_only, forms=forms)


RULES: dict[str, Rule] = {
    # Accounts and notifications: only the user's own things.
    "accounts:home": logged_in(note="the staff front page lists what the user's roles open"),
    "notifications:inbox": logged_in(note="the user's own notifications"),
    "notifications:mark_read": logged_in(post_only=True, note="the user's own notifications"),
    # Catalogue (staff): the alliance view across organisations is for VIEW_ALLIANCE.
    "catalogue_staff:alliance": staff(roles.VIEW_ALLIANCE, scoped=False),
    "catalogue_staff:alliance_csv": staff(roles.VIEW_ALLIANCE, scoped=False),
    # Intake (staff)
    "intake_staff:merge": staff(
        roles.HANDLE_FEEDBACK, scoped=True, forms=True, cross_org=REGION_ADMIN_ONLY
    ),
    # Cases
    "cases:queue": Rule(
        roles=holders(HANDLE_CASES),
        scoped=False,
        variants=(
            "",
            "?tab=unit",
            "?tab=transition",
            "?tab=overdue",
            "?tab=stalled",
            "?tab=triage",
        ),
    ),
    "cases:open": staff(HANDLE_CASES, scoped=False, forms=True),
    "cases:metrics": staff(roles.LEAD_UNIT, scoped=False),
    "cases:triage_item": staff(
        roles.TRIAGE_ROUTING,
        scoped=False,
        forms=True,
        note="the triage queue is region-wide: a message has no organisation until decided",
    ),
    "cases:case": _case_page(),
    "cases:add_note": _case_page(post_only=True),
    "cases:customer_update": _case_page(post_only=True),
    "cases:next_action": _case_page(post_only=True),
    "cases:take": _case_page(post_only=True),
    "cases:transfer": _case_page(forms=True),
    "cases:add_task": _case_page(forms=True),
    "cases:update_task": _case_page(post_only=True),
    "cases:give_consent": _case_page(forms=True),
    "cases:revoke_consent": _case_page(post_only=True),
    "cases:close": _case_page(forms=True),
    "cases:reopen": _case_page(forms=True),
    "cases:merge": _case_page(forms=True),
    "cases:split": _case_page(forms=True),
    # Surveys (staff)
    "surveys_staff:list": staff(SURVEY_RESULTS, scoped=False, cross_org=REGION_ADMIN_ONLY),
    "surveys_staff:create": staff(MANAGE_SURVEYS, scoped=False, forms=True),
    "surveys_staff:qr": staff(MANAGE_SURVEYS, scoped=True, cross_org=REGION_ADMIN_ONLY),
    "surveys_staff:survey": staff(SURVEY_RESULTS, scoped=True, cross_org=REGION_ADMIN_ONLY),
    "surveys_staff:edit": staff(
        MANAGE_SURVEYS, scoped=True, forms=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:status": staff(
        MANAGE_SURVEYS, scoped=True, post_only=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:add_question": staff(
        MANAGE_SURVEYS, scoped=True, forms=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:edit_question": staff(
        MANAGE_SURVEYS, scoped=True, forms=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:move_question": staff(
        MANAGE_SURVEYS, scoped=True, post_only=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:delete_question": staff(
        MANAGE_SURVEYS, scoped=True, post_only=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:add_touchpoint": staff(
        MANAGE_SURVEYS, scoped=True, forms=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:touchpoint_active": staff(
        MANAGE_SURVEYS, scoped=True, post_only=True, cross_org=REGION_ADMIN_ONLY
    ),
    "surveys_staff:results": staff(SURVEY_RESULTS, scoped=True, cross_org=REGION_ADMIN_ONLY),
    "surveys_staff:export": staff(SURVEY_RESULTS, scoped=True, cross_org=REGION_ADMIN_ONLY),
    # Staff surveys are answered by the staff they are about: any logged-in user sees the list
    # of their own organisations' staff surveys; answering checks eligibility by organisation.
    "surveys:staff_surveys": logged_in(note="the staff surveys of the user's own organisations"),
    "surveys:staff_answer": Rule(
        roles=frozenset(ALL_ROLES),
        scoped=True,
        forms=True,
        refusal_names_object=True,
        note="a staff survey is answered by the staff of its own organisation only; the refusal "
        "says which survey it was (its title)",
    ),
    # Ideas are shared across the region on purpose (ideas.selectors: "every staff member sees
    # every idea"): any staff member reads, logs, comments on and supports any idea; deciding is
    # for the organisations responsible for the idea's services.
    "ideas:list": staff(STAFF_PAGES, scoped=False, cross_org=frozenset(ALL_ROLES)),
    "ideas:submit": staff(STAFF_PAGES, scoped=False, forms=True),
    "ideas:detail": staff(STAFF_PAGES, scoped=False, cross_org=frozenset(ALL_ROLES)),
    "ideas:edit": Rule(
        roles=NOBODY,
        scoped=True,
        forms=True,
        note="only the idea's author edits it (tested as a user with no role: nobody else)",
    ),
    "ideas:comment": staff(
        STAFF_PAGES, scoped=False, post_only=True, cross_org=frozenset(ALL_ROLES)
    ),
    "ideas:support": staff(
        STAFF_PAGES, scoped=False, post_only=True, cross_org=frozenset(ALL_ROLES)
    ),
    "ideas:decide": staff(
        roles.DECIDE_IDEAS, scoped=True, post_only=True, cross_org=REGION_ADMIN_ONLY
    ),
    # Panels (staff)
    "panels_staff:list": staff(MANAGE_PANELS, scoped=False, cross_org=REGION_ADMIN_ONLY),
    "panels_staff:create": staff(MANAGE_PANELS, scoped=False, forms=True),
    **{
        f"panels_staff:{name}": staff(
            MANAGE_PANELS,
            scoped=True,
            post_only=post_only,
            forms=forms,
            ok=ok,
            cross_org=REGION_ADMIN_ONLY,
        )
        for name, post_only, forms, ok in (
            ("panel", False, False, (200,)),
            ("edit", False, True, (200,)),
            ("close", True, True, (200,)),
            ("volunteers", False, False, (200,)),
            ("volunteer", False, False, (200,)),
            ("draw", False, True, (200,)),
            ("report", False, False, (200, 302)),
            ("members", False, False, (200,)),
            ("withdraw", True, True, (200,)),
            ("sessions", False, True, (200,)),
            ("session", False, True, (200,)),
            ("respond", True, True, (200,)),
        )
    },
    # Insights: pages across organisations, narrowed inside to the user's organisations.
    **{
        f"insights:{name}": staff(SURVEY_RESULTS, scoped=False, cross_org=REGION_ADMIN_ONLY)
        for name in (
            "dashboard",
            "export",
            "representativeness",
            "report",
            "report_pdf",
            "themes",
            "alerts",
        )
    },
    # Accessibility feedback is handled region-wide (the region answers for the site).
    "accessibility:inbox": staff(roles.HANDLE_ACCESSIBILITY_FEEDBACK, scoped=False),
    "accessibility:item": staff(roles.HANDLE_ACCESSIBILITY_FEEDBACK, scoped=False, forms=True),
    # APIs
    "routing-api:suggest": Rule(
        roles=holders(roles.TRIAGE_ROUTING) | holders(HANDLE_CASES),
        scoped=False,
        kind="api",
        ok=(200, 400),
        note="an API key, or a staff session with HANDLE_CASES or TRIAGE_ROUTING; asked without "
        "a text, so an allowed caller gets 400",
    ),
}


# --- the Django admin -------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminModel:
    """Who sees a model in the admin: list/view, add, and whether objects have an organisation.

    scoped: an object of another organisation is not shown to a non-region-admin (its change
        page answers with the admin's "does not exist" redirect, 302, or 403).
    change_ok: what an allowed user gets on the change page (200; some are read-only).
    """

    view: frozenset[str]
    add: frozenset[str]
    scoped: bool
    delete: frozenset[str] | None = None


_CATALOGUE = holders(roles.MANAGE_CATALOGUE)
_MEMBERS = holders(roles.MANAGE_MEMBERS)
_AUDIT = holders(roles.VIEW_AUDIT_LOG)

ADMIN_MODELS: dict[str, AdminModel] = {
    "auth_group": AdminModel(view=NOBODY, add=NOBODY, scoped=False),
    "axes_accessattempt": AdminModel(view=NOBODY, add=NOBODY, scoped=False),
    "axes_accesslog": AdminModel(view=NOBODY, add=NOBODY, scoped=False),
    "axes_accessfailurelog": AdminModel(view=NOBODY, add=NOBODY, scoped=False),
    "core_auditevent": AdminModel(view=_AUDIT, add=NOBODY, scoped=True, delete=NOBODY),
    "areas_area": AdminModel(
        view=_CATALOGUE | _MEMBERS, add=REGION_ADMIN_ONLY, scoped=False, delete=REGION_ADMIN_ONLY
    ),
    "organisations_organisation": AdminModel(
        view=_CATALOGUE | _MEMBERS, add=REGION_ADMIN_ONLY, scoped=False, delete=REGION_ADMIN_ONLY
    ),
    "accounts_user": AdminModel(
        view=_MEMBERS, add=REGION_ADMIN_ONLY, scoped=False, delete=REGION_ADMIN_ONLY
    ),
    "accounts_membership": AdminModel(view=_MEMBERS, add=_MEMBERS, scoped=True),
    "catalogue_service": AdminModel(view=_CATALOGUE, add=_CATALOGUE, scoped=True),
    "catalogue_servicechannel": AdminModel(view=_CATALOGUE, add=_CATALOGUE, scoped=True),
    "catalogue_serviceclass": AdminModel(view=_CATALOGUE, add=NOBODY, scoped=False, delete=NOBODY),
    "catalogue_targetgroup": AdminModel(view=_CATALOGUE, add=NOBODY, scoped=False, delete=NOBODY),
    "catalogue_lifeevent": AdminModel(view=_CATALOGUE, add=NOBODY, scoped=False, delete=NOBODY),
    "intake_apiclient": AdminModel(
        view=REGION_ADMIN_ONLY, add=REGION_ADMIN_ONLY, scoped=False, delete=NOBODY
    ),
    "intake_serviceattribute": AdminModel(view=_CATALOGUE, add=_CATALOGUE, scoped=True),
    # Every admin user may moderate the requests their organisations answer for.
    "intake_servicerequest": AdminModel(
        view=ADMIN_SITE_ROLES, add=NOBODY, scoped=True, delete=NOBODY
    ),
    "notifications_notification": AdminModel(view=NOBODY, add=NOBODY, scoped=False),
    "router_routermodel": AdminModel(
        view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY
    ),
    "router_routingexample": AdminModel(
        view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=REGION_ADMIN_ONLY
    ),
    "router_triageitem": AdminModel(view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False),
    "cases_case": AdminModel(view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY),
    "cases_customer": AdminModel(view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY),
    # Service levels belong to a service: its organisations' catalogue managers set them.
    "cases_servicelevel": AdminModel(view=_CATALOGUE, add=_CATALOGUE, scoped=True),
    "surveys_survey": AdminModel(view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY),
    "surveys_question": AdminModel(view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY),
    "surveys_invitation": AdminModel(
        view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY
    ),
    "surveys_response": AdminModel(view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=NOBODY),
    "ideas_idea": AdminModel(
        view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=REGION_ADMIN_ONLY
    ),
    "ideas_ideacomment": AdminModel(
        view=REGION_ADMIN_ONLY, add=NOBODY, scoped=False, delete=REGION_ADMIN_ONLY
    ),
}


def _admin_rules() -> dict[str, Rule]:
    def rule(allowed: frozenset[str], scoped: bool, *, ok: tuple[int, ...] = (200,)) -> Rule:
        return Rule(
            roles=allowed,
            scoped=scoped,
            kind="admin",
            ok=ok,
            cross_org=REGION_ADMIN_ONLY,
            forms=True,
        )

    rules: dict[str, Rule] = {
        "admin:index": rule(ADMIN_SITE_ROLES, False),
        "admin:password_change": rule(ADMIN_SITE_ROLES, False),
        "admin:jsi18n": rule(ADMIN_SITE_ROLES, False),
        "admin:password_change_done": rule(ADMIN_SITE_ROLES, False),
        "admin:autocomplete": rule(ADMIN_SITE_ROLES, False, ok=(200, 403)),
        "admin:view_on_site": rule(ADMIN_SITE_ROLES, False, ok=(302, 404)),
        "admin:auth_user_password_change": rule(REGION_ADMIN_ONLY, False),
        # Asked for as the catalogue app's page (the matrix fills app_label with "catalogue").
        "admin:app_list": rule(_CATALOGUE, False),
        # The admin's catch-all: an unknown admin URL is a 404 for the admin's users only.
        "admin/(?P<url>.*)$": rule(ADMIN_SITE_ROLES, False, ok=(404,)),
    }
    for model, access in ADMIN_MODELS.items():
        delete = access.delete if access.delete is not None else access.add
        rules[f"admin:{model}_changelist"] = rule(access.view, False)
        rules[f"admin:{model}_add"] = rule(access.add, False)
        rules[f"admin:{model}_change"] = rule(access.view, access.scoped)
        rules[f"admin:{model}_history"] = rule(access.view, access.scoped)
        rules[f"admin:{model}_delete"] = rule(delete, access.scoped)
    return rules


RULES.update(_admin_rules())

# Admin patterns without a name: `admin/<app>/<model>/<object_id>/` only redirects to the
# change page (which has its own rule above), for anyone logged in to the admin.
ADMIN_REDIRECT_ROUTE_SUFFIX = "/<path:object_id>/"
