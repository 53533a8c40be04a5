"""CSRF on every form: a POST without the token is refused before the view runs.

The forms are the patterns the rule table marks `forms=True` (staff pages and the admin) plus the
public forms below. Each is posted without a token by a user who would otherwise be allowed (a
role the rule allows, in the object's own organisation). The refusal must come from Django's CSRF
check: the failure view is swapped for one that marks its answer, so a 403 from a permission
check cannot pass for it.

Views that skip the check (`csrf_exempt`, which every Django REST framework view is) are found by
walking the URLconf; each must be listed in CSRF_EXEMPT with the reason.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.test import Client

from luukku.core.tests.access_rules import ALL_ROLES, PUBLIC, RULES, Rule
from luukku.core.tests.test_permission_matrix import (
    NO_ROLE,
    OWN,
    Pattern,
    World,
    rule_of,
    url_of,
    url_patterns,
)
from luukku.core.tests.test_permission_matrix import world as world  # the module's data fixture

FAILURE_HEADER = "X-Test-CSRF-Failure"

# Public pages that take a POST from anyone (the token still guards the visitor's session).
PUBLIC_FORMS = (
    "accessibility:feedback",
    "intake_public:write",
    "intake_public:status",
    "surveys:invitation",
    "surveys:touchpoint",
    "surveys:kiosk",
    "panels:signup",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "admin:login",
    "admin:logout",
)

# Views that do not check CSRF tokens, and why that is safe.
_DRF_SESSION = (
    "Django REST framework view: it enforces CSRF itself for session-authenticated requests "
    "(SessionAuthentication); without a session there is nothing to forge"
)
CSRF_EXEMPT: dict[str, str] = {
    "api-schema": "GET only: the OpenAPI document",
    "api:service-list": f"GET only, public catalogue. {_DRF_SESSION}",
    "api:service-detail": f"GET only, public catalogue. {_DRF_SESSION}",
    "routing-api:suggest": f"GET only; an API key or a staff session. {_DRF_SESSION}",
    "surveys_api:responses": (
        "anonymous answers from touchpoints and kiosks: no authentication at all (no session or "
        "cookie is read), so a forged request can do nothing a direct one could not; "
        "rate-limited per touchpoint"
    ),
    "open311:requests": (
        "Open311 GeoReport v2 POST: authenticated by the API key in the request, never by a "
        "cookie (with an Idempotency-Key for retries)"
    ),
    **dict.fromkeys(
        (
            "open311:discovery",
            "open311:services",
            "open311:service",
            "open311:request",
            "open311:token",
        ),
        "Open311 GeoReport v2 reads (GET only); the Open311 API reads no cookies",
    ),
}


def csrf_failure_marker(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Stands in for Django's CSRF failure view in these tests: a 403 that says it is CSRF's."""
    response = HttpResponseForbidden(reason)
    response[FAILURE_HEADER] = reason or "refused"
    return response


def _forms() -> list[Pattern]:
    return [
        pattern
        for pattern in url_patterns()
        if pattern.key in PUBLIC_FORMS or ((rule := rule_of(pattern)) is not None and rule.forms)
    ]


FORMS = _forms()


def _allowed_user(rule: Rule | None, world: World) -> Any:
    if rule is None or rule.any_user or not rule.roles:
        return world.users[NO_ROLE, ""]
    role = next(role for role in ALL_ROLES if role in rule.roles)
    return world.users[role, OWN]


def test_every_view_that_skips_csrf_is_listed_with_the_reason() -> None:
    exempt = sorted(pattern.key for pattern in url_patterns() if pattern.csrf_exempt)

    unlisted = [key for key in exempt if key not in CSRF_EXEMPT]
    assert not unlisted, (
        f"views without CSRF protection: {unlisted}. Protect them, or list each in CSRF_EXEMPT in "
        f"{__name__} with the reason it is safe"
    )
    assert sorted(CSRF_EXEMPT) == exempt, "CSRF_EXEMPT lists views that do check CSRF now"


def test_the_forms_found_include_staff_admin_and_public_ones() -> None:
    keys = {pattern.key for pattern in FORMS}
    assert {"cases:close", "panels_staff:draw", "admin:accounts_user_add"} <= keys
    assert set(PUBLIC_FORMS) <= keys
    assert not keys & set(CSRF_EXEMPT)


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", FORMS, ids=[pattern.key for pattern in FORMS])
def test_a_post_without_the_csrf_token_is_refused(
    pattern: Pattern, world: World, settings: Any
) -> None:
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_failure_marker"
    client = Client(enforce_csrf_checks=True)
    client.force_login(_allowed_user(RULES.get(pattern.key), world))
    url = url_of(pattern, world)

    response = client.post(url, {"anything": "x"})

    assert response.status_code == 403, f"{pattern.key} ({url}) took a POST without a token"
    assert response.has_header(FAILURE_HEADER), f"{pattern.key}: refused, but not by CSRF"


@pytest.mark.django_db
def test_the_same_post_with_the_token_gets_past_the_csrf_check(world: World, settings: Any) -> None:
    """The check above can fail: with the token the form is handled (and not marked)."""
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_failure_marker"
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[ALL_ROLES[0], OWN])
    page = client.get("/staff/ideas/new/")
    token = page.cookies["csrftoken"].value

    response = client.post("/staff/ideas/new/", {"csrfmiddlewaretoken": token})

    assert not response.has_header(FAILURE_HEADER)
    assert response.status_code == 400  # the form again, with its errors


# PUBLIC is imported for readers: every public form above is also declared public there.
assert set(PUBLIC_FORMS) <= set(PUBLIC)
