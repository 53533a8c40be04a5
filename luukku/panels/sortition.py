"""Sortition: draw a panel that looks like the population, as far as the volunteers allow.

Pure functions (no ORM, no Django) so that they are easy to test and fast: the draw of 30 from
10,000 volunteers takes a few tens of milliseconds.

Quotas are *marginal*: one quota per value of each of the three dimensions (municipality, age
band, sex), each N × the value's population share, rounded by largest remainder so that every
dimension's quotas add up to N. A panel's deviation is the sum, over the three dimensions, of
how far its counts are from the quotas; the draw minimises it.

Volunteers whose value has no quota (sex "other": the population statistics have only men and
women) count toward no quota. They are neither penalised nor preferred: in a dimension, a
shortfall up to the number of such members is not counted as deviation, so a person who answered
"other" can fill any seat. The report says so.

All randomness comes from one `random.Random(seed)`: the same volunteers, quotas, size and seed
give the same panel, member by member.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ALGORITHM_VERSION = "greedy-swap-1"
DIMENSIONS: tuple[str, ...] = ("municipality", "age_band", "sex")
# The open top band ("75-") is taken to span 25 years when a panel's age range cuts it.
OPEN_BAND_YEARS = 25
# Greedy starts per draw (see `select`).
RESTARTS = 5

Cell = tuple[str, str, str]  # (municipality, age band, sex)
Quotas = dict[str, dict[str, int]]  # dimension -> value -> seats
Shares = dict[str, dict[str, float]]  # dimension -> value -> population share


@dataclass(frozen=True)
class Candidate:
    """One volunteer as the draw sees them: an id and the three background values."""

    id: int
    municipality: str
    age_band: str
    sex: str

    @property
    def cell(self) -> Cell:
        return (self.municipality, self.age_band, self.sex)


@dataclass(frozen=True)
class PopulationCell:
    municipality: str
    age_band: str
    sex: str
    population: int


@dataclass(frozen=True)
class Draw:
    """The members in seat order and the report that explains them."""

    member_ids: list[int]
    deviation: int
    report: dict[str, Any]


# --- quotas ----------------------------------------------------------------------------------


def band_coverage(band: str, min_age: int, max_age: int | None) -> float:
    """The share of a population band's years inside [min_age, max_age].

    Population figures are per band, so a youth panel of 13–29 takes 2/15 of band 0–14 and
    5/10 of band 25–34: people are assumed to be spread evenly over the years of a band.
    """
    low_text, _, high_text = band.partition("-")
    low = int(low_text)
    high = int(high_text) if high_text else low + OPEN_BAND_YEARS - 1
    top = high if max_age is None else min(high, max_age)
    covered = top - max(low, min_age) + 1
    return max(0, covered) / (high - low + 1)


def population_shares(
    cells: Iterable[PopulationCell], *, min_age: int, max_age: int | None
) -> Shares:
    """Each dimension value's share of the population the panel should mirror."""
    totals: dict[str, dict[str, float]] = {
        dimension: defaultdict(float) for dimension in DIMENSIONS
    }
    grand = 0.0
    for cell in cells:
        weight = cell.population * band_coverage(cell.age_band, min_age, max_age)
        if weight <= 0:
            continue
        grand += weight
        totals["municipality"][cell.municipality] += weight
        totals["age_band"][cell.age_band] += weight
        totals["sex"][cell.sex] += weight
    if grand <= 0:
        raise ValueError("The population in the panel's area and age range is empty.")
    return {
        dimension: {value: weight / grand for value, weight in sorted(values.items())}
        for dimension, values in totals.items()
    }


def largest_remainder(shares: Mapping[str, float], seats: int) -> dict[str, int]:
    """Split `seats` by `shares`: floors first, then one more to the largest remainders.

    Ties in the remainder go to the larger share, then to the value that sorts first, so the
    result never depends on dictionary order.
    """
    total = sum(shares.values())
    if total <= 0:
        raise ValueError("Shares must add up to more than zero.")
    exact = {value: seats * share / total for value, share in shares.items()}
    quotas = {value: int(amount) for value, amount in exact.items()}
    left = seats - sum(quotas.values())
    order = sorted(exact, key=lambda value: (-(exact[value] - quotas[value]), -exact[value], value))
    for value in order[:left]:
        quotas[value] += 1
    return quotas


def quotas_from_shares(shares: Shares, size: int) -> Quotas:
    return {dimension: largest_remainder(shares[dimension], size) for dimension in DIMENSIONS}


# --- deviation -------------------------------------------------------------------------------


def _dimension_deviation(over: int, under: int, uncounted: int) -> int:
    # A shortfall that members without a quota value (sex "other") fill is no deviation.
    return over + max(0, under - uncounted)


class _Tally:
    """Counts per dimension value, with the over/under sums kept up to date in O(1) per change."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas
        self.counts: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
        # Per dimension: [seats over quota, seats still under quota, members without a quota].
        self.state = {d: [0, sum(quotas[d].values()), 0] for d in DIMENSIONS}

    def dimension_deviation(self, dimension: str) -> int:
        return _dimension_deviation(*self.state[dimension])

    def deviation(self) -> int:
        return sum(self.dimension_deviation(d) for d in DIMENSIONS)

    def _step(self, dimension: str, value: str, change: int, state: list[int]) -> None:
        """Apply one member more (+1) or fewer (-1) of `value` to `state`."""
        quota = self.quotas[dimension].get(value)
        if quota is None:
            state[2] += change
            return
        count = self.counts[dimension][value]
        if change > 0:
            if count >= quota:
                state[0] += 1
            else:
                state[1] -= 1
        elif count > quota:
            state[0] -= 1
        else:
            state[1] += 1

    def delta(self, remove: Cell | None, add: Cell | None) -> int:
        """How the deviation changes if one member of `remove` gives way to one of `add`."""
        total = 0
        for index, dimension in enumerate(DIMENSIONS):
            removed = remove[index] if remove else None
            added = add[index] if add else None
            if removed == added:
                continue
            state = list(self.state[dimension])
            # Different values: taking one away does not change the other's count.
            if removed is not None:
                self._step(dimension, removed, -1, state)
            if added is not None:
                self._step(dimension, added, +1, state)
            total += _dimension_deviation(*state) - self.dimension_deviation(dimension)
        return total

    def apply(self, cell: Cell, change: int) -> None:
        for index, dimension in enumerate(DIMENSIONS):
            value = cell[index]
            self._step(dimension, value, change, self.state[dimension])
            if value in self.quotas[dimension]:
                self.counts[dimension][value] += change


def deviation(cells: Iterable[Cell], quotas: Quotas) -> int:
    """The total absolute deviation of a panel (its members' cells) from the quotas."""
    tally = _Tally(quotas)
    for cell in cells:
        tally.apply(cell, +1)
    return tally.deviation()


# --- the draw --------------------------------------------------------------------------------


def select(
    candidates: Sequence[Candidate],
    quotas: Quotas,
    size: int,
    seed: int | str,
    *,
    shares: Shares | None = None,
) -> Draw:
    """Draw `size` members (fewer only if the pool is smaller) as close to the quotas as it allows.

    1. Greedy: seat by seat, among the volunteers whose seat lowers the deviation most, pick
       one at random (so within equally good groups, every volunteer has the same chance).
    2. Local search: swap a member for a non-member while a swap lowers the deviation, the
       swap chosen at random among the best ones.
    Both run `RESTARTS` times from the same random stream and the lowest deviation is kept
    (the first one on a tie): a single greedy start can get stuck where two swaps at once
    would be needed. The search works on cells (municipality × band × sex: a few hundred at
    most), not on people; the people are picked at random within their cells at the end.
    """
    if size < 1:
        raise ValueError("A panel needs at least one member.")
    rng = random.Random(seed)  # noqa: S311 (reproducible by design; the seed is from secrets)
    by_cell: dict[Cell, list[int]] = defaultdict(list)
    for candidate in candidates:
        by_cell[candidate.cell].append(candidate.id)
    cells = sorted(by_cell)
    capacity = {cell: len(by_cell[cell]) for cell in cells}
    seats = min(size, len(candidates))
    taken, tally = _search(rng, cells, capacity, quotas, seats)
    for _ in range(RESTARTS - 1):
        if tally.deviation() == 0:
            break
        other_taken, other_tally = _search(rng, cells, capacity, quotas, seats)
        if other_tally.deviation() < tally.deviation():
            taken, tally = other_taken, other_tally

    members: list[int] = []
    for cell in cells:
        if taken[cell]:
            members.extend(rng.sample(sorted(by_cell[cell]), taken[cell]))
    rng.shuffle(members)
    lookup = {candidate.id: candidate for candidate in candidates}
    chosen = [lookup[member_id] for member_id in members]
    total = tally.deviation()
    return Draw(
        member_ids=members, deviation=total, report=quota_report(chosen, candidates, quotas, shares)
    )


def _search(
    rng: random.Random,
    cells: Sequence[Cell],
    capacity: Mapping[Cell, int],
    quotas: Quotas,
    seats: int,
) -> tuple[Counter[Cell], _Tally]:
    taken: Counter[Cell] = Counter()
    tally = _Tally(quotas)
    for _ in range(seats):
        options = [cell for cell in cells if taken[cell] < capacity[cell]]
        cell = _pick_best(rng, options, lambda c: tally.delta(None, c), capacity, taken)
        taken[cell] += 1
        tally.apply(cell, +1)
    _improve_by_swaps(rng, cells, capacity, taken, tally)
    return taken, tally


def _pick_best(
    rng: random.Random,
    options: Sequence[Cell],
    score: Any,
    capacity: Mapping[Cell, int],
    taken: Mapping[Cell, int],
) -> Cell:
    """The option with the lowest score; ties drawn at random, weighted by free volunteers."""
    best: list[Cell] = []
    best_score: int | None = None
    for option in options:
        value = score(option)
        if best_score is None or value < best_score:
            best, best_score = [option], value
        elif value == best_score:
            best.append(option)
    weights = [capacity[cell] - taken[cell] for cell in best]
    return rng.choices(best, weights=weights)[0]


def _improve_by_swaps(
    rng: random.Random,
    cells: Sequence[Cell],
    capacity: Mapping[Cell, int],
    taken: Counter[Cell],
    tally: _Tally,
) -> None:
    while True:
        best: list[tuple[Cell, Cell]] = []
        best_delta = 0
        seated = [cell for cell in cells if taken[cell]]
        free = [cell for cell in cells if taken[cell] < capacity[cell]]
        for out in seated:
            for into in free:
                if into == out:
                    continue
                change = tally.delta(out, into)
                if change < best_delta:
                    best, best_delta = [(out, into)], change
                elif change == best_delta and change < 0:
                    best.append((out, into))
        if not best:
            return
        out, into = rng.choice(best)
        taken[out] -= 1
        tally.apply(out, -1)
        taken[into] += 1
        tally.apply(into, +1)


def replacement(
    members: Sequence[Candidate], reserves: Sequence[Candidate], quotas: Quotas, seed: int | str
) -> Candidate | None:
    """The reserve whose seat best restores the balance of `members` (ties drawn at random).

    `members` are those still seated after a withdrawal; None when there is no reserve.
    """
    if not reserves:
        return None
    rng = random.Random(seed)  # noqa: S311 (reproducible by design; the seed is from secrets)
    tally = _Tally(quotas)
    for member in members:
        tally.apply(member.cell, +1)
    scores = {candidate.id: tally.delta(None, candidate.cell) for candidate in reserves}
    lowest = min(scores.values())
    tied = sorted((c for c in reserves if scores[c.id] == lowest), key=lambda c: c.id)
    return rng.choice(tied)


# --- the report ------------------------------------------------------------------------------


def quota_report(
    members: Sequence[Candidate],
    pool: Sequence[Candidate],
    quotas: Quotas,
    shares: Shares | None = None,
) -> dict[str, Any]:
    """Per dimension value: population share, quota, selected and pool counts; the deviation.

    `shortfalls` lists the values whose quota the pool could not meet (fewer volunteers than
    seats), `unmet` those the pool could have met but the other dimensions' quotas left short.
    Plain-language sentences are written from these by the views, in the reader's language.
    """
    dimensions = []
    tally = _Tally(quotas)
    for member in members:
        tally.apply(member.cell, +1)
    for index, dimension in enumerate(DIMENSIONS):
        selected = Counter(member.cell[index] for member in members)
        available = Counter(candidate.cell[index] for candidate in pool)
        values = sorted(set(quotas[dimension]) | set(available))
        rows = []
        for value in values:
            quota = quotas[dimension].get(value)
            row: dict[str, Any] = {
                "value": value,
                "quota": quota,
                "selected": selected[value],
                "pool": available[value],
                "population_share": (shares or {}).get(dimension, {}).get(value),
            }
            if quota is not None:
                row["status"] = _status(quota, selected[value], available[value])
            rows.append(row)
        uncounted = sum(
            count for value, count in selected.items() if value not in quotas[dimension]
        )
        _mark_covered(rows, uncounted)
        dimensions.append(
            {
                "dimension": dimension,
                "deviation": tally.dimension_deviation(dimension),
                "rows": rows,
                "uncounted_selected": uncounted,
            }
        )
    return {
        "algorithm": ALGORITHM_VERSION,
        "size": sum(quotas[DIMENSIONS[0]].values()),
        "selected": len(members),
        "pool": len(pool),
        "total_deviation": tally.deviation(),
        "dimensions": dimensions,
    }


def _mark_covered(rows: list[dict[str, Any]], uncounted: int) -> None:
    """Shortfalls that members without a quota value fill (see the module docstring) are
    "covered": not deviation, and no group the report should call short."""
    for row in rows:
        if row.get("status") in ("unmet", "pool_short"):
            shortfall = row["quota"] - row["selected"]
            if shortfall <= uncounted:
                row["status"] = "covered"
                uncounted -= shortfall


def _status(quota: int, selected: int, pool: int) -> str:
    if selected == quota:
        return "met"
    if selected > quota:
        return "over"
    if pool < quota:
        return "pool_short"
    return "unmet"
