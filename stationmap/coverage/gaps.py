"""Gaps: the populated cells no qualifying station reaches, cell by cell or aggregated.

For a county or a city the answer lists every uncovered cell (its outline, people,
centroid and the geodesic distance to the nearest qualifying station, measured with
PROJ). For a province or the nation that would be hundreds of thousands of features,
so the same cells are aggregated into coarser H3 hexagons (resolution 4 for the
nation, 5 for a province, 6 for a city or county unless asked), each with the uncovered
people and cells it holds: a map layer for wide areas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import BadRequest
from ..finder import StationIndex
from ..finder.geodesy import GEOD
from .areas import Area
from .catchment import Catchment
from .cells import cell_name, outline, parents
from .figures import MODELLED_NOTE
from .reach import StationSet, nearest_table
from .surface import PopulationSurface

MAX_GAP_CELLS = 100_000
"""Most uncovered cells listed one by one; beyond it the answer must be aggregated."""
HEX_RESOLUTION = {"nation": 4, "province": 5, "city": 6, "county": 6}
MAX_HEXAGONS = 100_000
"""Most hexagons drawn in one layer (about 40 MB of GeoJSON and 10 s); the nation at
resolution 6 has about 290,000, at 7 a million (a minute and 400 MB): refused."""


def uncovered_rows(
    index: StationIndex,
    surface: PopulationSurface,
    area: Area,
    stations: StationSet,
    catchment: Catchment,
) -> tuple[np.ndarray, Any]:
    """The surface rows of the area's uncovered cells, and the nearest-station table."""
    table = nearest_table(index, surface, stations)
    table.fill(surface.counties_of(area.prefix))
    rows = surface.rows_of(area.prefix)
    inside = table.within(rows, catchment.radius_m)
    return rows.start + np.flatnonzero(~inside), table


def gap_cells(
    index: StationIndex,
    surface: PopulationSurface,
    area: Area,
    stations: StationSet,
    catchment: Catchment,
) -> dict[str, Any]:
    """Every uncovered populated cell of the area as a GeoJSON FeatureCollection."""
    rows, table = uncovered_rows(index, surface, area, stations, catchment)
    if len(rows) > MAX_GAP_CELLS:
        raise BadRequest(
            f"adcode: {area.name} ({area.adcode}) has {len(rows):,} uncovered cells, more "
            f"than the {MAX_GAP_CELLS:,} listed one by one; ask for aggregate=hex, or a "
            "smaller area",
            code="too_many_cells",
            parameter="aggregate",
        )
    nearest = exact_metres(index, surface, rows, table.station[rows])
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [outline(cell)]},
            "properties": {
                "cell": cell_name(cell),
                "population": round(float(people), 1),
                "centroid": [round(float(lon), 6), round(float(lat), 6)],
                "nearest_m": None if metres is None else round(metres, 1),
            },
        }
        for cell, people, lon, lat, metres in zip(
            surface.h3[rows].tolist(),
            surface.population[rows].tolist(),
            surface.lon[rows].tolist(),
            surface.lat[rows].tolist(),
            nearest,
            strict=True,
        )
    ]
    return _collection(features, area, surface, catchment, "cells", len(rows))


def gap_hexagons(
    index: StationIndex,
    surface: PopulationSurface,
    area: Area,
    stations: StationSet,
    catchment: Catchment,
    resolution: int | None = None,
) -> dict[str, Any]:
    """The uncovered cells of the area summed into H3 hexagons of ``resolution``."""
    resolution = HEX_RESOLUTION[area.level] if resolution is None else resolution
    rows, table = uncovered_rows(index, surface, area, stations, catchment)
    all_rows = surface.rows_of(area.prefix)
    hexes_all = parents(surface.h3[all_rows], resolution)
    hexes = hexes_all[rows - all_rows.start]
    codes, inverse = np.unique(hexes, return_inverse=True)
    if len(codes) > MAX_HEXAGONS:
        raise BadRequest(
            f"hex_resolution: {area.name} ({area.adcode}) has uncovered cells in "
            f"{len(codes):,} hexagons of resolution {resolution}, more than the "
            f"{MAX_HEXAGONS:,} drawn in one layer; ask for a coarser hex_resolution "
            "(a smaller number) or a smaller area",
            code="too_many_cells",
            parameter="hex_resolution",
        )
    uncovered = np.bincount(inverse, surface.population[rows], minlength=len(codes))
    cells = np.bincount(inverse, minlength=len(codes))
    metres = table.metres[rows].astype(np.float64)
    farthest = np.full(len(codes), -np.inf)
    np.maximum.at(farthest, inverse, metres)
    present, where = np.unique(hexes_all, return_inverse=True)
    people = np.bincount(where, surface.population[all_rows], minlength=len(present))
    people_of = people[np.searchsorted(present, codes)]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [outline(code)]},
            "properties": {
                "cell": cell_name(code),
                "uncovered_population": round(float(lost)),
                "population": round(float(total)),
                "uncovered_share": round(float(lost / total), 4) if total else None,
                "uncovered_cells": int(count),
                "max_nearest_m": round(float(far), 1) if np.isfinite(far) else None,
            },
        }
        for code, lost, total, count, far in zip(
            codes.tolist(), uncovered, people_of, cells, farthest, strict=True
        )
    ]
    collection = _collection(features, area, surface, catchment, "hex", len(rows))
    collection["resolution"] = resolution
    return collection


def exact_metres(
    index: StationIndex, surface: PopulationSurface, rows: np.ndarray, stations: np.ndarray
) -> list[float | None]:
    """Geodesic metres (PROJ) from each cell to its station (None where there is none)."""
    found: list[float | None] = [None] * len(rows)
    has = np.flatnonzero(stations >= 0)
    if len(has):
        _, _, metres = GEOD.inv(
            surface.lon[rows[has]],
            surface.lat[rows[has]],
            index.lon[stations[has]],
            index.lat[stations[has]],
        )
        for position, value in zip(has.tolist(), np.atleast_1d(metres).tolist(), strict=True):
            found[position] = value
    return found


def _collection(
    features: list[dict[str, Any]],
    area: Area,
    surface: PopulationSurface,
    catchment: Catchment,
    aggregate: str,
    cells: int,
) -> dict[str, Any]:
    source = surface.source_of(surface.counties_of(area.prefix))
    return {
        "type": "FeatureCollection",
        "features": features,
        "adcode": area.adcode,
        "name": area.name,
        "aggregate": aggregate,
        "uncovered_cells": cells,
        "catchment": catchment.describe(),
        "population_source": source,
        "population_note": MODELLED_NOTE if source != "loaded" else None,
    }
