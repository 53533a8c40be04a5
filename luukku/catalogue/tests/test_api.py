"""The public JSON API: what a client application gets back, and what it is told when wrong."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from luukku.catalogue import search
from luukku.catalogue.models import ServiceOrganisation
from luukku.catalogue.tests.factories import (
    AreaFactory,
    LifeEventFactory,
    MobileStopFactory,
    OrganisationFactory,
    ServiceChannelFactory,
    ServiceClassFactory,
    ServiceFactory,
    ServiceHoursFactory,
    TargetGroupFactory,
)
from luukku.catalogue.tests.search_data import dangerously_build_search_catalogue

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/services"


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    search.invalidate_vocabulary()
    yield
    search.invalidate_vocabulary()


@pytest.fixture
def catalogue():
    services = dangerously_build_search_catalogue()
    search.rebuild_index()
    return services


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_search_returns_the_best_match_first_with_its_score_and_link(client, catalogue):
    status, body = get_json(client, LIST_URL, q="rakennusluvan hakeminen", lang="fi")
    assert status == 200
    first = body["results"][0]
    assert first["slug"] == "rakennuslupa"
    assert first["name"] == "Rakennuslupa"
    assert first["summary"].startswith("Rakennuslupa tarvitaan")
    assert first["url"] == "http://testserver/api/v1/services/rakennuslupa"
    assert first["page_url"] == "http://testserver/palvelut/rakennuslupa/"
    assert client.get(first["page_url"]).status_code == 200
    scores = [row["score"] for row in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert body["count"] == len(body["results"])
    assert body["next"] is None
    assert body["previous"] is None


def test_search_in_swedish_answers_in_swedish(client, catalogue):
    _, body = get_json(client, LIST_URL, q="tandvården", lang="sv")
    assert body["results"][0]["slug"] == "hammashoito"
    assert body["results"][0]["name"] == "Tandvård"
    assert body["results"][0]["page_url"] == "http://testserver/sv/palvelut/hammashoito/"


def test_search_in_english_answers_in_english(client, catalogue):
    _, body = get_json(client, LIST_URL, q="building permit", lang="en")
    assert body["results"][0]["slug"] == "rakennuslupa"
    assert body["results"][0]["name"] == "Building permit"


def test_a_search_without_matches_is_an_empty_page_not_an_error(client, catalogue):
    status, body = get_json(client, LIST_URL, q="avaruusmatkailu")
    assert status == 200
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_without_a_query_every_service_is_listed_by_slug_in_pages(client, catalogue):
    status, body = get_json(client, LIST_URL, page_size=3)
    assert status == 200
    assert body["count"] == len(catalogue)
    assert [row["slug"] for row in body["results"]] == sorted(catalogue)[:3]
    assert all(row["score"] is None for row in body["results"])
    assert body["previous"] is None

    seen: list[str] = []
    url = f"http://testserver{LIST_URL}?page_size=3"
    while url:
        page = client.get(url).json()
        seen.extend(row["slug"] for row in page["results"])
        url = page["next"]
    assert seen == sorted(catalogue)


def test_the_previous_link_of_page_two_is_page_one(client, catalogue):
    _, body = get_json(client, LIST_URL, page_size=3, page=2)
    assert body["previous"] == f"http://testserver{LIST_URL}?page_size=3"


def test_search_results_are_paginated_with_the_total_of_all_pages(client, catalogue):
    _, first = get_json(client, LIST_URL, q="hoito", page_size=1)
    _, second = get_json(client, LIST_URL, q="hoito", page_size=1, page=2)
    assert first["count"] == second["count"] >= 2
    assert first["results"][0]["slug"] != second["results"][0]["slug"]
    assert "page=2" in first["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lang": "de"}, "lang"),
        ({"page_size": 101}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": "first"}, "page"),
        ({"page": 0}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(client, params, field):
    status, body = get_json(client, LIST_URL, **params)
    assert status == 400
    assert list(body) == [field]
    assert body[field][0]


def test_a_page_past_the_end_is_not_found(client, catalogue):
    status, body = get_json(client, LIST_URL, page=99)
    assert status == 404
    assert body == {"detail": "Invalid page."}
    status, _ = get_json(client, LIST_URL, q="rakennuslupa", page=99)
    assert status == 404


@pytest.fixture
def full_service():
    kuopio = AreaFactory(code="297", name_fi="Kuopio", name_sv="Kuopio", name_en="Kuopio")
    region = OrganisationFactory.create(
        slug="pohjois-savo", name_fi="Pohjois-Savon hyvinvointialue", name_sv="", name_en=""
    )
    company = OrganisationFactory(slug="hammas-oy", organisation_type="Company")
    service = ServiceFactory.create(
        slug="hammashoito",
        names={"fi": "Hammashoito", "sv": "Tandvård", "en": "Dental care"},
        summaries={"fi": "Suun terveydenhuolto.", "en": "Oral health care."},
        descriptions={"fi": "Varaa aika hammaslääkärille."},
        keywords={"fi": ["hammaslääkäri"]},
        producers=[company],
    )
    ServiceOrganisation.objects.create(
        service=service, organisation=region, role=ServiceOrganisation.Role.RESPONSIBLE
    )
    service.service_classes.add(
        ServiceClassFactory(code="P4.5", label_fi="Suun terveydenhuolto", label_en="Oral care")
    )
    service.target_groups.add(TargetGroupFactory(code="KR1", label_fi="Kansalaiset"))
    service.life_events.add(LifeEventFactory(code="KE8", label_fi="Terveyden menettäminen"))
    service.areas.add(kuopio)
    clinic = ServiceChannelFactory(
        slug="hammashoitola",
        organisation=region,
        municipality=kuopio,
        street_address="Puijonkatu 1",
        names={"fi": "Hammashoitola", "sv": "Tandklinik"},
    )
    ServiceHoursFactory(channel=clinic, weekday=0, opens="08:00", closes="20:00")
    van = ServiceChannelFactory(
        slug="palveluauto", organisation=region, is_mobile=True, names={"fi": "Palveluauto"}
    )
    MobileStopFactory(channel=van, municipality=kuopio, place="Kylätalo", weekday=2)
    service.channels.add(clinic, van)
    return service


def test_the_full_record_has_every_language_and_relation(client, full_service):
    status, body = get_json(client, reverse("api:service-detail", kwargs={"slug": "hammashoito"}))
    assert status == 200
    assert body["slug"] == "hammashoito"
    assert body["name"] == {"fi": "Hammashoito", "sv": "Tandvård", "en": "Dental care"}
    assert body["summary"] == {"fi": "Suun terveydenhuolto.", "en": "Oral health care."}
    assert body["keywords"] == {"fi": ["hammaslääkäri"]}
    assert body["service_classes"][0]["code"] == "P4.5"
    assert body["service_classes"][0]["label"]["en"] == "Oral care"
    assert body["target_groups"][0]["code"] == "KR1"
    assert body["life_events"][0]["label"]["fi"] == "Terveyden menettäminen"
    roles = {(row["slug"], row["role"]) for row in body["organisations"]}
    assert roles == {("pohjois-savo", "Responsible"), ("hammas-oy", "Producer")}
    assert body["areas"] == [
        {
            "area_type": "Municipality",
            "code": "297",
            "name": {"fi": "Kuopio", "sv": "Kuopio", "en": "Kuopio"},
        }
    ]
    clinic, van = body["channels"]
    assert clinic["name"] == {"fi": "Hammashoitola", "sv": "Tandklinik"}
    assert clinic["municipality"]["code"] == "297"
    assert (clinic["hours"][0]["weekday"], clinic["hours"][0]["opens"]) == (0, "08:00:00")
    assert clinic["hours"][0]["closes"] == "20:00:00"
    assert van["is_mobile"] is True
    assert van["stops"][0]["place"] == "Kylätalo"
    assert van["stops"][0]["municipality"]["name"]["fi"] == "Kuopio"


def test_an_unknown_service_is_a_json_404(client):
    status, body = get_json(client, "/api/v1/services/ei-ole")
    assert status == 404
    assert body == {"detail": "No service with this slug."}


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_services(
    client, django_assert_max_num_queries
):
    for number in range(3):
        ServiceFactory.create(slug=f"a-{number}")
    client.get(LIST_URL)  # warm the session and throttle machinery
    with django_assert_max_num_queries(3) as small:
        client.get(LIST_URL, {"page_size": 50})
    for number in range(27):
        ServiceFactory.create(slug=f"b-{number}")
    with django_assert_max_num_queries(3) as large:
        assert len(client.get(LIST_URL, {"page_size": 50}).json()["results"]) == 30
    assert len(small.captured_queries) == len(large.captured_queries)


def test_search_takes_a_fixed_number_of_queries(client, catalogue, django_assert_max_num_queries):
    client.get(LIST_URL, {"q": "hoito"})  # loads the vocabulary once per process
    with django_assert_max_num_queries(4):
        body = client.get(LIST_URL, {"q": "hoito", "page_size": 1}).json()
    assert body["count"] >= 2


def test_the_full_record_takes_a_fixed_number_of_queries(
    client, full_service, django_assert_num_queries
):
    url = reverse("api:service-detail", kwargs={"slug": "hammashoito"})
    client.get(url)
    with django_assert_num_queries(11) as before:
        client.get(url)
    for number in range(5):
        channel = ServiceChannelFactory(slug=f"puhelin-{number}", channel_type="Phone")
        ServiceHoursFactory(channel=channel)
        full_service.channels.add(channel)
    with django_assert_num_queries(len(before.captured_queries)):
        assert len(client.get(url).json()["channels"]) == 7


def test_the_openapi_document_describes_both_endpoints(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    listing = schema["paths"]["/api/v1/services"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"q", "lang", "page", "page_size"}
    page = schema["components"]["schemas"]["ServiceListPage"]
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    row = schema["components"]["schemas"]["ServiceSummary"]
    assert {"slug", "name", "score", "summary", "url"} <= set(row["properties"])
    assert set(listing["responses"]) == {"200", "400", "404", "429"}
    detail = schema["paths"]["/api/v1/services/{slug}"]["get"]
    assert set(detail["responses"]) == {"200", "404", "429"}
    record = schema["components"]["schemas"]["ServiceDetail"]
    assert {"channels", "organisations", "life_events", "areas"} <= set(record["properties"])


def test_a_row_without_a_translation_falls_back_to_finnish(client):
    ServiceFactory.create(
        slug="kirjasto",
        names={"fi": "Kirjasto", "en": "Library"},
        summaries={"fi": "Lainaa kirjoja."},
    )
    search.rebuild_index()
    _, body = get_json(client, LIST_URL, lang="en")
    assert body["results"][0]["name"] == "Library"
    assert body["results"][0]["summary"] == "Lainaa kirjoja."


@pytest.mark.parametrize(
    "query",
    ["!!! ???", "'; DROP TABLE catalogue_service; --", "ä" * 200, "lupa " * 40, "%_\\"],
)
def test_odd_queries_get_an_ordinary_answer(client, catalogue, query):
    status, body = get_json(client, LIST_URL, q=query)
    assert status == 200
    assert body["count"] == len(body["results"])


def test_the_full_record_matches_the_published_schema(full_service, keep_test_connection):
    """Found by a schemathesis run against the demo: opening hours and van stop times
    ("09:00:00", local time without an offset) broke the document's `format: time`."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    case = schema["/api/v1/services/{slug}"]["GET"].Case(path_parameters={"slug": "hammashoito"})
    response = case.call()

    assert response.status_code == 200
    hours = [row for channel in response.json()["channels"] for row in channel["hours"]]
    assert hours[0]["opens"] == "08:00:00"
    case.validate_response(response)  # raises with the violations if any


def test_every_throttled_operation_documents_its_429(client):
    document = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/services", "/api/v1/services/{slug}", "/api/v1/routing/suggest"):
        assert "429" in document["paths"][path]["get"]["responses"], path
