"""Role checklists for the yearly self-inspection (自己点検): a printable page, XLSX and CSV.

The workbook is what a unit fills in and sends back: a header with policy, revision, role, unit
and inspector; one row per obligation with its id and clause; a status dropdown
(実施 / 一部実施 / 未実施 / 該当なし) and remarks; a summary sheet with live counts per status
and per topic. The ids and texts are protected against accidental edits; status, remarks and the
unit/inspector/date fields stay editable. ``generator.collect`` reads the returned workbooks
back, so the layout constants below are the contract between the two.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from copy import copy
from itertools import groupby
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # as openpyxl's writer (et_xmlfile) escapes

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from ..archive import zip_bytes
from ..layout import Layout, PageLinks
from ..model import Content, Obligation, Policy
from ..spreadsheet import csv_field, put
from ..views import by_topic, role_rules
from . import Output, Settings
from .templating import environment

STATUSES = ("実施", "一部実施", "未実施", "該当なし")
"""Answers of a checklist row (after OpenControl's implementation status)."""

UNANSWERED = "未記入"
"""How a row without an answer is counted."""

COLUMNS = ("番号", "ID", "条項", "トピック", "確認事項", "原文", "状況", "備考")
"""Columns of the checklist sheet, in order."""

HEADER_ROWS = 7
"""Rows above the table: title, policy, revision, role, unit, inspector, date."""

HEADER_FIELDS = ("規程", "版", "役割", "所属", "点検者", "点検日")
"""Labels of the header rows 2–7 (column A); the values are in column C."""

TABLE_TOP = HEADER_ROWS + 1
"""Row of the column titles; obligation rows start below it."""

ID_COLUMN, STATUS_COLUMN, REMARKS_COLUMN = 2, 7, 8
POLICY_ID_CELL, ROLE_ID_CELL = "J2", "J3"
"""Hidden, machine-readable identity of the checklist, read back by ``handbook checklist collect``."""

SHEET = "チェックリスト"
SUMMARY = "集計"


def header_cell(label: str) -> str:
    """Cell holding the value of a header field: ``header_cell("所属") == "C5"``."""
    return f"C{HEADER_FIELDS.index(label) + 2}"


def checklist_rows(content: Content, policy: Policy, role_id: str) -> list[tuple[int, Obligation, str]]:
    """(number, obligation, topic name) for every obligation the role must follow, grouped by topic
    in the order of topics.yaml and in source order within a topic: the page, the workbook and the
    CSV number the rows alike, so a paper answer can be typed into the workbook row by row."""
    obligations = role_rules(policy, policy.role(role_id)).all_obligations
    grouped = [(o, topic.name) for topic, group in by_topic(content, obligations) for o in group]
    return [(n, o, topic) for n, (o, topic) in enumerate(grouped, start=1)]


def checklist_csv(content: Content, policy: Policy, role_id: str) -> bytes:
    """UTF-8 with BOM and CRLF line ends: what Japanese Excel opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, o, topic in checklist_rows(content, policy, role_id):
        writer.writerow([csv_field(v) for v in (number, o.id, o.clause, topic, o.summary, o.quote, "", "")])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


BOLD = Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="DDE3F0")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def print_a4(ws, landscape: bool = True) -> None:
    """A4, fit to the page width, any number of pages high, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"


WIDTHS = (6, 26, 14, 16, 34, 60, 11, 30)
"""Widths of the checklist columns A–H, in characters (a Japanese character takes two)."""

LINE_HEIGHT = 16
"""Points per line of wrapped text (11 pt text in the fonts Japanese Excel uses)."""


@functools.lru_cache(maxsize=1 << 14)
def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide when wrapped."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) / usable))
               for line in text.split("\n"))


def checklist_xlsx(content: Content, policy: Policy, role_id: str) -> bytes:
    role = policy.role(role_id)
    rows = checklist_rows(content, policy, role_id)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    editable = Protection(locked=False)

    put(ws, 1, 1, f"{policy.municipality} {policy.title} 自己点検チェックリスト（{role.name}）").font = Font(bold=True, size=14)
    values = {"規程": f"{policy.municipality} {policy.title}", "版": policy.revision, "役割": role.name}
    styled = _Styles()
    for row, label in enumerate(HEADER_FIELDS, start=2):
        styled(ws.cell(row, 1), font=BOLD)
        put(ws, row, 1, label)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)
        if label not in values:  # to be filled in by the unit: every cell of the merged range editable
            for col in range(3, 6):
                styled(ws.cell(row, col), protection=editable, fill=INPUT_FILL, border=BORDER)
        put(ws, row, 3, values.get(label))
    ws[POLICY_ID_CELL] = policy.id
    ws[ROLE_ID_CELL] = role.id
    ws.column_dimensions["J"].hidden = True

    top = TABLE_TOP
    for col, name in enumerate(COLUMNS, start=1):
        styled(ws.cell(top, col), font=BOLD, fill=HEADING_FILL, border=BORDER)
        put(ws, top, col, name)
    status_list = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                                 showErrorMessage=True, errorTitle="状況", error="一覧から選んでください。",
                                 showInputMessage=True, promptTitle="状況",
                                 prompt="実施・一部実施・未実施・該当なし から選びます。")
    ws.add_data_validation(status_list)
    styles: list = []  # the first row's cell styles, copied to the others (setting each is slow)
    for number, o, topic in rows:
        r = top + number
        values = [number, o.id, o.clause, topic, o.summary, o.quote, None, None]
        first = not styles
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col)
            if first:
                cell.alignment = WRAP
                cell.border = BORDER
                if col in (STATUS_COLUMN, REMARKS_COLUMN):
                    cell.protection = editable
                styles.append(copy(cell._style))
            else:
                cell._style = copy(styles[col - 1])
            put(ws, r, col, value)  # after the style: it may add Excel's quote prefix
        # Spreadsheet programs do not grow rows for wrapped text on opening: give each row its height.
        lines = max(wrapped_lines(str(v), width) for v, width in zip(values, WIDTHS) if v is not None)
        ws.row_dimensions[r].height = LINE_HEIGHT * lines + 4
    last = top + len(rows)
    status_list.add(f"G{top + 1}:G{last}")
    for col, width in zip("ABCDEFGH", WIDTHS):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(top + 1, 1)
    ws.print_title_rows = f"{top}:{top}"
    print_a4(ws)
    ws.auto_filter.ref = f"A{top}:H{last}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatRows = False  # a long remark may need a taller row

    _summary_sheet(wb.create_sheet(SUMMARY), rows)
    return workbook_bytes(wb)


def _summary_sheet(summary, rows: list[tuple[int, Obligation, str]]) -> None:
    """Live counts per status, and per topic and status (COUNTIF / COUNTIFS over the checklist)."""
    top, last = TABLE_TOP, TABLE_TOP + len(rows)
    status_range = f"'{SHEET}'!$G${top + 1}:$G${last}"
    topic_range = f"'{SHEET}'!$D${top + 1}:$D${last}"
    styled = _Styles()
    summary["A1"] = "状況別の件数"
    summary["A1"].font = BOLD
    for i, status in enumerate(STATUSES + (UNANSWERED,), start=2):
        summary.cell(i, 1, status)
        if status == UNANSWERED:
            summary.cell(i, 2, f"=COUNTBLANK({status_range})")
        else:
            summary.cell(i, 2, f'=COUNTIF({status_range},"{status}")')
    total_row = len(STATUSES) + 3
    summary.cell(total_row, 1, "合計").font = BOLD
    summary.cell(total_row, 2, len(rows))

    start = total_row + 2
    titles = ("トピック",) + STATUSES + (UNANSWERED, "合計")
    for col, title in enumerate(titles, start=1):
        styled(summary.cell(start, col, title), font=BOLD, fill=HEADING_FILL, border=BORDER)
    for i, topic in enumerate(dict.fromkeys(t for _, _, t in rows), start=start + 1):
        for col in range(1, len(titles) + 1):
            styled(summary.cell(i, col), border=BORDER)
        put(summary, i, 1, topic)
        for col, status in enumerate(STATUSES, start=2):
            summary.cell(i, col, f'=COUNTIFS({topic_range},$A{i},{status_range},"{status}")')
        summary.cell(i, len(STATUSES) + 2, f'=COUNTIFS({topic_range},$A{i},{status_range},"")')
        summary.cell(i, len(STATUSES) + 3, f"=COUNTIF({topic_range},$A{i})")
    summary.column_dimensions["A"].width = 32
    for col in "BCDEFG":
        summary.column_dimensions[col].width = 10
    print_a4(summary, landscape=False)
    summary.protection.sheet = True


class _Styles:
    """Gives an unstyled cell a combination of styles, set the first time and then copied (setting
    a style makes openpyxl hash it, which is slow). Set before the value: a value may add Excel's
    quote prefix to the cell's style."""

    def __init__(self) -> None:
        self.made: dict[tuple, object] = {}

    def __call__(self, cell, **styles):
        key = tuple(sorted((name, id(style)) for name, style in styles.items()))
        if key in self.made:
            cell._style = copy(self.made[key])
        else:
            for name, style in styles.items():
                setattr(cell, name, style)
            self.made[key] = copy(cell._style)
        return cell


def workbook_bytes(wb: Workbook) -> bytes:
    """Save the workbook with fixed document dates and zip entry dates: same input, same bytes.
    Written by openpyxl's own writer, whose rows of plain cells :class:`_RowWriter` writes faster
    (the same bytes: ``tests/test_checklists.py`` compares them)."""
    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "handbook"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:  # deflated once, below
        _ExcelWriter(wb, archive).save()
    with zipfile.ZipFile(raw) as saved:
        entries = [(name, saved.read(name)) for name in saved.namelist()]
    # openpyxl stamps the save time into docProps/core.xml
    return zip_bytes((name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
                      if name == "docProps/core.xml" else data) for name, data in entries)


class _RowWriter(WorksheetWriter):
    """openpyxl's worksheet writer, writing a row whose cells all hold an int, a string or nothing
    as one piece of text, as its own writer would element by element (10× faster)."""

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                text = self._plain_row(row, row_idx)
                if text is None:
                    self.write_row(xf, row, row_idx)
                else:
                    xf._file(text)
        self.xf.send(None)

    def _plain_row(self, row, row_idx: int) -> str | None:
        attrs = {"r": f"{row_idx}"}
        attrs.update(self.ws.row_dimensions.get(row_idx, {}))
        parts = ["<row", *(f' {k}="{_escape_attrib(v)}"' for k, v in attrs.items()), ">"]
        for cell in row:
            value, kind = cell._value, cell.data_type
            if cell._comment is not None or cell.hyperlink:
                return None
            styled = cell.has_style
            if value is None and not styled:
                continue
            style = f' s="{cell.style_id}"' if styled else ""
            if kind == "s" and value == "":
                parts.append(f'<c r="{cell.coordinate}"{style} t="inlineStr" />')
            elif kind == "s" and type(value) is str:
                space = ' xml:space="preserve"' if value.strip() and value != value.strip() else ""
                parts.append(f'<c r="{cell.coordinate}"{style} t="inlineStr"><is><t{space}>{_escape_cdata(value)}</t></is></c>')
            elif kind == "n" and value is None:
                parts.append(f'<c r="{cell.coordinate}"{style} t="n" />')
            elif kind == "n" and type(value) is int:
                parts.append(f'<c r="{cell.coordinate}"{style} t="n"><v>{value}</v></c>')
            else:
                return None
        parts.append("</row>")
        return "".join(parts)


class _ExcelWriter(ExcelWriter):
    """openpyxl's workbook writer with :class:`_RowWriter` for the worksheets (as in openpyxl 3.1)."""

    def write_worksheet(self, ws) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _RowWriter(ws)
        writer.write()
        ws._rels = writer._rels
        self._archive.write(writer.out, ws.path[1:])
        self.manifest.append(ws)
        writer.cleanup()


def checklist_page(content: Content, policy: Policy, role_id: str, layout: Layout) -> str:
    """The printable checklist page of a role (Markdown with an HTML table)."""
    role = policy.role(role_id)
    rows = checklist_rows(content, policy, role_id)
    groups = [(topic, [(n, o) for n, o, _ in group]) for topic, group in groupby(rows, key=lambda row: row[2])]
    page = layout.checklist(policy.id, role.id)
    return environment().get_template("checklist.md.j2").render(
        policy=policy, role=role, groups=groups, count=len(rows), statuses=STATUSES,
        links=PageLinks(layout, page, policy.id), xlsx=f"checklist-{role.id}.xlsx", csv=f"checklist-{role.id}.csv")


def roles_with_checklists(policy: Policy) -> list[str]:
    """Roles that have obligations to check (own or inherited)."""
    return [role.id for role in policy.roles if role_rules(policy, role).all_obligations]


class ChecklistRenderer:
    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        for pid in settings.layout.hosted_policies:
            policy = content.policy(pid)
            for role in roles_with_checklists(policy):
                yield Output(settings.layout.checklist(pid, role), checklist_page(content, policy, role, settings.layout))

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        for pid in policies:
            policy = content.policy(pid)
            for role in roles_with_checklists(policy):
                yield Output(Layout.checklist_file(pid, role, "xlsx"), checklist_xlsx(content, policy, role))
                yield Output(Layout.checklist_file(pid, role, "csv"), checklist_csv(content, policy, role))
