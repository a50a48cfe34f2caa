"""Stations grouped on the server for a map view: a few hundred bytes whatever the zoom.

The view is cut into cells of about 80 screen pixels on a grid anchored at (0, 0),
so clusters stay put while the map pans. Each cluster sits at the mean position of
its stations and carries their count; the counts add up to the stations in view.
Close in (zoom 15 and beyond), or when few stations are in view, stations come
back one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..types import FoundStation
from .filters import StationFilter
from .index import StationIndex
from .queries import found_results, rows_in_box

CELL_PIXELS = 80
SINGLE_STATIONS_ZOOM = 15
FEW_STATIONS = 150


@dataclass(frozen=True)
class Cluster:
    """Stations drawn as one marker."""

    lon: float
    lat: float
    count: int


@dataclass(frozen=True)
class ClusterView:
    """What a map view shows: clusters, or single stations, and the counts behind them."""

    clusters: list[Cluster]
    stations: list[FoundStation]
    in_view: int
    """Stations in the view that pass the filter (the sum of cluster counts)."""
    total: int
    """Stations anywhere that pass the filter."""


def cluster_view(
    index: StationIndex,
    bbox: tuple[float, float, float, float],
    zoom: int,
    station_filter: StationFilter | None = None,
) -> ClusterView:
    """Clusters (or single stations) for the part of the map in ``bbox`` at ``zoom``."""
    station_filter = station_filter or StationFilter()
    rows = rows_in_box(index, bbox, ordered=False)
    rows = rows[index.passing(station_filter, rows)]
    total = index.search_space(station_filter).size
    if zoom >= SINGLE_STATIONS_ZOOM or len(rows) <= FEW_STATIONS:
        return ClusterView(
            [], found_results(index, rows, None, station_filter.open_at), len(rows), total
        )
    return ClusterView(_clusters(index, rows, zoom), [], len(rows), total)


def cell_degrees(zoom: int) -> float:
    """The width of a cluster cell at ``zoom``, in degrees of longitude."""
    return CELL_PIXELS * 360.0 / (256 * 2**zoom)


def _clusters(index: StationIndex, rows: np.ndarray, zoom: int) -> list[Cluster]:
    """Clusters of ``rows`` on the zoom's grid: counts and mean positions per cell.

    Cells are numbered densely over the rows' extent and counted with ``bincount``:
    no sort, about 3 ms for the whole country (``np.unique`` took 7 ms of a 12 ms view).
    """
    size = cell_degrees(zoom)
    lon, lat = index.lon[rows], index.lat[rows]
    ix = np.floor(lon / size).astype(np.int64)
    iy = np.floor(lat / size).astype(np.int64)
    ix -= ix.min()
    iy -= iy.min()
    width = int(ix.max()) + 1
    cells = iy * width + ix
    counts = np.bincount(cells)
    used = np.flatnonzero(counts)
    mean_lon = np.bincount(cells, weights=lon)[used] / counts[used]
    mean_lat = np.bincount(cells, weights=lat)[used] / counts[used]
    return [
        Cluster(x, y, n)
        for x, y, n in zip(mean_lon.tolist(), mean_lat.tolist(), counts[used].tolist(), strict=True)
    ]
