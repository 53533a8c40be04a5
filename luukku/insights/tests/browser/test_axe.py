"""The insight pages pass axe-core with no violations in Finnish, Swedish and English, with
real figures on them (charts, hidden groups, the report), and a chart's table opens without
any script."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.core.tests.browser import LANGUAGES, assert_no_axe_violations, log_in, open_page, path

from ..conftest import Region, drop_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "dashboard_by_service": ("insights:dashboard", "?by=service"),
    "dashboard_by_month_and_sex": ("insights:dashboard", "?by=month&then_by=sex"),
    "dashboard_by_municipality": ("insights:dashboard", "?by=municipality"),
    "dashboard_with_errors": ("insights:dashboard", "?date_from=2026-03-01&date_to=2026-01-01"),
    "representativeness": ("insights:representativeness", "?municipality=297"),
    "report": ("insights:report", "?municipality=297"),
    "themes": ("insights:themes", ""),
    "alerts": ("insights:alerts", ""),
}


def open_insight_page(page: Page, base: str, region: Region, name: str, language: str) -> None:
    log_in(page, base, user_with_role(Role.SERVICE_MANAGER, region.own))
    if name == "alerts":
        drop_alert(region.own, "Kirjasto")
    view, query = PAGES[name]
    open_page(page, base + path(view, language, query=query))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_insight_page_has_no_axe_violations(
    page: Page, live_server, region: Region, name: str, language: str
):
    open_insight_page(page, live_server.url, region, name, language)

    assert_no_axe_violations(page, name, language)


def test_a_charts_table_opens_from_its_toggle(page: Page, live_server, region: Region):
    open_insight_page(page, live_server.url, region, "dashboard_by_municipality", "en")
    figure = page.locator("figure.insight-figure").first
    table = figure.locator("details table")
    assert table.is_hidden()
    figure.locator("summary").click()
    assert table.is_visible()
    assert "Kuopio" in table.inner_text()


def test_printing_the_report_opens_every_charts_table(page: Page, live_server, region: Region):
    open_insight_page(page, live_server.url, region, "report", "en")
    tables = page.locator("details.chart-table")
    assert tables.count() >= 2
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert all(tables.nth(i).get_attribute("open") is not None for i in range(tables.count()))
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert all(tables.nth(i).get_attribute("open") is None for i in range(tables.count()))
