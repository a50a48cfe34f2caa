"""What the planners' pages are rendered from: plain functions of the service (Flask-free).

The views in :mod:`.planning` hand these to their templates; the figures themselves come
from the coverage API, which the page scripts ask (:mod:`.coverage_endpoints`). Here
live what the API does not give: the areas' outlines for the choropleth, the trail of
areas above the one shown, a county's stations open or closed at a chosen hour, and the
shareable offline map.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..coverage.areas import LEVELS, NATION, Area, all_areas
from ..coverage.catchment import DEFAULT_RADIUS_M
from ..coverage.current import current_surface
from ..coverage.gaps import uncovered_rows
from ..coverage.offline_map import as_then, coverage_map
from ..coverage.proposals import ProposalQuestion, propose
from ..coverage.reach import StationSet
from ..errors import BadRequest, NotFound
from ..finder import StaticFilter, county_stations
from ..offline_maps import marker_state
from ..resources import data_path
from ..vocabulary import KINDS
from .coverage_params import COVERAGE_PARAMETERS, catchment_arg, moment_arg
from .page_contents import page_config
from .params import QueryArgs
from .service import Service

LEVEL_LABELS = {"province": "省", "city": "市", "county": "县"}
"""The level switch's words."""
FINER = {"nation": "province", "province": "city", "city": "county"}
"""The level a click on an area of a level drills down to."""
LAYERS = {"province": "provinces", "city": "cities", "county": "counties"}
SIMPLIFY_DEG = {"province": 0.02, "city": 0.01, "county": 0.01}
"""Coverage-simplification tolerance per level (degrees; 0.01° is about 1 km): the
nation's 2,852 counties come to about 1 MB of gzipped GeoJSON, drawn in a second."""
DECIMALS = 3
"""Outline coordinates to a thousandth of a degree (about 100 m): a choropleth's detail."""
PAGE_PARAMS = ("within", "level", "at", "radius_m")
THEN_LABELS = {
    "open": "开放",
    "closed": "未开放",
    "unknown": "开放时间未知",
    "out_of_service": "停止服务",
}
"""A station's state at the hour a planner chose (not “当前”: the hour may be another)."""
DEFAULT_P = 10


def planning_page(service: Service, query: Mapping[str, str]) -> dict[str, Any]:
    """The national view: the area shown (``within``), the level of its parts, the hour
    and radius to start from, and the trail of areas above it."""
    args = _page_args(query)
    within = page_area(args.args.get("within", NATION))
    level = args.args.get("level") or FINER.get(within.level, "county")
    if level not in LEVELS or LEVELS.index(level) < _depth(within):
        raise BadRequest(
            f"level：{within.name}下没有“{level}”一级的地区，可选 "
            + "、".join(_levels_below(within)),
            code="invalid_parameter",
        )
    return {
        "config": page_config(service.settings),
        "within": within,
        "level": level,
        "levels": [(name, LEVEL_LABELS[name]) for name in _levels_below(within)],
        "trail": trail(within),
        "start": _start(args, within, level),
    }


def county_view(service: Service, adcode: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The county view: its outline (WGS-84), its trail, and where its scripts start."""
    area = page_area(adcode)
    if area.level != "county":
        raise NotFound(f"{area.name}（{adcode}）不是区县：请打开 /planning?within={adcode}")
    args = _page_args(query)
    boundary = service.store.regions.boundary(adcode)
    return {
        "config": page_config(service.settings),
        "area": area,
        "trail": trail(area),
        "boundary": shapely.geometry.mapping(boundary),
        "start": _start(args, area, "county") | {"p": DEFAULT_P},
    }


def page_area(adcode: str) -> Area:
    """The area of a page: a Chinese 404 (as /counties/<adcode>) for an unknown code."""
    area = all_areas().get(adcode) if re.fullmatch(r"\d{6}", adcode or "") else None
    if area is None:
        raise NotFound(
            f"没有行政区划代码为 {adcode} 的地区：代码应为 6 位数字，如 320000（省）、"
            "320100（市）、320102（区县）"
        )
    return area


def trail(area: Area) -> list[Area]:
    """The areas from the nation down to ``area``, for the breadcrumbs."""
    found = [area]
    while found[-1].parent is not None:
        found.append(all_areas()[found[-1].parent])
    return found[::-1]


@lru_cache(maxsize=64)
def areas_geojson(level: str, within: Area) -> bytes:
    """The outlines of the areas of ``level`` inside ``within``, simplified, as GeoJSON
    (WGS-84; ``adcode`` and ``name`` in each Feature's properties); the last few asked
    are kept (the nation's counties take a third of a second to write)."""
    if level not in LEVELS:
        raise BadRequest(
            f"level：收到“{level}”，应为 province（省）、city（市）或 county（县）",
            code="invalid_parameter",
            parameter="level",
        )
    features = [f for adcode, f in _outlines(level) if adcode.startswith(within.prefix)]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


@cache
def _outlines(level: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Each area of the level as (adcode, its GeoJSON Feature), simplified once per
    process (the counties take a few seconds) and kept."""
    frame = gpd.read_parquet(data_path("regions", f"{LAYERS[level]}.parquet"))
    shapes = shapely.coverage_simplify(frame.geometry.values, SIMPLIFY_DEG[level])
    names = {a.adcode: a.name for a in all_areas().values()}
    found = []
    for adcode, shape in zip(frame.adcode.tolist(), shapes, strict=True):
        geometry = shapely.transform(shape, lambda xy: np.round(xy, DECIMALS))
        feature = {
            "type": "Feature",
            "properties": {"adcode": adcode, "name": names.get(adcode, adcode)},
            "geometry": shapely.geometry.mapping(geometry),
        }
        found.append((adcode, feature))
    return tuple(found)


def stations_at(service: Service, adcode: str, query: Mapping[str, str]) -> dict[str, Any]:
    """The county's active stations and what a rider finds at each at the hour asked."""
    area = page_area(adcode)
    with _page_args(query, ("at",)).reading() as args:
        moment = moment_arg(args)
    found = [as_then(f) for f in county_stations(service.index(), area.adcode, at=moment)]
    return {
        "at": moment.isoformat(timespec="minutes"),
        "stations": [
            {
                "id": f.station.id,
                "name": f.station.name,
                "kind": KINDS[f.station.kind],
                "lon": f.station.lon,
                "lat": f.station.lat,
                "state": (state := marker_state(f)),
                "state_label": THEN_LABELS[state],
            }
            for f in found
        ],
    }


def offline_map_html(service: Service, adcode: str, query: Mapping[str, str]) -> str:
    """The county's coverage and proposals as one standalone HTML file (folium)."""
    area = page_area(adcode)
    with _page_args(query, ("at", "radius_m", "p")).reading() as args:
        moment, catchment = moment_arg(args), catchment_arg(args)
        p = args.integer("p")
    stations = StationSet(StaticFilter(), moment)
    index, surface = service.index(), current_surface(service.store)
    answer = _proposals_or_none(index, surface, ProposalQuestion(area, p, stations, catchment))
    fmap = coverage_map(
        index,
        surface,
        area,
        stations,
        catchment,
        answer,
        boundary=shapely.geometry.mapping(service.store.regions.boundary(adcode)),
        notice=service.notice(),
        tiles=service.settings.basemap != "none",
    )
    return fmap.get_root().render()


def _proposals_or_none(index, surface, question: ProposalQuestion) -> dict[str, Any] | None:
    """The proposals, with p cut to the candidates there are; None when every cell of the
    county is covered (nothing to propose)."""
    rows, _ = uncovered_rows(index, surface, question.area, question.stations, question.catchment)
    if not len(rows):
        return None
    return propose(index, surface, replace(question, p=min(question.p, len(rows))))


class PageArgs(QueryArgs):
    """A page's own parameters, read as the API reads them (any other, such as a
    tracking tag, is ignored); a bad one is a 400 whose message, in Chinese first, still
    names the parameter and what it expected, as the error page shows it."""

    def __init__(self, query: Mapping[str, str], names: tuple[str, ...]) -> None:
        params = {n: COVERAGE_PARAMETERS[n] for n in names}
        super().__init__({k: v for k, v in query.items() if k in params}, params)

    @contextmanager
    def reading(self) -> Iterator[PageArgs]:
        """Read the parameters inside this block."""
        try:
            yield self
        except BadRequest as error:
            if re.search(r"[\u4e00-\u9fff]", error.message):
                raise
            raise BadRequest(
                f"链接参数有误：{error.message}", code=error.code, **error.details
            ) from None


def _page_args(query: Mapping[str, str], names: tuple[str, ...] = PAGE_PARAMS) -> PageArgs:
    return PageArgs(query, names)


def _start(args: PageArgs, within: Area, level: str) -> dict[str, Any]:
    """Where the page's script starts: the area, level, hour (now unless asked) and radius."""
    with args.reading():
        moment: datetime = moment_arg(args)
        radius = catchment_arg(args).radius_m if args.given("radius_m") else DEFAULT_RADIUS_M
    return {
        "within": within.adcode,
        "within_name": within.name,
        "within_level": within.level,
        "level": level,
        "hour": moment.hour,
        "radius_m": round(radius),
    }


def _depth(area: Area) -> int:
    return ("nation", *LEVELS).index(area.level)


def _levels_below(area: Area) -> list[str]:
    return list(LEVELS[_depth(area) :])
