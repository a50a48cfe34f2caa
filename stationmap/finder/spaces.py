"""Search spaces: the stations one filter lets through, searchable by Earth-centred position.

A :class:`SearchSpace` is one k-d tree over a fixed set of points. An
:class:`OverlaidSpace` answers for a snapshot that changed a few stations since its
base was built: the base's tree with the superseded points masked out, merged with
a small tree over the changed stations. Both answer the same calls, so the queries
do not know which one they hold.
"""

from __future__ import annotations

import os

import numpy as np
from scipy.spatial import cKDTree

# pykdtree runs every query in an OpenMP team. A single query point needs one thread,
# and a second one would spin between requests, taking a core from the other server
# workers. libgomp reads this when it loads, which importing pykdtree does.
os.environ["OMP_NUM_THREADS"] = "1"
from pykdtree.kdtree import KDTree

Point = tuple[float, float, float]


class SearchSpace:
    """The stations one filter lets through, searchable by their Earth-centred positions.

    Nearest-neighbour queries go to pykdtree: one point with k = 6 costs about 4 µs
    there against 13 µs in scipy's cKDTree (same answers; scipy's per-call checks
    are most of its cost), and that call is the largest part of an HTTP nearest
    request after the server's own. Radius queries need a ball search, which
    pykdtree lacks: a cKDTree is built for them on first use.
    """

    def __init__(self, rows: np.ndarray | None, xyz: np.ndarray) -> None:
        self.rows = rows
        """Index rows of the space's points, or None when the space is the full index."""
        self.xyz = np.ascontiguousarray(xyz.reshape(-1, 3))
        self.size = len(self.xyz)
        self._nearest_tree = KDTree(self.xyz) if self.size else None
        self._ball_tree: cKDTree | None = None
        self._rows_list = None if rows is None else rows.tolist()

    def nearest(
        self, point: Point, k: int, max_chord: float | None = None
    ) -> tuple[list[float], list[int]]:
        """Chords to and positions of the ``k`` nearest points, nearest first.

        Fewer come back when the space is smaller or ``max_chord`` leaves some out.
        """
        if self._nearest_tree is None:
            return [], []
        chords, positions = self._nearest_tree.query(
            np.array([point]), k=k, distance_upper_bound=max_chord
        )
        chords, positions = chords.ravel().tolist(), positions.ravel().tolist()
        found = len(positions)
        while found and positions[found - 1] >= self.size:  # pykdtree's "no neighbour"
            found -= 1
        return chords[:found], positions[:found]

    def within(self, point: Point, radius: float) -> np.ndarray:
        """Positions of the points within ``radius`` (straight-line metres), unordered."""
        if self._ball_tree is None:
            self._ball_tree = cKDTree(self.xyz, balanced_tree=False, compact_nodes=False)
        return np.asarray(self._ball_tree.query_ball_point(point, radius), dtype=np.int64)

    def to_rows(self, positions: np.ndarray) -> np.ndarray:
        """Index rows for positions in the space."""
        return positions if self.rows is None else self.rows[positions]

    def rows_at(self, positions: list[int]) -> list[int]:
        """:meth:`to_rows` for a short list (plain Python is faster there than numpy)."""
        if self._rows_list is None:
            return positions
        return [self._rows_list[p] for p in positions]


class OverlaidSpace:
    """A base snapshot's space with some of its points superseded, plus the changed points.

    Positions in this space are index rows (``rows_at`` and ``to_rows`` return them
    as they are). A nearest query asks the base tree for k points, drops the
    superseded ones and asks again for more only when it dropped some (rare: a
    change must lie among the k nearest), then merges the overlay's k nearest by
    chord. So the answer is the k nearest live points, in chord order, exactly as
    one tree over all of them would give, for about one more small-tree query.
    """

    def __init__(self, base: SearchSpace, superseded: np.ndarray, overlay: SearchSpace) -> None:
        self.base = base
        self.superseded = frozenset(superseded.tolist())
        """Positions in ``base`` whose stations were changed or deleted since."""
        self.overlay = overlay
        """The changed and added stations that pass the filter (their newest versions)."""
        self.size = base.size - len(self.superseded) + overlay.size
        box = (overlay.xyz.min(axis=0), overlay.xyz.max(axis=0)) if overlay.size else None
        self._box = (
            None if box is None else tuple(zip(box[0].tolist(), box[1].tolist(), strict=True))
        )
        """The overlay's bounding box: queries far from it need not search the overlay."""

    def nearest(
        self, point: Point, k: int, max_chord: float | None = None
    ) -> tuple[list[float], list[int]]:
        """Chords to and rows of the ``k`` nearest live points, nearest first."""
        found = self._base_nearest(point, k, max_chord)
        if self._box is None or (len(found) == k and self._gap(point) > found[-1][0]):
            return [chord for chord, _ in found], [row for _, row in found]
        chords, positions = self.overlay.nearest(point, k, max_chord)
        found += zip(chords, self.overlay.rows_at(positions), strict=True)
        found.sort()
        chords = [chord for chord, _ in found[:k]]
        positions = [position for _, position in found[:k]]
        return chords, positions

    def _gap(self, point: Point) -> float:
        """Straight-line metres from ``point`` to the overlay's box (0 inside it)."""
        assert self._box is not None
        squared = 0.0
        for value, (low, high) in zip(point, self._box, strict=True):
            outside = low - value if value < low else value - high if value > high else 0.0
            squared += outside * outside
        return squared**0.5

    def _base_nearest(self, point: Point, k: int, max_chord: float | None) -> list:
        """(chord, row) of the ``k`` nearest base points not superseded."""
        asked = k
        while True:
            asked = min(asked, self.base.size)
            chords, positions = self.base.nearest(point, asked, max_chord)
            kept = [
                (c, p) for c, p in zip(chords, positions, strict=True) if p not in self.superseded
            ]
            if len(kept) >= k or len(positions) < asked or asked == self.base.size:
                rows = self.base.rows_at([p for _, p in kept[:k]])
                return [(c, r) for (c, _), r in zip(kept, rows, strict=False)]
            asked = asked + 2 * (k - len(kept)) + len(self.superseded) // 8

    def within(self, point: Point, radius: float) -> np.ndarray:
        """Rows of the live points within ``radius`` (straight-line metres), unordered."""
        positions = self.base.within(point, radius)
        if self.superseded:
            keep = [p not in self.superseded for p in positions.tolist()]
            positions = positions[np.asarray(keep, dtype=bool)]
        base_rows = self.base.to_rows(positions)
        overlay_rows = self.overlay.to_rows(self.overlay.within(point, radius))
        return np.concatenate((base_rows, overlay_rows))

    def to_rows(self, positions: np.ndarray) -> np.ndarray:
        """Positions here are rows already."""
        return positions

    def rows_at(self, positions: list[int]) -> list[int]:
        """Positions here are rows already."""
        return positions
