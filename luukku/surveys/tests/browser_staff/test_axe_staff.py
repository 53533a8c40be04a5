"""The staff survey pages in Finnish, Swedish and English pass axe-core with no violations:
the survey list, the builder page, a question form with errors, results and the QR poster."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import ServiceChannelFactory
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path
from luukku.surveys.models import Survey, Touchpoint
from luukku.surveys.tests.factories import TouchpointFactory, standard_survey
from luukku.surveys.tests.test_results import answer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_as_manager(page: Page, base: str) -> Survey:
    """A service manager's session, and their survey with answers and a location touchpoint."""
    survey = standard_survey()
    for overall, nps in [(5, 10), (4, 9), (2, 6)]:
        answer(survey, overall=overall, nps=nps, contact_channel=["a"], topics=["x"])
    TouchpointFactory.create(
        survey=survey, kind=Touchpoint.Kind.LOCATION, location=ServiceChannelFactory.create()
    )
    log_in(page, base, user_with_role(Role.SERVICE_MANAGER, survey.organisation))
    return survey


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


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_staff_survey_page_has_no_axe_violations(
    page: Page, live_server, name: str, language: str
) -> None:
    PAGES[name](page, live_server.url, language)

    assert_no_axe_violations(page, name, language)
