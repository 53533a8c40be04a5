"""Every public page in Finnish, Swedish and English passes axe-core with no violations, and the
keyboard basics work: the skip link comes first and the language switch keeps the page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page

from luukku.accessibility.models import AccessibilityFeedback
from luukku.accessibility.tests.factories import received_feedback
from luukku.accounts.models import Membership
from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.cases.models import Case
from luukku.cases.tests.factories import CaseFactory, NoteFactory, TaskFactory
from luukku.catalogue.models import Service
from luukku.catalogue.tests.page_data import build_page_catalogue
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path
from luukku.intake.models import ServiceRequest
from luukku.intake.tests.factories import ServiceRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUND = {"fi": "rakennuslupa", "sv": "bygglov", "en": "building permit"}


def submit_feedback_with_errors(page: Page, base: str, language: str) -> None:
    open_page(page, base + path("accessibility:feedback", language))
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def submit_feedback(page: Page, base: str, language: str) -> None:
    open_page(page, base + path("accessibility:feedback", language))
    page.fill("#id_description", "Valikko ei aukea näppäimistöllä.")
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".receipt-reference")


def visit(name: str, *args: str, query: str = "") -> Callable[[Page, str, str], None]:
    def go(page: Page, base: str, language: str) -> None:
        open_page(page, base + path(name, language, *args, query=query))

    return go


def log_in_as_feedback_handler(page: Page, base: str) -> AccessibilityFeedback:
    """A region admin's session cookie in the browser, and one feedback with contact details."""
    log_in(page, base, user_with_role(Role.REGION_ADMIN))
    return received_feedback()


def staff_inbox(page: Page, base: str, language: str) -> None:
    log_in_as_feedback_handler(page, base)
    open_page(page, base + path("accessibility:inbox", language))


def staff_feedback_item(page: Page, base: str, language: str) -> None:
    feedback = log_in_as_feedback_handler(page, base)
    open_page(page, base + path("accessibility:item", language, str(feedback.pk)))


def search_found(page: Page, base: str, language: str) -> None:
    query = "?q=" + FOUND[language].replace(" ", "+")
    open_page(page, base + path("catalogue:search", language, query=query))
    assert page.locator(".service-card").count() >= 1


def feedback_service_search(page: Page, base: str, language: str) -> None:
    query = "?q=" + FOUND[language].replace(" ", "+")
    open_page(page, base + path("intake_public:start", language, query=query))
    assert page.locator(".service-card").count() >= 1


def feedback_with_errors(page: Page, base: str, language: str) -> None:
    open_page(page, base + path("intake_public:write", language, query="?service=rakennuslupa"))
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def feedback_sent(page: Page, base: str, language: str) -> None:
    open_page(page, base + path("intake_public:write", language, query="?service=rakennuslupa"))
    page.fill("#id_description", "Rakennusvalvonnan sivulla on vanha puhelinnumero.")
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".tracking-code")


def feedback_duplicate_offer(page: Page, base: str, language: str) -> None:
    ServiceRequestFactory(
        service=Service.objects.get(slug="rakennuslupa"),
        lat=Decimal("62.892400"),
        long=Decimal("27.677000"),
    )
    open_page(page, base + path("intake_public:write", language, query="?service=rakennuslupa"))
    page.fill("#id_description", "Sama asia kuin naapurilla.")
    page.fill("#id_latitude", "62.8925")
    page.fill("#id_longitude", "27.6771")
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector("#duplicates-title")


def feedback_closed_status(page: Page, base: str, language: str) -> None:
    item = ServiceRequestFactory.create(
        service=Service.objects.get(slug="rakennuslupa"),
        status=ServiceRequest.Status.CLOSED,
        detailed_status=ServiceRequest.DetailedStatus.DONE,
        status_notes="Numero on korjattu.",
    )
    open_page(page, base + path("intake_public:status", language, item.service_request_id))


def staff_merge_duplicate(page: Page, base: str, language: str) -> None:
    log_in_as_feedback_handler(page, base)
    place = {"lat": Decimal("62.892400"), "long": Decimal("27.677000")}
    service = Service.objects.get(slug="rakennuslupa")
    ServiceRequestFactory.create(service=service, **place)
    duplicate = ServiceRequestFactory.create(service=service, **place)
    open_page(page, base + path("intake_staff:merge", language, duplicate.service_request_id))
    page.locator("#id_into").fill("000000-XXXXXX")
    page.locator("form[aria-labelledby=merge-title] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def log_in_as_case_owner(page: Page, base: str) -> Case:
    """A case owner's session in the browser, and an open case with a task and a note."""
    case = CaseFactory.create(title="Muutto Kuopioon")
    TaskFactory.create(case=case)
    NoteFactory.create(case=case)
    log_in(page, base, case.owner)
    return case


def staff_case_queue(page: Page, base: str, language: str) -> None:
    log_in_as_case_owner(page, base)
    open_page(page, base + path("cases:queue", language))


def staff_case_page(page: Page, base: str, language: str) -> None:
    case = log_in_as_case_owner(page, base)
    open_page(page, base + path("cases:case", language, case.reference))


def staff_case_transfer(page: Page, base: str, language: str) -> None:
    case = log_in_as_case_owner(page, base)
    open_page(page, base + path("cases:transfer", language, case.reference))


def staff_case_metrics(page: Page, base: str, language: str) -> None:
    case = log_in_as_case_owner(page, base)
    Membership.objects.create(user=case.owner, organisation=case.owner_unit, role=Role.UNIT_LEAD)
    CaseFactory.create(owner_unit=case.owner_unit, closed=True)
    open_page(page, base + path("cases:metrics", language))


def staff_case_open_with_errors(page: Page, base: str, language: str) -> None:
    log_in_as_case_owner(page, base)
    open_page(page, base + path("cases:open", language))
    page.fill("#id_identity_code", "131052-308X")
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


PAGES: dict[str, Callable[[Page, str, str], None]] = {
    "home": visit("catalogue:home"),
    "search-form": visit("catalogue:search"),
    "search-results": search_found,
    "search-nothing-found": visit("catalogue:search", query="?q=zzyzx"),
    "life-events": visit("catalogue:life_events"),
    "life-event": visit("catalogue:life_event", "KE4"),
    "target-groups": visit("catalogue:target_groups"),
    "target-group": visit("catalogue:target_group", "KR1"),
    "domain": visit("catalogue:domain", "built-environment"),
    "service-with-van-stop": visit("catalogue:service", "rakennuslupa", query="?municipality=297"),
    "service-fallback-texts": visit("catalogue:service", "kaavoitus"),
    "statement": visit("accessibility:statement"),
    "feedback-form": visit("accessibility:feedback"),
    "feedback-form-with-errors": submit_feedback_with_errors,
    "feedback-receipt": submit_feedback,
    "staff-login": visit("accounts:login"),
    "staff-feedback-inbox": staff_inbox,
    "staff-feedback-item": staff_feedback_item,
    "public-feedback-start": visit("intake_public:start"),
    "public-feedback-service-search": feedback_service_search,
    "public-feedback-form": visit("intake_public:write", query="?service=rakennuslupa"),
    "public-feedback-form-without-service": visit("intake_public:write", query="?service=none"),
    "public-feedback-form-with-errors": feedback_with_errors,
    "public-feedback-duplicate-offer": feedback_duplicate_offer,
    "public-feedback-status": feedback_sent,
    "public-feedback-status-closed": feedback_closed_status,
    "public-feedback-find-not-found": visit("intake_public:find", query="?code=000000-XXXXXX"),
    "staff-merge-duplicate": staff_merge_duplicate,
    "staff-case-queue": staff_case_queue,
    "staff-case-page": staff_case_page,
    "staff-case-transfer": staff_case_transfer,
    "staff-case-open-with-errors": staff_case_open_with_errors,
    "staff-case-metrics": staff_case_metrics,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(page: Page, live_server, name: str, language: str) -> None:
    build_page_catalogue()

    PAGES[name](page, live_server.url, language)

    assert_no_axe_violations(page, name, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_not_found_page_has_no_axe_violations(page: Page, live_server, language: str) -> None:
    open_page(page, live_server.url + path("catalogue:service", language, "ei-ole"), status=404)

    assert_no_axe_violations(page, "not-found", language)


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page: Page, live_server):
    build_page_catalogue()
    open_page(page, live_server.url + path("catalogue:service", "fi", "rakennuslupa"))

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


@pytest.mark.parametrize(("start", "target"), [("fi", "sv"), ("sv", "en"), ("en", "fi")])
def test_the_language_switch_works_by_keyboard_and_keeps_the_page(
    page: Page, live_server, start: str, target: str
) -> None:
    build_page_catalogue()
    query = "?q=" + FOUND[start].replace(" ", "+")
    open_page(page, live_server.url + path("catalogue:search", start, query=query))

    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('hreflang')") == target:
            break
    else:
        pytest.fail(f"no keyboard-reachable link to the {target} page")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == live_server.url + path("catalogue:search", target, query=query)
    assert page.locator("html").get_attribute("lang") == target
    assert page.locator("#search-q").input_value() == FOUND[start]
