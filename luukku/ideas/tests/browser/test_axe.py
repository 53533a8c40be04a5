"""The ideas pages pass axe-core with no violations in Finnish, Swedish and English, with and
without errors, and the service filter on the submit form narrows the list by keyboard."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from luukku.accounts.models import User
from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path
from luukku.ideas import services
from luukku.ideas.models import Idea
from luukku.ideas.tests.factories import IdeaCommentFactory, IdeaSupportFactory, service_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_decided_idea() -> tuple[User, Idea]:
    """A service manager of a city, and an idea about the city's library, in experiment."""
    city = OrganisationFactory.create(name_fi="Kuopion kaupunki")
    manager = user_with_role(Role.SERVICE_MANAGER, city, first_name="Kaisa")
    library = service_of(city)
    ServiceFactory.create(
        domain="transport",
        names={"fi": "Joukkoliikenne", "sv": "Kollektivtrafik", "en": "Public transport"},
    )
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT, city)
    idea = services.submit_idea(
        author=author,
        kind=Idea.Kind.IDEA,
        title="Palvelupiste auki iltaisin",
        description="Työssäkäyvät kysyvät iltavastaanottoa.\nKirjasto on auki iltaisin.",
        services=[library],
    )
    IdeaSupportFactory.create(idea=idea)
    IdeaCommentFactory.create(idea=idea)
    services.change_status(idea=idea, user=manager, to_status="in_experiment", reason="Kokeilu.")
    return manager, idea


def idea_list(page: Page, base: str, language: str) -> None:
    manager, _idea = a_decided_idea()
    log_in(page, base, manager)
    open_page(page, base + path("ideas:list", language, query="?sort=support"))


def idea_page(page: Page, base: str, language: str) -> None:
    manager, idea = a_decided_idea()
    log_in(page, base, manager)
    open_page(page, base + path("ideas:detail", language, idea.pk))
    page.wait_for_selector("#decision-title")


def idea_decision_with_errors(page: Page, base: str, language: str) -> None:
    manager, idea = a_decided_idea()
    log_in(page, base, manager)
    open_page(page, base + path("ideas:detail", language, idea.pk))
    page.check("#decision_status_1")  # declined, which needs a reason
    page.locator("form[action$='/decision/'] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def submit_form(page: Page, base: str, language: str) -> None:
    manager, _idea = a_decided_idea()
    log_in(page, base, manager)
    open_page(page, base + path("ideas:submit", language))


def submit_form_with_errors(page: Page, base: str, language: str) -> None:
    submit_form(page, base, language)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def submit_form_asking_to_check_personal_data(page: Page, base: str, language: str) -> None:
    submit_form(page, base, language)
    page.check("#id_kind_0")
    page.fill("#id_title", "Soittopyynnöt")
    page.fill("#id_description", "Asiakas pyysi soittamaan numeroon 040 123 4567.")
    page.locator("details.service-group summary").first.click()
    page.locator("details.service-group input[type=checkbox]").first.check()
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_selector("#id_personal_data_checked")


PAGES: dict[str, Callable[[Page, str, str], None]] = {
    "list": idea_list,
    "detail": idea_page,
    "detail-decision-with-errors": idea_decision_with_errors,
    "submit-form": submit_form,
    "submit-form-with-errors": submit_form_with_errors,
    "submit-form-personal-data-check": submit_form_asking_to_check_personal_data,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_ideas_page_has_no_axe_violations(page: Page, live_server, name: str, language: str):
    PAGES[name](page, live_server.url, language)

    assert_no_axe_violations(page, name, language)


def test_the_service_filter_narrows_the_choices_and_says_how_many_match(page, live_server):
    submit_form(page, live_server.url, "en")
    assert page.locator("[data-service-filter]").is_visible()

    page.locator("#service-filter-input").press_sequentially("transport")

    expect(page.locator("#service-filter-status")).to_have_text("One service matches.")
    visible = page.locator("details.service-group li:visible")
    assert visible.count() == 1
    assert "Public transport" in visible.first.inner_text()
    # Enter in the filter box does not send the form.
    page.locator("#service-filter-input").press("Enter")
    assert page.locator(".error-summary").count() == 0
