"""Site proposals: where p new stations would newly cover the most people.

The maximal covering location problem with the existing stations fixed: the demand is
the area's people not yet within the catchment of a station open at the moment; a
candidate covers the demand cells within the catchment radius of it. Candidates are the
centroids of the area's uncovered cells (the contract's default) or an uploaded list.
:mod:`.siting` solves it (lazy greedy, then an exact integer program under a time
limit, never worse than the greedy). Before and after figures come from the same
nearest-station table, with the proposed sites added as stations open all day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_array
from scipy.spatial import cKDTree

from ..errors import BadRequest
from ..finder import StationIndex
from ..finder.geodesy import ecef
from ..finder.spaces import KDTree
from .areas import Area
from .candidates import Candidates
from .catchment import Catchment
from .figures import MODELLED_NOTE, cell_summary
from .gaps import uncovered_rows
from .reach import StationSet, geodesic_metres
from .siting import CoveringProblem, Siting, solve
from .surface import PopulationSurface

MAX_P = 500
EXACT_TIME_LIMIT_S = 10.0
"""How long the exact solver may improve on the greedy within a web request."""
MAX_REACH_PAIRS = 20_000_000
"""Most (demand cell, candidate) pairs a web request's reach matrix may hold: about 15 s
and 3 GB. Henan (410000) at 10 km has 46 million (27 s, 6.6 GB); at 20 km four times
that, more than a worker's memory."""
ESTIMATE_SAMPLE = 2_000
"""Candidates whose reach is counted to estimate the pairs before building the matrix."""


@dataclass(frozen=True)
class ProposalQuestion:
    """What a planner asks: p sites in an area, for a station set and catchment."""

    area: Area
    p: int
    stations: StationSet
    catchment: Catchment
    candidates: Candidates | None = None
    exact: bool = True
    time_limit_s: float = EXACT_TIME_LIMIT_S
    max_reach_pairs: int | None = MAX_REACH_PAIRS
    """None: no limit (the command line, where the planner can wait)."""


def propose(index: StationIndex, surface: PopulationSurface, question: ProposalQuestion) -> dict:
    """The proposed sites, what each newly covers, and the area before and after."""
    area = question.area
    if area.level == "nation":
        raise BadRequest(
            "adcode: proposals are made for a province, a city or a county, not the whole "
            "nation; ask for each province in turn",
            code="area_too_large",
            parameter="adcode",
        )
    demand, table = uncovered_rows(index, surface, area, question.stations, question.catchment)
    candidates = question.candidates or Candidates(surface.lon[demand], surface.lat[demand])
    if not 1 <= question.p <= min(MAX_P, len(candidates)):
        raise BadRequest(
            f"p: got {question.p}, expected 1 to {min(MAX_P, len(candidates))} (the area has "
            f"{len(candidates):,} candidate sites)",
            code="invalid_parameter",
            parameter="p",
        )
    reach = reach_matrix(
        surface.xyz[demand],
        surface.lat[demand],
        candidates,
        question.catchment,
        question.max_reach_pairs,
    )
    siting = solve(
        CoveringProblem(surface.population[demand], reach, question.p),
        exact=question.exact,
        time_limit_s=question.time_limit_s,
    )
    chosen = np.array(siting.chosen, dtype=np.int64)
    sites = [
        {
            "lon": round(float(candidates.lon[c]), 6),
            "lat": round(float(candidates.lat[c]), 6),
            "newly_covered": round(gain),
            **({"name": candidates.names[c]} if candidates.names else {}),
        }
        for c, gain in zip(chosen.tolist(), siting.gains, strict=True)
    ]
    before, after = _before_after(table, surface, area, question, candidates, chosen, demand)
    source = surface.source_of(surface.counties_of(area.prefix))
    return {
        "adcode": area.adcode,
        "name": area.name,
        "method": siting.method,
        "optimal": siting.optimal,
        "note": siting.note,
        "sites": sites,
        "newly_covered": round(siting.newly_covered),
        "upper_bound": None if siting.upper_bound is None else round(siting.upper_bound),
        "gap": _gap(siting),
        "candidates": {"count": len(candidates), "source": candidates.source},
        "demand_points": siting.demand_points,
        "catchment": question.catchment.describe(),
        "before": before,
        "after": after,
        "population_source": source,
        "population_note": MODELLED_NOTE if source != "loaded" else None,
    }


def reach_matrix(
    demand_xyz: np.ndarray,
    demand_lat: np.ndarray,
    candidates: Candidates,
    catchment: Catchment,
    max_pairs: int | None = None,
) -> csr_array:
    """Which demand cells (rows) each candidate (column) covers: a sparse boolean matrix.

    Cells within the radius by chord are found with a ball search (the chord never
    exceeds the geodesic, so none is missed), then kept when their geodesic is within it.
    With ``max_pairs``, a 400 naming the catchment when the matrix would hold more pairs
    than that (estimated from a sample of the candidates, before anything is built).
    """
    shape = (len(demand_xyz), len(candidates))
    if not len(demand_xyz):
        return csr_array(shape, dtype=bool)
    tree = cKDTree(demand_xyz)
    sites = ecef(candidates.lon, candidates.lat)
    if max_pairs is not None:
        _check_pairs(tree, sites, catchment, max_pairs)
    found = tree.query_ball_point(sites, catchment.radius_m, workers=1)
    columns = np.repeat(np.arange(len(candidates)), [len(f) for f in found])
    rows = np.concatenate([np.asarray(f, dtype=np.int64) for f in found] + [np.zeros(0, int)])
    chords = np.linalg.norm(demand_xyz[rows] - sites[columns], axis=1)
    keep = geodesic_metres(chords, demand_lat[rows]) <= catchment.radius_m
    rows, columns = rows[keep], columns[keep]
    data = np.ones(len(rows), dtype=bool)
    return csr_array((data, (rows, columns)), shape=shape)


def _check_pairs(tree: cKDTree, sites: np.ndarray, catchment: Catchment, limit: int) -> None:
    sample = sites
    if len(sites) > ESTIMATE_SAMPLE:
        picked = np.random.default_rng(0).choice(len(sites), ESTIMATE_SAMPLE, replace=False)
        sample = sites[picked]
    counts = tree.query_ball_point(sample, catchment.radius_m, return_length=True, workers=1)
    pairs = float(np.mean(counts)) * len(sites)
    if pairs > limit:
        parameter = "radius_m" if catchment.minutes is None else "ride_minutes"
        raise BadRequest(
            f"{parameter}: a catchment of {catchment.radius_m:,.0f} m links about "
            f"{pairs:,.0f} uncovered cells and candidate sites, more than the {limit:,} "
            "one request weighs; ask for a smaller catchment or a smaller area (or run "
            "`stationmap coverage propose`, which has no such limit)",
            code="instance_too_large",
            parameter=parameter,
        )


def _before_after(
    table: Any,
    surface: PopulationSurface,
    area: Area,
    question: ProposalQuestion,
    candidates: Candidates,
    chosen: np.ndarray,
    uncovered: np.ndarray,
) -> tuple[dict[str, Any], dict[str, Any]]:
    rows = surface.rows_of(area.prefix)
    people = surface.population[rows]
    metres = table.metres[rows].astype(np.float64)
    radius = question.catchment.radius_m
    covered = np.ones(rows.stop - rows.start, dtype=bool)
    covered[uncovered - rows.start] = False  # the demand is the area's uncovered cells
    after_metres = metres
    after_covered = covered
    if len(chosen):
        sites = ecef(candidates.lon[chosen], candidates.lat[chosen])
        chords, _ = KDTree(np.ascontiguousarray(sites)).query(
            np.ascontiguousarray(surface.xyz[rows]), k=1
        )
        to_site = geodesic_metres(chords, surface.lat[rows])
        after_metres = np.minimum(metres, to_site)
        after_covered = covered | (to_site <= radius)
    return (
        _summary(people, covered, metres, 0),
        _summary(people, after_covered, after_metres, len(chosen)),
    )


def _summary(people: np.ndarray, covered: np.ndarray, metres: np.ndarray, added: int) -> dict:
    return {**cell_summary(people, covered, metres), "stations_added": added}


def _gap(siting: Siting) -> float | None:
    """How far below the bound the answer may be, as a share of the bound."""
    if siting.upper_bound is None or siting.upper_bound <= 0:
        return None
    return round(max(0.0, 1 - siting.newly_covered / siting.upper_bound), 5)


def sites_geojson(answer: dict[str, Any]) -> dict[str, Any]:
    """A proposals answer as GeoJSON: the sites as points, the figures as members."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [site["lon"], site["lat"]]},
            "properties": {"rank": rank, **site},
        }
        for rank, site in enumerate(answer["sites"], start=1)
    ]
    members = {k: v for k, v in answer.items() if k != "sites"}
    return {"type": "FeatureCollection", "features": features, **members}
