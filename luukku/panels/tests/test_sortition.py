"""The draw: reproducible, within the pool, never too big, and as close to the quotas as the
pool allows (closer than a simple random sample of a skewed pool)."""

from __future__ import annotations

import random
import statistics

import pytest

from luukku.panels.sortition import (
    Candidate,
    PopulationCell,
    band_coverage,
    deviation,
    largest_remainder,
    population_shares,
    quotas_from_shares,
    replacement,
    select,
)

MUNICIPALITIES = ("297", "140", "204")
BANDS = ("15-24", "25-34", "45-54", "65-74")
SEXES = ("female", "male")


def population() -> list[PopulationCell]:
    sizes = {"297": 6000, "140": 3000, "204": 1000}
    return [
        PopulationCell(m, band, sex, sizes[m])
        for m in MUNICIPALITIES
        for band in BANDS
        for sex in SEXES
    ]


def quotas(size: int = 10) -> dict[str, dict[str, int]]:
    return quotas_from_shares(population_shares(population(), min_age=15, max_age=None), size)


def balanced_pool(per_cell: int = 20) -> list[Candidate]:
    cells = [(m, b, s) for m in MUNICIPALITIES for b in BANDS for s in SEXES]
    return [
        Candidate(index * 1000 + n, *cell)
        for index, cell in enumerate(cells)
        for n in range(per_cell)
    ]


def skewed_pool(seed: int = 7) -> list[Candidate]:
    """Mostly older women from the big town; a handful of young men from the small one."""
    rng = random.Random(seed)
    pool = [Candidate(n, "297", rng.choice(("45-54", "65-74")), "female") for n in range(300)]
    pool += [Candidate(1000 + n, "297", rng.choice(BANDS), "male") for n in range(40)]
    pool += [Candidate(2000 + n, "140", rng.choice(BANDS), rng.choice(SEXES)) for n in range(30)]
    pool += [Candidate(3000 + n, "204", "15-24", "male") for n in range(2)]
    return pool


def test_quotas_follow_population_shares_and_add_up_to_the_panel_size():
    result = quotas(10)

    assert result["municipality"] == {"297": 6, "140": 3, "204": 1}
    assert result["sex"] == {"female": 5, "male": 5}
    assert all(sum(values.values()) == 10 for values in result.values())


def test_largest_remainder_gives_the_leftover_seats_to_the_largest_remainders():
    assert largest_remainder({"a": 0.45, "b": 0.35, "c": 0.2}, 4) == {"a": 2, "b": 1, "c": 1}
    assert largest_remainder({"a": 1, "b": 1}, 3) == {"a": 2, "b": 1}


def test_a_youth_panel_counts_only_the_covered_years_of_a_band():
    assert band_coverage("0-14", 13, 29) == pytest.approx(2 / 15)
    assert band_coverage("25-34", 13, 29) == pytest.approx(5 / 10)
    assert band_coverage("35-44", 13, 29) == 0
    assert band_coverage("75-", 15, None) == 1

    shares = population_shares(
        [PopulationCell("297", band, "female", 150) for band in ("0-14", "15-24", "25-34")],
        min_age=13,
        max_age=29,
    )
    # 2/15 of 150 = 20, 150, 5/10 of 150 = 75
    assert shares["age_band"] == pytest.approx(
        {"0-14": 20 / 245, "15-24": 150 / 245, "25-34": 75 / 245}
    )


def test_an_unlimited_balanced_pool_meets_every_quota():
    for seed in range(5):
        draw = select(balanced_pool(), quotas(10), 10, seed)
        assert draw.deviation == 0
        assert draw.report["total_deviation"] == 0


def test_the_same_seed_draws_the_same_panel_and_different_seeds_usually_differ():
    pool = skewed_pool()

    first = select(pool, quotas(), 10, 12345)
    again = select(list(reversed(pool)), quotas(), 10, 12345)
    others = {tuple(select(pool, quotas(), 10, seed).member_ids) for seed in range(10)}

    assert first.member_ids == again.member_ids
    assert len(others) >= 9


def test_members_come_from_the_pool_and_never_exceed_the_size():
    pool = skewed_pool()
    ids = {candidate.id for candidate in pool}
    for seed in range(10):
        draw = select(pool, quotas(10), 10, seed)
        assert len(draw.member_ids) == 10
        assert len(set(draw.member_ids)) == 10
        assert set(draw.member_ids) <= ids

    small = pool[:3]
    assert sorted(select(small, quotas(10), 10, 1).member_ids) == sorted(c.id for c in small)


def test_a_skewed_pool_gets_closer_to_the_quotas_than_a_simple_random_sample():
    pool = skewed_pool()
    target = quotas(10)
    drawn = [select(pool, target, 10, seed).deviation for seed in range(30)]
    sampled = [
        deviation([c.cell for c in random.Random(seed).sample(pool, 10)], target)
        for seed in range(30)
    ]

    assert max(drawn) < min(sampled)
    assert statistics.mean(drawn) < statistics.mean(sampled) / 2


def test_the_report_names_the_groups_the_pool_cannot_fill():
    pool = [c for c in skewed_pool() if c.municipality != "204"]
    draw = select(pool, quotas(10), 10, 3)
    municipality = next(d for d in draw.report["dimensions"] if d["dimension"] == "municipality")
    rows = {row["value"]: row for row in municipality["rows"]}

    assert rows["204"] == {
        "value": "204",
        "quota": 1,
        "selected": 0,
        "pool": 0,
        "population_share": None,
        "status": "pool_short",
    }
    assert rows["297"]["selected"] + rows["140"]["selected"] == 10
    assert municipality["deviation"] == 2  # one seat short in 204, one over elsewhere
    assert draw.report["total_deviation"] == sum(d["deviation"] for d in draw.report["dimensions"])


def test_a_volunteer_of_sex_other_fills_a_seat_without_adding_deviation():
    target = {"municipality": {"297": 2}, "age_band": {"45-54": 2}, "sex": {"female": 1, "male": 1}}

    assert deviation([("297", "45-54", "female"), ("297", "45-54", "other")], target) == 0
    assert deviation([("297", "45-54", "female"), ("297", "45-54", "female")], target) == 2


def test_a_replacement_restores_the_balance_the_withdrawal_broke():
    target = quotas(10)
    pool = balanced_pool(per_cell=3)
    draw = select(pool, target, 10, 5)
    by_id = {c.id: c for c in pool}
    members = [by_id[i] for i in draw.member_ids]
    leaving = members[0]
    staying = members[1:]
    reserves = [c for c in pool if c.id not in set(draw.member_ids)]

    chosen = replacement(staying, reserves, target, seed=99)

    assert chosen is not None
    assert chosen.cell == leaving.cell  # the only kind of seat that brings the deviation back to 0
    assert deviation([c.cell for c in [*staying, chosen]], target) == 0
    assert replacement(staying, reserves, target, seed=99) == chosen
    assert replacement(staying, [], target, seed=99) is None
