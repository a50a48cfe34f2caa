"""The population surface coverage counts: people per H3 cell, modelled or loaded.

The committed surface (``data/population/surface_h3_modelled.parquet``, built by
``scripts/build_population_surface.py``) is MODELLED: each province's 2020 census total
spread over H3 cells from GeoNames places, at resolution 8 (0.74 km²) where at least
about 190 people live per km², resolution 7 (5 km²) elsewhere and resolution 6 (36 km²)
in the emptiest land; every county's cells sum exactly to its modelled figure and every
province's to its census total. Planners replace counties' totals with real figures
(``stationmap population load``): :meth:`PopulationSurface.rescaled` scales each named
county's cells to its loaded total, keeping the modelled spread inside the county.

Cells are held as numpy columns sorted by county, so a county, a city (adcode prefix of
four digits) or a province (two) is one contiguous slice of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import pyarrow.parquet as pq

from ..finder.geodesy import ecef
from ..resources import data_path

SURFACE_FILE = ("population", "surface_h3_modelled.parquet")
MODELLED = "modelled"
LOADED = "loaded"
MIXED = "mixed"


@dataclass(frozen=True, eq=False)
class PopulationSurface:
    """People per cell: columns in county order, and which counties hold loaded figures."""

    h3: np.ndarray
    """H3 cell ids (uint64; resolution 6, 7 or 8)."""
    lon: np.ndarray
    lat: np.ndarray
    """The cells' centroids (WGS-84 degrees)."""
    xyz: np.ndarray
    """The centroids' Earth-centred positions (metres), as the finder indexes stations."""
    population: np.ndarray
    """People in each cell (float64: loaded figures scale cells to fractions)."""
    county: np.ndarray
    """Each cell's county, as a position in :attr:`adcodes` (int32, ascending)."""
    adcodes: tuple[str, ...]
    """Every county's adcode, sorted."""
    starts: np.ndarray
    """Row of each county's first cell; county i holds rows ``starts[i]:starts[i + 1]``."""
    loaded: frozenset[str] = frozenset()
    """Counties whose cells carry loaded (real) figures instead of the model's."""

    def __len__(self) -> int:
        return len(self.h3)

    def rows_of(self, prefix: str) -> slice:
        """The rows of every county whose adcode starts with ``prefix`` ("" for all)."""
        counties = self.counties_of(prefix)
        return slice(int(self.starts[counties.start]), int(self.starts[counties.stop]))

    def counties_of(self, prefix: str) -> range:
        """Positions in :attr:`adcodes` of the counties whose adcode starts with ``prefix``."""
        spans = self.__dict__.setdefault("_spans", {})
        span = spans.get(prefix)
        if span is None:
            first = int(np.searchsorted(self._codes, prefix, side="left"))
            last = int(np.searchsorted(self._codes, prefix + "\uffff", side="left"))
            span = spans[prefix] = range(first, last)
        return span

    @property
    def _codes(self) -> np.ndarray:
        codes = self.__dict__.get("_code_array")
        if codes is None:
            codes = np.array(self.adcodes)
            object.__setattr__(self, "_code_array", codes)
        return codes

    def source_of(self, counties: range | list[int]) -> str:
        """Whether the people of these counties are modelled, loaded or a mix of both."""
        loaded = sum(1 for i in counties if self.adcodes[i] in self.loaded)
        if loaded == 0:
            return MODELLED
        return LOADED if loaded == len(counties) else MIXED

    def rescaled(self, figures: Mapping[str, int]) -> PopulationSurface:
        """This surface with each named county's cells scaled to sum to its figure.

        Counties not named keep their modelled people. A county whose model gave its
        cells nobody (cannot happen with the committed surface, but a loaded figure must
        never vanish) gets its figure spread evenly over its cells.
        """
        if not figures:
            return self
        population = self.population.copy()
        for adcode, total in figures.items():
            position = int(np.searchsorted(self._codes, adcode))
            if position >= len(self.adcodes) or self.adcodes[position] != adcode:
                continue
            rows = slice(int(self.starts[position]), int(self.starts[position + 1]))
            cells = population[rows]
            held = cells.sum()
            if held > 0:
                population[rows] = cells * (total / held)
            elif len(cells):
                population[rows] = total / len(cells)
        return replace(
            self, population=population, loaded=frozenset(figures) & frozenset(self.adcodes)
        )


@cache
def modelled_surface() -> PopulationSurface:
    """The committed modelled surface, read once per process (about half a second)."""
    table = pq.read_table(data_path(*SURFACE_FILE))
    adcode_column = table.column("adcode").combine_chunks()
    codes = np.array(adcode_column.dictionary.to_pylist())
    county_of_cell = codes[adcode_column.indices.to_numpy()]
    adcodes = tuple(sorted(set(codes.tolist())))
    county = np.searchsorted(np.array(adcodes), county_of_cell).astype(np.int32)
    order = np.argsort(county, kind="stable")
    lon = table.column("lon").to_numpy().astype(np.float64)[order]
    lat = table.column("lat").to_numpy().astype(np.float64)[order]
    county = county[order]
    starts = np.searchsorted(county, np.arange(len(adcodes) + 1)).astype(np.int64)
    return PopulationSurface(
        h3=table.column("h3").to_numpy()[order],
        lon=lon,
        lat=lat,
        xyz=np.ascontiguousarray(ecef(lon, lat)),
        population=table.column("population_modelled").to_numpy().astype(np.float64)[order],
        county=county,
        adcodes=adcodes,
        starts=starts,
    )
