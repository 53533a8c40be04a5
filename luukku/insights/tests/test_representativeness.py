"""Coverage: respondents beside the population, the indices, and warnings people can read."""

from __future__ import annotations

import pytest
from django.utils import translation

from luukku.insights.representativeness import coverage, group_name

IISALMI_AGES = {"0-14": 2400, "15-24": 1800, "25-64": 7300, "65-": 3500}  # of 15,000


def test_an_under_represented_age_group_is_named_in_a_plain_sentence():
    respondents = {"age_band": {"15-24": 3, "25-64": 50, "65-": 47}}

    with translation.override("en"):
        report = coverage(respondents, {"age_band": IISALMI_AGES}, area_name="Iisalmi")

    messages = [warning.message for warning in report.warnings]
    assert "15–24-year-olds are 12 % of Iisalmi's population but 3 % of its respondents." in (
        messages
    )
    # Nobody under 15 answered: the worst gap comes first.
    assert messages[0] == (
        "Children under 15 are 16 % of Iisalmi's population but 0 % of its respondents."
    )
    assert report.warnings[0].under_represented


def test_an_over_represented_group_is_warned_about_and_a_fair_one_is_not():
    respondents = {"sex": {"female": 80, "male": 20}}

    with translation.override("en"):
        report = coverage(
            respondents, {"sex": {"female": 700, "male": 300}}, area_name="Kuopio"
        )  # 70 % / 30 %: women fine (80 %), men 20 % is not under half of 30 %.
        assert report.warnings == []
        skewed = coverage(
            {"sex": {"female": 45, "male": 55}},
            {"sex": {"female": 800, "male": 200}},
            area_name="Kuopio",
        )

    assert [w.message for w in skewed.warnings] == [
        "Men are 20 % of Kuopio's population but 55 % of its respondents."
    ]
    assert not skewed.warnings[0].under_represented


def test_small_groups_are_not_warned_about_even_when_missing():
    population = {"municipality": {"297": 9600, "686": 400}}  # Rautavaara 4 %

    report = coverage({"municipality": {"297": 100}}, population, area_name="Pohjois-Savo")

    assert report.warnings == []
    assert report.dimension("municipality").dissimilarity == pytest.approx(0.04)


def test_shares_inclusion_rates_and_the_dissimilarity_index():
    respondents = {"sex": {"female": 30, "male": 10, "": 5, "other": 1}}

    report = coverage(respondents, {"sex": {"female": 1000, "male": 1000}}, area_name="Lapinlahti")

    sex = report.dimension("sex")
    rows = {row.category: row for row in sex.rows}
    assert rows["female"].respondent_share == pytest.approx(0.75)
    assert rows["female"].population_share == pytest.approx(0.5)
    assert rows["female"].inclusion_rate == pytest.approx(30)
    assert rows["male"].inclusion_rate == pytest.approx(10)
    assert sex.unknown_respondents == 6
    assert sex.dissimilarity == pytest.approx(0.25)
    # Rates 30 and 10 per 1,000, equally weighted: mean 20, standard deviation 10.
    assert sex.inclusion_rate_cv == pytest.approx(0.5)
    assert sex.r_indicator is None


def test_equal_inclusion_everywhere_gives_no_dissimilarity_and_no_variation():
    report = coverage(
        {"age_band": {"15-24": 10, "25-64": 40}},
        {"age_band": {"15-24": 200, "25-64": 800}},
        area_name="Varkaus",
    )

    age = report.dimension("age_band")
    assert age.dissimilarity == pytest.approx(0)
    assert age.inclusion_rate_cv == pytest.approx(0)
    assert report.warnings == []


def test_the_r_indicator_is_computed_from_known_response_rates():
    rates = {"female": 0.4, "sex:male": 0.2}

    report = coverage(
        {"sex": {"female": 40, "male": 20}},
        {"sex": {"female": 500, "male": 500}},
        area_name="Siilinjärvi",
        response_rates=rates,
    )

    # Population-weighted standard deviation of 0.4 and 0.2 is 0.1: R = 1 − 2 · 0.1.
    assert report.dimension("sex").r_indicator == pytest.approx(0.8)


def test_a_response_rate_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        coverage(
            {"sex": {"female": 1}},
            {"sex": {"female": 1, "male": 1}},
            area_name="Kuopio",
            response_rates={"female": 40},
        )


def test_no_respondents_gives_figures_but_no_warnings():
    report = coverage({}, {"sex": {"female": 10, "male": 10}}, area_name="Tuusniemi")

    assert report.warnings == []
    assert report.dimension("sex").inclusion_rate_cv is None


def test_municipality_groups_use_the_given_names():
    with translation.override("en"):
        report = coverage(
            {"municipality": {"297": 95, "140": 5}},
            {"municipality": {"297": 120000, "140": 21000}},
            area_name="Pohjois-Savo",
            labels={"municipality": {"140": "Iisalmi"}},
        )
        assert group_name("age_band", "75-") == "People aged 75 or over"

    assert report.warnings[0].message.startswith("Residents of Iisalmi are 15 %")
