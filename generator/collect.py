"""``handbook checklist collect``: read the self-inspection workbooks units send back and roll them up.

Each returned file is checked before it is counted: it must be one of this project's checklists
(policy and role id in the hidden cells), of the policy's current revision, with exactly the
role's obligation ids in their order and only known status values. A file that fails is reported
with the cell to look at, and the others are still counted. The roll-up (completion per unit,
the items most often 未実施 or 一部実施, units that have not returned a sheet) is written as
self-contained HTML and as XLSX into a reports folder, never into the site: it names people.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .errors import HandbookError, Problem, display_path
from .model import Content, LocalRole, Obligation, Policy
from .renderers.checklists import (
    BOLD, COLUMNS, HEADING_FILL, ID_COLUMN, POLICY_ID_CELL, ROLE_ID_CELL, SHEET, STATUS_COLUMN, STATUSES,
    LINE_HEIGHT, TABLE_TOP, UNANSWERED, checklist_rows, header_cell, print_a4, workbook_bytes, wrapped_lines,
)
from .renderers.templating import environment
from .sources import excerpt, fold
from .spreadsheet import put

REPORT_NAME = "checklist-report"
"""Base name of the report files written into the output folder."""

TOP_ITEMS = 30
"""How many of the most often unmet items the HTML report lists (the XLSX lists all)."""

MAX_WORKBOOK_BYTES = 10_000_000
"""The largest returned workbook read, packed and unpacked (a filled-in checklist has under 100 kB)."""

EXTRA_ROWS = 200
"""How far below the checklist's last row a returned sheet may hold anything before it is refused
unread (a cell at row 1,048,576 would otherwise make every row in between be read)."""


@dataclass(frozen=True)
class ReturnedSheet:
    """One accepted checklist as a unit filled it in."""

    file: str
    """The file as given on the command line (relative to the working folder where possible)."""
    unit: str
    """The unit (所属) the answers are from."""
    unit_from_file: bool
    """True when the 所属 cell was empty and the unit was taken from the file name."""
    inspector: str
    """点検者 as written in the header (may be empty)."""
    date: str
    """点検日 as written in the header (a date as YYYY-MM-DD; may be empty)."""
    policy: Policy
    """The policy of the checklist."""
    role: LocalRole
    """The role of the checklist."""
    answers: tuple[tuple[Obligation, str], ...]
    """Every row: the obligation and its status ("" when not answered)."""

    @property
    def total(self) -> int:
        return len(self.answers)

    @property
    def answered(self) -> int:
        return sum(1 for _, status in self.answers if status)

    def count(self, status: str) -> int:
        """Rows with ``status`` (one of STATUSES, or UNANSWERED)."""
        wanted = "" if status == UNANSWERED else status
        return sum(1 for _, s in self.answers if s == wanted)


@dataclass(frozen=True)
class ItemCount:
    """How often one obligation was answered 未実施 or 一部実施 over all returned sheets."""

    policy: Policy
    obligation: Obligation
    not_done: int
    """Sheets answering 未実施."""
    partly: int
    """Sheets answering 一部実施."""
    answered: int
    """Sheets with any answer for the item."""


@dataclass(frozen=True)
class Collection:
    """The roll-up of all returned checklists."""

    sheets: tuple[ReturnedSheet, ...]
    """Accepted sheets, sorted by unit, policy and role."""
    problems: tuple[str, ...]
    """Why files were not accepted, ``file:cell: message``, in the order of the files."""
    rejected: tuple[str, ...]
    """The files not accepted."""
    items: tuple[ItemCount, ...]
    """Items answered 未実施 or 一部実施 at least once, most often first."""
    units: tuple[str, ...] | None
    """The expected units (from --units), or None when no list was given."""
    missing_units: tuple[str, ...]
    """Expected units that returned no sheet."""
    unlisted_units: tuple[str, ...]
    """Units that returned a sheet but are not in the list."""

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader should know about accepted sheets (units taken from file names)."""
        return tuple(f"{s.file}:{header_cell('所属')}: 所属が空欄のため、ファイル名から「{s.unit}」としました。"
                     for s in self.sheets if s.unit_from_file)


class Rejected(Exception):
    """A returned file that cannot be counted, with every problem found in it."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


MAX_UNITS_BYTES = 1_000_000
"""The largest unit list read (a city has a few hundred units)."""

MAX_UNIT_NAME = 100
"""The longest unit name accepted, in characters."""


def read_units(path: Path) -> list[str]:
    """The expected units: a text file with one unit per line, or a CSV whose 所属 column (or else
    first column) names them. UTF-8 (with or without BOM) or Shift_JIS, as Excel saves it; anything
    else, or a line too long to be a unit's name, raises HandbookError naming the line."""
    name = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError:
        raise HandbookError(Problem(name, 0, "所属一覧のファイルを読めません。")) from None
    if len(raw) > MAX_UNITS_BYTES:
        raise HandbookError(Problem(name, 0, f"所属一覧が大きすぎます（上限 {MAX_UNITS_BYTES:,} バイト）。"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise HandbookError(Problem(name, line, "読めない文字があります。所属一覧は UTF-8 か Shift_JIS で保存してください。")) from None
    if path.suffix.lower() == ".csv":
        reader = csv.reader(io.StringIO(text))
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
        column = 0
        if rows and any(cell.strip() == "所属" for cell in rows[0][1]):
            column = [cell.strip() for cell in rows[0][1]].index("所属")
            rows = rows[1:]
        names = [(line, row[column].strip()) for line, row in rows if len(row) > column]
    else:
        names = [(line, text.strip()) for line, text in enumerate(text.splitlines(), start=1)
                 if not text.strip().startswith("#")]
    long = [Problem(name, line, f"所属名が長すぎます（{len(unit):,} 文字。上限は {MAX_UNIT_NAME} 文字）。")
            for line, unit in names if len(unit) > MAX_UNIT_NAME]
    if long:
        raise HandbookError(long)
    return list(dict.fromkeys(unit for _, unit in names if unit))


def returned_files(paths: Iterable[Path]) -> list[Path]:
    """The files to read: each path given, or the .xlsx files inside a folder given, sorted."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.xlsx")) if path.is_dir() else [path])
    return files


def read_sheet(content: Content, path: Path, units: dict[str, str] | None = None) -> ReturnedSheet:
    """Read one returned checklist; raise :class:`Rejected` with every problem found in it.

    ``units`` maps :func:`~generator.sources.fold` to the listed unit names: with a list, a unit taken from the
    file name must be on it.
    """
    name = display_path(path)
    try:
        data = path.read_bytes()
        if len(data) > MAX_WORKBOOK_BYTES or sum(
                i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > MAX_WORKBOOK_BYTES:
            raise Rejected([f"{name}: ファイルが大きすぎます（上限 {MAX_WORKBOOK_BYTES:,} バイト）。"
                            "ハンドブックのチェックリストに記入したものを提出してください。"])
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except FileNotFoundError:
        raise Rejected([f"{name}: ファイルがありません。"]) from None
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise Rejected([f"{name}: Excel ブック（.xlsx）として開けません。壊れているか、別の形式のファイルです。"]) from None
    if SHEET not in wb.sheetnames:
        raise Rejected([f"{name}: シート「{SHEET}」がありません。ハンドブックのチェックリストに記入したものを提出してください。"])
    ws = wb[SHEET]

    def text(cell: str) -> str:
        value = ws[cell].value
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        return "" if value is None else str(value).strip()

    policy_id, role_id = text(POLICY_ID_CELL), text(ROLE_ID_CELL)
    policy = next((p for p in content.policies if p.id == policy_id), None)
    if policy is None:
        raise Rejected([f"{name}:{POLICY_ID_CELL}: 規程 id「{excerpt(policy_id)}」はありません。"
                        "ハンドブックのチェックリストに記入したものを提出してください。"])
    role = next((r for r in policy.roles if r.id == role_id), None)
    if role is None:
        raise Rejected([f"{name}:{ROLE_ID_CELL}: 役割 id「{excerpt(role_id)}」は{policy.municipality}の規程にありません。"])
    revision_cell = header_cell("版")
    if text(revision_cell) != policy.revision:
        raise Rejected([f"{name}:{revision_cell}: 版「{excerpt(text(revision_cell))}」のチェックリストです。"
                        f"現在の版「{policy.revision}」のチェックリストをダウンロードし直して記入してください。"])
    titles = tuple(ws.cell(TABLE_TOP, col).value for col in range(1, len(COLUMNS) + 1))
    if titles != COLUMNS:
        raise Rejected([f"{name}:A{TABLE_TOP}: 表の見出しが{TABLE_TOP}行目にありません。行を追加・削除しないでください。"])

    expected = [o for _, o, _ in checklist_rows(content, policy, role.id)]
    if ws.max_row > TABLE_TOP + len(expected) + EXTRA_ROWS:
        raise Rejected([f"{name}:A{ws.max_row}: 表の下の{ws.max_row}行目に記入か書式があります。"
                        "表の外には何も書かないでください。"])
    by_id = {o.id: o for o in expected}
    problems: list[str] = []
    rows: list[tuple[int, str, str]] = []  # (row, id, status) of every row that holds anything
    for r in range(TABLE_TOP + 1, ws.max_row + 1):
        values = [ws.cell(r, col).value for col in range(1, len(COLUMNS) + 1)]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        oid = "" if values[ID_COLUMN - 1] is None else str(values[ID_COLUMN - 1]).strip()
        status = "" if values[STATUS_COLUMN - 1] is None else str(values[STATUS_COLUMN - 1]).strip()
        rows.append((r, oid, status))
    seen: set[str] = set()
    for r, oid, _ in rows:
        cell = f"B{r}"
        if not oid:
            problems.append(f"{name}:{cell}: id のない行があります。行を追加しないでください。")
        elif oid not in by_id:
            problems.append(f"{name}:{cell}: id「{excerpt(oid)}」はこのチェックリストにありません。")
        elif oid in seen:
            problems.append(f"{name}:{cell}: id「{excerpt(oid)}」の行が2つあります。行を追加・複製しないでください。")
        seen.add(oid)
    # An id typed over keeps its row: say only that the new id is unknown, not also that the old one is missing.
    overwritten = {expected[k].id for k, (_, oid, _) in enumerate(rows)
                   if len(rows) == len(expected) and oid and oid not in by_id}
    for position, o in enumerate(expected, start=1):
        if o.id not in seen and o.id not in overwritten:
            problems.append(f"{name}:B{TABLE_TOP + position}: id「{o.id}」の行がありません。行を削除しないでください。")
    if not problems:  # the same ids, once each: only their order can differ
        moved = next(((r, o) for (r, oid, _), o in zip(rows, expected) if oid != o.id), None)
        if moved:
            problems.append(f"{name}:B{moved[0]}: ここは id「{moved[1].id}」の行のはずです。行を並べ替えないでください。")
    for r, _, status in rows:
        if status and status not in STATUSES:
            problems.append(f"{name}:G{r}: 状況「{excerpt(status)}」は選べません。{'・'.join(STATUSES)} のどれかを選んでください。")

    unit_cell = header_cell("所属")
    unit, unit_from_file = text(unit_cell), False
    if not unit:
        stem = path.stem.strip()
        generated = stem.startswith("checklist-")  # the download's own name says nothing of the unit
        if generated or not stem or (units is not None and fold(stem) not in units):
            problems.append(f"{name}:{unit_cell}: 所属が空欄です。所属名を記入してください。")
        else:
            unit, unit_from_file = stem, True
    if problems:
        raise Rejected(problems)
    if units is not None:  # the list's spelling of the unit, so that reports group alike
        unit = units.get(fold(unit), unit)
    answers = tuple((by_id[oid], status) for _, oid, status in rows)
    return ReturnedSheet(name, unit, unit_from_file, text(header_cell("点検者")), text(header_cell("点検日")),
                         policy, role, answers)


def collect(content: Content, paths: Iterable[Path], units: list[str] | None = None) -> Collection:
    """Read every returned checklist and roll the accepted ones up."""
    listed = {fold(u): u for u in units} if units is not None else None
    sheets: dict[tuple[str, str, str], ReturnedSheet] = {}
    problems: list[str] = []
    rejected: list[str] = []
    for path in returned_files(paths):
        try:
            sheet = read_sheet(content, path, listed)
        except Rejected as err:
            problems.extend(err.messages)
            rejected.append(display_path(path))
            continue
        key = (fold(sheet.unit), sheet.policy.id, sheet.role.id)
        if key in sheets:
            first = sheets[key]
            problems.append(f"{sheet.file}: {sheet.unit}の「{sheet.role.name}」（{sheet.policy.municipality}）"
                            f"のチェックリストは {first.file} と重複しています。{first.file} だけを集計しました。")
            rejected.append(sheet.file)
            continue
        sheets[key] = sheet
    ordered = tuple(sorted(sheets.values(), key=lambda s: (
        fold(s.unit), s.policy.id, [r.id for r in s.policy.roles].index(s.role.id))))
    returned = {fold(s.unit) for s in ordered}
    missing = tuple(sorted((u for u in units or () if fold(u) not in returned), key=fold))
    unlisted = tuple(sorted({s.unit for s in ordered if listed is not None and fold(s.unit) not in listed},
                            key=fold))
    return Collection(ordered, tuple(problems), tuple(rejected), _unmet_items(ordered),
                      tuple(units) if units is not None else None, missing, unlisted)


def _unmet_items(sheets: tuple[ReturnedSheet, ...]) -> tuple[ItemCount, ...]:
    counts: dict[tuple[str, str], list] = {}
    for sheet in sheets:
        for o, status in sheet.answers:
            entry = counts.setdefault((sheet.policy.id, o.id), [sheet.policy, o, 0, 0, 0])
            entry[2] += status == "未実施"
            entry[3] += status == "一部実施"
            entry[4] += bool(status)
    items = [ItemCount(*entry) for entry in counts.values() if entry[2] + entry[3]]
    return tuple(sorted(items, key=lambda i: (-(i.not_done + i.partly), -i.not_done, i.policy.id,
                                              i.obligation.source_line, i.obligation.id)))


# --- the report -------------------------------------------------------------------------------

UNIT_COLUMNS = ("所属", "所属の出所", "規程", "役割", "点検者", "点検日", "回答済", "項目数", "回答率") + STATUSES + (
    UNANSWERED, "ファイル")
DEFAULT_WIDTH = 8.43
"""Width of a spreadsheet column left at its default, in characters."""
ITEM_COLUMNS = ("順位", "規程", "条項", "確認事項", "ID", "未実施", "一部実施", "回答数")


def unit_row(sheet: ReturnedSheet) -> list:
    """One line of the 所属別 table, in the order of UNIT_COLUMNS."""
    return [sheet.unit, "ファイル名" if sheet.unit_from_file else "所属欄",
            f"{sheet.policy.municipality} {sheet.policy.title}", sheet.role.name, sheet.inspector, sheet.date,
            sheet.answered, sheet.total, round(sheet.answered / sheet.total, 3) if sheet.total else 0,
            *(sheet.count(s) for s in STATUSES), sheet.count(UNANSWERED), sheet.file]


def item_row(rank: int, item: ItemCount) -> list:
    o = item.obligation
    return [rank, item.policy.municipality, o.clause, o.summary, o.id, item.not_done, item.partly, item.answered]


def report_html(collection: Collection, date: str = "") -> str:
    return environment().get_template("checklist_report.html.j2").render(
        c=collection, date=date, statuses=STATUSES, unanswered=UNANSWERED, top=TOP_ITEMS,
        items=list(enumerate(collection.items[:TOP_ITEMS], start=1)))


def report_xlsx(collection: Collection, date: str = "") -> bytes:
    wb = Workbook()
    title = "自己点検 集計" + (f"（{date} 現在）" if date else "")

    def table(ws, columns: tuple[str, ...], rows: list[list], widths: dict[str, int]) -> None:
        put(ws, 1, 1, title).font = BOLD
        for col, name in enumerate(columns, start=1):
            put(ws, 3, col, name).font = BOLD
            ws.cell(3, col).fill = HEADING_FILL
        for r, values in enumerate(rows, start=4):
            for col, value in enumerate(values, start=1):
                put(ws, r, col, value).alignment = Alignment(wrap_text=True, vertical="top")
            lines = max(wrapped_lines(str(v), widths.get(get_column_letter(col), DEFAULT_WIDTH))
                        for col, v in enumerate(values, start=1))
            ws.row_dimensions[r].height = LINE_HEIGHT * lines + 4
        for col, width in widths.items():
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A4"
        print_a4(ws)

    units = wb.active
    units.title = "所属別"
    table(units, UNIT_COLUMNS, [unit_row(s) for s in collection.sheets],
          {"A": 20, "B": 10, "C": 28, "D": 22, "E": 14, "F": 12, "O": 24})
    for r in range(4, 4 + len(collection.sheets)):
        units.cell(r, UNIT_COLUMNS.index("回答率") + 1).number_format = "0.0%"
    items = wb.create_sheet("未実施の多い項目")
    table(items, ITEM_COLUMNS, [item_row(n, i) for n, i in enumerate(collection.items, start=1)],
          {"B": 10, "C": 16, "D": 48, "E": 30})
    missing = wb.create_sheet("未提出")
    if collection.units is None:
        table(missing, ("所属",), [["（所属一覧が指定されていないため、未提出の所属は分かりません）"]], {"A": 60})
    else:
        table(missing, ("所属",), [[u] for u in collection.missing_units], {"A": 30})
    problems = wb.create_sheet("受け付けなかったファイル")
    table(problems, ("内容",), [[p] for p in collection.problems], {"A": 120})
    return workbook_bytes(wb)


def check_report_folder(out: Path, root: Path, date: str = "") -> None:
    """The report names units and inspectors: refuse the project's site/ and dist/, which are
    published. ``date`` (optional) must be YYYY-MM-DD."""
    if date:
        try:
            datetime.date.fromisoformat(date)
        except ValueError:
            raise HandbookError(f"集計日「{date}」は 2026-06-30 の形で指定してください。") from None
    for published in ("site", "dist"):
        if out.resolve().is_relative_to((root / published).resolve()):
            raise HandbookError(f"{display_path(out)}: 報告には所属名や点検者名が入るため、公開する {published}/ には書き出せません。")


def write_report(collection: Collection, out: Path, root: Path, date: str = "") -> list[Path]:
    """Write ``checklist-report.html`` and ``.xlsx`` into ``out``; return their paths."""
    check_report_folder(out, root, date)
    out.mkdir(parents=True, exist_ok=True)
    html, xlsx = out / f"{REPORT_NAME}.html", out / f"{REPORT_NAME}.xlsx"
    html.write_text(report_html(collection, date), encoding="utf-8")
    xlsx.write_bytes(report_xlsx(collection, date))
    return [html, xlsx]
