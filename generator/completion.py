"""Exam records of the browser quiz: one line per attempt, and the strict reader of that line.

A learner who finishes the exam gets a line such as::

    HBQ2,3f9c0d2a7b4e4f0c9a1b2c3d4e5f6a7b,A12345,宮古 花子,総務課,miyako,2026-11-22,staff,2027-04-15T10:02:03+09:00,2027-04-15T10:14:40+09:00,miyako.q-a=1 miyako.x.actor=0 …,18,20

It is written by ``docs/assets/quiz.js`` and documented in ``docs/guide/completion-record.md``.
The line binds the attempt: a random attempt id, who took it, which exam of which revision, when,
each question asked with the answer given, and the score. :func:`parse_record` only checks the
form; whether the answers give the score is checked against the revision's question bank by
``generator.training.bank.regrade``. Nothing in the line is secret: a person who has the bank can
write a record for any answers, so a record shows what was submitted, not who sat the exam.

Fields, comma-separated, a field holding ``,`` ``"`` CR or LF quoted as in RFC 4180:
format ``HBQ2``, attempt id (32 lower-case hexadecimal digits), staff number, name, unit, policy id,
revision (``YYYY-MM-DD``), role id, started and finished (``YYYY-MM-DDTHH:MM:SS+09:00``), answers
(``<question id>=<choice index or ->`` separated by spaces, in the order asked), right answers,
questions.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass

from .errors import HandbookError, Problem

FORMAT = "HBQ2"
"""First field of every record; a new layout gets a new version."""

FIELDS = ("format", "attempt", "staff_number", "name", "unit", "policy", "revision", "role",
          "started", "finished", "answers", "correct", "total")
"""Field order of a record."""

MAX_LINE = 16_000
"""Longest record line accepted, in characters (200 questions with long ids fit)."""
MAX_QUESTIONS = 200
"""Most questions one record may list."""
MAX_TEXT = 100
"""Longest name or unit, in characters."""

STAFF_NUMBER = re.compile(r"[0-9A-Z]{3,16}")
"""Staff numbers: 3 to 16 ASCII digits or upper-case letters (the quiz converts full-width input)."""
ATTEMPT = re.compile(r"[0-9a-f]{32}")
POLICY_OR_ROLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}")
ANSWER = re.compile(r"([a-z0-9_]+(?:[.-][a-z0-9_]+){0,20})=([0-9]|-)")
ANSWERS = re.compile(r"[a-z0-9_]+(?:[.-][a-z0-9_]+){0,20}=[0-9-](?: [a-z0-9_]+(?:[.-][a-z0-9_]+){0,20}=[0-9-])*")
COUNT = re.compile(r"[0-9]{1,3}")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


class RecordError(HandbookError):
    """A line that is not a valid exam record; ``message`` says why, in Japanese."""

    def __init__(self, message: str, path: str = "修了記録", line: int = 0):
        self.message = message
        super().__init__(Problem(path, line, message))

    def at(self, path: str, line: int) -> RecordError:
        """The same error, located in a file."""
        return RecordError(self.message, path, line)


@dataclass(frozen=True)
class CompletionRecord:
    """One finished exam attempt, as the learner copied or downloaded it."""

    attempt: str
    """Random id the browser gave the attempt (32 hexadecimal digits); two people cannot share one."""
    staff_number: str
    """The staff number the learner entered."""
    name: str
    """The name the learner entered."""
    unit: str
    """The unit (所属) the learner entered."""
    policy: str
    """Policy id (``nabari``, ``miyako``, ``moriyama``)."""
    revision: str
    """Revision of the policy content the exam was drawn from (``YYYY-MM-DD``): selects the bank."""
    role: str
    """Local role id of the exam."""
    started: datetime.datetime
    """When the exam was drawn, with the learner's UTC offset."""
    finished: datetime.datetime
    """When it was graded, with the learner's UTC offset."""
    answers: tuple[tuple[str, int | None], ...]
    """Question ids in the order asked, each with the 0-based choice given (None: unanswered)."""
    correct: int
    """Right answers, as the browser graded them."""
    total: int
    """Questions asked."""

    @property
    def day(self) -> datetime.date:
        """The learner's local date of finishing."""
        return self.finished.date()

    def line(self) -> str:
        """The record as one line."""
        answers = " ".join(f"{qid}={'-' if a is None else a}" for qid, a in self.answers)
        return ",".join(quote(f) for f in (
            FORMAT, self.attempt, self.staff_number, self.name, self.unit, self.policy, self.revision,
            self.role, self.started.isoformat(), self.finished.isoformat(), answers,
            str(self.correct), str(self.total)))


def quote(field: str) -> str:
    """A field as written in a record: quoted (RFC 4180) only when it holds , " CR or LF."""
    if any(c in field for c in ',"\r\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def is_record(line: str) -> bool:
    """Whether a line claims to be a record of this format (it may still be invalid)."""
    return line.lstrip("\ufeff \t").startswith(FORMAT + ",")


def parse_record(line: str) -> CompletionRecord:
    """Read one record of exactly the documented form; raise :class:`RecordError` otherwise.

    Only ASCII digits, ISO dates and times, bounded lengths; a BOM and surrounding white space
    are ignored."""
    line = line.strip().lstrip("\ufeff")
    if len(line) > MAX_LINE:
        raise RecordError(f"修了記録が長すぎます（{len(line)} 文字。{MAX_LINE} 文字まで）。")
    if "\n" in line or "\r" in line:
        raise RecordError("修了記録は1行で書いてください。")
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error:
        raise RecordError("修了記録の区切りが正しくありません（\" で囲んだ項目が閉じていません）。") from None
    values = rows[0] if rows else []
    if not values or values[0] != FORMAT:
        head = values[0][:20] if values else ""
        raise RecordError(f"修了記録の形式「{head}」は読めません（{FORMAT} で始まる行だけを読みます）。")
    if len(values) != len(FIELDS):
        raise RecordError(f"修了記録の項目が{len(values)}個です（{len(FIELDS)}個必要です）。")
    fields = dict(zip(FIELDS, values))
    wrong: list[str] = []

    def check(name: str, pattern: re.Pattern, label: str) -> str:
        value = fields[name]
        if not pattern.fullmatch(value):
            wrong.append(f"{label}「{value[:40]}」")
        return value

    attempt = check("attempt", ATTEMPT, "受験 id（半角16進数32桁）")
    staff = check("staff_number", STAFF_NUMBER, "職員番号（半角英大文字・数字3〜16桁）")
    policy = check("policy", POLICY_OR_ROLE, "規程 id")
    role = check("role", POLICY_OR_ROLE, "役割 id")
    texts = {}
    for name, label in (("name", "氏名"), ("unit", "所属")):
        value = fields[name].strip()
        if not value or len(value) > MAX_TEXT or CONTROL.search(value):
            wrong.append(f"{label}「{value[:40]}」（1〜{MAX_TEXT} 文字、改行や制御文字なし）")
        texts[name] = value
    revision = _date(check("revision", DATE, "版（YYYY-MM-DD）"), wrong, "版")
    started = _timestamp(check("started", TIMESTAMP, "開始日時（YYYY-MM-DDTHH:MM:SS+09:00）"), wrong, "開始日時")
    finished = _timestamp(check("finished", TIMESTAMP, "終了日時（YYYY-MM-DDTHH:MM:SS+09:00）"), wrong, "終了日時")
    answers = _answers(fields["answers"], wrong)
    correct_text = check("correct", COUNT, "正解数（半角数字）")
    total_text = check("total", COUNT, "問題数（半角数字）")
    if not wrong:
        correct, total = int(correct_text), int(total_text)
        if not 0 < total <= MAX_QUESTIONS or correct > total:
            wrong.append(f"得点「{correct}/{total}」（問題数は1〜{MAX_QUESTIONS}、正解数は問題数以下）")
        elif len(answers) != total:
            wrong.append(f"回答の数 {len(answers)}（問題数 {total} と同じ数が必要です）")
        elif started > finished:
            wrong.append("開始日時が終了日時より後")
    if wrong:
        raise RecordError("修了記録の項目が正しくありません: " + "、".join(wrong) + "。")
    return CompletionRecord(attempt, staff, texts["name"], texts["unit"], policy, revision.isoformat(), role,
                            started, finished, answers, correct, total)


def _date(text: str, wrong: list[str], label: str) -> datetime.date:
    return _parsed(text, DATE, datetime.date.fromisoformat, "日付", datetime.date.min, wrong, label)


def _timestamp(text: str, wrong: list[str], label: str) -> datetime.datetime:
    return _parsed(text, TIMESTAMP, datetime.datetime.fromisoformat, "日時",
                   datetime.datetime.min.replace(tzinfo=datetime.timezone.utc), wrong, label)


def _parsed(text, form: re.Pattern, parse, kind: str, fallback, wrong: list[str], label: str):
    """``text`` parsed when it has the documented form and names a real date; otherwise
    ``fallback``, with a reason added to ``wrong`` when the form was right but the date is not."""
    if form.fullmatch(text):
        try:
            return parse(text)
        except ValueError:
            wrong.append(f"{label}「{text}」（存在しない{kind}）")
    return fallback


def _answers(text: str, wrong: list[str]) -> tuple[tuple[str, int | None], ...]:
    items = text.split(" ") if text else []
    if len(items) > MAX_QUESTIONS:
        wrong.append(f"回答（{len(items)} 問。{MAX_QUESTIONS} 問まで）")
        return ()
    if not ANSWERS.fullmatch(text):  # the common case, a valid field, is checked in one pass
        bad = next((item for item in items if not ANSWER.fullmatch(item)), "")
        wrong.append(f"回答「{bad[:40]}」（「問題id=選択肢の番号」の形）")
        return ()
    answers = tuple((qid, None if a == "-" else int(a)) for qid, _, a in (item.rpartition("=") for item in items))
    if len({qid for qid, _ in answers}) != len(answers):
        wrong.append("回答（同じ問題が2回あります）")
    return answers
