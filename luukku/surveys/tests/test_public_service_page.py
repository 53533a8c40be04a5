"""The service page offers "Give feedback on this service" for the open surveys that have a
service-page touchpoint for it, in one extra query."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from luukku.catalogue import page_extras
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.surveys.models import Survey, Touchpoint
from luukku.surveys.tests.factories import SurveyFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def service_page(client, service, language="en"):
    with translation.override(language):
        return client.get(reverse("catalogue:service", args=[service.slug])).content.decode()


def test_an_open_survey_with_a_service_page_touchpoint_is_linked(client):
    service = ServiceFactory.create()
    touchpoint = TouchpointFactory.create(
        survey=SurveyFactory.create(), kind=Touchpoint.Kind.SERVICE_PAGE, service=service
    )
    html = service_page(client, service)
    assert "Give feedback on this service" in html
    with translation.override("en"):
        assert f'href="{reverse("surveys:touchpoint", args=[touchpoint.code])}"' in html


def test_closed_inactive_or_other_services_surveys_are_not_linked(client):
    service = ServiceFactory.create()
    TouchpointFactory.create(
        survey=SurveyFactory.create(status=Survey.Status.CLOSED),
        kind=Touchpoint.Kind.SERVICE_PAGE,
        service=service,
    )
    TouchpointFactory.create(kind=Touchpoint.Kind.SERVICE_PAGE, service=service, active=False)
    TouchpointFactory.create(kind=Touchpoint.Kind.SERVICE_PAGE, service=ServiceFactory.create())
    TouchpointFactory.create(kind=Touchpoint.Kind.OPEN_LINK, service=service)
    assert "Give feedback on this service" not in service_page(client, service)


def test_the_links_cost_one_query_however_many_surveys(django_assert_num_queries):
    service = ServiceFactory.create()
    for _ in range(3):
        TouchpointFactory.create(
            survey=SurveyFactory.create(), kind=Touchpoint.Kind.SERVICE_PAGE, service=service
        )
    with django_assert_num_queries(1):
        links = page_extras.links_for(service)
    assert len(links) == 3
    # Several surveys: each link names its survey.
    assert all(link.description for link in links)
