"""Small-cell suppression for the insight tables, the one rule for pages and exports alike.

A table is a set of cells (one or two grouping dimensions) published with its totals: a 1-D
table with its grand total, a 2-D table with row totals, column totals and the grand total.
Every figure in it is a node; every line of the table says "these members add up to that
total". The rule:

1. primary: a node with 1 to MIN_GROUP_SIZE - 1 respondents is hidden (empty cells are not:
   "nobody" is not a person to protect, and nothing else can be derived from them);
2. complementary: in every line, a lone hidden node could be computed from the others, and
   hidden members adding up to less than MIN_GROUP_SIZE reveal a small group together, so the
   smallest shown non-empty member is hidden too (the total when no member is left); repeated
   over all lines until nothing changes.

Hiding only ever grows, so the loop ends; the result is the same whatever order the cells
come in (ties are broken by the cells' keys).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from luukku.surveys.results import MIN_GROUP_SIZE

Key = tuple[Hashable, ...]
# Node names: ("cell", key), ("row", row key), ("column", column key), ("total",).
Node = tuple[Hashable, ...]
TOTAL: Node = ("total",)


@dataclass(frozen=True)
class Suppression:
    """Which figures of a table may be shown."""

    hidden_cells: frozenset[Key]
    hidden_rows: frozenset[Hashable]  # row totals hidden (2-D tables)
    hidden_columns: frozenset[Hashable]  # column totals hidden (2-D tables)
    total_hidden: bool

    def shows(self, key: Key) -> bool:
        return key not in self.hidden_cells

    def shows_row(self, row: Hashable) -> bool:
        return row not in self.hidden_rows

    def shows_column(self, column: Hashable) -> bool:
        return column not in self.hidden_columns

    @property
    def anything_hidden(self) -> bool:
        return bool(
            self.hidden_cells or self.hidden_rows or self.hidden_columns or self.total_hidden
        )


def suppress(counts: Mapping[Any, int]) -> Suppression:
    """The figures to hide in a table of respondent counts keyed by 1- or 2-tuples.

    Missing 2-D combinations count as empty cells.
    """
    dimensions = {len(key) for key in counts}
    if not dimensions:
        return Suppression(frozenset(), frozenset(), frozenset(), total_hidden=False)
    if len(dimensions) != 1 or dimensions - {1, 2}:
        raise ValueError("Suppression takes keys of one or two values, all the same length.")
    values, lines = _two_way(counts) if dimensions == {2} else _one_way(counts)
    hidden = {node for node, n in values.items() if 0 < n < MIN_GROUP_SIZE}
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            extra = _complement(members, total, values, hidden)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return Suppression(
        hidden_cells=frozenset(cast(Key, node[1]) for node in hidden if node[0] == "cell"),
        hidden_rows=frozenset(node[1] for node in hidden if node[0] == "row"),
        hidden_columns=frozenset(node[1] for node in hidden if node[0] == "column"),
        total_hidden=TOTAL in hidden,
    )


Line = tuple[list[Node], Node]


def _one_way(counts: Mapping[Key, int]) -> tuple[dict[Node, int], list[Line]]:
    values: dict[Node, int] = {("cell", key): n for key, n in counts.items()}
    values[TOTAL] = sum(counts.values())
    return values, [([("cell", key) for key in counts], TOTAL)]


def _two_way(counts: Mapping[Key, int]) -> tuple[dict[Node, int], list[Line]]:
    rows = sorted({key[0] for key in counts}, key=str)
    columns = sorted({key[1] for key in counts}, key=str)
    values: dict[Node, int] = {
        ("cell", (row, column)): counts.get((row, column), 0) for row in rows for column in columns
    }
    lines: list[Line] = []
    for row in rows:
        members: list[Node] = [("cell", (row, column)) for column in columns]
        values[("row", row)] = sum(values[m] for m in members)
        lines.append((members, ("row", row)))
    for column in columns:
        members = [("cell", (row, column)) for row in rows]
        values[("column", column)] = sum(values[m] for m in members)
        lines.append((members, ("column", column)))
    values[TOTAL] = sum(counts.values())
    lines.append(([("row", row) for row in rows], TOTAL))
    lines.append(([("column", column) for column in columns], TOTAL))
    return values, lines


def _complement(
    members: list[Node], total: Node, values: dict[Node, int], hidden: set[Node]
) -> Node | None:
    """The node to hide next in this line, or None when the line gives nothing away."""
    hidden_members = [m for m in members if m in hidden]
    hidden_count = len(hidden_members) + (total in hidden)
    if hidden_count == 0:
        return None
    hidden_sum = sum(values[m] for m in hidden_members)
    exposed = hidden_count == 1 or (total not in hidden and 0 < hidden_sum < MIN_GROUP_SIZE)
    if not exposed:
        return None
    candidates = sorted(
        (m for m in members if m not in hidden and values[m] > 0),
        key=lambda m: (values[m], str(m)),
    )
    if candidates:
        return candidates[0]
    if total not in hidden and values[total] > 0:
        return total
    return None
