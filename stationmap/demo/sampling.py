"""Two kinds of random draw the generator needs, both vectorised and reproducible.

* ``GroupedWeights`` / ``draw_within_groups``: for each draw, pick one item of a given
  group (a place in a county, a triangle of a county) with probability proportional
  to the item's weight, for every draw at once.
* ``pick_exact_share``: mark exactly a given share of the items, favouring those with
  larger weights (weighted sampling without replacement via Gumbel keys), so that a
  national share can be hit exactly while still following the local model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GroupedWeights:
    """Items sorted by group, with their weights turned into searchable keys."""

    keys: np.ndarray
    """Per item: its group number plus the cumulative weight share within the group."""
    first_item: np.ndarray
    """Per group: index of its first item (equal to ``last_item + 1`` when empty)."""
    last_item: np.ndarray
    """Per group: index of its last item."""

    def has_items(self, groups: np.ndarray) -> np.ndarray:
        """Which of ``groups`` own at least one item."""
        return self.last_item[groups] >= self.first_item[groups]


def group_weights(group_of_item: np.ndarray, weights: np.ndarray, groups: int) -> GroupedWeights:
    """Prepare weighted draws within groups; ``group_of_item`` must be sorted ascending.

    Items of zero weight are never drawn unless their whole group weighs zero, in
    which case the group is treated as unweighted.
    """
    first = np.searchsorted(group_of_item, np.arange(groups), side="left")
    last = np.searchsorted(group_of_item, np.arange(groups), side="right") - 1
    weights = _even_where_weightless(group_of_item, weights, groups)
    running = np.cumsum(weights)
    before_group = np.concatenate(([0.0], running))[first][group_of_item]
    totals = np.bincount(group_of_item, weights=weights, minlength=groups)
    fraction = (running - before_group) / totals[group_of_item]
    fraction[last[last >= first]] = 1.0
    return GroupedWeights(keys=group_of_item + fraction, first_item=first, last_item=last)


def draw_within_groups(
    table: GroupedWeights, groups: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One weighted item index per entry of ``groups`` (every group must have items)."""
    targets = groups + rng.random(len(groups))
    found = np.searchsorted(table.keys, targets, side="right")
    return np.clip(found, table.first_item[groups], table.last_item[groups])


def pick_exact_share(log_weights: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """A boolean mask marking exactly ``round(share * n)`` items, drawn by weight.

    Items are drawn without replacement with odds ``exp(log_weights)``: adding
    Gumbel noise to the log weights and keeping the largest keys is equivalent.
    """
    count = len(log_weights)
    wanted = int(np.floor(share * count + 0.5))
    keys = np.asarray(log_weights, dtype=np.float64) + rng.gumbel(size=count)
    chosen = np.zeros(count, dtype=bool)
    chosen[np.argsort(-keys, kind="stable")[:wanted]] = True
    return chosen


def _even_where_weightless(
    group_of_item: np.ndarray, weights: np.ndarray, groups: int
) -> np.ndarray:
    """The weights as floats, with every item of a zero-weight group given weight 1."""
    weights = np.asarray(weights, dtype=np.float64)
    totals = np.bincount(group_of_item, weights=weights, minlength=groups)
    return np.where(totals[group_of_item] > 0, weights, 1.0)
