"""The import report: counts, every rejected row with its reason, and warnings.

Row numbers are the spreadsheet rows the file's owner sees (header rows counted).
Messages are Chinese for the county clerk, with English beside them in JSON. The
report is also written as an .xlsx of the rejected rows with a reason column,
ready to fix and send again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter

COUNT_KEYS = ("rows", "added", "updated", "unchanged", "duplicates", "rejected")


@dataclass(frozen=True)
class RowIssue:
    """Something wrong (rejected) or worth a look (warning) in one cell of one row."""

    row: int | None
    """Spreadsheet row number; None for the file as a whole."""
    column: str
    value: str
    code: str
    message: str
    """For the clerk, in Chinese."""
    message_en: str


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    rejected: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    rows: dict[str, list[int]] = field(default_factory=dict)
    """Row numbers by outcome: added, updated, unchanged, duplicates."""
    changes: dict[int, dict[str, list[Any]]] = field(default_factory=dict)
    """Updated row number → field → [stored value, the file's value]: what it changes."""
    dry_run: bool = False
    batch_id: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    """File name, format, encoding, sheet, header row and coordinate system."""
    header: list[str] = field(default_factory=list)
    """The file's header row (for the rejected-rows workbook; not in the JSON)."""
    rejected_cells: dict[int, list[str]] = field(default_factory=dict)
    """Row number → the rejected row's cells as they were (not in the JSON)."""

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (plus ``rows``, ``changes``, ``dry_run``, ``batch_id``,
        ``source``)."""
        return {
            "counts": dict(self.counts),
            "rejected": [asdict(r) for r in self.rejected],
            "warnings": [asdict(w) for w in self.warnings],
            "rows": self.rows,
            "changes": {str(number): change for number, change in self.changes.items()},
            "dry_run": self.dry_run,
            "batch_id": self.batch_id,
            "source": self.source,
        }

    def to_stored(self) -> dict[str, Any]:
        """:meth:`to_dict` plus the header and the rejected rows' cells, for the to-fix
        workbook of a report kept in the database (:meth:`from_stored` reads it back)."""
        cells = {str(number): row for number, row in self.rejected_cells.items()}
        return {**self.to_dict(), "header": self.header, "rejected_cells": cells}

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> ImportReport:
        """The report :meth:`to_stored` wrote."""
        return cls(
            counts=dict(stored["counts"]),
            rejected=[RowIssue(**issue) for issue in stored["rejected"]],
            warnings=[RowIssue(**issue) for issue in stored["warnings"]],
            rows=dict(stored["rows"]),
            changes={int(n): change for n, change in stored.get("changes", {}).items()},
            dry_run=stored["dry_run"],
            batch_id=stored["batch_id"],
            source=dict(stored["source"]),
            header=list(stored.get("header", [])),
            rejected_cells={int(n): row for n, row in stored.get("rejected_cells", {}).items()},
        )

    def summary(self) -> str:
        """One line for the terminal."""
        c = self.counts
        closed = c.get("closed", 0)
        if self.dry_run:
            changes = f"would add {c['added']}, would update {c['updated']}"
            changes += f", would close {closed}" if closed else ""
            changes += f", would leave {c['unchanged']} unchanged"
        else:
            changes = f"added {c['added']}, updated {c['updated']}"
            changes += f", closed {closed}" if closed else ""
            changes += f", {c['unchanged']} unchanged"
        return (
            f"{c['rows']} rows: {changes}; {c['duplicates']} duplicates merged, "
            f"{c['rejected']} rejected; {len(self.warnings)} "
            + ("warning" if len(self.warnings) == 1 else "warnings")
        )


def write_json(report: ImportReport, path: Path) -> None:
    """The report as JSON (UTF-8, Chinese kept readable)."""
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def write_rejected_xlsx(report: ImportReport, path: Path | BinaryIO) -> None:
    """The rejected rows as they were, with 行号 and 问题 columns in front, ready to fix
    (to a file, or to a binary stream such as ``io.BytesIO``).

    Cells are written as text, so nothing a clerk typed is turned into a formula.
    """
    reasons: dict[int, list[str]] = {}
    for issue in report.rejected:
        if issue.row is not None:
            reasons.setdefault(issue.row, []).append(f"{issue.column}: {issue.message}")
    workbook = xlsxwriter.Workbook(
        str(path) if isinstance(path, Path) else path,
        {"strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet("需修改的行")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, ["原行号", "问题", *report.header], bold)
    for out_row, number in enumerate(sorted(reasons), start=1):
        cells = report.rejected_cells.get(number, [])
        sheet.write_row(out_row, 0, [number, "；".join(reasons[number])])
        for col, value in enumerate(cells, start=2):
            sheet.write_string(out_row, col, value)
    sheet.set_column(1, 1, 48)
    workbook.close()
