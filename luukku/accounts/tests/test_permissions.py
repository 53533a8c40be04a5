"""The permission helpers: 403 for staff without the role, login for the anonymous."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from luukku.accounts.permissions import (
    has_permission,
    is_region_admin,
    org_permission,
    organisation_scope,
    require_org_permission,
)
from luukku.accounts.roles import MANAGE_CATALOGUE, VIEW_ALLIANCE, VIEW_AUDIT_LOG, Role
from luukku.accounts.tests.factories import MembershipFactory, UserFactory, user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@require_org_permission(VIEW_ALLIANCE)
def alliance_like_view(request):
    return HttpResponse("ok")


def call(view, user):
    request = RequestFactory().get("/staff/something/?a=1")
    request.user = user
    return view(request)


def test_the_decorator_sends_anonymous_users_to_the_login_page_and_back():
    response = call(alliance_like_view, AnonymousUser())

    assert response.status_code == 302
    assert response.url == "/staff/kirjaudu/?next=/staff/something/%3Fa%3D1"


def test_the_decorator_refuses_a_logged_in_user_without_the_role():
    with pytest.raises(PermissionDenied):
        call(alliance_like_view, user_with_role(Role.CUSTOMER_SERVICE_AGENT))


def test_the_decorator_lets_a_holder_of_the_permission_in():
    assert call(alliance_like_view, user_with_role(Role.ANALYST)).content == b"ok"


def test_an_inactive_user_has_no_permissions():
    user = user_with_role(Role.REGION_ADMIN)
    user.is_active = False

    assert not has_permission(user, VIEW_ALLIANCE)
    assert not is_region_admin(user)


def test_a_superuser_passes_every_check():
    user = UserFactory.create(is_superuser=True)

    assert has_permission(user, VIEW_AUDIT_LOG)
    assert is_region_admin(user)
    assert organisation_scope(user, MANAGE_CATALOGUE) is None


def test_a_permission_in_a_parent_organisation_holds_in_its_units():
    city = OrganisationFactory.create()
    unit = OrganisationFactory.create(parent=city)
    other = OrganisationFactory.create()
    user = user_with_role(Role.SERVICE_MANAGER, city)

    assert has_permission(user, MANAGE_CATALOGUE, unit)
    assert not has_permission(user, MANAGE_CATALOGUE, other)
    scope = organisation_scope(user, MANAGE_CATALOGUE)
    assert scope is not None
    assert set(scope) == {city, unit}


def test_the_region_admin_scope_is_everything_and_others_get_nothing():
    assert organisation_scope(user_with_role(Role.REGION_ADMIN), MANAGE_CATALOGUE) is None
    agent = user_with_role(Role.CUSTOMER_SERVICE_AGENT)
    scope = organisation_scope(agent, MANAGE_CATALOGUE)
    assert scope is not None
    assert not scope.exists()


class AuditApi(APIView):
    permission_classes = [org_permission(VIEW_AUDIT_LOG)]

    def get(self, request):
        return Response({"ok": True})


def api_call(user=None):
    request = APIRequestFactory().get("/api/audit/")
    if user is not None:
        force_authenticate(request, user=user)
    return AuditApi.as_view()(request)


def test_the_drf_permission_refuses_anonymous_and_unprivileged_users():
    assert api_call().status_code == 403
    assert api_call(user_with_role(Role.ANALYST)).status_code == 403


def test_the_drf_permission_admits_a_holder():
    assert api_call(user_with_role(Role.ORGANISATION_ADMIN)).status_code == 200


def test_the_drf_object_check_uses_the_objects_organisation():
    permission = org_permission(MANAGE_CATALOGUE)()
    home = OrganisationFactory.create()
    user = user_with_role(Role.SERVICE_MANAGER, home)
    request = APIRequestFactory().get("/")
    request.user = user

    class Owned:
        def __init__(self, organisation):
            self.organisation = organisation

    view = AuditApi()
    assert permission.has_object_permission(request, view, Owned(home))
    assert not permission.has_object_permission(request, view, Owned(OrganisationFactory.create()))


def test_roles_that_use_the_admin_make_the_user_staff_and_losing_them_undoes_it():
    user = UserFactory.create()
    agent = MembershipFactory.create(user=user, role=Role.CUSTOMER_SERVICE_AGENT)
    user.refresh_from_db()
    assert not user.is_staff

    manager = MembershipFactory.create(user=user, role=Role.SERVICE_MANAGER)
    user.refresh_from_db()
    assert user.is_staff

    manager.delete()
    user.refresh_from_db()
    assert not user.is_staff
    agent.delete()
    assert not user.is_staff


def test_a_superuser_stays_staff_without_roles():
    user = UserFactory.create(is_superuser=True, is_staff=True)
    membership = MembershipFactory.create(user=user, role=Role.ANALYST)
    membership.delete()

    user.refresh_from_db()
    assert user.is_staff
