"""Estimates: textbook intervals unweighted, the same figures from sums as from rows."""

from __future__ import annotations

from dataclasses import astuple

import numpy as np
import pytest
from scipy import stats

from luukku.insights.estimates import Estimate, net_promoter, weighted_mean, weighted_share
from luukku.insights.weighting import rake


def test_an_unweighted_mean_has_the_textbook_t_interval():
    scores = np.array([5, 4, 4, 3, 5, 2, 4, 5, 1, 4], dtype=float)

    estimate = weighted_mean(scores)

    low, high = stats.t.interval(0.95, len(scores) - 1, scores.mean(), stats.sem(scores))
    assert estimate.value == pytest.approx(3.7)
    assert estimate.low == pytest.approx(low)
    assert estimate.high == pytest.approx(high)
    assert estimate.n == 10
    assert estimate.effective_n == pytest.approx(10)


def test_a_weighted_mean_uses_the_linearised_standard_error():
    scores = np.array([5.0, 1.0, 3.0])
    weights = np.array([2.0, 1.0, 1.0])

    estimate = weighted_mean(scores, weights)

    # ȳ = (10 + 1 + 3) / 4 = 3.5; Σw²(y−ȳ)² = 4·2.25 + 6.25 + 0.25 = 15.5;
    # SE = √15.5 / 4 · √(3/2).
    standard_error = np.sqrt(15.5) / 4 * np.sqrt(1.5)
    quantile = stats.t.ppf(0.975, 2)
    assert estimate.value == pytest.approx(3.5)
    assert estimate.low == pytest.approx(3.5 - quantile * standard_error)
    assert estimate.effective_n == pytest.approx(16 / 6)
    assert estimate.margin == pytest.approx(quantile * standard_error)


def test_aggregated_cells_give_the_same_estimate_as_the_rows_they_stand_for():
    rng = np.random.default_rng(3)
    scores = rng.integers(1, 6, 400).astype(float)
    weights = rng.choice([0.5, 1.0, 2.5], 400)
    frame = np.unique(np.column_stack([scores, weights]), axis=0, return_counts=True)
    (cells, counts) = frame

    by_rows = weighted_mean(scores, weights)
    by_cells = weighted_mean(cells[:, 0], cells[:, 1], counts=counts)

    assert astuple(by_cells) == pytest.approx(astuple(by_rows))


def test_from_sums_with_squared_weight_sums_is_exact_and_without_them_close():
    rng = np.random.default_rng(4)
    y = rng.integers(1, 6, 300).astype(float)
    w = rng.uniform(0.3, 3.0, 300)
    sums = (w.sum(), (w * y).sum(), (w * y * y).sum(), (w * w).sum(), len(y))

    exact = Estimate.from_sums(*sums, sum_wwy=(w * w * y).sum(), sum_wwyy=(w * w * y * y).sum())
    approximate = Estimate.from_sums(*sums)

    assert astuple(exact) == pytest.approx(astuple(weighted_mean(y, w)))
    assert approximate.value == pytest.approx(exact.value)
    assert approximate.margin == pytest.approx(exact.margin, rel=0.15)
    ones = np.ones_like(y)
    unweighted_sums = (300.0, y.sum(), (y * y).sum(), 300.0, 300)
    assert astuple(Estimate.from_sums(*unweighted_sums)) == pytest.approx(
        astuple(weighted_mean(y, ones))
    )


def test_csat_share_is_a_percentage_with_a_wilson_interval():
    satisfied = np.array([1] * 9 + [0])

    estimate = weighted_share(satisfied)

    # Unweighted, the linearised variance p(1 − p)/(n − 1) implies an effective n of 9.
    q = stats.t.ppf(0.975, 9)
    size, p = 9, 0.9
    centre = (p + q * q / (2 * size)) / (1 + q * q / size)
    half = q / (1 + q * q / size) * np.sqrt(p * (1 - p) / size + q * q / (4 * size * size))
    assert estimate.value == pytest.approx(90)
    assert estimate.low == pytest.approx(100 * (centre - half))
    assert estimate.high == pytest.approx(100 * (centre + half))
    assert estimate.high is not None
    assert estimate.high < 100


def test_five_satisfied_out_of_five_is_not_100_percent_plus_minus_nothing():
    estimate = weighted_share(np.ones(5))

    assert estimate.value == pytest.approx(100)
    assert estimate.high == pytest.approx(100)
    assert estimate.low is not None
    assert 30 < estimate.low < 70


def test_nps_is_promoters_minus_detractors_with_the_multinomial_interval():
    scores = np.array([10] * 50 + [8] * 30 + [3] * 20, dtype=float)

    estimate = net_promoter(scores)

    # p₊ = 0.5, p₋ = 0.2: NPS 30, variance p₊ + p₋ − (p₊ − p₋)² = 0.61 per respondent.
    standard_error = np.sqrt(0.61 / 100 * 100 / 99)
    assert estimate.value == pytest.approx(30)
    assert estimate.margin == pytest.approx(100 * stats.t.ppf(0.975, 99) * standard_error)


def test_no_answers_give_no_figure_and_one_answer_gives_no_interval():
    empty = weighted_mean(np.array([]))
    single = weighted_mean(np.array([4.0]))

    assert (empty.value, empty.low, empty.n) == (None, None, 0)
    assert (single.value, single.low, single.high) == (4.0, None, None)
    assert single.margin is None


def test_missing_values_are_left_out():
    assert weighted_mean(np.array([5.0, np.nan, 3.0])).value == 4.0


def test_weighting_a_skewed_sample_moves_the_estimate_toward_the_population_truth():
    """Older respondents are happier and over-represented: weighting lowers the mean."""
    rng = np.random.default_rng(11)
    young = rng.normal(3.0, 0.8, 60)
    old = rng.normal(4.4, 0.6, 540)
    scores = np.concatenate([young, old])
    ages = np.array(["15-44"] * 60 + ["45-"] * 540)
    truth = 0.5 * 3.0 + 0.5 * 4.4

    raked = rake({"age_band": ages}, {"age_band": {"15-44": 500, "45-": 500}}, trim=(0.2, 5.0))
    weighted = weighted_mean(scores, raked.weights)
    unweighted = weighted_mean(scores)

    assert weighted.value is not None
    assert unweighted.value is not None
    assert abs(weighted.value - truth) < 0.1 < abs(unweighted.value - truth)
    assert (weighted.margin or 0) > (unweighted.margin or 0) > 0
    assert weighted.effective_n < unweighted.effective_n


def test_negative_weights_are_refused():
    with pytest.raises(ValueError, match="negative"):
        weighted_mean(np.array([1.0, 2.0]), np.array([1.0, -1.0]))
