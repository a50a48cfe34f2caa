"""H3 cell arithmetic on numpy columns: parents by bit arithmetic, outlines for GeoJSON.

An H3 index holds its resolution in bits 52-55 and one 3-bit digit per resolution
from bit 42 down, unused digits set to 7. A parent is therefore the same index with its
resolution field lowered and the finer digits set to 7: done on a whole column at once
(2.4 million cells in milliseconds), where calling ``h3.cell_to_parent`` per cell takes
seconds. ``tests/test_coverage_cells.py`` checks it against the library.
"""

from __future__ import annotations

import h3.api.basic_int as h3
import numpy as np

_RESOLUTION_SHIFT = np.uint64(52)
_RESOLUTION_MASK = np.uint64(0xF) << _RESOLUTION_SHIFT
_MAX_RESOLUTION = 15


def resolutions(cells: np.ndarray) -> np.ndarray:
    """The resolution of each H3 index."""
    return ((cells & _RESOLUTION_MASK) >> _RESOLUTION_SHIFT).astype(np.int8)


def parents(cells: np.ndarray, resolution: int) -> np.ndarray:
    """Each cell's ancestor at ``resolution`` (a cell already that coarse or coarser is
    returned as it is)."""
    cells = np.asarray(cells, dtype=np.uint64)
    unused = np.uint64(0)
    for digit in range(resolution + 1, _MAX_RESOLUTION + 1):
        unused |= np.uint64(7) << np.uint64(3 * (_MAX_RESOLUTION - digit))
    coarser = (cells & ~_RESOLUTION_MASK) | unused | (np.uint64(resolution) << _RESOLUTION_SHIFT)
    return np.where(resolutions(cells) > resolution, coarser, cells)


def cell_name(cell: int) -> str:
    """The usual hexadecimal spelling of an H3 index (e.g. 88309a5b6dfffff)."""
    return format(int(cell), "x")


def outline(cell: int) -> list[list[float]]:
    """The cell's boundary as a closed GeoJSON ring of [lon, lat]."""
    ring = [[round(lng, 6), round(lat, 6)] for lat, lng in h3.cell_to_boundary(int(cell))]
    return [*ring, ring[0]]
