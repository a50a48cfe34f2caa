"""What if: an area's coverage with stations added or taken away, the store untouched.

The planner names points for new stations (open all day) and stations to remove (by
id); the answer gives the area's figures before and after. Only the area's cells are
searched again, against the qualifying stations less the removed ones plus the added
points; nothing is written, and the cached tables are not changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import BadRequest
from ..finder import StationIndex
from ..finder.geodesy import ecef
from ..finder.spaces import KDTree
from ..identifiers import is_public_id
from .areas import Area
from .catchment import Catchment
from .figures import MODELLED_NOTE, cell_summary
from .reach import StationSet, geodesic_metres, nearest_table
from .surface import PopulationSurface

MAX_CHANGES = 500


def what_if(
    index: StationIndex,
    surface: PopulationSurface,
    area: Area,
    stations: StationSet,
    catchment: Catchment,
    added: list[tuple[float, float]],
    removed: list[str],
) -> dict[str, Any]:
    """The area's figures before and after adding ``added`` points and removing stations."""
    if len(added) + len(removed) > MAX_CHANGES:
        raise BadRequest(
            f"add, remove: {len(added) + len(removed)} changes, expected at most {MAX_CHANGES}",
            code="invalid_parameter",
            parameter="add" if added else "remove",
        )
    gone = _removed_rows(index, removed)
    table = nearest_table(index, surface, stations)
    table.fill(surface.counties_of(area.prefix))
    rows = surface.rows_of(area.prefix)
    people = surface.population[rows]
    metres = table.metres[rows].astype(np.float64)
    covered = table.within(rows, catchment.radius_m)
    before = cell_summary(people, covered, metres)

    after_metres = metres.copy()
    nearest = table.station[rows]
    lost = np.flatnonzero(np.isin(nearest, gone))
    if len(lost):
        keep = table.rows[~np.isin(table.rows, gone)]
        after_metres[lost] = _nearest_metres(index.xyz[keep], surface, rows.start + lost)
    if added:
        lon, lat = np.array(added).T
        cells = np.arange(rows.start, rows.stop)
        after_metres = np.minimum(after_metres, _nearest_metres(ecef(lon, lat), surface, cells))
    unchanged = np.ones(len(metres), dtype=bool)
    unchanged[lost] = False
    unchanged &= after_metres == metres
    after_covered = np.where(unchanged, covered, after_metres <= catchment.radius_m)
    after = cell_summary(people, after_covered, after_metres)
    source = surface.source_of(surface.counties_of(area.prefix))
    return {
        "adcode": area.adcode,
        "name": area.name,
        "added": [{"lon": lon_, "lat": lat_} for lon_, lat_ in added],
        "removed": removed,
        "catchment": catchment.describe(),
        "before": before,
        "after": after,
        "change": {
            "covered_population": after["covered_population"] - before["covered_population"],
        },
        "population_source": source,
        "population_note": MODELLED_NOTE if source != "loaded" else None,
    }


def _removed_rows(index: StationIndex, removed: list[str]) -> np.ndarray:
    rows = []
    for station_id in removed:
        row = index.row_of_id.get(station_id) if is_public_id(station_id) else None
        if row is None:
            raise BadRequest(
                f"remove: got {station_id!r}, expected the id of a stored station",
                code="invalid_parameter",
                parameter="remove",
            )
        rows.append(row)
    return np.array(rows, dtype=np.int64)


def _nearest_metres(xyz: np.ndarray, surface: PopulationSurface, cells: np.ndarray) -> np.ndarray:
    if not len(xyz):
        return np.full(len(cells), np.inf)
    chords, _ = KDTree(np.ascontiguousarray(xyz)).query(
        np.ascontiguousarray(surface.xyz[cells]), k=1
    )
    return geodesic_metres(chords, surface.lat[cells])
