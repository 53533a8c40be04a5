"""The permission matrix: every URL of the project × every role × own / other organisation.

The URL patterns are read from the resolved URLconf, not listed by hand, so a new view is in the
matrix the moment it is routed. Each must be declared public or have a rule in access_rules.py;
each rule then becomes one test per subject: anonymous, a user with no role, and every role
held in the object's own organisation and in another organisation.

The data (two municipalities with a unit each, a user per role in each, and one object of every
kind in the first) is built once per module inside a transaction that is rolled back at the end;
each test runs in its own savepoint on top, so a POST that changes something is undone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from luukku.accessibility.tests.factories import received_feedback
from luukku.accounts.models import Membership, User
from luukku.accounts.roles import Role
from luukku.accounts.services import sync_staff_flag
from luukku.accounts.tests.factories import MembershipFactory, UserFactory
from luukku.cases.models import ServiceLevel
from luukku.cases.tests.factories import (
    CaseFactory,
    ConsentFactory,
    CustomerFactory,
    ServiceLevelFactory,
    TaskFactory,
)
from luukku.catalogue.models import ServiceOrganisation
from luukku.catalogue.tests.factories import (
    AreaFactory,
    LifeEventFactory,
    OrganisationFactory,
    ServiceChannelFactory,
    ServiceClassFactory,
    TargetGroupFactory,
)
from luukku.core import audit
from luukku.core.models import AuditEvent
from luukku.core.tests import access_rules
from luukku.core.tests.access_rules import ALL_ROLES, PUBLIC, RULES, Rule
from luukku.ideas.tests.factories import IdeaCommentFactory, IdeaFactory, service_of
from luukku.intake.tests.factories import (
    ApiClientFactory,
    ServiceAttributeFactory,
    ServiceRequestFactory,
)
from luukku.notifications.models import Notification
from luukku.organisations.models import Organisation
from luukku.panels.models import PanelSession, Recommendation, Selection, SelectionMember
from luukku.panels.services import refresh_report
from luukku.panels.tests.factories import (
    PanelFactory,
    VolunteerFactory,
    municipality_with_population,
)
from luukku.router.models import RouterModel
from luukku.router.tests.factories import RoutingExampleFactory, TriageItemFactory
from luukku.surveys.models import Invitation, Response, Survey
from luukku.surveys.tests.factories import QuestionFactory, SurveyFactory, TouchpointFactory

# Written into the names of the first organisation's objects: a page shown to a user of the
# other organisation must never contain it.
LEAK_MARKER = "VUOTOA"

# --- reading the URLconf ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One routed view: its rule-table key, full route and URL name (None when unnamed)."""

    key: str
    route: str
    name: str | None
    kwargs: tuple[str, ...]
    csrf_exempt: bool = False


def _kwarg_names(pattern: URLPattern | URLResolver) -> list[str]:
    regex = pattern.pattern.regex
    return list(regex.groupindex)


def url_patterns(urlconf: str | None = None) -> list[Pattern]:
    """Every routed view of `urlconf` (the project's by default), through every include."""
    found: list[Pattern] = []

    def walk(
        resolver: URLResolver, prefix: str, namespaces: tuple[str, ...], kwargs: tuple[str, ...]
    ) -> None:
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            names = kwargs + tuple(_kwarg_names(entry))
            if isinstance(entry, URLResolver):
                inner = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry, route, inner, names)
                continue
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            found.append(
                Pattern(
                    key=name or route,
                    route=route,
                    name=name,
                    kwargs=names,
                    csrf_exempt=getattr(entry.callback, "csrf_exempt", False),
                )
            )

    walk(get_resolver(urlconf), "", (), ())
    return found


def _admin_redirect_key(pattern: Pattern) -> str | None:
    """The admin's unnamed `<object_id>/` redirect: covered by its model's change rule."""
    match = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", pattern.route)
    if pattern.name is None and match:
        return f"admin:{match[1]}_{match[2]}_change"
    return None


def rule_of(pattern: Pattern) -> Rule | None:
    """The pattern's rule; the admin's object redirect borrows its change page's rule."""
    if pattern.key in RULES:
        return RULES[pattern.key]
    redirect_of = _admin_redirect_key(pattern)
    if redirect_of is not None and redirect_of in RULES:
        # It only redirects to the change page, which checks the model; it opens for anyone
        # who may enter the admin.
        return Rule(roles=access_rules.ADMIN_SITE_ROLES, scoped=False, kind="admin", ok=(302,))
    return None


def missing_rules(patterns: list[Pattern]) -> list[str]:
    """A line per pattern that is neither public nor ruled, saying where to add it."""
    return [
        f"URL pattern {p.name or '(unnamed)'!r} at route {p.route!r} has no access rule: add "
        f"{p.key!r} to RULES (or, if anyone may open it, to PUBLIC with the reason) in "
        f"luukku/core/tests/access_rules.py"
        for p in patterns
        if p.key not in PUBLIC and rule_of(p) is None
    ]


def stale_rules(patterns: list[Pattern]) -> list[str]:
    keys = {p.key for p in patterns}
    return sorted(key for key in (*RULES, *PUBLIC) if key not in keys)


# --- the subjects -----------------------------------------------------------------------------

ANONYMOUS = "anonymous"
NO_ROLE = "no_role"
OWN = "own_org"
OTHER = "other_org"


@dataclass(frozen=True)
class Row:
    """One cell of the matrix: a URL pattern and who asks for it."""

    pattern: Pattern
    subject: str  # ANONYMOUS, NO_ROLE or a role
    relation: str | None  # OWN or OTHER for roles

    @property
    def id(self) -> str:
        parts = [self.pattern.key, self.subject]
        if self.relation:
            parts.append(self.relation)
        return "-".join(parts)


def rows_for(pattern: Pattern) -> list[Row]:
    rows = [Row(pattern, ANONYMOUS, None), Row(pattern, NO_ROLE, None)]
    rows += [Row(pattern, role, relation) for role in ALL_ROLES for relation in (OWN, OTHER)]
    return rows


def matrix_rows(urlconf: str | None = None) -> list[Row]:
    return [
        row
        for pattern in url_patterns(urlconf)
        if pattern.key not in PUBLIC and rule_of(pattern) is not None
        for row in rows_for(pattern)
    ]


# --- the data ---------------------------------------------------------------------------------


@dataclass
class World:
    """Two municipalities with a unit each; a user per role in both; objects of the first."""

    org_a: Organisation
    unit_a: Organisation
    org_b: Organisation
    users: dict[tuple[str, str], User] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)
    sessions: dict[int, str] = field(default_factory=dict)

    def log_in_everyone(self) -> None:
        """One session per user, made once: a login per test would cost most of the run."""
        for user in self.users.values():
            client = Client()
            client.force_login(user)
            self.sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value


def _user(organisation: Organisation | None, role: str | None, username: str) -> User:
    user: User = UserFactory.create(username=username)
    if organisation is not None and role is not None:
        MembershipFactory.create(user=user, organisation=organisation, role=role)
        sync_staff_flag(user=user)
    return user


def build_world() -> World:
    org_a = OrganisationFactory.create(name_fi="Matriisin kunta")
    unit_a = OrganisationFactory.create(name_fi="Matriisin yksikkö", parent=org_a)
    org_b = OrganisationFactory.create(name_fi="Toinen kunta")
    unit_b = OrganisationFactory.create(name_fi="Toisen yksikkö", parent=org_b)
    world = World(org_a=org_a, unit_a=unit_a, org_b=org_b)
    for role in ALL_ROLES:
        world.users[role, OWN] = _user(org_a, role, f"a-{role}")
        world.users[role, OTHER] = _user(org_b, role, f"b-{role}")
    world.users[NO_ROLE, ""] = _user(None, None, "no-role")

    o = world.objects
    service = service_of(org_a)
    o["service"] = service
    o["case"] = case = CaseFactory.create(
        owner_unit=unit_a, owner=world.users[Role.CASE_OWNER, OWN], title=f"{LEAK_MARKER} asia"
    )
    o["closed_case"] = CaseFactory.create(
        owner_unit=unit_a, closed=True, title=f"{LEAK_MARKER} suljettu"
    )
    o["task"] = TaskFactory.create(case=case, organisation=unit_a, service=service)
    o["consent"] = ConsentFactory.create(case=case)
    o["triage_item"] = TriageItemFactory.create()
    o["service_request"] = ServiceRequestFactory.create(
        service=service, agency_responsible=org_a, description=f"{LEAK_MARKER} katuvalo"
    )
    o["survey"] = survey = SurveyFactory.create(
        organisation=org_a, title_fi=f"{LEAK_MARKER} kysely"
    )
    o["question"] = QuestionFactory.create(survey=survey)
    o["touchpoint"] = touchpoint = TouchpointFactory.create(survey=survey)
    o["staff_survey"] = SurveyFactory.create(
        organisation=org_a, kind=Survey.Kind.STAFF, title_fi=f"{LEAK_MARKER} henkilöstö"
    )
    o["idea"] = idea = IdeaFactory.create(
        author_unit=org_a,
        title=f"{LEAK_MARKER} idea",
        services=[service],
    )
    o["idea_comment"] = IdeaCommentFactory.create(idea=idea)
    o["panel"] = panel = PanelFactory.create(organisation=org_a, name_fi=f"{LEAK_MARKER} raati")
    municipality = municipality_with_population("999", "Matriisi")
    panel.municipalities.set([municipality])
    o["volunteer"] = volunteer = VolunteerFactory.create(panel=panel, municipality=municipality)
    selection = Selection.objects.create(panel=panel, seed=1, size=1, algorithm="test")
    o["member"] = SelectionMember.objects.create(
        selection=selection, volunteer=volunteer, position=1
    )
    selection.report = refresh_report(selection)
    selection.save(update_fields=["report"])
    o["session"] = session = PanelSession.objects.create(
        panel=panel, starts_at=timezone.now() + timedelta(days=7), place="Kirjasto"
    )
    o["recommendation"] = recommendation = Recommendation.objects.create(
        session=session, text="Suositus"
    )
    recommendation.services.set([service])
    o["accessibility_feedback"] = received_feedback()
    _admin_objects(world, service, survey, touchpoint)
    world.log_in_everyone()
    del unit_b
    return world


def _admin_objects(world: World, service: Any, survey: Survey, touchpoint: Any) -> None:
    """One object per model the admin lists, in the first organisation where it has one."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: PLC0415

    o = world.objects
    member = world.users[Role.CASE_OWNER, OWN]
    axes_fields = {"user_agent": "test", "http_accept": "*/*", "path_info": "/", "username": "x"}
    audit.record(action=AuditEvent.Action.LOGIN, actor=member)
    admin = {
        "auth_group": Group.objects.create(name="matrix"),
        "axes_accessattempt": AccessAttempt.objects.create(
            get_data="", post_data="", failures_since_start=1, **axes_fields
        ),
        "axes_accesslog": AccessLog.objects.create(**axes_fields),
        "axes_accessfailurelog": AccessFailureLog.objects.create(**axes_fields),
        "core_auditevent": AuditEvent.objects.filter(actor=member).latest("pk"),
        "areas_area": AreaFactory.create(),
        "organisations_organisation": world.org_a,
        "accounts_user": member,
        "accounts_membership": Membership.objects.get(user=member),
        "catalogue_service": service,
        "catalogue_servicechannel": ServiceChannelFactory.create(organisation=world.org_a),
        "catalogue_serviceclass": ServiceClassFactory.create(),
        "catalogue_targetgroup": TargetGroupFactory.create(),
        "catalogue_lifeevent": LifeEventFactory.create(),
        "intake_apiclient": ApiClientFactory.create(),
        "intake_serviceattribute": ServiceAttributeFactory.create(service=service),
        "intake_servicerequest": o["service_request"],
        "notifications_notification": Notification.objects.create(
            kind="test", subject="Aihe", body="Viesti", recipient=member
        ),
        "router_routermodel": RouterModel.objects.create(
            version=1, algorithm="test", blob=b"", signature="x"
        ),
        "router_routingexample": RoutingExampleFactory.create(service=service),
        "router_triageitem": o["triage_item"],
        "cases_case": o["case"],
        "cases_customer": CustomerFactory.create(),
        "cases_servicelevel": ServiceLevelFactory.create(service=service),
        "surveys_survey": survey,
        "surveys_question": o["question"],
        "surveys_invitation": Invitation.objects.create(
            survey=survey,
            touchpoint=touchpoint,
            token_hash="matrix",
            sent_via="email",
            expires_at=timezone.now() + timedelta(days=7),
        ),
        "surveys_response": Response.objects.create(survey=survey),
        "ideas_idea": o["idea"],
        "ideas_ideacomment": o["idea_comment"],
    }
    o.update({f"admin:{model}": obj for model, obj in admin.items()})
    ServiceOrganisation.objects.get_or_create(
        service=service, organisation=world.org_a, role=ServiceOrganisation.Role.RESPONSIBLE
    )


# --- URL kwargs: one small builder per kwarg name ---------------------------------------------

Builder = Callable[[World], Any]

BUILDERS: dict[str, Builder] = {
    "reference": lambda w: w.objects["case"].reference,
    "cases:reopen.reference": lambda w: w.objects["closed_case"].reference,
    "task_id": lambda w: w.objects["task"].pk,
    "consent_id": lambda w: w.objects["consent"].pk,
    "item_id": lambda w: w.objects["triage_item"].pk,
    "service_request_id": lambda w: w.objects["service_request"].service_request_id,
    "public_id": lambda w: w.objects["survey"].public_id,
    "surveys:staff_answer.public_id": lambda w: w.objects["staff_survey"].public_id,
    "question_id": lambda w: w.objects["question"].pk,
    "touchpoint_id": lambda w: w.objects["touchpoint"].pk,
    "code": lambda w: w.objects["touchpoint"].code,
    "ideas.pk": lambda w: w.objects["idea"].pk,
    "panels_staff.pk": lambda w: w.objects["panel"].pk,
    "accessibility.pk": lambda w: w.objects["accessibility_feedback"].pk,
    "volunteer_pk": lambda w: w.objects["volunteer"].pk,
    "member_pk": lambda w: w.objects["member"].pk,
    "session_pk": lambda w: w.objects["session"].pk,
    "recommendation_pk": lambda w: w.objects["recommendation"].pk,
    "id": lambda w: w.objects["admin:accounts_user"].pk,
    "content_type_id": lambda w: ContentType.objects.get_for_model(w.objects["service"]).pk,
    "admin:view_on_site.object_id": lambda w: w.objects["service"].pk,
    "app_label": lambda w: "catalogue",
    "panels.pk": lambda w: w.objects["panel"].pk,
    "token": lambda w: "no-such-invitation",
    "slug": lambda w: w.objects["service"].slug,
    "catalogue.code": lambda w: "no-such-code",
    "fmt": lambda w: "json",
    "service_code": lambda w: "no-such-service",
    "path": lambda w: "no-such-path",
    "url": lambda w: "no-such-page/",
}


def _admin_model(pattern: Pattern) -> str:
    match = re.fullmatch(r"admin/(\w+)/(\w+)/.*", pattern.route)
    assert match, f"not an admin model route: {pattern.route}"
    return f"admin:{match[1]}_{match[2]}"


def url_of(pattern: Pattern, world: World) -> str:
    """The pattern's URL with its kwargs filled from the world's first-organisation objects."""
    values: dict[str, Any] = {}
    namespace = pattern.key.split(":")[0]
    for kwarg in pattern.kwargs:
        builder = (
            BUILDERS.get(f"{pattern.key}.{kwarg}")
            or BUILDERS.get(f"{namespace}.{kwarg}")
            or BUILDERS.get(kwarg)
        )
        if builder is not None:
            values[kwarg] = builder(world)
        elif kwarg == "object_id":
            values[kwarg] = world.objects[_admin_model(pattern)].pk
        else:
            pytest.fail(
                f"no builder for URL kwarg {kwarg!r} of {pattern.key!r}: add one to BUILDERS in "
                f"{__name__}"
            )
    if pattern.name is not None:
        return reverse(pattern.name, kwargs=values)
    # An unnamed pattern: fill its route by hand.
    path = pattern.route
    for kwarg, value in values.items():
        path = re.sub(rf"<(\w+:)?{kwarg}>", str(value), path)
        path = re.sub(rf"\(\?P<{kwarg}>[^)]*\)", str(value), path)
    return "/" + path.replace("^", "").replace("$", "")


# --- asking and judging -----------------------------------------------------------------------


def ask(row: Row, rule: Rule, world: World, client: Client, query: str = "") -> HttpResponseBase:
    user = None
    if row.subject == NO_ROLE:
        user = world.users[NO_ROLE, ""]
    elif row.subject != ANONYMOUS:
        assert row.relation is not None
        user = world.users[row.subject, row.relation]
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[user.pk]
    url = url_of(row.pattern, world) + query
    if rule.method == "POST":
        return client.post(url)
    return client.get(url)


def expected(row: Row, rule: Rule) -> bool | None:
    """True: allowed, False: refused, None: anonymous (refused with a login)."""
    if row.subject == ANONYMOUS:
        return None
    if row.subject == NO_ROLE:
        return rule.allows(None, own_org=True)
    return rule.allows(row.subject, own_org=row.relation == OWN)


def _login_redirect(response: HttpResponseBase, rule: Rule) -> bool:
    if response.status_code != 302:
        return False
    login = reverse("admin:login") if rule.kind == "admin" else reverse("accounts:login")
    return str(response["Location"]).startswith(login)


def _admin_does_not_exist(response: HttpResponseBase) -> bool:
    """The admin answers a hidden object with a redirect to its index ("does not exist")."""
    return response.status_code == 302 and str(response["Location"]) == reverse("admin:index")


def _body(response: HttpResponseBase) -> bytes:
    """The whole body, streamed ones (CSV exports) included: the leak check reads them too."""
    if isinstance(response, StreamingHttpResponse):
        return b"".join(cast(Iterable[bytes], response.streaming_content))
    return cast(HttpResponse, response).content


def verdict(row: Row, rule: Rule, response: HttpResponseBase) -> str | None:
    """None when the response is what the rule says; else what went wrong."""
    status = response.status_code
    body = _body(response)
    allow = expected(row, rule)
    if allow is None:
        if rule.kind == "api":
            return None if status in (401, 403) else f"anonymous got {status}, not 401/403"
        if _login_redirect(response, rule):
            return None
        return f"anonymous got {status} {response.get('Location', '')}, not the login page"
    if allow:
        if _login_redirect(response, rule):
            return "an allowed user was sent to the login page"
        if rule.method == "POST":
            if status in (401, 403, 404, 405):
                return f"an allowed user's POST was refused with {status}"
        elif status not in rule.ok:
            return f"an allowed user got {status}, expected one of {rule.ok}"
        sees_all = row.relation == OWN or (row.subject in rule.cross_org)
        if not sees_all and LEAK_MARKER.encode() in body:
            return "a user of another organisation sees the first organisation's data"
        return None
    if LEAK_MARKER.encode() in body and not rule.refusal_names_object:
        return f"a refused user ({status}) sees the first organisation's data"
    if status in (403, 404):
        return None
    if rule.kind == "admin" and (
        _login_redirect(response, rule) or _admin_does_not_exist(response)
    ):
        return None
    return f"should be refused (403/404) but got {status}"


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The matrix's data, made once and rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- the tests --------------------------------------------------------------------------------

ROWS = matrix_rows()


def test_every_url_pattern_has_an_access_rule() -> None:
    missing = missing_rules(url_patterns())
    assert not missing, "\n".join(missing)


def test_the_rule_table_names_only_routed_patterns() -> None:
    stale = stale_rules(url_patterns())
    assert not stale, f"rules for URL patterns that no longer exist (remove them): {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_access(row: Row, world: World, client: Client) -> None:
    rule = rule_of(row.pattern)
    assert rule is not None
    problems = []
    for query in rule.variants:
        problem = verdict(row, rule, ask(row, rule, world, client, query))
        if problem is not None:
            problems.append(f"{row.id} ({row.pattern.route}{query}): {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("cases:queue", Role.CASE_OWNER),
        ("surveys_staff:list", Role.SERVICE_MANAGER),
        ("panels_staff:list", Role.SERVICE_MANAGER),
        ("ideas:list", Role.CASE_OWNER),
    ],
)
def test_the_leak_marker_shows_on_the_own_organisations_lists(
    name: str, role: str, world: World, client: Client
) -> None:
    """The marker check above can fail: the own organisation's lists do show it."""
    client.force_login(world.users[role, OWN])
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert LEAK_MARKER in response.content.decode()


# Keep the helper module importable by name in failure messages.
__all__ = ["access_rules", "matrix_rows", "missing_rules", "url_patterns", "verdict"]


# --- holes the matrix found -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_catalogue_manager_cannot_see_or_set_another_organisations_service_level(
    client: Client,
) -> None:
    """Service levels used to be open to every catalogue manager of the region: a service
    manager of one municipality could read and change the promised handling times of another's
    services (and so the expected_datetime Open311 gives residents)."""
    ours, theirs = OrganisationFactory.create(), OrganisationFactory.create()
    their_service = service_of(theirs)
    their_level = ServiceLevelFactory.create(service=their_service)
    manager = _user(ours, Role.SERVICE_MANAGER, "manager")
    client.force_login(manager)

    listed = client.get(reverse("admin:cases_servicelevel_changelist"))
    change = client.get(reverse("admin:cases_servicelevel_change", args=[their_level.pk]))
    without_level = service_of(theirs)
    added = client.post(
        reverse("admin:cases_servicelevel_add"),
        {
            "service": without_level.pk,
            "first_response_hours": 1,
            "resolution_days": 1,
            "stalled_after_days": 1,
        },
    )

    assert list(listed.context["cl"].result_list) == []
    assert _admin_does_not_exist(change)
    assert added.status_code == 200  # the form again, with the service refused
    assert "service" in added.context["adminform"].form.errors
    assert not ServiceLevel.objects.filter(service=without_level).exists()


# --- the matrix catches an unprotected view ---------------------------------------------------

UNPROTECTED_URLCONF = "luukku.core.tests.urls_unprotected"


def test_a_new_view_without_a_rule_is_reported_by_name_and_route() -> None:
    missing = missing_rules(url_patterns(UNPROTECTED_URLCONF))

    assert missing == [
        "URL pattern 'unprotected_case' at route 'staff/unprotected/<str:reference>/' has no "
        "access rule: add 'unprotected_case' to RULES (or, if anyone may open it, to PUBLIC with "
        "the reason) in luukku/core/tests/access_rules.py"
    ]


@pytest.mark.django_db
def test_given_a_rule_the_unprotected_view_fails_its_refusal_rows(
    world: World, settings: Any
) -> None:
    """With the rule a case page should have, the view lets in exactly the rows that must be
    refused: anonymous, no role, the other organisation, and roles without HANDLE_CASES."""
    settings.ROOT_URLCONF = UNPROTECTED_URLCONF
    pattern = next(p for p in url_patterns(UNPROTECTED_URLCONF) if p.key == "unprotected_case")
    rule = RULES["cases:case"]

    failed = {
        row.id
        for row in rows_for(pattern)
        if verdict(row, rule, ask(row, rule, world, Client())) is not None
    }

    refused_roles = set(ALL_ROLES) - rule.roles
    assert failed == {
        "unprotected_case-anonymous",
        "unprotected_case-no_role",
        *(f"unprotected_case-{role}-other_org" for role in ALL_ROLES),
        *(f"unprotected_case-{role}-own_org" for role in refused_roles),
    }


# --- public pages stay public -----------------------------------------------------------------

PUBLIC_PATTERNS = [p for p in url_patterns() if p.key in PUBLIC]


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", PUBLIC_PATTERNS, ids=[p.key for p in PUBLIC_PATTERNS])
def test_a_public_page_opens_without_a_login(pattern: Pattern, world: World) -> None:
    """Declared public means it: no login page, no 401/403 for an anonymous visitor (a 404 for
    an object the data does not have, or 405 for a POST-only view, is fine)."""
    url = url_of(pattern, world)
    response = Client().get(url)

    assert response.status_code not in (401, 403), f"{pattern.key} ({url}): {response.status_code}"
    assert not _login_redirect(response, Rule(roles=frozenset(), scoped=False)), pattern.key
    assert not _login_redirect(response, Rule(roles=frozenset(), scoped=False, kind="admin"))
