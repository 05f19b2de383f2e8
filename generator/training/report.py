"""The completion report of a fiscal year: HTML with inline SVG charts, an XLSX with one row per
person, the overdue list for reminders (CSV) and the committee's summary. The files name people,
so they are written only outside the published ``site/`` and ``dist/``."""

from __future__ import annotations

import csv
import datetime
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font

from ..collect import check_report_folder
from ..model import Policy
from ..spreadsheet import csv_field, stream_cell
from . import ledger
from .charts import bar_chart, line_chart
from .results import disputed_attempts
from .roster import roster_in_force
from .settings import YearRules
from .status import (DONE, OVERDUE, STATUSES, Attempt, PersonStatus, all_staff_role, evaluate, fiscal_end,
                     fiscal_start)


@dataclass(frozen=True)
class Tally:
    """Completion of one group (a unit, a role, new hires, everyone)."""

    name: str
    """The group's name."""
    people: int
    """対象者数."""
    done: int
    """修了者数."""
    overdue: int
    """期限超過の人数."""

    @property
    def share(self) -> float:
        """修了率, 0–1 (0 for an empty group)."""
        return self.done / self.people if self.people else 0.0


@dataclass(frozen=True)
class Report:
    """Everything the report files show."""

    policy: Policy
    """The municipality's policy."""
    year: int
    """Fiscal year."""
    as_of: datetime.date
    """The day the statuses hold for."""
    rules: YearRules
    """The year's requirements."""
    people: tuple[PersonStatus, ...]
    """Every person of the roster in force, in roster order."""
    total: Tally
    """Everyone."""
    units: tuple[Tally, ...]
    """Per unit, by name."""
    roles: tuple[Tally, ...]
    """Per role exam (the all-staff exam first), counting that exam only."""
    new_hires: Tally
    """People hired during the year."""
    monthly: tuple[tuple[str, float], ...]
    """Share complete at the end of each month from April up to ``as_of``."""
    disputed: tuple[tuple[str, tuple[str, ...]], ...]
    """Attempt ids claimed by more than one staff number."""
    unknown: tuple[tuple[str, int], ...] = ()
    """Staff numbers with attempts in the year that are not on the roster (typing errors, people
    who left), each with its number of attempts."""

    @property
    def overdue(self) -> tuple[PersonStatus, ...]:
        return tuple(p for p in self.people if p.status == OVERDUE)

    def role_name(self, role: str) -> str:
        return next((r.name for r in self.policy.roles if r.id == role), role)


def build_report(conn: Connection, policy: Policy, rules: YearRules, year: int, as_of: datetime.date) -> Report:
    """Read the roster in force and the year's attempts from the ledger and tally them."""
    entries = roster_in_force(conn, policy.id, year)
    disputed = disputed_attempts(conn, policy.id)
    disputed_ids = {a for a, _ in disputed}
    a = ledger.attempts.c
    rows = conn.execute(sa.select(a.staff_number, a.role, a.day, a.correct, a.total, a.attempt).where(
        a.policy == policy.id, a.day >= fiscal_start(year), a.day <= fiscal_end(year) + datetime.timedelta(days=366)))
    attempts = [Attempt(r.staff_number, r.role, r.day, r.correct, r.total, r.attempt in disputed_ids) for r in rows]
    people = tuple(evaluate(policy, entries, attempts, rules, year, as_of))
    on_roster = {e.staff_number for e in entries}
    unknown = Counter(a.staff_number for a in attempts
                      if a.staff_number not in on_roster and fiscal_start(year) <= a.day <= fiscal_end(year))
    return Report(policy, year, as_of, rules, people, _tally("全体", people), _by_unit(people),
                  _by_role(policy, people), _tally("新規採用者", [p for p in people if p.new_hire]),
                  _monthly(people, year, as_of), disputed, tuple(sorted(unknown.items())))


def _tally(name: str, people: Iterable[PersonStatus]) -> Tally:
    people = list(people)
    return Tally(name, len(people), sum(p.status == DONE for p in people), sum(p.status == OVERDUE for p in people))


def _by_unit(people: Iterable[PersonStatus]) -> tuple[Tally, ...]:
    groups = defaultdict(list)
    for p in people:
        groups[p.entry.unit].append(p)
    return tuple(_tally(unit, groups[unit]) for unit in sorted(groups))


def _by_role(policy: Policy, people: Iterable[PersonStatus]) -> tuple[Tally, ...]:
    result = []
    everyone = all_staff_role(policy)
    for role in sorted(policy.roles, key=lambda r: r.id != everyone):
        exams = [e for p in people for e in p.exams if e.role == role.id]
        if exams or role.id == everyone:
            result.append(Tally(role.name, len(exams), sum(e.status == DONE for e in exams),
                                sum(e.status == OVERDUE for e in exams)))
    return tuple(result)


def _monthly(people: tuple[PersonStatus, ...], year: int, as_of: datetime.date) -> tuple[tuple[str, float], ...]:
    points = []
    for month in range(12):
        first_next = datetime.date(year + (month + 4) // 12, (month + 4) % 12 + 1, 1)
        end = min(first_next - datetime.timedelta(days=1), as_of)
        if end < fiscal_start(year) or (points and end == as_of and points[-1][0] == end):
            break
        done = sum(1 for p in people if p.completed_on and p.completed_on <= end)
        points.append((end, done / len(people) if people else 0.0))
        if end == as_of:
            break
    return tuple((f"{d.month}月", share) for d, share in points)


# --- files -----------------------------------------------------------------------------------------

PERSON_COLUMNS = ("職員番号", "氏名", "所属", "役割", "雇用区分", "採用日", "新規採用", "期限", "状況", "試験ごとの状況", "要確認")


def person_row(report: Report, p: PersonStatus) -> list:
    exams = "、".join(f"{report.role_name(e.role)}: {e.status}" + (f"（{e.score}" + (f"、{e.passed_on}" if e.passed_on else "") + "）" if e.score else "")
                     for e in p.exams)
    return [p.entry.staff_number, p.entry.name, p.entry.unit, "、".join(report.role_name(r) for r in p.entry.roles),
            p.entry.employment, p.entry.hired_on, "○" if p.new_hire else "", p.deadline, p.status, exams,
            "要確認" if p.disputed else ""]


def report_html(report: Report) -> str:
    env = Environment(loader=PackageLoader("generator.training", "templates"), autoescape=select_autoescape(["j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    charts = {
        "units": bar_chart("所属別の修了率", [(t.name, t.share, f"{t.share:.1%}（{t.done}/{t.people}）") for t in report.units]),
        "roles": bar_chart("役割別の修了率", [(t.name, t.share, f"{t.share:.1%}（{t.done}/{t.people}）") for t in report.roles]),
        "monthly": line_chart("修了率の推移（月末）", list(report.monthly)),
    }
    counts = {s: sum(p.status == s for p in report.people) for s in STATUSES}
    return env.get_template("report.html.j2").render(report=report, charts=charts, counts=counts)


def report_xlsx(report: Report) -> bytes:
    """One sheet per view, written as a stream; every cell through :func:`stream_cell`."""
    wb = Workbook(write_only=True)
    rows = [["区分", "名称", "対象者数", "修了者数", "修了率", "期限超過"]]
    rows += [["全体", t.name, t.people, t.done, round(t.share, 4), t.overdue] for t in (report.total, report.new_hires)]
    rows += [["所属", t.name, t.people, t.done, round(t.share, 4), t.overdue] for t in report.units]
    rows += [["役割", t.name, t.people, t.done, round(t.share, 4), t.overdue] for t in report.roles]
    _sheet(wb, "年次報告", rows, {"B": 30}, {4: "0.0%"})
    _sheet(wb, "個人別", [list(PERSON_COLUMNS)] + [person_row(report, p) for p in report.people],
           {"B": 16, "C": 24, "D": 30, "J": 60})
    _sheet(wb, "期限超過", [list(PERSON_COLUMNS)] + [person_row(report, p) for p in report.overdue],
           {"B": 16, "C": 24, "J": 60})
    _sheet(wb, "要確認", [["受験 id", "同じ受験を記録した職員番号"]] +
           [[a, "、".join(staff)] for a, staff in report.disputed], {"A": 36, "B": 40})
    _sheet(wb, "名簿にない職員番号", [["職員番号", "受験の数"]] + [list(u) for u in report.unknown], {"A": 16})
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def overdue_csv(report: Report) -> bytes:
    """The reminder list: UTF-8 with BOM and CRLF, as Excel opens it correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PERSON_COLUMNS)
    for p in report.overdue:
        writer.writerow([csv_field("" if v is None else str(v)) for v in person_row(report, p)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet(wb: Workbook, title: str, rows: list[list], widths: dict[str, int], formats: dict[int, str] | None = None) -> None:
    """A sheet of ``rows`` (the first is the header, in bold and frozen)."""
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for column, width in widths.items():
        ws.column_dimensions[column].width = width
    header = []
    for value in rows[0]:
        cell = stream_cell(ws, value)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows[1:]:
        values = [stream_cell(ws, value) for value in row]
        for index, number_format in (formats or {}).items():
            values[index].number_format = number_format
        ws.append(values)


def write_report(report: Report, out: Path, root: Path) -> list[Path]:
    """Write the HTML, the XLSX and the overdue CSV into ``out`` (never inside site/ or dist/)."""
    check_report_folder(out, root)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"training-{report.policy.id}-{report.year}"
    files = {out / f"{stem}.html": report_html(report).encode("utf-8"), out / f"{stem}.xlsx": report_xlsx(report),
             out / f"{stem}-overdue.csv": overdue_csv(report)}
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)
