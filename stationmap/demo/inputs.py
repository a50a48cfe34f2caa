"""The bundled layers the demo generator reads: counties, modelled population, places.

Each is read once per process and kept as plain read-only numpy arrays, in a fixed
order (counties by adcode, places by county then GeoNames id), so that draws made
against them are reproducible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..resources import data_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counties:
    """The mainland county-level units, sorted by adcode (one array entry per county)."""

    adcode: np.ndarray
    """6-digit county codes (str)."""
    name: np.ndarray
    """County names, e.g. 玄武区."""
    city_adcode: np.ndarray
    """6-digit code of the city above the county."""
    city: np.ndarray
    """City names, e.g. 南京市 (for municipalities this may repeat the province)."""
    province: np.ndarray
    """Province names, e.g. 江苏省."""
    geometry: np.ndarray
    """Prepared shapely (multi)polygons in WGS-84."""
    population: np.ndarray
    """Modelled population (float; 0 where the population file has no figure)."""

    def __len__(self) -> int:
        return len(self.adcode)


@dataclass(frozen=True)
class Places:
    """GeoNames anchor places inside the counties, sorted by county row then GeoNames id."""

    county_row: np.ndarray
    """Row of the place's county in ``Counties`` (int)."""
    lon: np.ndarray
    lat: np.ndarray
    population: np.ndarray
    """GeoNames population (float, may be 0)."""
    name_zh: np.ndarray
    """Chinese name, or "" when GeoNames has none."""

    def __len__(self) -> int:
        return len(self.lon)


@cache
def load_counties() -> Counties:
    """The county layer joined with its modelled population, read once per process."""
    frame = gpd.read_parquet(data_path("regions", "counties.parquet"))
    frame = frame.sort_values("adcode", kind="stable").reset_index(drop=True)
    geometry = np.asarray(frame.geometry.values)
    shapely.prepare(geometry)
    return Counties(
        adcode=_frozen(frame["adcode"]),
        name=_frozen(frame["name"]),
        city_adcode=_frozen(frame["city_adcode"]),
        city=_frozen(frame["city_name"]),
        province=_frozen(frame["province_name"]),
        geometry=_frozen_array(geometry),
        population=_frozen_array(_county_population(frame["adcode"])),
    )


@cache
def load_places() -> Places:
    """Anchor places whose county is in the county layer, read once per process."""
    counties = load_counties()
    frame = pd.read_csv(
        data_path("places", "anchors.csv"),
        dtype={"adcode": str, "name_zh": str},
        keep_default_na=False,
    )
    row_of_code = pd.Series(np.arange(len(counties)), index=counties.adcode)
    frame["county_row"] = frame["adcode"].map(row_of_code)
    frame = frame.dropna(subset=["county_row"]).sort_values(["county_row", "geonameid"])
    return Places(
        county_row=_frozen_array(frame["county_row"].to_numpy(dtype=np.int64)),
        lon=_frozen_array(frame["lon"].to_numpy(dtype=np.float64)),
        lat=_frozen_array(frame["lat"].to_numpy(dtype=np.float64)),
        population=_frozen_array(pd.to_numeric(frame["population"]).to_numpy(dtype=float)),
        name_zh=_frozen(frame["name_zh"]),
    )


def _county_population(adcodes: pd.Series) -> np.ndarray:
    """Modelled population per county code, 0 where the population file lacks the code."""
    table = pd.read_csv(
        data_path("population", "county_population_modelled.csv"), dtype={"adcode": str}
    )
    population = adcodes.map(table.set_index("adcode")["population_modelled"])
    missing = int(population.isna().sum())
    if missing:
        log.warning("%d counties have no modelled population; they get the floor only", missing)
    return population.fillna(0.0).to_numpy(dtype=np.float64)


def _frozen(column: pd.Series) -> np.ndarray:
    """A string column as a read-only object array of Python str."""
    return _frozen_array(column.astype(str).to_numpy(dtype=object))


def _frozen_array(values: np.ndarray) -> np.ndarray:
    """``values`` marked read-only, so cached arrays cannot be changed by a caller."""
    values.flags.writeable = False
    return values
