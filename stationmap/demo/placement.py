"""Where each demo station stands, and how urban that spot is.

In a county with GeoNames anchor places, most stations (``NEAR_PLACE_SHARE``) stand
near one of them: the place is drawn by population and the point scatters around it
(Gaussian) with a spread that grows with the place's size. The others stand
uniformly anywhere in the county, drawn from the county polygon's triangles by area,
so thin or island counties cost no more than compact ones. Every point is rounded
to 6 decimals (about 0.1 m, so that stored copies stay inside too) and checked with
``shapely.contains_xy`` against its county; points outside are drawn again, and a
near-place point that keeps missing falls back to a uniform one.

Urbanness (0 to 1) says how city-like a spot is: a place's influence is its size
(0.05 for a hamlet of 1,000 people, 1 from ten million) times a Gaussian fall-off over
its reach (about 1 km for a town of 10,000, 10 km for a city of a million). A site
takes the stronger of its own place's influence and its nearest place's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import cast

import numpy as np
import numpy.typing as npt
import shapely

from .inputs import load_counties, load_places
from .sampling import GroupedWeights, draw_within_groups, group_weights

NEAR_PLACE_SHARE = 0.8
"""Share of a county's stations placed near its anchor places (when it has any)."""
PLACE_WEIGHT_EXPONENT = 0.7
"""Places are drawn with weight population ** exponent: big cities get more, not all."""
SPREAD_OF_REACH = 0.6
"""Gaussian sigma of the scatter around a place, as a share of the place's reach."""
NEAR_PLACE_ATTEMPTS = 8
"""Draws near a place before a point that keeps landing outside goes uniform."""
MAX_ATTEMPTS = 200
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Sites:
    """One entry per station: its county, position, local place and urbanness."""

    county_row: np.ndarray
    """Row of the station's county in ``load_counties()``."""
    lon: np.ndarray
    lat: np.ndarray
    place_row: np.ndarray
    """Row in ``load_places()`` of the place the station belongs to (same county), or -1."""
    urbanness: np.ndarray
    """0 (remote) to 1 (centre of a very large city)."""

    def __len__(self) -> int:
        return len(self.lon)


@dataclass(frozen=True)
class Triangles:
    """The county polygons cut into triangles, for uniform draws by area."""

    corners: np.ndarray
    """Shape (triangles, 3, 2): lon/lat of each corner."""
    by_county: GroupedWeights
    """Triangles grouped by county row, weighted by area."""


def place_stations(per_county: np.ndarray, rng: np.random.Generator) -> Sites:
    """Points for ``per_county[i]`` stations in each county ``i``, all inside their county."""
    county_row = np.repeat(np.arange(len(per_county)), per_county)
    place_row = _pick_places(county_row, rng)
    lon, lat, place_row = _points_inside(county_row, place_row, rng)
    nearest = _nearest_places(lon, lat)
    urbanness = np.maximum(_influence(place_row, lon, lat), _influence(nearest, lon, lat))
    nearest_in_county = _same_county(nearest, county_row)
    local = np.where(place_row >= 0, place_row, np.where(nearest_in_county, nearest, -1))
    return Sites(county_row, lon, lat, local, urbanness)


def place_reach_km(population: np.ndarray) -> np.ndarray:
    """How far a place's built-up influence reaches (km): ~1 for 10,000, ~10 for 1 million."""
    return np.clip(np.sqrt(np.asarray(population, dtype=float) / 1e4), 0.8, 30.0)


def place_size(population: np.ndarray) -> np.ndarray:
    """0.05 (hamlet) to 1 (ten million or more), on a log scale of population."""
    scale = (np.log10(np.maximum(population, 1e3)) - 3.0) / 4.0
    return np.clip(scale, 0.05, 1.0)


def _pick_places(county_row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each station, a place of its county to stand near, or -1 for a uniform spot."""
    table = _places_by_county()
    near = table.has_items(county_row) & (rng.random(len(county_row)) < NEAR_PLACE_SHARE)
    place_row = np.full(len(county_row), -1, dtype=np.int64)
    place_row[near] = draw_within_groups(table, county_row[near], rng)
    return place_row


def _points_inside(
    county_row: np.ndarray, place_row: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw until every point lies inside its county; returns lon, lat and the places kept."""
    geometry = load_counties().geometry
    lon, lat = np.empty(len(county_row)), np.empty(len(county_row))
    place_row = place_row.copy()
    todo = np.arange(len(county_row))
    for attempt in range(MAX_ATTEMPTS):
        if attempt == NEAR_PLACE_ATTEMPTS:
            place_row[todo] = -1
        x, y = _candidates(county_row[todo], place_row[todo], rng)
        inside = shapely.contains_xy(geometry[county_row[todo]], x, y)
        lon[todo[inside]], lat[todo[inside]] = x[inside], y[inside]
        todo = todo[~inside]
        if len(todo) == 0:
            return lon, lat, place_row
    codes = sorted(set(load_counties().adcode[county_row[todo]]))
    raise RuntimeError(f"could not place {len(todo)} demo stations inside counties {codes[:5]}")


def _candidates(
    county_row: np.ndarray, place_row: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One candidate point per station: near its place if it has one, else uniform."""
    near = place_row >= 0
    lon, lat = np.empty(len(county_row)), np.empty(len(county_row))
    lon[near], lat[near] = _scatter_near_places(place_row[near], rng)
    lon[~near], lat[~near] = _uniform_in_counties(county_row[~near], rng)
    return np.round(lon, 6), np.round(lat, 6)


def _scatter_near_places(
    place_row: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian scatter around each place, sigma a share of the place's reach."""
    places = load_places()
    sigma_km = SPREAD_OF_REACH * place_reach_km(places.population[place_row])
    lat0 = places.lat[place_row]
    east_km, north_km = rng.standard_normal((2, len(place_row))) * sigma_km
    dlon = east_km / (KM_PER_DEGREE * np.cos(np.radians(lat0)))
    return places.lon[place_row] + dlon, lat0 + north_km / KM_PER_DEGREE


def _uniform_in_counties(
    county_row: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in each county: a triangle drawn by area, then a point inside it."""
    triangles = _county_triangles()
    corners = triangles.corners[draw_within_groups(triangles.by_county, county_row, rng)]
    r1, r2 = rng.random(len(county_row)), rng.random(len(county_row))
    folded = r1 + r2 > 1.0
    r1, r2 = np.where(folded, 1.0 - r1, r1), np.where(folded, 1.0 - r2, r2)
    origin = corners[:, 0]
    point = origin + r1[:, None] * (corners[:, 1] - origin) + r2[:, None] * (corners[:, 2] - origin)
    return point[:, 0], point[:, 1]


def _influence(place_row: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Urbanness a place lends a site: its size, fading with distance over its reach."""
    places = load_places()
    rows = np.maximum(place_row, 0)
    population = places.population[rows]
    distance = _distance_km(lon, lat, places.lon[rows], places.lat[rows])
    fade = np.exp(-0.5 * (distance / place_reach_km(population)) ** 2)
    return np.where(place_row >= 0, place_size(population) * fade, 0.0)


def _distance_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Equirectangular distance in km (good to well under 1% over tens of km)."""
    dx = np.radians(lon2 - lon1) * np.cos(np.radians((lat1 + lat2) / 2.0))
    dy = np.radians(lat2 - lat1)
    return 6371.0 * np.hypot(dx, dy)


def _nearest_places(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Row of the nearest anchor place to each point."""
    found = _place_tree().query_nearest(shapely.points(lon, lat), all_matches=False)
    nearest = np.full(len(lon), -1, dtype=np.int64)
    nearest[found[0]] = found[1]
    return nearest


def _same_county(place_row: np.ndarray, county_row: np.ndarray) -> np.ndarray:
    """Whether each place lies in the given county (False for -1)."""
    in_county = load_places().county_row[np.maximum(place_row, 0)] == county_row
    return (place_row >= 0) & in_county


@cache
def _places_by_county() -> GroupedWeights:
    """Anchor places grouped by county, weighted by population ** exponent."""
    places, counties = load_places(), load_counties()
    weights = np.maximum(places.population, 500.0) ** PLACE_WEIGHT_EXPONENT
    return group_weights(places.county_row, weights, len(counties))


@cache
def _place_tree() -> shapely.STRtree:
    """Spatial index over the anchor places (the layer must hold at least one)."""
    places = load_places()
    if not len(places):
        raise ValueError("the anchor places file holds no place inside the county layer")
    # Arrays in, an array out (shapely's stub cannot tell from an ndarray's type).
    points = cast("npt.NDArray[np.object_]", shapely.points(places.lon, places.lat))
    return shapely.STRtree(points)


@cache
def _county_triangles() -> Triangles:
    """Every county polygon triangulated (constrained Delaunay), weighted by true area."""
    counties = load_counties()
    collections = shapely.constrained_delaunay_triangles(counties.geometry)
    coords, owner = shapely.get_coordinates(collections, return_index=True)
    corners = coords.reshape(-1, 4, 2)[:, :3]
    county_row = owner[::4]
    _require_triangles(county_row, len(counties))
    edge1, edge2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    area = 0.5 * np.abs(edge1[:, 0] * edge2[:, 1] - edge1[:, 1] * edge2[:, 0])
    area *= np.cos(np.radians(corners[:, :, 1].mean(axis=1)))
    return Triangles(corners, group_weights(county_row, area, len(counties)))


def _require_triangles(county_row: np.ndarray, counties: int) -> None:
    """Fail with the county codes when a county polygon yields no triangles."""
    empty = np.flatnonzero(np.bincount(county_row, minlength=counties) == 0)
    if len(empty):
        codes = load_counties().adcode[empty[:5]].tolist()
        raise ValueError(f"county boundaries without area (cannot place stations): {codes}")
