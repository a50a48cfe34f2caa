"""Real county population figures in place of the modelled ones: ``stationmap population``.

The shipped county figures are MODELLED (``data/population``); where an operator has real
ones (a statistical yearbook, a census table) they load them from the file they have,
read by the importer's readers, so a GBK CSV, a BOM, an xlsx with a title row above its
header all work as they do for ``stationmap import``. The file is all or nothing: every
row is checked first, and a single bad row (an unknown adcode, a negative or unreadable
number, a blank, a county listed twice with two figures) means nothing is written and
each bad row is reported by the row number the owner sees in Excel. A good file is
written in one transaction, and the report says, county by county, the modelled figure,
the loaded one and the change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TypeVar

import pandas as pd

from ..errors import BadRequest
from ..importing.columns import normalize_header
from ..importing.readers import FORMATS, Sheet, read_sheet
from ..regions import RegionIndex
from ..resources import data_path
from ..store import Store
from ..store import population as stored
from ..store.audit import Actor
from ..store.population import LoadedFigure

T = TypeVar("T")

ACTOR = "cli-population"
"""Who loaded, for a command run on the server's shell."""

MAX_COUNTY_POPULATION = 50_000_000
"""More people than any county holds (the largest hold about six million): a bigger figure
is a province's total or a unit mistake, and refused."""

TEN_THOUSAND = 10_000
"""The 万 a yearbook often counts people in (常住人口（万人）, 64.3万)."""

ADCODE_HEADERS = frozenset(
    normalize_header(word)
    for word in (
        "adcode",
        "ad_code",
        "code",
        "county_code",
        "county_adcode",
        "代码",
        "区划代码",
        "行政区划代码",
        "行政区代码",
        "行政区划编码",
        "区划编码",
        "区县代码",
        "县区代码",
        "统计用区划代码",
    )
)
"""Headers of the adcode column, folded as :func:`normalize_header` folds a cell."""

POPULATION_HEADERS = frozenset(
    normalize_header(word)
    for word in (
        "population",
        "pop",
        "人口",
        "人口数",
        "人口数量",
        "人口总数",
        "总人口",
        "常住人口",
        "常住人口数",
        "年末常住人口",
        "户籍人口",
    )
)
"""Headers of the population column (a leading year, 2020年常住人口, is set aside)."""

HEADER_ROWS_LOOKED_AT = 30
"""How far down a title and notes may push the header row."""


@dataclass(frozen=True)
class RowProblem:
    """Why one row of the file cannot be loaded."""

    row: int
    """The row number the file's owner sees in Excel (or the text line)."""
    column: str
    """The column's header, as the file has it."""
    value: str
    """The cell, as read."""
    message: str
    """What is expected, for the clerk, in Chinese."""
    message_en: str


@dataclass(frozen=True)
class CountyFigure:
    """One county's figure in a load: the modelled one it replaces and the one loaded."""

    adcode: str
    name: str
    """City and county, 南京市玄武区."""
    modelled: int | None
    previous: int | None
    """The figure loaded earlier, which this one replaces (None: the county was modelled)."""
    loaded: int

    @property
    def change_pct(self) -> float | None:
        """The loaded figure against the modelled one, in percent."""
        return change_percent(self.loaded, self.modelled)


@dataclass(frozen=True)
class PopulationLoad:
    """What a load did (or, in a dry run, would do)."""

    source: str
    """The file's name, stored with each figure."""
    columns: tuple[str, str]
    """The headers read as the adcode and the population (``""`` for a headerless file)."""
    unit: int
    """People per unit of the population column: 1, or 10,000 for a column counted in 万."""
    figures: tuple[CountyFigure, ...]
    """Every county the file gives, by adcode (empty when a row was refused)."""
    problems: tuple[RowProblem, ...]
    """Every refused row, in file order: any at all and nothing is written."""
    dry_run: bool
    written: bool

    def summary(self) -> str:
        """One line: what was loaded, or why nothing was."""
        if self.problems:
            rows = len({p.row for p in self.problems})
            return (
                f"nothing written: {rows} row(s) of {self.source} cannot be loaded; "
                "fix them and load the file again"
            )
        verb = "would load" if self.dry_run else "loaded"
        note = " (dry run: nothing written)" if self.dry_run else ""
        return f"{verb} {len(self.figures)} county figure(s) from {self.source}{note}"


@dataclass(frozen=True)
class LoadedCounty:
    """A stored figure as ``population show`` lists it."""

    figure: LoadedFigure
    name: str
    modelled: int | None

    @property
    def change_pct(self) -> float | None:
        """The loaded figure against the modelled one, in percent."""
        return change_percent(self.figure.population, self.modelled)


@dataclass(frozen=True)
class ClearedFigures:
    """What ``population clear`` removed."""

    cleared: tuple[str, ...]
    """The adcodes back on their modelled figure (every one, for a clear of all)."""
    not_loaded: tuple[str, ...]
    """Adcodes asked for that had no loaded figure to clear."""


@dataclass(frozen=True)
class FigureTable:
    """A file's figures as read and checked, before anything is written."""

    figures: dict[str, int]
    """Adcode → people, in file order (a county listed twice with one figure is in once)."""
    problems: list[RowProblem]
    columns: tuple[str, str]
    unit: int


class PopulationFileError(BadRequest):
    """The file has no recognisable adcode and population columns, or no figures."""

    code = "unrecognised_population_file"


def load_population(
    store: Store, path: Path, *, dry_run: bool = False, actor: Actor = ACTOR
) -> PopulationLoad:
    """Read the county figures in ``path``, check every row, and (unless ``dry_run`` or a row
    is refused) store them all in one transaction, replacing those counties' figures."""
    sheet = _read(path)
    table = read_figures(sheet, store.regions)
    if table.problems:
        return _refused(path.name, table, dry_run)
    if dry_run:
        with store.reading() as conn:
            return _loaded(path.name, table, stored.loaded(conn), store.regions, written=False)
    with store.transaction() as conn:
        previous = stored.loaded(conn)
        stored.replace(conn, table.figures, path.name, actor)
    return _loaded(path.name, table, previous, store.regions, written=True)


def read_figures(sheet: Sheet, regions: RegionIndex) -> FigureTable:
    """The adcode → people figures of ``sheet``, and every row that cannot be loaded."""
    columns = _find_columns(sheet)
    table = FigureTable({}, [], columns.headers, columns.unit)
    first_row: dict[str, int] = {}
    for number, cells in columns.data_rows(sheet):
        _check_row(table, first_row, regions, columns, number, cells)
    if not table.figures and not table.problems:
        raise PopulationFileError(
            "文件里表头下面没有数据行 / the file has no rows of figures under its header"
        )
    return table


def loaded_counties(store: Store) -> list[LoadedCounty]:
    """Every loaded figure, by adcode, with the county's name and its modelled figure."""
    with store.reading() as conn:
        figures = stored.listing(conn)
    modelled = modelled_population()
    return [
        LoadedCounty(f, county_name(store.regions, f.adcode), modelled.get(f.adcode))
        for f in figures
    ]


def clear_population(store: Store, adcodes: Sequence[str] = ()) -> ClearedFigures:
    """Put the counties ``adcodes`` (none given: every county) back on their modelled
    figures; an adcode that is not a county's is refused before anything is removed."""
    wanted = [_checked_adcode(store.regions, a) for a in adcodes]
    with store.transaction() as conn:
        had = stored.loaded(conn)
        stored.clear(conn, wanted or None)
    cleared = [a for a in (wanted or sorted(had)) if a in had]
    return ClearedFigures(tuple(cleared), tuple(a for a in wanted if a not in had))


@cache
def modelled_population() -> dict[str, int]:
    """Each county's MODELLED figure (``data/population/county_population_modelled.csv``)."""
    path = data_path("population", "county_population_modelled.csv")
    frame = pd.read_csv(path, dtype={"adcode": str})
    return dict(
        zip(frame["adcode"], frame["population_modelled"].astype(int).tolist(), strict=True)
    )


def county_name(regions: RegionIndex, adcode: str) -> str:
    """City and county (南京市玄武区); the county alone where the city has its name."""
    county = regions.county(adcode)
    if county is None:
        return adcode
    return county.name if county.city == county.name else f"{county.city}{county.name}"


def change_percent(loaded: int, modelled: int | None) -> float | None:
    """How far ``loaded`` is from ``modelled``, in percent (None without a modelled figure)."""
    if not modelled:
        return None
    return (loaded - modelled) / modelled * 100


# -- reading the file ----------------------------------------------------------------------


def _read(path: Path) -> Sheet:
    """The file as a sheet (a table: GeoJSON, which the readers also take, is refused)."""
    if FORMATS.get(path.suffix.lower()) == "geojson":
        raise PopulationFileError(
            "人口数据请用表格（.xlsx .xls .ods .csv .txt）/ population figures come in a table: "
            "save them as .xlsx, .xls, .ods, .csv or .txt"
        )
    return read_sheet(path)


@dataclass(frozen=True)
class _Columns:
    """Where the figures are in a sheet."""

    adcode: int
    population: int
    header_index: int
    """Index into ``sheet.rows`` of the header; -1 for a file without one."""
    headers: tuple[str, str]
    unit: int

    def data_rows(self, sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
        """Each row under the header: its Excel row number and its cells."""
        start = self.header_index + 1
        yield from zip(sheet.row_numbers[start:], sheet.rows[start:], strict=True)


def _find_columns(sheet: Sheet) -> _Columns:
    """The adcode and population columns by their headers, or the two columns of a
    two-column file (adcode first) under any title or header rows it has."""
    for index, row in enumerate(sheet.rows[:HEADER_ROWS_LOOKED_AT]):
        found = _header_positions(row)
        if found is not None:
            adcode, people = found
            unit = TEN_THOUSAND if "万" in row[people] else 1
            return _Columns(adcode, people, index, (row[adcode], row[people]), unit)
    if len(sheet.rows[0]) == 2:
        return _Columns(0, 1, _leading_header_rows(sheet) - 1, ("", ""), 1)
    raise PopulationFileError(
        "找不到区划代码列和人口列：请把表头写成“区划代码”和“常住人口”，或只留这两列"
        " / no adcode and population columns found: head them adcode and population"
        " (区划代码, 常住人口), or keep just those two columns, adcode first"
    )


def _header_positions(row: list[str]) -> tuple[int, int] | None:
    """The adcode and population columns, if ``row`` is the header naming them."""
    keys = [re.sub(r"^(19|20)\d\d年?", "", normalize_header(cell)) for cell in row]
    adcodes = [i for i, key in enumerate(keys) if key in ADCODE_HEADERS]
    people = [i for i, key in enumerate(keys) if key in POPULATION_HEADERS]
    if not adcodes or not people:
        return None
    if len(people) > 1 or len(adcodes) > 1:
        named = "、".join(repr(row[i]) for i in (people if len(people) > 1 else adcodes))
        raise PopulationFileError(
            f"有几列都可能是要读的列：{named}，请只留一列 / several columns could be the one "
            f"to read: {named}; delete all but one, or rename the others"
        )
    return adcodes[0], people[0]


def _leading_header_rows(sheet: Sheet) -> int:
    """How many rows of a headerless two-column file come before its figures: titles and
    headers, in which neither cell reads as a figure (a mistyped first row of figures is
    still a row of figures, refused by its number)."""
    for index, (code, people) in enumerate(sheet.rows[:HEADER_ROWS_LOOKED_AT]):
        if _fold(code).isdigit() or _reads_as_number(people):
            return index
    return 0


# -- checking each row ---------------------------------------------------------------------


class _Refusal(Exception):
    """A cell that cannot be loaded: what is wrong, in Chinese and English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message, self.message_en = message, message_en


def _check_row(
    table: FigureTable,
    first_row: dict[str, int],
    regions: RegionIndex,
    columns: _Columns,
    number: int,
    cells: list[str],
) -> None:
    """Add the row's figure to ``table``, or its problems (a duplicate adcode with another
    figure is a problem of the later row, naming the earlier one)."""
    code_header, people_header = columns.headers[0] or "adcode", columns.headers[1] or "population"
    code_text, people_text = cells[columns.adcode], cells[columns.population]
    adcode = _cell(table, number, code_header, code_text, lambda t: _adcode(t, regions))
    people = _cell(table, number, people_header, people_text, lambda t: _people(t, columns.unit))
    if adcode is None or people is None:
        return
    if adcode in table.figures and table.figures[adcode] != people:
        table.problems.append(_duplicate(number, code_header, code_text, first_row[adcode]))
        return
    first_row.setdefault(adcode, number)
    table.figures.setdefault(adcode, people)


def _cell(
    table: FigureTable, number: int, column: str, text: str, parse: Callable[[str], T]
) -> T | None:
    """``parse(text)``, or None with its refusal added to ``table``'s problems."""
    try:
        return parse(text)
    except _Refusal as refusal:
        table.problems.append(RowProblem(number, column, text, refusal.message, refusal.message_en))
        return None


def _adcode(text: str, regions: RegionIndex) -> str:
    """A county's 6-digit adcode (a 12-digit statistical code ending 000000 is taken too)."""
    code = _fold(text)
    if not code:
        raise _Refusal("区划代码为空", "got a blank cell, expected a county's 6-digit adcode")
    if len(code) == 12 and code.isdigit() and code.endswith("000000"):
        code = code[:6]
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise _Refusal(
            "应为6位县级行政区划代码，如 320102",
            f"got {text.strip()!r}, expected a county's 6-digit adcode such as 320102",
        )
    if regions.county(code) is None:
        raise _Refusal(
            f"{code} 不是已知的县级行政区划代码（`stationmap counties 名称` 可查）",
            f"got {code}, expected the adcode of one of the {len(regions):,} counties "
            "(`stationmap counties NAME` finds one)",
        )
    return code


def _people(text: str, unit: int) -> int:
    """A number of people: 1234567, 1,234,567, 123.4万 (or 123.4 under a 万 header)."""
    number = _fold(text).removesuffix("人")
    if number.endswith("万"):
        number, unit = number[:-1], TEN_THOUSAND
    if not number:
        raise _Refusal("人口为空", "got a blank cell, expected a number of people")
    value = _decimal(number) * unit
    if value < 0:
        raise _Refusal("人口不能为负数", f"got {text.strip()!r}, expected 0 or more people")
    if value != value.to_integral_value():
        raise _Refusal("人口应为整数", f"got {text.strip()!r}, expected a whole number of people")
    if value > MAX_COUNTY_POPULATION:
        raise _Refusal(
            f"人口超过 {MAX_COUNTY_POPULATION:,}，不像一个县的人口（单位是否有误？）",
            f"got {text.strip()!r}, expected at most {MAX_COUNTY_POPULATION:,} people (the "
            "largest counties hold about 6 million): a province's total, or the wrong unit?",
        )
    return int(value)


GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
"""A number with thousands separators: 1,234,567."""

PLAIN = re.compile(r"-?\d+(\.\d+)?")


def _decimal(number: str) -> Decimal:
    """The number in ``number`` (separators allowed where they group thousands)."""
    if GROUPED.fullmatch(number):
        number = number.replace(",", "")
    if not PLAIN.fullmatch(number):
        raise _Refusal(
            "人口应为数字，如 1234567、1,234,567 或 123.4万",
            f"got {number!r}, expected a number of people such as 1234567, 1,234,567 or 123.4万",
        )
    try:
        return Decimal(number)
    except InvalidOperation:  # pragma: no cover - PLAIN admits only what Decimal reads
        raise _Refusal("人口应为数字", "expected a number of people") from None


def _reads_as_number(text: str) -> bool:
    try:
        _people(text, 1)
    except _Refusal:
        return False
    return True


def _duplicate(number: int, column: str, text: str, first: int) -> RowProblem:
    return RowProblem(
        number,
        column,
        text,
        f"该县已在第 {first} 行出现，人口不同",
        f"got {text.strip()!r} again, with another figure than on row {first}: keep one row",
    )


def _fold(text: str) -> str:
    """A cell with full-width forms folded (１２３，４５６ → 123,456) and spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _checked_adcode(regions: RegionIndex, text: str) -> str:
    try:
        return _adcode(text, regions)
    except _Refusal as refusal:
        raise BadRequest(f"ADCODE: {refusal.message_en}", code="invalid_parameter") from None


# -- the report ----------------------------------------------------------------------------


def _refused(source: str, table: FigureTable, dry_run: bool) -> PopulationLoad:
    return PopulationLoad(
        source, table.columns, table.unit, (), tuple(table.problems), dry_run, written=False
    )


def _loaded(
    source: str,
    table: FigureTable,
    previous: dict[str, int],
    regions: RegionIndex,
    *,
    written: bool,
) -> PopulationLoad:
    modelled = modelled_population()
    figures = tuple(
        CountyFigure(a, county_name(regions, a), modelled.get(a), previous.get(a), people)
        for a, people in sorted(table.figures.items())
    )
    return PopulationLoad(
        source, table.columns, table.unit, figures, (), dry_run=not written, written=written
    )
