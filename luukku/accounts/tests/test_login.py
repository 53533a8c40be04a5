"""Staff login: audited, throttled by django-axes, logout by POST only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import TEST_PASSWORD, UserFactory, user_with_role
from luukku.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_the_login_page_has_a_labelled_form(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert 'autocomplete="current-password"' in html


def test_a_staff_member_logs_in_lands_on_the_staff_home_and_the_login_is_audited(client):
    user = user_with_role(Role.SERVICE_MANAGER, username="sanna")

    response = login(client, "sanna", TEST_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == user
    assert event.actor_label == "sanna"
    assert event.ip_address == "10.0.0.1"


def test_a_failed_login_is_audited_with_the_username_but_never_the_password(client):
    UserFactory.create(username="sanna")

    response = login(client, "sanna", "väärä-salasana")

    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode() or response.context["form"].errors
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_label == "sanna"
    assert event.details == {"locked_out": False}
    stored = f"{event.actor_label} {event.purpose} {event.details}"
    assert "väärä-salasana" not in stored
    assert "*" * 20 not in stored  # not even Django's cleansed placeholder


def test_an_identity_code_typed_as_the_username_is_masked_in_the_audit_log(client):
    login(client, "131052-308T", "mitä-tahansa")

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor_label == "131052*****"


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client):
    UserFactory.create(username="sanna")
    for _attempt in range(4):
        assert login(client, "sanna", "väärä-salasana").status_code == 200
    # The fifth failure locks the pair and already answers with the lockout page.
    assert login(client, "sanna", "väärä-salasana").status_code == 429

    response = login(client, "sanna", TEST_PASSWORD)

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:home")).status_code == 302  # still anonymous
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).count() == 0
    locked = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("pk")
    assert locked.details == {"locked_out": True}


def test_the_lock_is_per_username_and_address(client):
    UserFactory.create(username="sanna")
    UserFactory.create(username="pekka")
    for _attempt in range(5):
        login(client, "sanna", "väärä-salasana")

    assert login(client, "pekka", TEST_PASSWORD).status_code == 302
    assert login(client, "sanna", TEST_PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_successful_login_resets_the_failure_count(client):
    UserFactory.create(username="sanna")
    for _attempt in range(4):
        login(client, "sanna", "väärä-salasana")
    assert login(client, "sanna", TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    for _attempt in range(4):
        login(client, "sanna", "väärä-salasana")

    # Eight failures in all, but never five in a row: the right password still works.
    assert login(client, "sanna", TEST_PASSWORD).status_code == 302


def test_the_lockout_page_says_how_long_to_wait(client):
    UserFactory.create(username="sanna")
    for _attempt in range(5):
        login(client, "sanna", "väärä-salasana")

    html = login(client, "sanna", "väärä-salasana").content.decode()

    # Finnish is the default language.
    assert "Kirjautuminen estettiin 5 epäonnistuneen yrityksen jälkeen." in html
    assert "Yritä uudelleen 15 minuutin kuluttua." in html


def test_the_lockout_page_speaks_swedish_and_english_too(client):
    UserFactory.create(username="sanna")
    for _attempt in range(5):
        login(client, "sanna", "väärä-salasana")

    with translation.override("sv"):
        swedish = login(client, "sanna", "väärä-salasana").content.decode()
    with translation.override("en"):
        english = login(client, "sanna", "väärä-salasana").content.decode()

    assert "Försök igen om 15 minuter." in swedish
    assert "Try again in 15 minutes." in english
    assert "The login was locked after 5 failed attempts." in english


def test_logout_is_post_only_and_audited(client):
    user = user_with_role(Role.ANALYST, username="aino")
    client.force_login(user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("accounts:home")).status_code == 200

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert event.actor == user


def test_an_anonymous_logout_writes_no_audit_row(client):
    client.post(reverse("accounts:logout"))

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT).exists()


def test_the_admin_login_is_audited_and_throttled_too(client):
    UserFactory.create(username="sanna")
    for _attempt in range(5):
        client.post(reverse("admin:login"), {"username": "sanna", "password": "väärä"})

    response = client.post(reverse("admin:login"), {"username": "sanna", "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 6


def test_a_staff_session_lasts_a_working_day(client):
    user_with_role(Role.ANALYST, username="aino")

    login(client, "aino", TEST_PASSWORD)

    assert client.session.get_expiry_age() == 8 * 60 * 60
