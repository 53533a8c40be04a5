"""The alliance view: several producers of the same service class in the same municipality."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.areas.models import Area
from luukku.catalogue.alliance import ProducerLevel, alliance_csv, alliance_groups
from luukku.catalogue.models import Service, ServiceOrganisation
from luukku.catalogue.tests.factories import (
    AreaFactory,
    OrganisationFactory,
    ServiceClassFactory,
    ServiceFactory,
)
from luukku.core.models import AuditEvent
from luukku.organisations.models import Organisation

pytestmark = pytest.mark.django_db

Type = Organisation.Type
Provision = ServiceOrganisation.ProvisionType


def produce(service: Service, organisation: Organisation, provision: str = Provision.SELF_PRODUCED):
    ServiceOrganisation.objects.create(
        service=service,
        organisation=organisation,
        role=ServiceOrganisation.Role.PRODUCER,
        provision_type=provision,
    )


def make_service(slug, klass, *, producers=(), areas=(), area_type=Service.AreaType.LIMITED):
    service: Service = ServiceFactory.create(
        slug=slug, area_type=area_type, names={"fi": f"Palvelu {slug}"}
    )
    service.service_classes.add(klass)
    service.areas.add(*areas)
    for organisation, provision in producers:
        produce(service, organisation, provision)
    return service


@pytest.fixture
def region():
    """Pohjois-Savo with Kuopio and Iisalmi in it; Varkaus is left without a region link."""
    pohjois_savo = AreaFactory.create(area_type=Area.Type.REGION, code="11", name_fi="Pohjois-Savo")
    places = {
        "region": pohjois_savo,
        "kuopio": AreaFactory.create(code="297", name_fi="Kuopio", parent=pohjois_savo),
        "iisalmi": AreaFactory.create(code="140", name_fi="Iisalmi", parent=pohjois_savo),
        "varkaus": AreaFactory.create(code="915", name_fi="Varkaus"),
    }
    organisations = {
        "ely": OrganisationFactory.create(organisation_type=Type.STATE, name_fi="ELY-keskus"),
        "region": OrganisationFactory.create(
            organisation_type=Type.REGION, name_fi="Hyvinvointialue"
        ),
        "kuopio": OrganisationFactory.create(organisation_type=Type.MUNICIPALITY, name_fi="Kuopio"),
        "company": OrganisationFactory.create(
            organisation_type=Type.COMPANY,
            name_fi="Kehitysyhtiö Ääninen Oy",
            business_id="0112038-9",
        ),
    }
    business = ServiceClassFactory.create(code="P10", label_fi="Yritystoiminta")
    health = ServiceClassFactory.create(code="P2", label_fi="Terveys")
    make_service(
        "yritysneuvonta-ely",
        business,
        producers=[(organisations["ely"], Provision.SELF_PRODUCED)],
        area_type=Service.AreaType.NATIONWIDE,
    )
    make_service(
        "yritysneuvonta-maakunta",
        business,
        producers=[(organisations["region"], Provision.SELF_PRODUCED)],
        areas=[pohjois_savo],
    )
    make_service(
        "yritysneuvonta-kuopio",
        business,
        producers=[(organisations["company"], Provision.PURCHASED)],
        areas=[places["kuopio"]],
    )
    # One producer only: never a group.
    make_service(
        "terveysasema",
        health,
        producers=[(organisations["kuopio"], Provision.SELF_PRODUCED)],
        areas=[places["kuopio"]],
    )
    return {
        **places,
        **{f"org_{k}": v for k, v in organisations.items()},
        "business": business,
        "health": health,
    }


def summary(groups):
    return [
        (g.service_class.code, g.municipality.name_fi, [e.organisation.name_fi for e in g.entries])
        for g in groups
    ]


def test_nationwide_and_regional_services_meet_the_local_one_in_each_municipality(region):
    groups = alliance_groups()

    assert summary(groups) == [
        ("P10", "Iisalmi", ["ELY-keskus", "Hyvinvointialue"]),
        ("P10", "Kuopio", ["ELY-keskus", "Hyvinvointialue", "Kehitysyhtiö Ääninen Oy"]),
    ]
    kuopio = groups[1]
    assert kuopio.producer_count == 3
    assert [e.level for e in kuopio.entries] == [
        ProducerLevel.STATE,
        ProducerLevel.REGION,
        ProducerLevel.COMPANY,
    ]
    assert [e.service.slug for e in kuopio.entries] == [
        "yritysneuvonta-ely",
        "yritysneuvonta-maakunta",
        "yritysneuvonta-kuopio",
    ]
    assert [e.provision_type for e in kuopio.entries] == [
        Provision.SELF_PRODUCED,
        Provision.SELF_PRODUCED,
        Provision.PURCHASED,
    ]


def test_two_services_of_one_organisation_are_not_an_overlap(region):
    make_service(
        "terveysasema-ilta",
        region["health"],
        producers=[(region["org_kuopio"], Provision.SELF_PRODUCED)],
        areas=[region["kuopio"]],
    )

    assert [g.service_class.code for g in alliance_groups()] == ["P10", "P10"]


def test_one_service_with_two_producers_is_a_group(region):
    make_service(
        "kotihoito",
        region["health"],
        producers=[
            (region["org_kuopio"], Provision.SELF_PRODUCED),
            (
                OrganisationFactory.create(organisation_type=Type.SOTE_PRIVATE, name_fi="Hoiva Oy"),
                Provision.PURCHASED,
            ),
        ],
        areas=[region["kuopio"]],
    )

    health = [g for g in alliance_groups() if g.service_class.code == "P2"]

    assert summary(health) == [("P2", "Kuopio", ["Kuopio", "Kuopio", "Hoiva Oy"])]
    assert health[0].producer_count == 2
    assert health[0].entries[-1].level == ProducerLevel.COMPANY


def test_a_responsible_organisation_is_not_a_producer(region):
    service = Service.objects.get(slug="terveysasema")
    ServiceOrganisation.objects.create(
        service=service,
        organisation=region["org_region"],
        role=ServiceOrganisation.Role.RESPONSIBLE,
    )

    assert "P2" not in {g.service_class.code for g in alliance_groups()}


def test_filters_narrow_to_a_service_class_and_a_municipality(region):
    assert summary(alliance_groups(municipality=region["kuopio"])) == [
        ("P10", "Kuopio", ["ELY-keskus", "Hyvinvointialue", "Kehitysyhtiö Ääninen Oy"]),
    ]
    assert alliance_groups(service_class=region["health"]) == []
    assert alliance_groups(municipality=region["varkaus"]) == []


def test_service_classes_sort_by_number_not_by_text():
    klass_2 = ServiceClassFactory.create(code="P2")
    klass_10 = ServiceClassFactory.create(code="P10")
    town = AreaFactory.create(code="297", name_fi="Kuopio")
    for klass in (klass_10, klass_2):
        for n in range(2):
            make_service(
                f"s-{klass.code}-{n}",
                klass,
                producers=[(OrganisationFactory.create(), Provision.SELF_PRODUCED)],
                areas=[town],
            )

    assert [g.service_class.code for g in alliance_groups()] == ["P2", "P10"]


# The view


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("catalogue_staff:alliance"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_customer_service_agent_may_not_see_it(client):
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    assert client.get(reverse("catalogue_staff:alliance")).status_code == 403
    assert client.get(reverse("catalogue_staff:alliance_csv")).status_code == 403


def test_an_analyst_sees_the_producers_side_by_side_in_a_table(client, region):
    client.force_login(user_with_role(Role.ANALYST))

    response = client.get(reverse("catalogue_staff:alliance"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html
    assert html.count('<th scope="col">') == 6
    assert '<th scope="rowgroup" rowspan="3">P10 Yritystoiminta</th>' in html
    assert '<th scope="rowgroup" rowspan="3">Kuopio</th>' in html
    assert html.count("<tbody>") == 2
    assert "Kehitysyhtiö Ääninen Oy" in html
    assert reverse("catalogue:service", args=["yritysneuvonta-kuopio"]) in html


def test_the_view_filters_by_service_class_and_municipality(client, region):
    client.force_login(user_with_role(Role.ANALYST))

    response = client.get(
        reverse("catalogue_staff:alliance"), {"service_class": "P10", "municipality": "140"}
    )

    groups = response.context["page"].object_list
    assert summary(groups) == [("P10", "Iisalmi", ["ELY-keskus", "Hyvinvointialue"])]
    assert "service_class=P10" in response.content.decode()  # the CSV link keeps the filters


def test_an_unknown_filter_value_is_a_clear_error(client, region):
    client.force_login(user_with_role(Role.ANALYST))

    response = client.get(reverse("catalogue_staff:alliance"), {"municipality": "999"})

    assert response.status_code == 400
    assert response.context["form"].errors["municipality"]
    assert (
        client.get(reverse("catalogue_staff:alliance_csv"), {"municipality": "999"}).status_code
        == 400
    )


def test_the_page_runs_the_same_number_of_queries_for_many_groups(client, region):
    client.force_login(user_with_role(Role.ANALYST))
    url = reverse("catalogue_staff:alliance")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        town = AreaFactory.create(code=f"{500 + n}", name_fi=f"Kunta {n}", parent=region["region"])
        make_service(
            f"paikallinen-{n}",
            region["business"],
            producers=[(OrganisationFactory.create(), Provision.PURCHASED)],
            areas=[town],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(response.context["page"].object_list) == 10
    assert len(many) == len(few)


# CSV export


def test_the_csv_opens_in_finnish_excel_and_the_export_is_audited(client, region):
    user = user_with_role(Role.SERVICE_MANAGER)
    client.force_login(user)

    response = client.get(reverse("catalogue_staff:alliance_csv"), {"municipality": "297"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="luukku-alliance-{today}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Palveluluokan koodi", "Palveluluokka", "Kuntakoodi", "Kunta"]
    assert [row[4] for row in rows[1:]] == [
        "ELY-keskus",
        "Hyvinvointialue",
        "Kehitysyhtiö Ääninen Oy",
    ]
    assert rows[3][5] == "0112038-9"
    assert rows[3][6] == "yritys"
    assert rows[3][8:10] == ["yritysneuvonta-kuopio", "Palvelu yritysneuvonta-kuopio"]

    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == user
    assert event.details == {"service_class": "", "municipality": "297", "rows": 3}


def test_the_csv_is_in_the_users_language(client, region):
    region["org_ely"].name_en = "ELY Centre"
    region["org_ely"].save()
    client.force_login(user_with_role(Role.ANALYST))

    with translation.override("sv"):
        swedish = client.get(reverse("catalogue_staff:alliance_csv"))
    with translation.override("en"):
        english = client.get(reverse("catalogue_staff:alliance_csv"))
    assert english.request["PATH_INFO"].startswith("/en/")

    def first_producer(response):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        return list(rows)[1][4]

    assert first_producer(english) == "ELY Centre"
    assert first_producer(swedish) == region["org_ely"].name_sv


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv(region):
    region["org_company"].name_fi = '=HYPERLINK("http://evil")'
    region["org_company"].save()

    text = alliance_csv(alliance_groups(municipality=region["kuopio"]), "fi")

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[3][4] == '\'=HYPERLINK("http://evil")'


def test_municipalities_producing_one_service_for_their_own_residents_do_not_overlap(region):
    iisalmi_town = OrganisationFactory.create(
        organisation_type=Type.MUNICIPALITY,
        name_fi="Iisalmen kaupunki",
        municipality=region["iisalmi"],
    )
    region["org_kuopio"].municipality = region["kuopio"]
    region["org_kuopio"].save()
    permits = ServiceClassFactory.create(code="P2.1", label_fi="Rakentaminen")
    make_service(
        "rakennuslupa",
        permits,
        producers=[
            (region["org_kuopio"], Provision.SELF_PRODUCED),
            (iisalmi_town, Provision.SELF_PRODUCED),
        ],
        areas=[region["region"]],
    )
    assert alliance_groups(service_class=permits) == []

    make_service(
        "rakennuslupa-neuvonta",
        permits,
        producers=[(region["org_region"], Provision.SELF_PRODUCED)],
        areas=[region["region"]],
    )

    assert summary(alliance_groups(service_class=permits)) == [
        ("P2.1", "Iisalmi", ["Hyvinvointialue", "Iisalmen kaupunki"]),
        ("P2.1", "Kuopio", ["Hyvinvointialue", "Kuopio"]),
    ]


def test_two_units_of_one_organisation_are_one_producer(region):
    elderly = OrganisationFactory.create(
        organisation_type=Type.REGION, name_fi="Ikäihmisten palvelut", parent=region["org_region"]
    )
    disability = OrganisationFactory.create(
        organisation_type=Type.REGION, name_fi="Vammaispalvelut", parent=region["org_region"]
    )
    care = ServiceClassFactory.create(code="P5.14", label_fi="Omaishoito")
    make_service(
        "omaishoidon-tuki",
        care,
        producers=[(elderly, Provision.SELF_PRODUCED), (disability, Provision.SELF_PRODUCED)],
        areas=[region["region"]],
    )
    assert alliance_groups(service_class=care) == []

    make_service(
        "omaishoidon-valmennus",
        care,
        producers=[
            (
                OrganisationFactory.create(
                    organisation_type=Type.ORGANISATION, name_fi="Omaishoitajat ry"
                ),
                Provision.OTHER,
            )
        ],
        areas=[region["kuopio"]],
    )

    groups = alliance_groups(service_class=care)
    assert summary(groups) == [
        ("P5.14", "Kuopio", ["Ikäihmisten palvelut", "Vammaispalvelut", "Omaishoitajat ry"])
    ]
    assert groups[0].producer_count == 2
