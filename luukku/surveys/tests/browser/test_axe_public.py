"""The survey answer pages pass axe-core with no violations in Finnish, Swedish and English:
the open survey, the same with errors, the thank-you page, the kiosk and its thank-you page,
and a staff survey; conditional questions appear as the answer needs them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import AreaFactory, OrganisationFactory, ServiceChannelFactory
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path
from luukku.surveys.models import Response, Survey, Touchpoint
from luukku.surveys.tests.factories import (
    QuestionFactory,
    SurveyFactory,
    TouchpointFactory,
    standard_survey,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_touchpoint() -> Touchpoint:
    AreaFactory.create(code="297", name_fi="Kuopio", name_sv="Kuopio", name_en="Kuopio")
    return TouchpointFactory.create(survey=standard_survey(), kind=Touchpoint.Kind.OPEN_LINK)


def kiosk_touchpoint() -> Touchpoint:
    return TouchpointFactory.create(
        survey=standard_survey(), kind=Touchpoint.Kind.KIOSK, location=ServiceChannelFactory()
    )


def open_survey(page: Page, base: str, language: str) -> None:
    open_page(page, base + path("surveys:touchpoint", language, link_touchpoint().code))


def survey_with_errors(page: Page, base: str, language: str) -> None:
    open_survey(page, base, language)
    page.locator("#id_q-contact_channel_2").check()  # "other", without its text
    page.locator("form.survey-form button[type=submit]").first.click()
    page.wait_for_selector(".error-summary")


def thank_you(page: Page, base: str, language: str) -> None:
    open_survey(page, base, language)
    page.locator("#id_q-overall_3").check(force=True)
    page.locator("form.survey-form button[type=submit]").first.click()
    page.wait_for_url("**/kiitos/**")


def kiosk(page: Page, base: str, language: str) -> None:
    open_page(page, base + path("surveys:kiosk", language, kiosk_touchpoint().code))


def kiosk_thanks(page: Page, base: str, language: str) -> None:
    kiosk(page, base, language)
    page.locator("#id_q-smiley_4").check()
    page.locator("#id_q-overall_4").check()
    page.locator("form.survey-form button[type=submit]").click()
    page.wait_for_url("**/kiitos/")


def staff_answer(page: Page, base: str, language: str) -> None:
    city = OrganisationFactory.create()
    survey = SurveyFactory.create(organisation=city, kind=Survey.Kind.STAFF)
    QuestionFactory.create(survey=survey, code="wellbeing", kind="rating", required=True)
    QuestionFactory.create(survey=survey, code="ideas", kind="text")
    user = user_with_role(Role.CASE_OWNER, city)
    user_with_role(Role.CASE_OWNER, OrganisationFactory.create(parent=city))
    log_in(page, base, user)
    open_page(page, base + path("surveys:staff_answer", language, survey.public_id))


PAGES: dict[str, Callable[[Page, str, str], None]] = {
    "open_survey": open_survey,
    "survey_with_errors": survey_with_errors,
    "thank_you": thank_you,
    "kiosk": kiosk,
    "kiosk_thanks": kiosk_thanks,
    "staff_answer": staff_answer,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_survey_page_has_no_axe_violations(page: Page, live_server, name: str, language: str):
    PAGES[name](page, live_server.url, language)

    assert_no_axe_violations(page, name, language)


def test_a_conditional_question_appears_only_when_its_condition_holds(page: Page, live_server):
    open_survey(page, live_server.url, "en")
    what_wrong = page.locator("[data-question-field='q-what_wrong']")
    assert what_wrong.is_hidden()
    page.locator("#id_q-overall_1").check()
    assert what_wrong.is_visible()
    page.locator("#id_q-overall_4").check()
    assert what_wrong.is_hidden()


def test_the_kiosk_thank_you_page_returns_to_an_empty_form(page: Page, live_server):
    kiosk_thanks(page, live_server.url, "fi")
    assert Response.objects.count() == 1
    page.wait_for_url("**/kioski/*/", timeout=15_000)
    assert page.locator("#id_q-smiley_4").is_checked() is False


def test_kiosk_buttons_are_large_touch_targets(page: Page, live_server):
    kiosk(page, live_server.url, "fi")
    for selector in ("label[for=id_q-smiley_0]", "form.survey-form button[type=submit]"):
        box = page.locator(selector).bounding_box()
        assert box is not None
        assert box["height"] >= 64
        assert box["width"] >= 64
