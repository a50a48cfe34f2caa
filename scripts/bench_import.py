"""Import a 173,000-row county list into a store that already holds the national set.

    .venv/bin/python scripts/bench_import.py [--rows 173000] [--work-dir DIR]

The list is made from a second synthetic national set (seed 2): Chinese headers,
GCJ-02 coordinates, hours and services written the way clerks write them. It is
imported end to end (read, map, parse, convert, place, deduplicate against the full
store, write in one transaction) into a copy of a SpatiaLite store holding the
173,000-station demo set, and the time of each stage is printed. A second import of
the same file (every row unchanged) is timed too.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import xlsxwriter

from stationmap.coordinates import from_wgs84
from stationmap.demo import generate_demo_stations
from stationmap.demo.loading import load_demo
from stationmap.importing.pipeline import ImportOptions, import_sheet
from stationmap.importing.readers import read_sheet
from stationmap.store import Store
from stationmap.store.backend import create_store_engine
from stationmap.vocabulary import AMENITIES

HEADER = ["序号", "驿站名称", "详细地址", "坐标（经度,纬度）", "联系电话", "开放时间", "服务内容"]
HOURS_TEXT = {
    None: "",
    "24/7": "24小时",
    "Mo-Su 07:00-22:00": "每天7:00—22:00",
    "Mo-Fr 09:00-17:00; PH off": "工作日 9:00-17:00（法定节假日除外）",
}


def main() -> None:
    args = _arguments()
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    listing = _make_list(work / f"list-{args.rows}.xlsx", args.rows)
    store_path = _full_store(work)
    with Store(create_store_engine(f"sqlite:///{store_path}")) as store:
        print(f"store holds {store.count_stations():,} stations; list has {args.rows:,} rows")
        _timed_import(store, listing, "first import (all new)")
        _timed_import(store, listing, "second import (all unchanged)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=173_000)
    parser.add_argument("--work-dir", default="/tmp/stationmap-import-bench")
    return parser.parse_args()


def _make_list(path: Path, rows: int) -> Path:
    if path.exists():
        return path
    frame = generate_demo_stations(count=rows, seed=2)
    lon, lat = from_wgs84(frame["lon"].to_numpy(), frame["lat"].to_numpy(), "gcj02")
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("驿站")
    sheet.write_row(0, 0, ["某市总工会户外劳动者服务站点一览表"])
    sheet.write_row(2, 0, HEADER)
    for i, row in enumerate(frame.itertuples(index=False)):
        services = "、".join(AMENITIES[a] for a in row.amenities)
        hours = HOURS_TEXT.get(row.opening_hours, row.opening_hours or "")
        sheet.write_row(
            i + 3,
            0,
            [
                i + 1,
                row.name,
                row.address,
                f"{lon[i]:.7f},{lat[i]:.7f}",
                row.phone,
                hours,
                services,
            ],
        )
    workbook.close()
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return path


def _full_store(work: Path) -> Path:
    template = work / "demo-template.sqlite"
    if not template.exists():
        with Store(create_store_engine(f"sqlite:///{template}")) as store:
            store.init_schema()
            load_demo(store, seed=1)
    target = work / "store.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    return target


def _timed_import(store: Store, path: Path, label: str) -> None:
    stages: list[tuple[str, float]] = []
    started = time.perf_counter()
    sheet = read_sheet(path)
    stages.append(("find the header, map the columns", time.perf_counter()))
    report = import_sheet(
        store,
        sheet,
        path.name,
        ImportOptions(crs="gcj02"),
        progress=lambda step: stages.append((step, time.perf_counter())),
    )
    stages.append(("done", time.perf_counter()))
    print(f"\n{label}: {report.summary()}")
    previous, name = started, "read the file"
    for step, at in stages:
        print(f"  {name:<48}{at - previous:8.2f} s")
        name, previous = step, at
    print(f"  {'total':<48}{stages[-1][1] - started:8.2f} s   (target: under 30 s)")


if __name__ == "__main__":
    main()
