"""The insight pages as a service manager uses them: own organisation's answers, small groups
hidden on the page and in the files, the report as HTML and PDF."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.core.models import AuditEvent
from luukku.insights import extract
from luukku.surveys.models import Question
from luukku.surveys.tests.factories import QuestionFactory, ResponseFactory

from .conftest import Region, answer, customer_survey, drop_alert

pytestmark = pytest.mark.django_db
PAGES = ["insights:dashboard", "insights:representativeness", "insights:report", "insights:alerts"]


def url(name: str, query: str = "") -> str:
    with translation.override("en"):
        return reverse(name) + query


def manager_client(region: Region) -> Client:
    client = Client()
    client.force_login(user_with_role(Role.SERVICE_MANAGER, region.own))
    return client


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(region: Region, name: str) -> None:
    response = Client().get(url(name))
    assert response.status_code == 302
    assert response["Location"].endswith(f"?next={url(name)}")


@pytest.mark.parametrize("name", PAGES)
def test_staff_without_the_results_permission_are_refused(region: Region, name: str) -> None:
    client = Client()
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT, region.own))
    assert client.get(url(name)).status_code == 403


def test_the_dashboard_shows_the_own_organisations_services_and_hides_small_ones(
    region: Region,
) -> None:
    page = manager_client(region).get(url("insights:dashboard", "?by=service"))
    assert page.status_code == 200
    html = page.content.decode().split('id="figures-title"')[1]  # the figures, not the filters
    assert region.library.name("en") in html
    # The pool's 3 answers and the library's 24 are the only groups: hiding the pool alone
    # would let the total give it away, so the library is hidden too.
    assert "hidden: fewer than 5 answers" in html
    assert "2 groups are hidden" in html
    # The other organisation's answers are not in the figures at all.
    assert region.others_service.name("en") not in html
    assert "27 answers" in html
    # The figures say how fresh they are: the extract is rebuilt every 15 minutes.
    assert "Figures as of" in html


def test_the_export_hides_what_the_page_hides_and_is_audit_logged(region: Region) -> None:
    response = manager_client(region).get(url("insights:export", "?by=service&format=csv"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["service"] for row in rows} == {region.library.name("en"), region.pool.name("en")}
    for row in rows:
        assert row["respondents"] == ""
        assert row["weighted"] == ""
        assert row["note"].startswith("hidden")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.details["by"] == ["service"]


def test_a_two_way_export_hides_a_small_cells_partner_in_its_column(region: Region) -> None:
    response = manager_client(region).get(
        url("insights:export", "?by=service&then_by=sex&format=csv")
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    hidden = {(row["service"], row["sex"]) for row in rows if row["respondents"] == ""}
    # The pool's 3 women would follow from the women's total minus the library's women.
    library, pool = region.library.name("en"), region.pool.name("en")
    assert hidden == {(library, "woman"), (pool, "woman")}
    assert [row["respondents"] for row in rows if row["sex"] == "man"] == ["6"]


def test_a_large_enough_table_exports_its_figures_as_xlsx(region: Region) -> None:
    from openpyxl import load_workbook  # noqa: PLC0415

    response = manager_client(region).get(url("insights:export", "?by=age_band&format=xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("age_band", "respondents", "weighted")
    by_band = {row[0]: row for row in rows[1:]}
    assert by_band["65–74"][1] == 11  # 8 library answers and the pool's 3


def test_the_region_admin_sees_every_organisations_answers(region: Region) -> None:
    client = Client()
    client.force_login(user_with_role(Role.REGION_ADMIN, region.other))
    page = client.get(url("insights:dashboard", "?by=service")).content.decode()
    html = page.split('id="figures-title"')[1]
    assert region.others_service.name("en") in html
    assert "39 answers" in html


def test_a_survey_of_another_organisation_cannot_be_chosen(region: Region) -> None:
    client = Client()
    client.force_login(user_with_role(Role.SERVICE_MANAGER, region.other))
    page = client.get(url("insights:dashboard", f"?survey={region.survey.pk}"))
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_a_survey_whose_respondents_an_organisation_served_can_be_chosen_by_it(
    region: Region,
) -> None:
    """The answers rule: the survey's organisation OR the one that served the respondent."""
    ResponseFactory.create(survey=region.survey, organisation=region.other)
    client = Client()
    client.force_login(user_with_role(Role.SERVICE_MANAGER, region.other))
    page = client.get(url("insights:dashboard", f"?survey={region.survey.pk}"))
    assert page.status_code == 200
    assert "Select a valid choice" not in page.content.decode()


def test_a_period_ending_before_it_starts_is_refused_on_its_field(region: Region) -> None:
    page = manager_client(region).get(
        url("insights:dashboard", "?date_from=2026-03-01&date_to=2026-02-01")
    )
    assert "The end date is before the start date." in page.content.decode()


@pytest.mark.parametrize("name", ["insights:dashboard", "insights:report"])
def test_a_date_outside_the_years_of_any_answer_is_refused_on_its_field(
    region: Region, name: str
) -> None:
    page = manager_client(region).get(url(name, "?by=month&date_from=0001-01-01"))
    assert page.status_code == 200
    assert "Give a date between 1.1.2000 and 31.12.2100." in page.content.decode()


def test_the_dashboard_says_when_no_figures_have_been_prepared(
    region: Region, settings: object, tmp_path: Path
) -> None:
    settings.INSIGHTS_EXTRACT_PATH = tmp_path / "missing.duckdb"  # type: ignore[attr-defined]
    page = manager_client(region).get(url("insights:dashboard"))
    assert page.status_code == 200
    assert "have not been prepared yet" in page.content.decode()


def test_the_representativeness_page_sets_respondents_beside_the_population(
    region: Region,
) -> None:
    page = manager_client(region).get(url("insights:representativeness", "?municipality=297"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Respondents and population of Kuopio side by side" in html
    assert "Design effect" in html
    assert "R-indicator" in html
    assert "Weighting margins: what the weights aimed at and reached" in html
    # 6 of the 27 respondents are men, who are 49 % of Kuopio's population.
    assert "of Kuopio&#x27;s population but 22 % of its respondents." in html


def test_the_report_prints_as_html_and_downloads_as_pdf(region: Region) -> None:
    client = manager_client(region)
    page = client.get(url("insights:report", "?municipality=297"))
    assert page.status_code == 200
    assert "Customer insight report: Kuopio" in page.content.decode()
    assert "Population of Kuopio by age and sex, 2024" in page.content.decode()
    pdf = client.get(url("insights:report_pdf", "?municipality=297"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith('attachment; filename="insights-report-297-')
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1


def test_the_regions_report_draws_the_municipality_grid(region: Region) -> None:
    html = manager_client(region).get(url("insights:report")).content.decode()
    assert "Customer insight report: Pohjois-Savo" in html
    assert 'id="chart-map-title"' in html


def test_the_alerts_list_shows_only_alerts_of_the_own_organisation(region: Region) -> None:
    drop_alert(region.own, "Kirjasto")
    drop_alert(region.other, "Uimahalli")
    html = manager_client(region).get(url("insights:alerts")).content.decode()
    assert "Satisfaction with Kirjasto fell from 4.2 (n 310) to 3.6 (n 41); p = 0.002." in html
    assert "Welch t-test, one-sided: -3.10, p = 0.0020" in html
    assert "Uimahalli" not in html


def test_the_dashboard_reads_the_database_a_fixed_number_of_times(
    region: Region, django_assert_max_num_queries: Any
) -> None:
    client = manager_client(region)
    with django_assert_max_num_queries(25) as counted:
        client.get(url("insights:dashboard", "?by=service"))
    # Eighteen more services with answers do not mean more queries.
    survey, question = customer_survey(region.own)
    for _index in range(18):
        answer(survey, question, ServiceFactory.create(), 4, municipality=region.kuopio)
    extract.refresh_extract()
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(url("insights:dashboard", "?by=service"))


def test_recommendation_is_shown_as_a_net_promoter_score(region: Region) -> None:
    question = QuestionFactory.create(
        survey=region.survey, kind=Question.Kind.NPS, code="recommend", measure="recommendation"
    )
    for score in (10, 10, 9, 8, 3, 10):  # 4 promoters, 1 detractor of 6: NPS 50
        answer(region.survey, question, region.library, score, municipality=region.kuopio)
    extract.refresh_extract()
    page = manager_client(region).get(
        url("insights:dashboard", "?by=channel&measure=recommendation&weighting=none")
    )
    html = page.content.decode().split('id="figures-title"')[1]
    assert "Recommendation (NPS)" in html
    assert "NPS 50" in html


@pytest.mark.parametrize(
    ("weighting", "margins"),
    [("age_sex", {"age_band", "sex"}), ("age", {"age_band"}), ("sex", {"sex"}), ("none", None)],
)
def test_the_margins_to_weight_on_are_chosen_on_the_form(
    region: Region, weighting: str, margins: set[str] | None
) -> None:
    page = manager_client(region).get(
        url("insights:dashboard", f"?municipality=297&weighting={weighting}")
    )
    assert page.status_code == 200
    raking = page.context["data"].raking
    if margins is None:
        assert raking is None
    else:
        assert set(raking.margins) == margins
