"""Exam results into the ledger: record lines (files, folders, pasted text) and LMS exports.

Formats, recognised by their first line:

- exam records ``HBQ2,…`` (``docs/guide/completion-record.md``), one per line, each re-graded
  against its revision's bank;
- SCORM results as CSV, with the header ``learner_id,activity,lesson_status,score_raw,score_max,date``
  (``date`` is ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS…``); rows that are not ``passed`` / ``failed``
  / ``completed`` (an unfinished attempt) are skipped;
- Moodle's grade export (「成績のエクスポート › テキストファイル」, grades shown as percentages):
  ``ID number`` / ``ID番号`` is the staff number, each ``<kind>: <activity> (Percentage)`` column an
  exam, ``Last downloaded from this course`` / ``このコースからの最終ダウンロード`` (Unix time) the date.

An activity is the exam of a role when its name is the SCORM package title (``情報セキュリティ研修
宮古市 職員等``), the role's name or id, or is listed under ``[lms]`` in the settings. Every bad row
of every file is reported (``file:row: reason``) and then nothing is imported; a file imported
before is skipped; an attempt already in the ledger is not added twice.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..completion import STAFF_NUMBER, RecordError, is_record, parse_record
from ..errors import HandbookError, Problem, Problems, display_path
from ..model import Policy
from . import ledger
from .bank import Banks, exam_title, regrade
from .settings import TrainingSettings
from .status import fiscal_year
from .textfile import decode

SCORM_COLUMNS = ("learner_id", "activity", "lesson_status", "score_raw", "score_max", "date")
SCORM_COUNTED = {"passed", "failed", "completed"}
MOODLE_ID = ("ID number", "ID番号")
MOODLE_DATE = ("Last downloaded from this course", "このコースからの最終ダウンロード")
MOODLE_GRADE = re.compile(r"[^:]{1,40}: ?(.+) \((?:Percentage|パーセンテージ)\)")
SCORE = re.compile(r"[0-9]{1,5}(?:\.[0-9]{1,2})?")
PERCENT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,2})?) ?%")
DAY_OR_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?")
UNIX_TIME = re.compile(r"[0-9]{9,11}")
JST = datetime.timezone(datetime.timedelta(hours=9))


@dataclass(frozen=True)
class Source:
    """One input: a file, or the pasted text of standard input."""

    shown: str
    """Its name in messages."""
    raw: bytes
    """Its bytes."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    files: int
    """Inputs read."""
    skipped_files: tuple[str, ...]
    """Inputs imported before, left alone."""
    rows: int
    """Attempts read from the new inputs."""
    added: int
    """Attempts added to the ledger (the others were there already)."""
    notes: tuple[str, ...]
    """Things the trainer should know (skipped rows, unused columns)."""
    disputed: tuple[tuple[str, tuple[str, ...]], ...]
    """Attempt ids now claimed by more than one staff number, with the numbers."""


def sources(paths: Iterable[str], stdin: bytes | None = None) -> list[Source]:
    """The inputs: ``-`` is standard input; a folder gives its .txt and .csv files, sorted."""
    result = []
    for name in paths:
        if name == "-":
            result.append(Source("標準入力", stdin or b""))
            continue
        path = Path(name)
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".txt", ".csv")) if path.is_dir() else [path]
        for f in files:
            try:
                result.append(Source(display_path(f), f.read_bytes()))
            except OSError:
                raise HandbookError(Problem(display_path(f), 0, "ファイルを読めません。")) from None
    return result


def read_attempts(source: Source, policy: Policy, banks: Banks, settings: TrainingSettings,
                  problems: Problems, notes: list[str]) -> list[dict]:
    """The attempts of one input as ledger rows; each bad row becomes a problem."""
    try:
        text, _ = decode(source.raw, source.shown)
    except HandbookError as err:
        problems.extend(err.problems)
        return []
    lines = text.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if not first:
        notes.append(f"{source.shown}: 空のファイルです。")
        return []
    if is_record(first):
        return _records(source.shown, lines, policy, banks, settings, problems)
    header = next(csv.reader([first]))
    if [h.strip() for h in header[:len(SCORM_COLUMNS)]] == list(SCORM_COLUMNS):
        return _scorm_rows(source.shown, text, policy, settings, problems, notes)
    if any(h.strip() in MOODLE_ID for h in header):
        return _moodle_rows(source.shown, text, policy, settings, problems, notes)
    problems.add(source.shown, 1, "修了記録（HBQ2 で始まる行）、SCORM の結果 CSV、Moodle の成績エクスポートの"
                 "どれでもありません（形式は「修了記録の形式」のページと README を見てください）。")
    return []


def import_results(engine: Engine, policy: Policy, banks: Banks, settings: TrainingSettings,
                   inputs: list[Source]) -> ImportSummary:
    """Read every input, then import all of them in one transaction, or nothing when any row is bad."""
    problems, notes = Problems(), []
    parsed = [(s, read_attempts(s, policy, banks, settings, problems, notes)) for s in inputs]
    problems.raise_if_any()
    skipped, rows, added = [], 0, 0
    seen: set[str] = set()
    with ledger.writing(engine) as conn:
        for source, attempts in parsed:
            if source.sha256 in seen or conn.execute(sa.select(ledger.imports.c.id).where(
                    ledger.imports.c.kind == "results", ledger.imports.c.sha256 == source.sha256)).first():
                skipped.append(source.shown)
                continue
            seen.add(source.sha256)
            import_id = conn.execute(ledger.imports.insert().values(
                kind="results", source=source.shown[:400], sha256=source.sha256, imported_at=ledger.now(),
                rows=len(attempts), added=0)).inserted_primary_key[0]
            new = ledger.insert_ignoring_duplicates(conn, ledger.attempts, [{**a, "import_id": import_id} for a in attempts], "key")
            conn.execute(ledger.imports.update().where(ledger.imports.c.id == import_id).values(added=new))
            rows, added = rows + len(attempts), added + new
        ids = {a["attempt"] for _, attempts in parsed for a in attempts if a["attempt"]}
        disputed = disputed_attempts(conn, policy.id, ids)
    return ImportSummary(len(inputs), tuple(skipped), rows, added, tuple(notes), disputed)


def disputed_attempts(conn: Connection, policy: str, only: set[str] | None = None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Attempt ids claimed by more than one staff number (limited to ``only`` when given)."""
    a = ledger.attempts.c
    query = (sa.select(a.attempt).where(a.policy == policy, a.attempt.is_not(None))
             .group_by(a.attempt).having(sa.func.count(sa.distinct(a.staff_number)) > 1))
    ids = [r[0] for r in conn.execute(query) if only is None or r[0] in only]
    result = []
    for attempt in sorted(ids):
        staff = conn.execute(sa.select(a.staff_number).where(a.attempt == attempt).distinct().order_by(a.staff_number))
        result.append((attempt, tuple(r[0] for r in staff)))
    return tuple(result)


def _records(shown: str, lines: list[str], policy: Policy, banks: Banks, settings: TrainingSettings,
             problems: Problems) -> list[dict]:
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = parse_record(line)
            if record.policy != policy.id:
                raise RecordError(f"規程「{record.policy}」の記録です（この台帳は「{policy.id}」）。")
            regrade(record, banks, settings.rules(fiscal_year(record.day)).questions)
        except RecordError as err:
            problems.extend(err.at(shown, number).problems)
            continue
        rows.append({
            "key": f"HBQ2:{record.attempt}:{record.staff_number}", "source": "record", "attempt": record.attempt,
            "staff_number": record.staff_number, "name": record.name, "unit": record.unit, "policy": record.policy,
            "revision": record.revision, "role": record.role, "finished_at": record.finished.isoformat(),
            "day": record.day, "correct": record.correct, "total": record.total,
            "answers": " ".join(f"{q}={'-' if a is None else a}" for q, a in record.answers),
        })
    return rows


def _activities(policy: Policy, settings: TrainingSettings) -> dict[str, str]:
    names = {}
    for r in policy.roles:
        for name in (exam_title(policy.municipality, r.name), r.name, r.id):
            names.setdefault(name, r.id)
    names.update(dict(settings.lms))
    return names


def _lms_row(policy: Policy, staff: str, role: str, when: datetime.datetime, correct: int, total: int, kind: str) -> dict:
    key = hashlib.sha256(f"{kind}|{policy.id}|{staff}|{role}|{when.isoformat()}|{correct}/{total}".encode()).hexdigest()
    return {"key": f"{kind}:{key[:48]}", "source": kind, "attempt": None, "staff_number": staff, "name": "", "unit": "",
            "policy": policy.id, "revision": "", "role": role, "finished_at": when.isoformat(), "day": when.date(),
            "correct": correct, "total": total, "answers": ""}


def _scorm_rows(shown: str, text: str, policy: Policy, settings: TrainingSettings, problems: Problems,
                notes: list[str]) -> list[dict]:
    activities = _activities(policy, settings)
    roles = {r.id for r in policy.roles}
    rows, skipped = [], 0
    reader = csv.reader(io.StringIO(text))
    next(reader)
    for cells in reader:
        number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * len(SCORM_COLUMNS)
        learner, activity, status, raw, maximum, when = cells[:len(SCORM_COLUMNS)]
        reasons = []
        if not STAFF_NUMBER.fullmatch(learner):
            reasons.append(f"learner_id「{learner[:20]}」は職員番号（半角英大文字・数字3〜16桁）ではありません")
        role = activities.get(activity)
        if role not in roles:
            reasons.append(f"activity「{activity[:60]}」がどの役割の試験か分かりません（settings.toml の [lms] に書いてください）")
        if status not in SCORM_COUNTED:
            skipped += 1
            continue
        if not (SCORE.fullmatch(raw) and SCORE.fullmatch(maximum) and 0 <= float(raw) <= float(maximum) and float(maximum) > 0):
            reasons.append(f"得点「{raw[:10]}/{maximum[:10]}」は半角数字で、score_raw ≤ score_max にしてください")
        finished = _when(when)
        if finished is None:
            reasons.append(f"date「{when[:30]}」は YYYY-MM-DD か YYYY-MM-DDTHH:MM:SS の形で書いてください")
        if reasons:
            problems.add(shown, number, "、".join(reasons) + "。")
            continue
        rows.append(_lms_row(policy, learner, role, finished, round(float(raw) * 100), round(float(maximum) * 100), "scorm"))
    if skipped:
        notes.append(f"{shown}: 終わっていない受講（lesson_status が passed / failed / completed 以外）{skipped} 行は数えません。")
    return rows


def _moodle_rows(shown: str, text: str, policy: Policy, settings: TrainingSettings, problems: Problems,
                 notes: list[str]) -> list[dict]:
    activities = _activities(policy, settings)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    id_column = next(i for i, h in enumerate(header) if h in MOODLE_ID)
    date_column = next((i for i, h in enumerate(header) if h in MOODLE_DATE), None)
    grades, unused = [], []
    for i, h in enumerate(header):
        match = MOODLE_GRADE.fullmatch(h)
        if match and match[1] in activities:
            grades.append((i, activities[match[1]]))
        elif match:
            unused.append(h)
    if date_column is None or not grades:
        problems.add(shown, 1, "Moodle の成績エクスポートに「Last downloaded from this course」の列か、"
                     "試験の成績（パーセンテージ）の列がありません。")
        return []
    if unused:
        notes.append(f"{shown}: 試験と対応しない成績の列は読みませんでした: {'、'.join(unused)}")
    rows = []
    for cells in reader:
        number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * len(header)
        reasons = []
        staff = cells[id_column]
        if not STAFF_NUMBER.fullmatch(staff):
            reasons.append(f"ID番号「{staff[:20]}」は職員番号（半角英大文字・数字3〜16桁）ではありません")
        stamp = cells[date_column]
        when = datetime.datetime.fromtimestamp(int(stamp), JST) if UNIX_TIME.fullmatch(stamp) else None
        if when is None:
            reasons.append(f"最終ダウンロード「{stamp[:20]}」は Unix 時刻（秒）ではありません")
        scores = []
        for column, role in grades:
            value = cells[column]
            if value in ("", "-"):
                continue
            match = PERCENT.fullmatch(value)
            if not match or float(match[1]) > 100:
                reasons.append(f"{header[column]}「{value[:12]}」はパーセンテージ（例: 85.00 %）ではありません")
            else:
                scores.append((role, round(float(match[1]) * 100)))
        if reasons:
            problems.add(shown, number, "、".join(reasons) + "。")
            continue
        rows.extend(_lms_row(policy, staff, role, when, score, 10000, "moodle") for role, score in scores)
    return rows


def _when(text: str) -> datetime.datetime | None:
    match = DAY_OR_TIME.fullmatch(text)
    if not match:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=JST)
