"""Raking: agrees with weightipy, rakes cells exactly, trims, and stays neutral on unknowns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import weightipy as wp

from luukku.areas.models import Area, PopulationGroup
from luukku.insights.weighting import population_targets, rake

AGE = {"15-24": 14.0, "25-44": 30.0, "45-64": 31.0, "65-": 25.0}
SEX = {"female": 50.5, "male": 49.5}
MUNICIPALITY = {"297": 60.0, "140": 25.0, "749": 15.0}


def skewed_sample(seed: int, size: int, margins: tuple[str, ...]) -> pd.DataFrame:
    """Respondents in which older women and Kuopio answer far more often than the others."""
    rng = np.random.default_rng(seed)
    columns = {
        "age_band": rng.choice(list(AGE), size, p=[0.04, 0.16, 0.35, 0.45]),
        "sex": rng.choice(list(SEX), size, p=[0.72, 0.28]),
        "municipality": rng.choice(list(MUNICIPALITY), size, p=[0.8, 0.15, 0.05]),
    }
    return pd.DataFrame({name: columns[name] for name in margins})


def targets_for(margins: tuple[str, ...]) -> dict[str, dict[str, float]]:
    every = {"age_band": AGE, "sex": SEX, "municipality": MUNICIPALITY}
    return {name: every[name] for name in margins}


def weightipy_weights(frame: pd.DataFrame, targets: dict[str, dict[str, float]], **params):
    scheme = wp.scheme_from_dict(targets, name="population", rim_params=params or None)
    return wp.weight(frame, scheme).to_numpy()


@pytest.mark.parametrize(
    ("seed", "margins"),
    [
        (1, ("age_band", "sex")),
        (2, ("age_band", "sex", "municipality")),
        (3, ("sex", "municipality")),
        (4, ("age_band", "sex", "municipality")),
        (5, ("age_band", "municipality")),
    ],
)
def test_unit_level_weights_agree_with_weightipy_to_one_in_a_million(seed, margins):
    frame = skewed_sample(seed, 3000, margins)
    targets = targets_for(margins)

    result = rake({name: frame[name].to_numpy() for name in margins}, targets, trim=None)

    assert result.converged
    np.testing.assert_allclose(result.weights, weightipy_weights(frame, targets), rtol=0, atol=1e-6)
    assert result.max_margin_error < 1e-9


def test_trimmed_weights_agree_with_weightipy_cap_and_stay_within_the_bound():
    margins = ("age_band", "sex", "municipality")
    frame = skewed_sample(6, 3000, margins)
    targets = targets_for(margins)

    # weightipy widens its cap by 0.0001 (the anesrake correction) and has no working lower cap.
    result = rake({name: frame[name].to_numpy() for name in margins}, targets, trim=(1e-9, 2.5001))

    np.testing.assert_allclose(
        result.weights, weightipy_weights(frame, targets, cap=2.5), rtol=0, atol=1e-6
    )
    assert result.weights.max() <= 2.5001 + 1e-9
    assert result.trimmed_rows > 0
    # The cap costs fit: the margins are no longer met exactly, and the report says so.
    assert result.max_margin_error > 1e-3


def test_default_trimming_bounds_weights_and_counts_the_trimmed_respondents():
    margins = ("age_band", "sex", "municipality")
    frame = skewed_sample(7, 2000, margins)
    sample = {name: frame[name].to_numpy() for name in margins}

    untrimmed = rake(sample, targets_for(margins), trim=None)
    trimmed = rake(sample, targets_for(margins))

    assert untrimmed.weights.max() > 3.0
    assert trimmed.weights.max() <= 3.0 + 1e-9
    assert trimmed.weights.min() >= 0.3 - 1e-9
    assert trimmed.weights.mean() == pytest.approx(1.0)
    at_bound = (np.isclose(trimmed.weights, 3.0) | np.isclose(trimmed.weights, 0.3)).sum()
    assert trimmed.trimmed_rows == at_bound
    assert trimmed.design_effect < untrimmed.design_effect


def test_raking_cells_with_counts_gives_each_respondent_the_weight_of_unit_raking():
    margins = ("age_band", "sex", "municipality")
    frame = skewed_sample(8, 5000, margins)
    targets = targets_for(margins)
    cells = frame.value_counts().reset_index()

    by_unit = rake({name: frame[name].to_numpy() for name in margins}, targets)
    by_cell = rake(
        {name: cells[name].to_numpy() for name in margins},
        targets,
        counts=cells["count"].to_numpy(),
    )

    cell_weight = dict(
        zip(map(tuple, cells[list(margins)].to_numpy()), by_cell.weights, strict=True)
    )
    expected = np.array([cell_weight[tuple(row)] for row in frame[list(margins)].to_numpy()])
    np.testing.assert_allclose(by_unit.weights, expected, rtol=0, atol=1e-12)
    assert by_cell.effective_sample_size == pytest.approx(by_unit.effective_sample_size)
    assert by_cell.respondents == 5000
    assert len(cells) < 30


def test_respondents_who_did_not_give_a_category_keep_their_share():
    sample = {
        "sex": np.array(["female"] * 60 + ["male"] * 20 + [""] * 15 + ["other"] * 5),
        "age_band": np.array(["15-24", "65-"] * 50),
    }

    result = rake(sample, {"sex": SEX, "age_band": {"15-24": 50, "65-": 50}}, trim=None)

    rows = {row.category: row for row in result.margins["sex"]}
    assert rows[""].population_share is None
    assert rows["other"].population_share is None
    assert rows[""].weighted_share == pytest.approx(0.15)
    assert rows["other"].weighted_share == pytest.approx(0.05)
    # The known 80 % are split as the population is: 50.5 : 49.5.
    assert rows["female"].weighted_share == pytest.approx(0.80 * 0.505)
    assert rows["female"].population_share == pytest.approx(0.505)
    assert result.converged


def test_a_population_group_without_respondents_is_reported_and_the_rest_are_reached():
    sample = {"age_band": np.array(["25-44"] * 30 + ["45-64"] * 60 + ["65-"] * 10)}

    result = rake(sample, {"age_band": AGE}, trim=None)

    assert result.unreachable == {"age_band": ["15-24"]}
    rows = {row.category: row for row in result.margins["age_band"]}
    assert rows["25-44"].weighted_share == pytest.approx(30 / 86)
    assert rows["65-"].population_share == pytest.approx(0.25)
    assert result.converged


def test_a_sample_that_already_matches_the_population_keeps_equal_weights():
    sample = {"sex": np.array(["female"] * 50 + ["male"] * 50)}

    result = rake(sample, {"sex": {"female": 1000, "male": 1000}})

    np.testing.assert_allclose(result.weights, 1.0)
    assert result.design_effect == pytest.approx(1.0)
    assert result.effective_sample_size == pytest.approx(100)
    assert result.trimmed_rows == 0


@pytest.mark.parametrize(
    ("sample", "targets", "counts", "message"),
    [
        ({"sex": ["female"]}, {"age_band": AGE}, None, "dimensions"),
        ({"sex": ["female", "male"]}, {"sex": SEX}, [1, -1], "negative"),
        ({"sex": ["female", "male"]}, {"sex": SEX}, [1], "one figure per row"),
        ({"sex": []}, {"sex": SEX}, None, "no respondents"),
        ({"sex": ["female"]}, {"sex": {"female": 0, "male": 0}}, None, "empty"),
    ],
)
def test_bad_input_is_refused_with_a_specific_reason(sample, targets, counts, message):
    with pytest.raises(ValueError, match=message):
        rake(sample, targets, counts=counts)


@pytest.mark.django_db
def test_population_targets_sum_the_newest_year_of_the_chosen_municipalities():
    kuopio = Area.objects.create(area_type=Area.Type.MUNICIPALITY, code="297", name_fi="Kuopio")
    iisalmi = Area.objects.create(area_type=Area.Type.MUNICIPALITY, code="140", name_fi="Iisalmi")
    for area, year, band, sex, population in [
        (kuopio, 2023, "15-24", "female", 100),
        (kuopio, 2023, "15-24", "male", 90),
        (kuopio, 2023, "65-74", "female", 70),
        (kuopio, 2022, "65-74", "female", 999),
        (iisalmi, 2023, "15-24", "female", 10),
    ]:
        PopulationGroup.objects.create(
            municipality=area, year=year, age_band=band, sex=sex, population=population
        )

    assert population_targets(["297"], ("age_band", "sex")) == {
        "age_band": {"15-24": 190, "65-74": 70},
        "sex": {"female": 170, "male": 90},
    }
    assert population_targets(None, ("municipality",)) == {"municipality": {"297": 260, "140": 10}}
    assert population_targets(["297"], ("sex",), year=2022) == {"sex": {"female": 999}}
    assert population_targets(["999"], ("sex",)) == {}


def test_margins_that_no_weights_can_meet_are_reported_as_not_converged():
    # Every woman is young and every man old, yet the targets want 50 % young and 70 % women.
    sample = {
        "sex": np.array(["female"] * 50 + ["male"] * 50),
        "age_band": np.array(["15-24"] * 50 + ["65-"] * 50),
    }
    targets = {"sex": {"female": 70, "male": 30}, "age_band": {"15-24": 50, "65-": 50}}

    result = rake(sample, targets, trim=None, max_iterations=50)

    assert not result.converged
    assert result.iterations == 50
    assert result.max_margin_error > 0.1


def test_heavy_trimming_still_converges_with_weights_at_both_bounds():
    rng = np.random.default_rng(12)
    size = 20_000
    sample = {
        "age_band": rng.choice(list(AGE), size, p=[0.01, 0.09, 0.3, 0.6]),
        "sex": rng.choice(list(SEX), size, p=[0.8, 0.2]),
    }

    result = rake(sample, targets_for(("age_band", "sex")))

    assert result.converged
    assert result.min_weight == pytest.approx(0.3)
    assert result.max_weight == pytest.approx(3.0)
    assert result.weights.mean() == pytest.approx(1.0)
    rows = {row.category: row for row in result.margins["age_band"]}
    # The youngest can be weighted up only threefold: short of their 14 %, and the report shows it.
    assert rows["15-24"].weighted_share < 0.14 - 0.05
    assert result.max_margin_error == pytest.approx(
        max(abs(r.weighted_share - r.target_share) for m in result.margins.values() for r in m)
    )


def test_a_trimmed_result_that_misses_a_margin_says_so():
    """Converging is not matching: capped weights cannot lift a group that hardly answered."""
    sample = {"age": np.array(["young"] * 2 + ["old"] * 98)}
    result = rake(sample, {"age": {"young": 50.0, "old": 50.0}}, trim=(0.3, 3.0))

    assert result.converged
    assert result.max_margin_error > 0.3
    assert not result.margins_met
    assert rake(sample, {"age": {"young": 50.0, "old": 50.0}}, trim=None).margins_met
