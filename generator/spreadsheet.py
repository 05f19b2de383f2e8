"""Values written into spreadsheets and CSV files: text a spreadsheet would run as a formula
(CSV/formula injection: a leading ``=``, ``+``, ``-``, ``@``, tab or CR) is kept as text. Every
workbook and CSV the project writes goes through here; only its own COUNTIF formulas do not."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel or LibreOffice read a value as a formula (or split it)."""


def runs_as_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_field(value: Any) -> Any:
    """A CSV value as text: one a spreadsheet would run gets a leading apostrophe (OWASP's advice)."""
    return "'" + value if runs_as_formula(value) else value


def _as_text(cell):
    """A cell holding such a value: stored as a string with Excel's quote prefix, never a formula."""
    if runs_as_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def put(ws, row: int, col: int, value: Any):
    """Write a value into a cell of a worksheet (「=HYPERLINK(…)」 and 「-1+2」 stay text)."""
    cell = ws.cell(row, col)
    cell.value = value
    return _as_text(cell)


def stream_cell(ws, value: Any) -> WriteOnlyCell:
    """A cell for a write-only (streamed) worksheet, with the same protection as :func:`put`."""
    return _as_text(WriteOnlyCell(ws, value))
