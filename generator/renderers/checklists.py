"""Role checklists for the yearly self-inspection (自己点検): XLSX and CSV downloads.

The workbook is what a unit fills in and sends back: a header with policy, revision, role, unit
and inspector; one row per obligation with its id and clause; a status dropdown
(実施 / 一部実施 / 未実施 / 該当なし) and remarks; a summary sheet with live counts. The ids and
texts are protected against accidental edits; status and remarks stay editable.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from ..model import Content, Obligation, Policy
from ..views import role_rules
from . import Output, Settings

STATUSES = ("実施", "一部実施", "未実施", "該当なし")
"""Answers of a checklist row (after OpenControl's implementation status)."""

COLUMNS = ("番号", "ID", "条項", "トピック", "確認事項", "原文", "状況", "備考")
"""Columns of the checklist sheet, in order."""

HEADER_ROWS = 7
"""Rows above the table: title, policy, revision, role, unit, inspector, date."""

SHEET = "チェックリスト"
SUMMARY = "集計"


def checklist_rows(content: Content, policy: Policy, role_id: str) -> list[tuple[int, Obligation, str]]:
    """(number, obligation, topic name) for every obligation the role must follow, in source order."""
    rules = role_rules(policy, policy.role(role_id))
    return [(n, o, content.topic(o.topic).name) for n, o in enumerate(rules.all_obligations, start=1)]


def checklist_csv(content: Content, policy: Policy, role_id: str) -> bytes:
    """UTF-8 with BOM and CRLF line ends: what Japanese Excel opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, o, topic in checklist_rows(content, policy, role_id):
        writer.writerow([number, o.id, o.clause, topic, o.summary, _quoted(o), "", ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _quoted(o: Obligation) -> str:
    return f"{o.lead_in}\n{o.text}" if o.lead_in else o.text


def checklist_xlsx(content: Content, policy: Policy, role_id: str) -> bytes:
    role = policy.role(role_id)
    rows = checklist_rows(content, policy, role_id)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    editable = Protection(locked=False)

    ws["A1"] = f"{policy.municipality} {policy.title} 自己点検チェックリスト"
    ws["A1"].font = Font(bold=True, size=14)
    header = [("規程", f"{policy.municipality} {policy.title}"), ("版", policy.revision),
              ("役割", role.name), ("所属", ""), ("点検者", ""), ("点検日", "")]
    for offset, (label, value) in enumerate(header, start=2):
        ws.cell(offset, 1, label).font = bold
        cell = ws.cell(offset, 3, value)
        if not value:
            cell.protection = editable
            cell.fill = PatternFill("solid", fgColor="FFF8DC")
    ws.cell(2, 10, policy.id)  # machine-readable identity for `checklist collect`
    ws.cell(3, 10, role.id)
    ws.column_dimensions["J"].hidden = True

    top = HEADER_ROWS + 1
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(top, col, name)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDE3F0")
        cell.border = border
    status_list = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True,
                                 showErrorMessage=True, errorTitle="状況", error="一覧から選んでください。")
    ws.add_data_validation(status_list)
    for number, o, topic in rows:
        r = top + number
        values = [number, o.id, o.clause, topic, o.summary, _quoted(o), None, None]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, value)
            cell.alignment = wrap
            cell.border = border
        for col in (7, 8):
            ws.cell(r, col).protection = editable
        status_list.add(ws.cell(r, 7))
    for col, width in zip("ABCDEFGH", (6, 24, 16, 18, 36, 60, 11, 30)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(top + 1, 1)
    ws.print_title_rows = f"{top}:{top}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.auto_filter.ref = f"A{top}:H{top + len(rows)}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False

    summary = wb.create_sheet(SUMMARY)
    summary["A1"] = "状況別の件数"
    summary["A1"].font = bold
    last = top + len(rows)
    status_range = f"'{SHEET}'!$G${top + 1}:$G${last}"
    for i, status in enumerate(STATUSES + ("未記入",), start=2):
        summary.cell(i, 1, status)
        if status == "未記入":
            summary.cell(i, 2, f"=COUNTBLANK({status_range})")
        else:
            summary.cell(i, 2, f'=COUNTIF({status_range},"{status}")')
    summary.cell(len(STATUSES) + 3, 1, "合計")
    summary.cell(len(STATUSES) + 3, 2, len(rows))
    start = len(STATUSES) + 5
    summary.cell(start, 1, "トピック").font = bold
    for col, status in enumerate(STATUSES, start=2):
        summary.cell(start, col, status).font = bold
    topic_range = f"'{SHEET}'!$D${top + 1}:$D${last}"
    for i, topic in enumerate(dict.fromkeys(t for _, _, t in rows), start=start + 1):
        summary.cell(i, 1, topic)
        for col, status in enumerate(STATUSES, start=2):
            summary.cell(i, col, f'=COUNTIFS({topic_range},$A{i},{status_range},"{status}")')
    summary.column_dimensions["A"].width = 30
    summary.protection.sheet = True
    return _stable_zip(wb)


def _stable_zip(wb: Workbook) -> bytes:
    """Save the workbook with fixed document dates and zip entry dates: same input, same bytes."""
    import datetime

    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    wb.properties.creator = "handbook"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            dst.writestr(info, data)
    return out.getvalue()


class ChecklistRenderer:
    def render(self, content: Content, settings: Settings) -> Iterable[Output]:
        for pid in settings.policies:
            policy = content.policy(pid)
            for role in policy.roles:
                if not role_rules(policy, role).all_obligations:
                    continue
                base = f"downloads/{policy.id}/checklist-{role.id}"
                yield Output(base + ".xlsx", checklist_xlsx(content, policy, role.id))
                yield Output(base + ".csv", checklist_csv(content, policy, role.id))


