"""Rosters of a fiscal year: read from a CSV saved by Excel or an XLSX, checked row by row, and
stored in the ledger beside the earlier ones (the latest roster of a year is in force).

Columns (in any order, others ignored): 職員番号, 氏名, 所属, 役割, 採用日, 雇用区分. 役割 holds role
names or ids of the policy separated by 、 or ; (empty: all staff only). 採用日 is ``YYYY-MM-DD`` or
Excel's ``YYYY/M/D`` (empty: employed before the year). Every bad row is reported as ``file:row:
reason`` and nothing is imported while any row is bad.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..completion import STAFF_NUMBER
from ..errors import HandbookError, Problem, Problems, display_path
from ..model import Policy
from . import ledger
from .textfile import decode

COLUMNS = ("職員番号", "氏名", "所属", "役割", "採用日", "雇用区分")
"""Required header cells."""
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
EXCEL_DATE = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})")
ROLE_SEPARATORS = re.compile(r"[、;；\n]")
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u2028\u2029]")
MAX_CELL = 100
"""Longest name, unit or employment type, in characters."""
MAX_ROWS = 100_000
"""Most staff in one roster."""


@dataclass(frozen=True)
class RosterEntry:
    """One person of the roster."""

    staff_number: str
    """Staff number: 3 to 16 ASCII digits or upper-case letters."""
    name: str
    """氏名."""
    unit: str
    """所属."""
    roles: tuple[str, ...]
    """Local role ids the person holds besides all staff (sorted)."""
    hired_on: datetime.date | None
    """採用日; None when the cell is empty (employed before the year)."""
    employment: str
    """雇用区分 (正規職員, 会計年度任用職員, …), as written."""
    row: int = 0
    """Row of the file the entry was read from."""


@dataclass(frozen=True)
class Roster:
    """A roster file read and checked."""

    entries: tuple[RosterEntry, ...]
    """Every person, in file order."""
    encoding: str
    """How the file was decoded (UTF-8, UTF-8 with BOM, Shift_JIS, or XLSX)."""
    sha256: str
    """Digest of the file's bytes: importing the same file twice changes nothing."""


def read_roster(path: Path, policy: Policy) -> Roster:
    """Read and check a roster; raise HandbookError naming every bad row."""
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError:
        raise HandbookError(Problem(shown, 0, "名簿のファイルを読めません。")) from None
    if path.suffix.lower() == ".xls":
        raise HandbookError(Problem(shown, 0, "Excel 97-2003 形式（.xls）は読めません。"
                                    "Excel で .xlsx か「CSV UTF-8」として保存し直してください。"))
    if path.suffix.lower() == ".xlsx":
        rows, encoding = _xlsx_rows(raw, shown), "XLSX"
    else:
        text, encoding = decode(raw, shown)
        rows = _csv_rows(text, shown)
    return Roster(parse_rows(rows, shown, policy), encoding, hashlib.sha256(raw).hexdigest())


def parse_rows(rows: list[tuple[int, list]], shown: str, policy: Policy) -> tuple[RosterEntry, ...]:
    """Entries from (row number, cells) pairs, the first being the header."""
    problems = Problems()
    rows = [(n, cells) for n, cells in rows if any(_text(c) for c in cells)]
    if not rows:
        raise HandbookError(Problem(shown, 0, f"名簿が空です（1行目に {'、'.join(COLUMNS)} の見出しが必要です）。"))
    header_row, header = rows[0]
    names = [_text(c) for c in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise HandbookError(Problem(shown, header_row, f"見出しに「{'」「'.join(missing)}」の列がありません"
                            f"（必要な列: {'、'.join(COLUMNS)}）。"))
    if len(rows) - 1 > MAX_ROWS:
        raise HandbookError(Problem(shown, 0, f"名簿の行が多すぎます（{len(rows) - 1:,} 行。{MAX_ROWS:,} 行まで）。"))
    index = {c: names.index(c) for c in COLUMNS}
    roles = _role_names(policy)
    entries, seen = [], {}
    for number, cells in rows[1:]:
        def cell(column: str):
            i = index[column]
            return cells[i] if i < len(cells) else None

        reasons = []
        staff = _text(cell("職員番号"))
        if not STAFF_NUMBER.fullmatch(staff):
            reasons.append(f"職員番号「{staff[:20]}」は半角の英大文字・数字3〜16桁で書いてください")
        elif staff in seen:
            reasons.append(f"職員番号「{staff}」が {seen[staff]} 行目と重複しています")
        texts = {}
        for column in ("氏名", "所属", "雇用区分"):
            value = _text(cell(column))
            if column != "雇用区分" and not value:
                reasons.append(f"{column}が空欄です")
            elif len(value) > MAX_CELL or CONTROL.search(value):
                reasons.append(f"{column}は改行や制御文字を含まない {MAX_CELL} 文字までで書いてください")
            texts[column] = value
        held = []
        for token in (t.strip() for t in ROLE_SEPARATORS.split(_text(cell("役割")))):
            if not token:
                continue
            if token not in roles:
                reasons.append(f"役割「{token[:30]}」は{policy.municipality}の役割にありません（役割名か id で書き、"
                               "複数は「、」か「;」で区切ります）")
            else:
                held.append(roles[token])
        hired, reason = _date(cell("採用日"))
        if reason:
            reasons.append(reason)
        if reasons:
            problems.add(shown, number, "、".join(reasons) + "。")
            continue
        seen[staff] = number
        entries.append(RosterEntry(staff, texts["氏名"], texts["所属"], tuple(sorted(set(held))), hired,
                                   texts["雇用区分"], number))
    problems.raise_if_any()
    return tuple(entries)


def import_roster(engine: Engine, roster: Roster, policy: str, year: int, source: str) -> int:
    """Store ``roster`` as the roster in force for ``year``; return the people stored (0 when the
    same file was imported before)."""
    digest = hashlib.sha256(f"{policy}:{year}:{roster.sha256}".encode()).hexdigest()
    with ledger.writing(engine) as conn:
        if conn.execute(sa.select(ledger.imports.c.id).where(
                ledger.imports.c.kind == "roster", ledger.imports.c.sha256 == digest)).first():
            return 0
        import_id = conn.execute(ledger.imports.insert().values(
            kind="roster", source=source[:400], sha256=digest, imported_at=ledger.now(),
            rows=len(roster.entries), added=len(roster.entries))).inserted_primary_key[0]
        roster_id = conn.execute(ledger.rosters.insert().values(
            policy=policy, fiscal_year=year, import_id=import_id)).inserted_primary_key[0]
        if roster.entries:
            conn.execute(ledger.roster_entries.insert(), [
                {"roster_id": roster_id, "staff_number": e.staff_number, "row": e.row, "name": e.name, "unit": e.unit,
                 "roles": " ".join(e.roles), "hired_on": e.hired_on, "employment": e.employment}
                for e in roster.entries])
    return len(roster.entries)


def roster_in_force(conn: Connection, policy: str, year: int) -> tuple[RosterEntry, ...]:
    """The latest roster imported for the year (empty when there is none)."""
    latest = conn.execute(sa.select(sa.func.max(ledger.rosters.c.id)).where(
        ledger.rosters.c.policy == policy, ledger.rosters.c.fiscal_year == year)).scalar()
    if latest is None:
        return ()
    e = ledger.roster_entries.c
    rows = conn.execute(sa.select(ledger.roster_entries).where(e.roster_id == latest).order_by(e.row))
    return tuple(RosterEntry(r.staff_number, r.name, r.unit, tuple(r.roles.split()), r.hired_on, r.employment, r.row)
                 for r in rows)


def _role_names(policy: Policy) -> dict[str, str]:
    names = {}
    for r in policy.roles:
        for name in (r.id, r.name, *r.aliases):
            names.setdefault(name, r.id)
    return names


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: object) -> tuple[datetime.date | None, str]:
    if isinstance(value, datetime.datetime):
        return value.date(), ""
    if isinstance(value, datetime.date):
        return value, ""
    text = _text(value)
    if not text:
        return None, ""
    match = ISO_DATE.fullmatch(text) or EXCEL_DATE.fullmatch(text)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups())), ""
        except ValueError:
            return None, f"採用日「{text}」は存在しない日付です"
    return None, f"採用日「{text[:20]}」は 2026-04-01 または 2026/4/1 の形で書いてください"


def _csv_rows(text: str, shown: str) -> list[tuple[int, list]]:
    reader = csv.reader(io.StringIO(text), strict=True)
    rows = []
    try:
        start = 1
        for cells in reader:
            if any(len(c) > 1000 for c in cells):
                raise HandbookError(Problem(shown, start, "セルが長すぎます（1000 文字まで）。"))
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:
        raise HandbookError(Problem(shown, reader.line_num, "CSV の区切りが正しくありません（\" で囲んだセルが閉じていません）。")) from None
    return rows


def _xlsx_rows(raw: bytes, shown: str) -> list[tuple[int, list]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise HandbookError(Problem(shown, 0, "Excel ブック（.xlsx）として読めません。")) from None
    sheet = workbook.worksheets[0]
    rows = [(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(values_only=True), 1)]
    workbook.close()
    return rows
