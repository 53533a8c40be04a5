"""The production configuration, as an operator starts it: headers, cookies, DEBUG and secrets.

Production is DJANGO_DEBUG=0 with the secret key from the environment. Settings are read once at
start-up, so these tests start Python in a subprocess with that environment (the test process
itself runs the demo configuration) and ask it through Django's test client. The probe's
database is an in-memory SQLite with only the session table: the pages it asks for read nothing
else.

Login throttling is covered in luukku/accounts/tests/test_login.py (not repeated here):
test_the_sixth_attempt_is_refused_even_with_the_right_password (after AXES_FAILURE_LIMIT wrong
passwords the right one is refused with the lockout page) and
test_the_lock_is_per_username_and_address (another username from the same address, and the same
username from another address, still log in).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from luukku.accounts.models import User
from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import UserFactory, user_with_role

ROOT = Path(__file__).resolve().parents[3]
HOST = "luukku.example.fi"


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production start: no DEBUG, its own key, its own host name."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PYTEST"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "luukku.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DATABASE_URL": "sqlite://:memory:",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(overrides)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- manage.py check --deploy -----------------------------------------------------------------


def deploy_check(**overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_passes_in_production() -> None:
    # HSTS preload is a one-way promise for the whole domain: off unless the operator asks, and
    # only then is its warning (security.W021) silenced.
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (1 silenced)" in result.stdout, result.stdout


def test_the_deploy_check_passes_with_preload_asked_for_and_nothing_silenced() -> None:
    result = deploy_check(DJANGO_HSTS_PRELOAD="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout, result.stdout


# --- the production server's answers ----------------------------------------------------------

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory

with connection.schema_editor() as editor:
    editor.create_model(Session)

client = Client(HTTP_HOST="luukku.example.fi")
https = client.get("/staff/kirjaudu/", secure=True)
http = client.get("/staff/kirjaudu/", secure=False)
missing = client.get("/no-such-page/", secure=True)


def touch(request):
    request.session["probe"] = 1
    return HttpResponse()


request = RequestFactory(HTTP_HOST="luukku.example.fi").get("/", secure=True)
session_response = SessionMiddleware(touch)(request)


def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}


print(json.dumps({
    "debug": settings.DEBUG,
    "https_status": https.status_code,
    "headers": {k.lower(): v for k, v in https.headers.items()},
    "http_status": http.status_code,
    "http_location": http.headers.get("Location", ""),
    "missing_status": missing.status_code,
    "missing_body": missing.content.decode(),
    "csrf_cookie": cookie(https, settings.CSRF_COOKIE_NAME),
    "session_cookie": cookie(session_response, settings.SESSION_COOKIE_NAME),
}))
"""


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    """What a production process answers (one subprocess for the whole module)."""
    result = run_python(PROBE, production_env())
    assert result.returncode == 0, result.stderr
    answers: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answers


def test_debug_is_off_when_the_variable_is_unset() -> None:
    env = production_env()
    del env["DJANGO_DEBUG"]  # a deploy that forgot it
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_production_runs_without_debug(production: dict[str, Any]) -> None:
    assert production["debug"] is False
    assert production["https_status"] == 200


def test_a_missing_page_is_the_sites_404_not_the_debug_page(production: dict[str, Any]) -> None:
    assert production["missing_status"] == 404
    body = production["missing_body"]
    assert "Using the URLconf defined in" not in body
    assert "Django tried these URL patterns" not in body
    assert "DEBUG = True" not in body


def test_https_answers_carry_hsts_for_a_year_with_subdomains(production: dict[str, Any]) -> None:
    hsts = production["headers"]["strict-transport-security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts


def test_plain_http_is_redirected_to_https(production: dict[str, Any]) -> None:
    assert production["http_status"] == 301
    assert production["http_location"] == f"https://{HOST}/staff/kirjaudu/"


def test_the_session_cookie_is_secure_and_hidden_from_scripts(
    production: dict[str, Any],
) -> None:
    assert production["session_cookie"] == {"secure": True, "httponly": True}


def test_the_csrf_cookie_is_secure(production: dict[str, Any]) -> None:
    assert production["csrf_cookie"]["secure"] is True


def test_the_content_security_policy_allows_no_inline_or_foreign_scripts(
    production: dict[str, Any],
) -> None:
    policy = production["headers"]["content-security-policy"]
    directives: dict[str, str] = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    scripts = directives.get("script-src") or directives.get("default-src") or ""
    assert "'self'" in scripts
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert "*" not in scripts.split()
    assert directives["frame-ancestors"] == "'none'"


def test_the_page_may_not_be_framed_or_sniffed_and_sends_no_foreign_referrer(
    production: dict[str, Any],
) -> None:
    headers = production["headers"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


# --- secrets only from the environment --------------------------------------------------------


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = run_python("import django; django.setup()", env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_the_secret_key_is_the_one_in_the_environment() -> None:
    key = secrets.token_urlsafe(64)

    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)",
        production_env(DJANGO_SECRET_KEY=key),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == key


# --- password policy --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code", "message"),
    [
        ("Ab3!xyz", "password_too_short", "This password is too short"),
        ("password123", "password_too_common", "This password is too common"),
        ("40917253861049", "password_entirely_numeric", "This password is entirely numeric"),
        ("hannele.virtanen", "password_too_similar", "too similar to the username"),
    ],
    ids=["short", "common", "numeric", "like-the-username"],
)
def test_a_weak_password_is_refused_with_the_reason(password: str, code: str, message: str) -> None:
    user = UserFactory.build(username="hannele.virtanen", email="hannele@example.fi")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)

    assert code in [error.code for error in refused.value.error_list]
    with translation.override("en"):
        assert message in " ".join(refused.value.messages)


@pytest.mark.django_db
def test_a_strong_password_passes() -> None:
    user = UserFactory.build(username="hannele.virtanen")

    validate_password("kesä-aamu-Kallavedellä-77", user=user)


@pytest.mark.django_db
def test_the_admin_will_not_create_an_account_with_a_weak_password(client: Client) -> None:
    client.force_login(user_with_role(Role.REGION_ADMIN))

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "uusi.kayttaja",
            "password1": "12345678",
            "password2": "12345678",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data().get("password2", [])
    assert {"password_too_common", "password_entirely_numeric"} <= {e.code for e in errors}
    assert all(str(message) for error in errors for message in error.messages)
    assert not User.objects.filter(username="uusi.kayttaja").exists()
