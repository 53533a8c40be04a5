"""Catalogue upkeep in the admin, scoped to the staff member's organisations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import Service, ServiceChannel, ServiceOrganisation, ServiceText
from luukku.catalogue.tests.admin_helpers import change_form_data
from luukku.catalogue.tests.factories import (
    AreaFactory,
    LifeEventFactory,
    OrganisationFactory,
    ServiceChannelFactory,
    ServiceClassFactory,
    ServiceFactory,
)
from luukku.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    kuopio = OrganisationFactory.create(name_fi="Kuopion kaupunki")
    kuopio_library = OrganisationFactory.create(name_fi="Kuopion kaupunginkirjasto", parent=kuopio)
    iisalmi = OrganisationFactory.create(name_fi="Iisalmen kaupunki")
    return {
        "kuopio": kuopio,
        "iisalmi": iisalmi,
        "kirjasto": ServiceFactory.create(slug="kirjasto", producers=[kuopio_library]),
        "rakennuslupa": ServiceFactory.create(slug="rakennuslupa", producers=[kuopio]),
        "iisalmen-rakennuslupa": ServiceFactory.create(
            slug="iisalmen-rakennuslupa", producers=[iisalmi]
        ),
        "kuopio-channel": ServiceChannelFactory.create(slug="kuopio-info", organisation=kuopio),
        "iisalmi-channel": ServiceChannelFactory.create(slug="iisalmi-info", organisation=iisalmi),
    }


def changelist_slugs(client, model: str) -> list[str]:
    response = client.get(reverse(f"admin:catalogue_{model}_changelist"))
    assert response.status_code == 200
    return sorted(obj.slug for obj in response.context["cl"].result_list)


def test_a_role_that_manages_the_catalogue_lets_the_user_into_the_admin(client, catalogue):
    manager = user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"])
    assert manager.is_staff
    client.force_login(manager)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert {"Service", "ServiceChannel", "ServiceClass", "Organisation", "Area"} <= models
    assert "AuditEvent" not in models
    assert "User" not in models


def test_a_customer_service_agent_is_not_let_into_the_admin(client, catalogue):
    agent = user_with_role(Role.CUSTOMER_SERVICE_AGENT, catalogue["kuopio"])
    client.force_login(agent)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_service_manager_sees_the_services_of_the_organisation_and_its_units(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))

    assert changelist_slugs(client, "service") == ["kirjasto", "rakennuslupa"]
    assert changelist_slugs(client, "servicechannel") == ["kuopio-info"]


def test_the_region_admin_sees_every_service_and_channel(client, catalogue):
    client.force_login(user_with_role(Role.REGION_ADMIN, OrganisationFactory.create()))

    assert changelist_slugs(client, "service") == [
        "iisalmen-rakennuslupa",
        "kirjasto",
        "rakennuslupa",
    ]
    assert changelist_slugs(client, "servicechannel") == ["iisalmi-info", "kuopio-info"]


def test_another_organisations_service_cannot_be_opened_or_changed(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))
    other = catalogue["iisalmen-rakennuslupa"]
    url = reverse("admin:catalogue_service_change", args=[other.pk])

    assert client.get(url).status_code == 302  # "does not exist" for this user
    client.post(url, {"slug": "kaapattu"})
    other.refresh_from_db()
    assert other.slug == "iisalmen-rakennuslupa"


# Real commits: the reindex runs on commit, which a test wrapped in one transaction never sees.
@pytest.mark.django_db(transaction=True)
def test_a_service_manager_edits_a_name_and_the_search_index_follows(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))
    service = catalogue["rakennuslupa"]
    url = reverse("admin:catalogue_service_change", args=[service.pk])
    data = change_form_data(client.get(url))
    name_field = next(
        key
        for key, value in data.items()
        if key.startswith("texts-") and value == service.name("fi")
    )
    data[name_field] = "Rakennuslupa ja toimenpidelupa"

    response = client.post(url, data)

    assert response.status_code == 302
    name = ServiceText.objects.get(service=service, kind=ServiceText.Kind.NAME, language="fi")
    assert name.value == "Rakennuslupa ja toimenpidelupa"
    assert service.search_terms.filter(term="toimenpidelupa").exists()


def test_removing_the_last_own_organisation_from_a_service_is_refused(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))
    service = catalogue["rakennuslupa"]
    url = reverse("admin:catalogue_service_change", args=[service.pk])
    data = change_form_data(client.get(url))
    data["roles-0-DELETE"] = "on"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Anna vähintään yhdelle omista organisaatioistasi rooli" in response.content.decode()
    assert ServiceOrganisation.objects.filter(service=service).count() == 1


def test_a_new_service_gets_the_managers_own_organisation_as_producer(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))
    url = reverse("admin:catalogue_service_add")
    data = {
        **change_form_data(client.get(url)),
        "slug": "uimahalli",
        "service_type": Service.Type.SERVICE,
        "domain": "education-and-culture",
        "area_type": Service.AreaType.LIMITED,
        "languages": "[]",
        "texts-TOTAL_FORMS": "1",
        "texts-0-language": "fi",
        "texts-0-kind": ServiceText.Kind.NAME,
        "texts-0-value": "Uimahalli",
        "roles-TOTAL_FORMS": "1",
        "roles-0-organisation": str(catalogue["iisalmi"].pk),
        "roles-0-role": ServiceOrganisation.Role.PRODUCER,
        "roles-0-provision_type": ServiceOrganisation.ProvisionType.SELF_PRODUCED,
    }

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert not Service.objects.filter(slug="uimahalli").exists()

    data["roles-0-organisation"] = str(catalogue["kuopio"].pk)
    assert client.post(url, data).status_code == 302
    assert Service.objects.get(slug="uimahalli").name("fi") == "Uimahalli"


def test_a_channel_can_only_be_given_to_an_own_organisation(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))
    channel = catalogue["kuopio-channel"]
    url = reverse("admin:catalogue_servicechannel_change", args=[channel.pk])
    response = client.get(url)
    choices = {
        str(org) for org in response.context["adminform"].form.fields["organisation"].queryset
    }
    assert choices == {"Kuopion kaupunki", "Kuopion kaupunginkirjasto"}
    data = change_form_data(response)
    data["organisation"] = str(catalogue["iisalmi"].pk)

    assert client.post(url, data).status_code == 200
    channel.refresh_from_db()
    assert channel.organisation == catalogue["kuopio"]


def test_a_channel_with_hours_and_stops_is_edited_in_one_page(client, catalogue):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))
    channel = catalogue["kuopio-channel"]
    url = reverse("admin:catalogue_servicechannel_change", args=[channel.pk])
    data = change_form_data(client.get(url))
    data.update(
        {
            "hours-TOTAL_FORMS": "1",
            "hours-0-kind": "DaysOfTheWeek",
            "hours-0-weekday": "3",
            "hours-0-opens": "12:00",
            "hours-0-closes": "19:00",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    hours = ServiceChannel.objects.get(pk=channel.pk).hours.get()
    assert (hours.weekday, str(hours.closes)) == (3, "19:00:00")


def test_code_lists_are_read_only(client, catalogue):
    ServiceClassFactory.create(code="P1", label_fi="Asuminen")
    event = LifeEventFactory.create(code="KE1", label_fi="Lapsen saaminen")
    client.force_login(user_with_role(Role.REGION_ADMIN, OrganisationFactory.create()))

    assert client.get(reverse("admin:catalogue_serviceclass_changelist")).status_code == 200
    assert client.get(reverse("admin:catalogue_serviceclass_add")).status_code == 403
    change_url = reverse("admin:catalogue_lifeevent_change", args=[event.pk])
    response = client.get(change_url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    client.post(change_url, {"code": "KE1", "label_fi": "Muutettu"})
    event.refresh_from_db()
    assert event.label_fi == "Lapsen saaminen"


def test_organisations_are_looked_up_by_managers_and_changed_by_the_region_admin(client, catalogue):
    kuopio: Organisation = catalogue["kuopio"]
    url = reverse("admin:organisations_organisation_change", args=[kuopio.pk])

    client.force_login(user_with_role(Role.SERVICE_MANAGER, kuopio))
    assert client.get(reverse("admin:organisations_organisation_changelist")).status_code == 200
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.post(url, {"name_fi": "Muutettu"}).status_code == 403

    client.force_login(user_with_role(Role.REGION_ADMIN, OrganisationFactory.create()))
    assert 'name="_save"' in client.get(url).content.decode()


def test_the_service_list_runs_a_fixed_number_of_queries(
    client, catalogue, django_assert_max_num_queries
):
    client.force_login(user_with_role(Role.REGION_ADMIN, OrganisationFactory.create()))
    for n in range(20):
        ServiceFactory.create(slug=f"extra-{n}", producers=[catalogue["kuopio"]])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:catalogue_service_changelist"))

    assert len(response.context["cl"].result_list) == 23


def test_a_service_shared_with_another_organisation_is_not_deleted_by_a_scoped_manager(
    client, catalogue
):
    shared = ServiceFactory.create(
        slug="yritysneuvonta", producers=[catalogue["kuopio"], catalogue["iisalmi"]]
    )
    own = catalogue["rakennuslupa"]
    client.force_login(user_with_role(Role.SERVICE_MANAGER, catalogue["kuopio"]))

    refused = client.post(
        reverse("admin:catalogue_service_delete", args=[shared.pk]), {"post": "yes"}
    )
    allowed = client.post(reverse("admin:catalogue_service_delete", args=[own.pk]), {"post": "yes"})

    client.post(
        reverse("admin:catalogue_service_changelist"),
        {"action": "delete_selected", "_selected_action": [shared.pk], "post": "yes"},
    )

    assert refused.status_code == 403
    assert Service.objects.filter(pk=shared.pk).exists()
    assert allowed.status_code == 302
    assert not Service.objects.filter(pk=own.pk).exists()


def test_the_region_admin_keeps_population_figures_on_the_municipality_page(client):
    kuopio = AreaFactory.create(code="297", name_fi="Kuopio")
    url = reverse("admin:areas_area_change", args=[kuopio.pk])
    client.force_login(user_with_role(Role.REGION_ADMIN, OrganisationFactory.create()))
    data = change_form_data(client.get(url))
    data.update(
        {
            "population-TOTAL_FORMS": "1",
            "population-0-year": "2024",
            "population-0-age_band": "75-",
            "population-0-sex": "female",
            "population-0-population": "6512",
            "population-0-approximate": "on",
            "population-0-source": "Tilastokeskus (arvio)",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    cell = kuopio.population.get()
    assert (cell.year, cell.age_band, cell.sex, cell.population) == (2024, "75-", "female", 6512)


def test_a_service_manager_sees_areas_but_cannot_change_them(client):
    kuopio = AreaFactory.create(code="297", name_fi="Kuopio")
    client.force_login(user_with_role(Role.SERVICE_MANAGER, OrganisationFactory.create()))

    page = client.get(reverse("admin:areas_area_change", args=[kuopio.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:areas_area_add")).status_code == 403
