"""Small cells never show, and no shown total or neighbour lets anyone work one out."""

from __future__ import annotations

import itertools

import pytest

from luukku.insights.suppression import suppress


def test_a_table_of_large_groups_shows_everything() -> None:
    result = suppress({("Kirjasto",): 40, ("Uimahalli",): 12})
    assert not result.anything_hidden


def test_a_lone_small_group_takes_the_smallest_other_group_with_it() -> None:
    # Total 57 minus the shown groups would give the hidden 3 back.
    result = suppress({("a",): 3, ("b",): 40, ("c",): 14})
    assert result.hidden_cells == {("a",), ("c",)}
    assert not result.total_hidden


def test_two_small_groups_adding_up_under_five_take_a_third() -> None:
    result = suppress({("a",): 1, ("b",): 2, ("c",): 9, ("d",): 30})
    assert result.hidden_cells == {("a",), ("b",), ("c",)}


def test_a_small_total_hides_everything() -> None:
    result = suppress({("a",): 2, ("b",): 1})
    assert result.total_hidden
    assert result.hidden_cells == {("a",), ("b",)}


def test_empty_cells_are_shown_as_empty() -> None:
    result = suppress({("a", "x"): 10, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 8})
    assert not result.anything_hidden


def _derivable(counts: dict, result) -> bool:  # noqa: ANN001
    """Whether a line of the table has exactly one hidden figure (so it can be computed)."""
    rows = sorted({k[0] for k in counts})
    columns = sorted({k[1] for k in counts})
    cell = {(r, c): (r, c) in result.hidden_cells for r in rows for c in columns}
    for r in rows:
        if sum(cell[(r, c)] for c in columns) + (r in result.hidden_rows) == 1:
            return True
    for c in columns:
        if sum(cell[(r, c)] for r in rows) + (c in result.hidden_columns) == 1:
            return True
    margins_rows = sum(r in result.hidden_rows for r in rows) + result.total_hidden
    margins_columns = sum(c in result.hidden_columns for c in columns) + result.total_hidden
    return margins_rows == 1 or margins_columns == 1


def test_a_two_way_table_hides_a_partner_in_its_row_and_its_column() -> None:
    counts = {
        ("Kirjasto", "2026-01"): 3,
        ("Kirjasto", "2026-02"): 20,
        ("Uimahalli", "2026-01"): 15,
        ("Uimahalli", "2026-02"): 30,
    }
    result = suppress(counts)
    assert ("Kirjasto", "2026-01") in result.hidden_cells
    assert len(result.hidden_cells) == 4  # one small cell in a 2 × 2 table takes all four
    assert result.shows_row("Kirjasto")
    assert result.shows_column("2026-01")
    assert not _derivable(counts, result)


@pytest.mark.parametrize("seed", range(30))
def test_no_hidden_figure_of_a_random_table_can_be_computed_from_a_single_line(
    seed: int,
) -> None:
    import random  # noqa: PLC0415

    rng = random.Random(seed)
    rows, columns = "abcde"[: rng.randint(2, 5)], "xyzw"[: rng.randint(2, 4)]
    counts = {
        (r, c): rng.choice([0, 1, 2, 3, 4, 6, 9, 20, 50])
        for r, c in itertools.product(rows, columns)
    }
    result = suppress(counts)
    for key, n in counts.items():
        if 0 < n < 5:
            assert key in result.hidden_cells
    assert not _derivable(counts, result)


def test_keys_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one or two values"):
        suppress({("a",): 5, ("a", "b"): 5})
