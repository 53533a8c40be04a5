"""Roles, accounts and the audit log in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from luukku.accounts.models import Membership
from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import MembershipFactory, UserFactory, user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.core import audit
from luukku.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns():
    kuopio = OrganisationFactory.create(name_fi="Kuopion kaupunki")
    return {
        "kuopio": kuopio,
        "kuopio-unit": OrganisationFactory.create(
            name_fi="Kuopion sosiaalipalvelut", parent=kuopio
        ),
        "iisalmi": OrganisationFactory.create(name_fi="Iisalmen kaupunki"),
        "region": OrganisationFactory.create(name_fi="Pohjois-Savon hyvinvointialue"),
    }


# The audit log


@pytest.fixture
def audit_trail(towns):
    kuopio_agent = user_with_role(Role.CASE_OWNER, towns["kuopio-unit"], username="kuopio-agent")
    iisalmi_agent = user_with_role(Role.CASE_OWNER, towns["iisalmi"], username="iisalmi-agent")
    audit.record_read(actor=kuopio_agent, target=towns["kuopio"], purpose="case handling")
    audit.record_read(actor=iisalmi_agent, target=towns["iisalmi"], purpose="case handling")
    audit.record(action=AuditEvent.Action.LOGIN_FAILED, actor_label="unknown")


def audit_labels(client) -> list[str]:
    response = client.get(reverse("admin:core_auditevent_changelist"))
    assert response.status_code == 200
    return sorted(event.actor_label for event in response.context["cl"].result_list)


def test_the_region_admin_reads_the_whole_audit_log(client, towns, audit_trail):
    client.force_login(user_with_role(Role.REGION_ADMIN, towns["region"], username="alue"))

    # Their own login is in the log too.
    assert audit_labels(client) == ["alue", "iisalmi-agent", "kuopio-agent", "unknown"]


def test_an_organisation_admin_reads_the_events_of_their_own_staff(client, towns, audit_trail):
    client.force_login(user_with_role(Role.ORGANISATION_ADMIN, towns["kuopio"], username="kunta"))

    assert audit_labels(client) == ["kunta", "kuopio-agent"]


def test_the_audit_log_cannot_be_added_to_changed_or_deleted(client, towns, audit_trail):
    client.force_login(user_with_role(Role.REGION_ADMIN, towns["region"]))
    event = AuditEvent.objects.get(actor_label="kuopio-agent")

    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    change = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    changelist = client.get(reverse("admin:core_auditevent_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_service_manager_cannot_read_the_audit_log(client, towns, audit_trail):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, towns["kuopio"]))

    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 403


# Roles and accounts


def test_an_organisation_admin_sees_and_grants_roles_only_in_their_organisations(client, towns):
    admin_user = user_with_role(Role.ORGANISATION_ADMIN, towns["kuopio"])
    MembershipFactory.create(organisation=towns["iisalmi"])
    in_unit = MembershipFactory.create(organisation=towns["kuopio-unit"])
    client.force_login(admin_user)

    listed = client.get(reverse("admin:accounts_membership_changelist")).context["cl"].result_list
    assert {m.pk for m in listed} == {in_unit.pk, admin_user.memberships.get().pk}

    form = client.get(reverse("admin:accounts_membership_add")).context["adminform"].form
    assert {str(o) for o in form.fields["organisation"].queryset} == {
        "Kuopion kaupunki",
        "Kuopion sosiaalipalvelut",
    }
    assert Role.REGION_ADMIN not in dict(form.fields["role"].choices)

    newcomer = UserFactory.create(username="uusi")
    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": newcomer.pk, "organisation": towns["kuopio-unit"].pk, "role": Role.CASE_OWNER},
    )
    assert response.status_code == 302
    assert newcomer.memberships.get().role == Role.CASE_OWNER


def test_an_organisation_admin_cannot_make_anyone_region_admin(client, towns):
    client.force_login(user_with_role(Role.ORGANISATION_ADMIN, towns["kuopio"]))
    newcomer = UserFactory.create()

    response = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": newcomer.pk, "organisation": towns["kuopio"].pk, "role": Role.REGION_ADMIN},
    )

    assert response.status_code == 200
    assert not Membership.objects.filter(user=newcomer).exists()


def test_an_organisation_admin_cannot_remove_a_region_admin_role(client, towns):
    region_admin_role = MembershipFactory.create(
        organisation=towns["kuopio"], role=Role.REGION_ADMIN
    )
    client.force_login(user_with_role(Role.ORGANISATION_ADMIN, towns["kuopio"]))

    url = reverse("admin:accounts_membership_delete", args=[region_admin_role.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=region_admin_role.pk).exists()


def test_accounts_are_read_only_for_organisation_admins_and_editable_by_the_region_admin(
    client, towns
):
    someone = UserFactory.create(username="joku")
    url = reverse("admin:accounts_user_change", args=[someone.pk])

    client.force_login(user_with_role(Role.ORGANISATION_ADMIN, towns["kuopio"]))
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403

    client.force_login(user_with_role(Role.REGION_ADMIN, towns["region"]))
    page = client.get(url)
    assert 'name="_save"' in page.content.decode()
    assert "user_permissions" not in page.context["adminform"].form.fields
