"""Issue 6 checked on the demo: the skewed sample (older women answer, young men hardly) gives
an unweighted mean above the population's truth, weighting moves it back, and the coverage
report says in plain words who is missing."""

from __future__ import annotations

import pytest
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils import translation

from luukku.accounts.models import User
from luukku.areas.models import PopulationGroup
from luukku.demo.services import load_demo_region
from luukku.insights.estimates import Estimate
from luukku.insights.extract import refresh_extract
from luukku.insights.queries import InsightFilter, respondent_counts, satisfaction
from luukku.insights.representativeness import coverage
from luukku.insights.weighting import population_targets
from luukku.surveys.demo import expected_satisfaction

pytestmark = pytest.mark.django_db

KUOPIO = "297"


@pytest.fixture
def demo_extract(settings, tmp_path):
    settings.INSIGHTS_EXTRACT_PATH = tmp_path / "insights.duckdb"
    load_demo_region(with_demo_users=True)
    refresh_extract()


def population_truth(code: str) -> float:
    """Kuopio's mean satisfaction if everyone aged 15 or over answered as the demo draws them."""
    cells = PopulationGroup.objects.filter(municipality__code=code)
    year = cells.aggregate(Max("year"))["year__max"]
    by_band = dict(
        cells.filter(year=year)
        .exclude(age_band="0-14")
        .values_list("age_band")
        .annotate(total=Sum("population"))
    )
    return sum(expected_satisfaction(band) * people for band, people in by_band.items()) / sum(
        by_band.values()
    )


def test_weighting_moves_kuopios_satisfaction_toward_the_population_truth(demo_extract):
    [overall] = satisfaction(InsightFilter(municipality_codes=[KUOPIO])).rows
    truth = population_truth(KUOPIO)

    assert overall.unweighted.value is not None
    assert overall.weighted.value is not None
    assert overall.unweighted.value > truth  # the satisfied old are over-represented
    assert abs(overall.weighted.value - truth) < abs(overall.unweighted.value - truth) / 2
    # Weighting costs precision: fewer effective respondents, a wider interval.
    assert overall.weighted.effective_n < overall.unweighted.effective_n
    assert width(overall.weighted) > width(overall.unweighted)


def width(estimate: Estimate) -> float:
    assert estimate.low is not None
    assert estimate.high is not None
    return estimate.high - estimate.low


def test_the_coverage_report_names_the_missing_young(demo_extract):
    kuopio = InsightFilter(municipality_codes=[KUOPIO])
    with translation.override("en"):
        report = coverage(
            respondent_counts(kuopio, ("age_band", "sex")),
            population_targets([KUOPIO], ("age_band", "sex")),
            area_name="Kuopio",
        )

    sentences = [warning.message for warning in report.warnings]
    assert any(
        sentence.startswith("15–24-year-olds are") and "of Kuopio's population but" in sentence
        for sentence in sentences
    ), sentences
    assert report.dimension("age_band").dissimilarity > 0.15


def test_the_open_answers_are_grouped_into_themes_for_kuopio_only(demo_extract, client):
    client.force_login(User.objects.get(username="demo-kehittamispaallikko"))
    kuopio = client.get(reverse("insights:themes"), {"date_from": "2000-01-01"})
    client.force_login(User.objects.get(username="demo-analyytikko"))
    county = client.get(reverse("insights:themes"), {"date_from": "2000-01-01"})

    assert kuopio.status_code == county.status_code == 200
    analysis = kuopio.context["analysis"]
    assert analysis.texts > 100
    assert analysis.themes
    largest = analysis.themes[0]
    assert largest.count >= 5
    assert largest.quotes
    assert largest.quotes[0] in kuopio.content.decode()
    # The wellbeing county's analyst reads no answers to Kuopio's survey.
    assert county.context["analysis"].texts == 0
