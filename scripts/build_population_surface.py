"""Build the MODELLED population surface that coverage uses: H3 cells fine enough for walking.

The reference build (``scripts/build_reference_layers.py``) models each province's census
total over H3 resolution-7 cells (about 5 km²) and commits it rolled up to resolution 6.
Coverage within a 1 km catchment needs finer cells where people live, so this script
re-runs that model and refines it:

- a resolution-7 cell holding at least ``--dense`` people (default 1,000, about 190 per
  km²: towns and cities) is split into its seven resolution-8 children (0.74 km²); the
  children share the parent's people in proportion to the same model evaluated at their
  centres, so every resolution-7 figure (and so every county's) is kept exactly;
- a resolution-6 cell (36 km²) whose seven children together hold fewer than
  ``--sparse`` people (default 300, under 8 per km²: desert, high plateau, forest) and
  none of them dense is kept whole at resolution 6;
- every other resolution-7 cell is kept as it is.

Each county's cells are then rounded to whole people (largest remainder) so that they sum
exactly to the county's figure in ``data/population/county_population_modelled.csv``,
and so each province's cells to its 2020 census total; cells left with nobody are not
written. Each cell's centroid is stored with it (float32, about 1 m), so readers need
not call H3 for millions of cells.

It needs the build-time packages of ``make layers`` (h3). Run it after the reference
build; it reads only committed files. Deterministic; about a minute on two cores.

    python scripts/build_population_surface.py
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_reference_layers as layers  # a sibling script, not a package

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_NAME = "surface_h3_modelled.parquet"
log = logging.getLogger("surface")


def main() -> None:
    args = _parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    started = time.perf_counter()
    data = args.data
    counties = gpd.read_parquet(data / "regions" / "counties.parquet")
    places = pd.read_csv(data / "places" / "anchors.csv", dtype={"adcode": str})
    places = places.assign(province_adcode=places["adcode"].str[:2] + "0000")
    census = pd.read_csv(
        data / "population" / "census2020_provinces.csv", dtype={"province_adcode": str}
    ).set_index("province_adcode")["population_2020"]
    county_totals = pd.read_csv(
        data / "population" / "county_population_modelled.csv", dtype={"adcode": str}
    ).set_index("adcode")["population_modelled"]

    log.info("modelling resolution 7 (as the reference build does)")
    coarse = layers.cover_with_cells(counties, layers.MODEL_RESOLUTION)
    if coarse["stand_in"].any():
        raise SystemExit("a county holds no resolution-7 cell centre: handle stand-in cells first")
    province = counties["province_adcode"].to_numpy()
    coarse["population"] = layers.model_cell_population(
        coarse, places, province[coarse["county"].to_numpy()], census, layers.MODEL
    )
    check = np.bincount(coarse["county"], coarse["population"], minlength=len(counties))
    if not np.allclose(np.round(check), county_totals.loc[counties["adcode"]].to_numpy(), atol=1):
        raise SystemExit("the resolution-7 model no longer matches county_population_modelled.csv")

    cells = refine(coarse, counties, places, census, args.dense, args.sparse)
    cells["population"] = round_to_counties(
        cells["population"].to_numpy(),
        cells["county"].to_numpy(),
        county_totals.loc[counties["adcode"]].to_numpy(),
    )
    cells = cells[cells["population"] > 0]
    total = int(cells["population"].sum())
    if total != layers.CENSUS_2020_TOTAL:
        raise SystemExit(f"surface sums to {total}, expected {layers.CENSUS_2020_TOTAL}")
    out = data / "population" / OUT_NAME
    write(cells, counties["adcode"].to_numpy(), out)
    resolutions = pd.Series([h3.get_resolution(h) for h in cells["h3"]]).value_counts()
    people = cells.groupby([h3.get_resolution(h) for h in cells["h3"]])["population"].sum()
    log.info(
        "wrote %s: %d cells (%s), %.2f MB, %.0f s",
        out,
        len(cells),
        ", ".join(
            f"r{r}: {resolutions[r]:,} cells, {people[r] / total:.1%} of people"
            for r in sorted(resolutions.index)
        ),
        out.stat().st_size / 1e6,
        time.perf_counter() - started,
    )


def refine(
    coarse: pd.DataFrame,
    counties: gpd.GeoDataFrame,
    places: pd.DataFrame,
    census: pd.Series,
    dense: float,
    sparse: float,
) -> pd.DataFrame:
    """Dense resolution-7 cells split into resolution 8, sparse resolution-6 groups merged."""
    population = coarse["population"].to_numpy()
    parent6 = np.array([h3.cell_to_parent(c, 6) for c in coarse["h3"]], dtype=object)
    group = pd.Series(population).groupby(parent6)
    whole6 = (group.transform("sum").to_numpy() < sparse) & (
        group.transform("max").to_numpy() < dense
    )
    split = population >= dense
    log.info(
        "resolution 8 under %d dense cells; %d sparse cells merged into resolution 6",
        split.sum(),
        whole6.sum(),
    )
    children = _children(coarse[split], counties, places, census, coarse[~split])
    kept = coarse[~split & ~whole6][["h3", "county", "lon", "lat", "population"]]
    merged = _merged(coarse[whole6], parent6[whole6])
    return pd.concat([kept, children, merged], ignore_index=True)


def _children(
    parents: pd.DataFrame,
    counties: gpd.GeoDataFrame,
    places: pd.DataFrame,
    census: pd.Series,
    others: pd.DataFrame,
) -> pd.DataFrame:
    """The resolution-8 children of ``parents``, sharing each parent's people by the model."""
    ids = [h3.cell_to_children(c, 8) for c in parents["h3"]]
    sizes = np.array([len(i) for i in ids])
    flat = [c for group in ids for c in group]
    lat_lon = np.array([h3.cell_to_latlng(c) for c in flat])
    owner = np.repeat(np.arange(len(parents)), sizes)
    children = pd.DataFrame(
        {
            "h3": flat,
            "county": parents["county"].to_numpy()[owner],
            "lon": lat_lon[:, 1],
            "lat": lat_lon[:, 0],
            "area": 1 / 7,
            "stand_in": False,
        }
    )
    # The model's layers are normalised per province, so evaluate it over every cell
    # (children in place of their parents) and keep only the children's relative weights.
    mixed = pd.concat([others.drop(columns="population"), children], ignore_index=True)
    weight = layers.model_cell_population(
        mixed,
        places,
        counties["province_adcode"].to_numpy()[mixed["county"].to_numpy()],
        census,
        layers.MODEL,
    )[len(others) :]
    share = weight / np.bincount(owner, weight)[owner]
    children["population"] = parents["population"].to_numpy()[owner] * share
    return children[["h3", "county", "lon", "lat", "population"]]


def _merged(cells: pd.DataFrame, parent6: np.ndarray) -> pd.DataFrame:
    """Sparse resolution-7 cells rolled up to their resolution-6 parent (county: the one
    holding most of its people)."""
    frame = pd.DataFrame(
        {"h3": parent6, "county": cells["county"].to_numpy(), "population": cells["population"]}
    )
    owner = (
        frame.groupby(["h3", "county"], as_index=False)["population"]
        .sum()
        .sort_values(["h3", "population"], ascending=[True, False])
        .drop_duplicates("h3")
        .set_index("h3")["county"]
    )
    totals = frame.groupby("h3")["population"].sum()
    lat_lon = np.array([h3.cell_to_latlng(c) for c in totals.index])
    return pd.DataFrame(
        {
            "h3": totals.index,
            "county": owner.loc[totals.index].to_numpy(),
            "lon": lat_lon[:, 1],
            "lat": lat_lon[:, 0],
            "population": totals.to_numpy(),
        }
    )


def round_to_counties(values: np.ndarray, county: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Whole people per cell, each county's cells summing exactly to ``totals[county]``.

    A merged resolution-6 cell carries the people of every county it touches to the one
    holding most, so a county's cells may hold slightly more or fewer people than its
    figure: each county's cells are first scaled to its figure, then rounded by largest
    remainder.
    """
    sums = np.bincount(county, values, minlength=len(totals))
    if ((sums <= 0) & (totals > 0)).any():
        raise SystemExit("a county has people but no cell holding any")
    scaled = values * (totals / np.where(sums > 0, sums, 1))[county]
    result = np.floor(scaled).astype(np.int64)
    order = np.lexsort((-(scaled - result), county))
    short = totals - np.bincount(county, result, minlength=len(totals))
    starts = np.searchsorted(county[order], np.arange(len(totals)))
    rank = np.arange(len(order)) - starts[county[order]]
    result[order[rank < short[county[order]]]] += 1
    return result


def write(cells: pd.DataFrame, adcodes: np.ndarray, out: Path) -> None:
    """Sorted by H3 id, compact encodings: the ids as deltas, the rest as small integers."""
    ids = np.array([h3.str_to_int(c) for c in cells["h3"]], dtype=np.uint64)
    order = np.argsort(ids)
    table = pa.table(
        {
            "h3": pa.array(ids[order], pa.uint64()),
            "adcode": pa.array(adcodes[cells["county"].to_numpy()[order]]).dictionary_encode(),
            "lon": pa.array(cells["lon"].to_numpy()[order].astype(np.float32)),
            "lat": pa.array(cells["lat"].to_numpy()[order].astype(np.float32)),
            "population_modelled": pa.array(
                cells["population"].to_numpy()[order].astype(np.uint32)
            ),
        }
    )
    pq.write_table(
        table,
        out,
        compression="zstd",
        compression_level=19,
        use_dictionary=["adcode"],
        column_encoding={
            "h3": "DELTA_BINARY_PACKED",
            "population_modelled": "DELTA_BINARY_PACKED",
            "lon": "BYTE_STREAM_SPLIT",
            "lat": "BYTE_STREAM_SPLIT",
        },
    )


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "data")
    parser.add_argument("--dense", type=float, default=1000.0)
    parser.add_argument("--sparse", type=float, default=300.0)
    return parser.parse_args()


if __name__ == "__main__":
    main()
