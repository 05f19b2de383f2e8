"""Values written into spreadsheets and CSV files: text a spreadsheet would run as a formula is
kept as text."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel or LibreOffice read a cell as a formula (or split it)."""


def cell_text(value: object) -> object:
    """``value`` as it may be written to a cell: text starting with a formula character gets a
    leading apostrophe, so it shows as typed and is never evaluated; other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
