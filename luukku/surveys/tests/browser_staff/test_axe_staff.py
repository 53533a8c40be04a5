"""The staff survey pages in Finnish, Swedish and English pass axe-core with no violations:
the survey list, the builder page, a question form with errors, results and the QR poster."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import ServiceChannelFactory
from luukku.surveys.models import Survey, Touchpoint
from luukku.surveys.tests.factories import TouchpointFactory, standard_survey
from luukku.surveys.tests.test_results import answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["fi", "sv", "en"]
AXE = Axe()


def path(name: str, language: str, *args: object) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def log_in_as_manager(page: Page, base: str) -> Survey:
    """A service manager's session, and their survey with answers and a location touchpoint."""
    survey = standard_survey()
    for overall, nps in [(5, 10), (4, 9), (2, 6)]:
        answer(survey, overall=overall, nps=nps, contact_channel=["a"], topics=["x"])
    TouchpointFactory.create(
        survey=survey, kind=Touchpoint.Kind.LOCATION, location=ServiceChannelFactory.create()
    )
    client = Client()
    client.force_login(user_with_role(Role.SERVICE_MANAGER, survey.organisation))
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "url": base,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            }
        ]
    )
    return survey


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered {response.status}"


def survey_list(page: Page, base: str, language: str) -> None:
    log_in_as_manager(page, base)
    open_page(page, base + path("surveys_staff:list", language))


def survey_page(page: Page, base: str, language: str) -> None:
    survey = log_in_as_manager(page, base)
    open_page(page, base + path("surveys_staff:survey", language, survey.public_id))


def new_survey_form(page: Page, base: str, language: str) -> None:
    log_in_as_manager(page, base)
    open_page(page, base + path("surveys_staff:create", language))


def question_form_with_errors(page: Page, base: str, language: str) -> None:
    survey = log_in_as_manager(page, base)
    open_page(page, base + path("surveys_staff:add_question", language, survey.public_id))
    page.select_option("#id_kind", "single")
    page.fill("#id_text_fi", "Miten asioit?")
    page.fill("#id_choices-0-label_fi", "Puhelimessa")
    page.select_option(
        "#id_show_if_question",
        label=f"overall: {survey.questions.get(code='overall').text(language)}",
    )
    page.select_option("#id_show_if_operator", "lte")
    page.fill("#id_condition_value", "9")
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def touchpoint_form(page: Page, base: str, language: str) -> None:
    survey = log_in_as_manager(page, base)
    open_page(page, base + path("surveys_staff:add_touchpoint", language, survey.public_id))


def results_page(page: Page, base: str, language: str) -> None:
    survey = log_in_as_manager(page, base)
    open_page(page, base + path("surveys_staff:results", language, survey.public_id))


def qr_page(page: Page, base: str, language: str) -> None:
    survey = log_in_as_manager(page, base)
    touchpoint = survey.touchpoints.get()
    open_page(page, base + path("surveys_staff:qr", language, touchpoint.code))


PAGES: dict[str, Callable[[Page, str, str], None]] = {
    "survey-list": survey_list,
    "survey-page": survey_page,
    "new-survey-form": new_survey_form,
    "question-form-with-errors": question_form_with_errors,
    "touchpoint-form": touchpoint_form,
    "results": results_page,
    "qr-poster": qr_page,
}


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']} {node['failureSummary']}" for node in violation["nodes"]
        )
    return "\n".join(lines)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_staff_survey_page_has_no_axe_violations(
    page: Page, live_server, name: str, language: str
) -> None:
    PAGES[name](page, live_server.url, language)

    assert page.locator("html").get_attribute("lang") == language
    results = AXE.run(page)
    assert results.response["passes"], "axe checked nothing: was it blocked?"
    violations = results.response["violations"]
    assert violations == [], (
        f"{name} [{language}] {page.url}\n{describe(violations)}\n"
        f"{json.dumps(violations, indent=1)[:4000]}"
    )
