"""Every panel page, public and staff, passes axe-core with no violations in fi, sv and en."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path
from luukku.panels import services
from luukku.panels.models import Panel

from ..factories import PanelFactory, VolunteerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drawn_panel(region) -> Panel:
    """A panel drawn from a skewed pool, with a session and a published recommendation."""
    panel = PanelFactory.create(size=6, name_sv="Kundpanel", name_en="Customer panel")
    for n in range(12):
        VolunteerFactory.create(
            panel=panel, municipality=region.big, age_band=("65-74", "75-")[n % 2]
        )
    VolunteerFactory.create(panel=panel, municipality=region.small, age_band="15-24", sex="male")
    VolunteerFactory.create(panel=panel, municipality=region.middle, age_band="35-44", sex="other")
    services.draw(panel=panel, actor=None, seed=2025)
    session = services.add_session(
        panel=panel,
        starts_at=timezone.now() - timedelta(days=3),
        place="Kuopio",
        agenda="1. Aukiolo",
    )
    service = ServiceFactory.create(slug="kirjasto")
    answered = services.add_recommendation(
        session=session, text="Iltapalvelua kahtena päivänä.", services=[service]
    )
    services.add_recommendation(session=session, text="Aikataulut yhteen paikkaan.", services=[])
    services.respond(
        recommendation=answered, response="Kokeilemme keväällä.", publish=True, actor=None
    )
    return panel


def log_in_as_manager_of(page: Page, base: str, panel: Panel) -> None:
    log_in(page, base, user_with_role(Role.SERVICE_MANAGER, panel.organisation))


def fill_sign_up(page: Page, region, birth_year: str) -> None:
    page.fill("#id_name", "Maija Meikäläinen")
    page.fill("#id_email", "maija@example.fi")
    page.fill("#id_birth_year", birth_year)
    page.select_option("#id_municipality", str(region.big.pk))
    page.check("#id_sex_0")
    page.check("#id_consent_given")
    page.locator("form[method=post] button[type=submit]").click()


def public_list(page: Page, base: str, language: str, region) -> None:
    PanelFactory.create()
    open_page(page, base + path("panels:list", language))


def panel_page(page: Page, base: str, language: str, region) -> None:
    open_page(page, base + path("panels:panel", language, PanelFactory.create().pk))


def sign_up_form(page: Page, base: str, language: str, region) -> None:
    open_page(page, base + path("panels:signup", language, PanelFactory.create().pk))


def sign_up_with_errors(page: Page, base: str, language: str, region) -> None:
    open_page(page, base + path("panels:signup", language, PanelFactory.create().pk))
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def sign_up_under_15_without_guardian(page: Page, base: str, language: str, region) -> None:
    panel = PanelFactory.create(kind=Panel.Kind.YOUTH, min_age=13, max_age=29)
    open_page(page, base + path("panels:signup", language, panel.pk))
    fill_sign_up(page, region, str(timezone.localdate().year - 13))
    page.wait_for_selector(".error-summary")
    assert page.locator("#guardian").is_visible()


def thank_you(page: Page, base: str, language: str, region) -> None:
    open_page(page, base + path("panels:signup", language, PanelFactory.create().pk))
    fill_sign_up(page, region, "1980")
    page.wait_for_selector("[role=status]")
    assert "/kiitos/" in page.url


def recommendations(page: Page, base: str, language: str, region) -> None:
    drawn_panel(region)
    open_page(page, base + path("panels:recommendations", language))
    assert page.locator(".recommendation").count() == 1


def staff(name: str, *extra: str) -> Callable[[Page, str, str, object], None]:
    def go(page: Page, base: str, language: str, region) -> None:
        panel = drawn_panel(region)
        log_in_as_manager_of(page, base, panel)
        args: list[int] = [panel.pk]
        if "volunteer" in extra:
            args.append(panel.volunteers.all()[0].pk)
        if "session" in extra:
            args.append(panel.sessions.all()[0].pk)
        open_page(page, base + path(name, language, *args))

    return go


def staff_list(page: Page, base: str, language: str, region) -> None:
    log_in_as_manager_of(page, base, drawn_panel(region))
    open_page(page, base + path("panels_staff:list", language))


def staff_new_panel_with_errors(page: Page, base: str, language: str, region) -> None:
    log_in_as_manager_of(page, base, drawn_panel(region))
    open_page(page, base + path("panels_staff:create", language))
    page.locator("form[method=post] button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def staff_draw(page: Page, base: str, language: str, region) -> None:
    panel = PanelFactory.create()
    log_in_as_manager_of(page, base, panel)
    open_page(page, base + path("panels_staff:draw", language, panel.pk))


PAGES: dict[str, Callable[..., None]] = {
    "public-list": public_list,
    "public-panel": panel_page,
    "sign-up-form": sign_up_form,
    "sign-up-with-errors": sign_up_with_errors,
    "sign-up-under-15-without-guardian": sign_up_under_15_without_guardian,
    "thank-you": thank_you,
    "published-recommendations": recommendations,
    "staff-list": staff_list,
    "staff-new-panel-with-errors": staff_new_panel_with_errors,
    "staff-panel": staff("panels_staff:panel"),
    "staff-edit": staff("panels_staff:edit"),
    "staff-volunteers": staff("panels_staff:volunteers"),
    "staff-volunteer": staff("panels_staff:volunteer", "volunteer"),
    "staff-draw": staff_draw,
    "staff-quota-report": staff("panels_staff:report"),
    "staff-members": staff("panels_staff:members"),
    "staff-sessions": staff("panels_staff:sessions"),
    "staff-session": staff("panels_staff:session", "session"),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_panel_page_has_no_axe_violations(
    page: Page, live_server, region, name: str, language: str
) -> None:
    PAGES[name](page, live_server.url, language, region)

    assert_no_axe_violations(page, name, language)


def test_the_guardian_section_appears_only_for_those_who_may_be_under_15(
    page: Page, live_server, region
) -> None:
    panel = PanelFactory.create(kind=Panel.Kind.YOUTH, min_age=13, max_age=29)
    open_page(page, live_server.url + path("panels:signup", "fi", panel.pk))

    assert page.locator("#guardian").is_hidden()
    page.fill("#id_birth_year", str(timezone.localdate().year - 14))
    assert page.locator("#guardian").is_visible()
    page.fill("#id_birth_year", "2000")
    assert page.locator("#guardian").is_hidden()
