"""An import is one transaction: planning writes nothing, and a failed write leaves nothing.

Each test compares a dump of every table before and after, so a union, batch, station
or audit entry written on the side cannot hide.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from builders import XUANWU, add_station, table_dump

from stationmap.errors import Conflict
from stationmap.importing.pipeline import ImportOptions, import_file, import_sheet
from stationmap.importing.readers import read_sheet
from stationmap.store import stations

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
WUHOU = SAMPLES / "wuhou_chengdu_bd09.xlsx"
"""24 good rows and one rejected, in a county that has no union yet."""


def test_a_strict_import_with_rejected_rows_writes_nothing_not_even_a_union(store):
    before = table_dump(store)
    report = import_file(store, WUHOU, ImportOptions(crs="bd09", strict=True))
    assert report.counts["rejected"] == 1 and report.dry_run
    assert table_dump(store) == before
    assert store.list_unions() == []


def test_a_dry_run_writes_nothing_not_even_a_union(store):
    add_station(store)
    before = table_dump(store)
    report = import_file(store, WUHOU, ImportOptions(crs="bd09", dry_run=True))
    assert report.counts["added"] == 24
    assert table_dump(store) == before


def test_the_unions_an_import_needs_are_created_with_its_stations(store):
    import_file(store, WUHOU, ImportOptions(crs="bd09"))
    [union] = store.list_unions()
    assert (union.name, union.jurisdiction) == ("武侯区总工会", "510107")
    assert {s.union_id for s in store.read_stations()} == {union.id}
    [created] = store.history(union.id, entity="union")
    assert created.actor == "import"


def test_an_import_refused_while_writing_leaves_nothing_behind(store):
    """A clerk edits a listed station between planning and writing: the import refuses,
    and the county union it would have created for a new county is not left behind."""
    path = SAMPLES / "nanjing_xuanwu_2025.xlsx"
    import_file(store, path, ImportOptions(crs="wgs84"))
    sheet = read_sheet(path)
    header_at = next(i for i, row in enumerate(sheet.rows) if "联系电话" in row)
    header = sheet.rows[header_at]
    rows = [list(r) for r in sheet.rows]
    rows[header_at + 5][header.index("联系电话")] = "025-84001111"
    rows.append(_row_elsewhere(header, rows[header_at + 1]))
    target = [s for s in store.read_stations() if s.name == _name(header, rows[header_at + 5])]
    before: dict = {}

    def edit_meanwhile(step: str) -> None:
        if step == "writing":
            store.update_station(target[0].id, {"phone": "025-00000000"}, actor="clerk")
            before.update(table_dump(store))

    with pytest.raises(Conflict):
        import_sheet(
            store, replace(sheet, rows=rows, row_numbers=[*sheet.row_numbers, 999]),
            path.name, ImportOptions(crs="wgs84"), edit_meanwhile,
        )  # fmt: skip
    assert table_dump(store) == before
    assert [u.jurisdiction for u in store.list_unions()] == ["320102"]


def test_matching_reads_the_listed_counties_and_the_listed_keys(store):
    near = add_station(store, name="玄武驿站")
    keyed = add_station(store, name="远处驿站", lonlat=(116.40, 39.90), source_key="XW-9")
    add_station(store, name="北京驿站", lonlat=(116.41, 39.91))
    box = (XUANWU[0] - 0.01, XUANWU[1] - 0.01, XUANWU[0] + 0.01, XUANWU[1] + 0.01)
    with store.reading() as conn:
        found = stations.in_boxes_or_keyed(conn, [box], ["XW-9"])
    assert sorted(s.id for s in found) == sorted([near.id, keyed.id])


def _name(header: list[str], row: list[str]) -> str:
    return row[header.index("驿站名称")].strip()


def _row_elsewhere(header: list[str], row: list[str]) -> list[str]:
    """A copy of ``row`` renamed and moved to 北京市东城区, a county without a union."""
    moved = list(row)
    moved[header.index("驿站名称")] = "东城区新驿站"
    moved[header.index("经度")], moved[header.index("纬度")] = "116.4160", "39.9280"
    return moved
