"""Completion records of the browser quiz's exam: the one-line format and its verifier.

A learner who passes the exam gets a line such as::

    HBQ1,A12345,miyako,2026-11-22,staff,職員等,18,20,2027-04-15,5BDF3CD0

It is written by ``docs/assets/quiz.js`` and documented for the training tracker in
``docs/guide/completion-record.md``; :func:`parse_record` reads it back and rejects a line whose
checksum does not match (a typing error, or an edited score).

Format: ten comma-separated fields in this order — format version ``HBQ1``, staff number,
policy id, policy revision, role id, role name, right answers, questions, date of passing
(the browser's local date, ``YYYY-MM-DD``), checksum. A field holding ``,``, ``"``, CR or LF is
quoted as in RFC 4180 (``"``, with ``"`` doubled). The checksum is CRC-32 (ISO-HDLC, as
``zlib.crc32``) of the UTF-8 bytes of the first nine fields written that way and joined with
``,``, as eight upper-case hexadecimal digits.
"""

from __future__ import annotations

import csv
import datetime
import re
import zlib
from dataclasses import dataclass

FORMAT = "HBQ1"
"""First field of every record; a new layout gets a new version."""

STAFF_NUMBER = re.compile(r"^[0-9A-Z]{3,16}$")
"""Staff numbers: 3 to 16 ASCII digits or upper-case letters (the quiz converts full-width input)."""

FIELDS = ("format", "staff_number", "policy", "revision", "role", "role_name", "correct", "total", "date", "checksum")
"""Field order of a record."""


class RecordError(ValueError):
    """A line that is not a valid completion record; the message says why, in Japanese."""


@dataclass(frozen=True)
class CompletionRecord:
    """One passed exam, as the learner downloaded or copied it."""

    staff_number: str
    """The staff number the learner entered."""
    policy: str
    """Policy id (``nabari``, ``miyako``, ``moriyama``)."""
    revision: str
    """Revision of the policy content the exam was drawn from (``YYYY-MM-DD``)."""
    role: str
    """Local role id the exam was for."""
    role_name: str
    """The role's name as the policy writes it."""
    correct: int
    """Right answers."""
    total: int
    """Questions in the exam."""
    date: datetime.date
    """The day the exam was passed, in the learner's local time."""

    @property
    def score(self) -> float:
        """Share of right answers, 0–1."""
        return self.correct / self.total

    def fields(self) -> list[str]:
        """The first nine fields, as text, in record order."""
        return [FORMAT, self.staff_number, self.policy, self.revision, self.role, self.role_name,
                str(self.correct), str(self.total), self.date.isoformat()]

    def line(self) -> str:
        """The record as one line, checksum last."""
        body = join_fields(self.fields())
        return f"{body},{checksum(body)}"


def quote(field: str) -> str:
    """A field as written in a record: quoted (RFC 4180) only when it holds , " CR or LF."""
    if any(c in field for c in ',"\r\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def join_fields(fields: list[str]) -> str:
    return ",".join(quote(f) for f in fields)


def checksum(body: str) -> str:
    """CRC-32 of the UTF-8 bytes of ``body`` as eight upper-case hexadecimal digits."""
    return f"{zlib.crc32(body.encode('utf-8')):08X}"


def parse_record(line: str) -> CompletionRecord:
    """Read one record; raise :class:`RecordError` when it is malformed or the checksum differs."""
    line = line.strip().lstrip("\ufeff")
    try:
        rows = list(csv.reader([line], strict=True))
    except csv.Error as err:
        raise RecordError(f"修了記録の区切りが正しくありません（{err}）。") from err
    values = rows[0] if rows else []
    if len(values) != len(FIELDS):
        raise RecordError(f"修了記録の項目が{len(values)}個です（{len(FIELDS)}個必要です）。")
    if values[0] != FORMAT:
        raise RecordError(f"修了記録の形式「{values[0]}」は読めません（{FORMAT} のみ）。")
    expected = checksum(join_fields(values[:-1]))
    if values[-1].upper() != expected:
        raise RecordError(f"修了記録の検査値「{values[-1]}」が内容と一致しません（計算値 {expected}）。"
                          "書き写しの誤りか、記録が書き換えられています。")
    _, staff, policy, revision, role, role_name, correct, total, day, _ = values
    if not STAFF_NUMBER.match(staff):
        raise RecordError(f"職員番号「{staff}」の形式が正しくありません（半角英大文字・数字3〜16桁）。")
    if not (correct.isdigit() and total.isdigit() and 0 < int(total) and int(correct) <= int(total)):
        raise RecordError(f"得点「{correct}/{total}」が正しくありません。")
    try:
        date = datetime.date.fromisoformat(day)
        datetime.date.fromisoformat(revision)
    except ValueError as err:
        raise RecordError(f"日付「{day}」または版「{revision}」が YYYY-MM-DD の形ではありません。") from err
    return CompletionRecord(staff, policy, revision, role, role_name, int(correct), int(total), date)
