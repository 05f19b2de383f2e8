"""Question banks kept per published revision, and re-grading an exam record against one.

The build writes ``dist/<policy>/bank-<revision>.json`` (:func:`bank_json`); trainers keep those
files (``training/banks/`` by default) so that a record of an older revision is graded against the
questions it was drawn from. The current revision's bank is always computed from the content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..completion import CompletionRecord, RecordError
from ..errors import HandbookError, Problem, Problems, display_path
from ..model import Content, Policy
from ..questions import bank
from ..views import memberships

BANK_FORMAT = "handbook-bank/1"
"""``format`` of every bank file."""


@dataclass(frozen=True)
class BankQuestion:
    """What grading needs of one question."""

    id: str
    """Question id, as in the record."""
    answer: int
    """0-based index of the right choice."""
    choices: int
    """Number of choices."""
    roles: tuple[str, ...]
    """Local role ids the question is for; empty means everyone."""


@dataclass(frozen=True)
class ExamBank:
    """The questions of one revision of one policy."""

    policy: str
    """Policy id."""
    municipality: str
    """Municipality name."""
    revision: str
    """Content revision, ``YYYY-MM-DD``."""
    roles: tuple[tuple[str, str, tuple[str, ...]], ...]
    """Each local role: id, name, and the role ids whose questions its exam draws from (itself first)."""
    questions: tuple[BankQuestion, ...]
    """Every question, in bank order."""

    def role_name(self, role: str) -> str | None:
        return next((name for rid, name, _ in self.roles if rid == role), None)

    def pool(self, role: str) -> tuple[BankQuestion, ...]:
        """The questions an exam for ``role`` draws from."""
        covers = set(next((c for rid, _, c in self.roles if rid == role), ()))
        return tuple(q for q in self.questions if not q.roles or covers & set(q.roles))


def exam_bank(content: Content, policy: Policy) -> ExamBank:
    """The bank of the policy's current revision."""
    return ExamBank(
        policy.id, policy.municipality, policy.revision,
        tuple((r.id, r.name, (r.id, *(m.id for m in memberships(policy, r)))) for r in policy.roles),
        tuple(BankQuestion(q.id, q.answer, len(q.choices), tuple(q.roles)) for q in bank(content, policy)))


def bank_data(b: ExamBank) -> dict:
    """A bank as plain JSON data (also embedded in the trainer's check page)."""
    return {
        "format": BANK_FORMAT, "policy": b.policy, "municipality": b.municipality, "revision": b.revision,
        "roles": [{"id": rid, "name": name, "covers": list(covers)} for rid, name, covers in b.roles],
        "questions": [{"id": q.id, "answer": q.answer, "choices": q.choices, "roles": list(q.roles)}
                      for q in b.questions],
    }


def bank_json(content: Content, policy: Policy) -> bytes:
    """``dist/<policy>/bank-<revision>.json``: the current revision's bank, deterministic bytes."""
    text = json.dumps(bank_data(exam_bank(content, policy)), ensure_ascii=False, sort_keys=True, indent=1)
    return (text + "\n").encode("utf-8")


def read_bank(path: Path) -> ExamBank:
    """A bank file written by :func:`bank_json`; a Japanese error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != BANK_FORMAT:
            raise ValueError
        return ExamBank(
            data["policy"], data["municipality"], data["revision"],
            tuple((r["id"], r["name"], tuple(r["covers"])) for r in data["roles"]),
            tuple(BankQuestion(q["id"], int(q["answer"]), int(q["choices"]), tuple(q["roles"]))
                  for q in data["questions"]))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise HandbookError(Problem(display_path(path), 0, f"問題集のファイル（{BANK_FORMAT}）として読めません。")) from None


class Banks:
    """Every known bank by (policy, revision): the current content's and those kept in a folder."""

    def __init__(self, banks: Iterable[ExamBank]):
        self._banks = {(b.policy, b.revision): b for b in banks}
        self._pools: dict[tuple[str, str, str], dict[str, BankQuestion]] = {}

    @classmethod
    def load(cls, content: Content, folder: Path | None) -> Banks:
        """The banks of ``folder`` (``bank-*.json`` at any depth), then the current ones."""
        kept = []
        if folder is not None and folder.is_dir():
            problems = Problems()
            for path in sorted(folder.rglob("bank-*.json")):
                try:
                    kept.append(read_bank(path))
                except HandbookError as err:
                    problems.extend(err.problems)
            problems.raise_if_any()
        return cls([*kept, *(exam_bank(content, p) for p in content.policies)])

    def get(self, policy: str, revision: str) -> ExamBank | None:
        return self._banks.get((policy, revision))

    def pool(self, b: ExamBank, role: str) -> dict[str, BankQuestion]:
        """The role's questions of bank ``b`` by id, computed once."""
        key = (b.policy, b.revision, role)
        if key not in self._pools:
            self._pools[key] = {q.id: q for q in b.pool(role)}
        return self._pools[key]


def regrade(record: CompletionRecord, banks: Banks, min_questions: int) -> int:
    """Grade the record's answers against its revision's bank and return the right answers.

    Raise :class:`RecordError` when the bank is unknown, a question is not one of the role's, an
    answer is not a choice, the exam is shorter than ``min_questions`` (or the whole pool when it
    is smaller), or the score in the record differs from the grading."""
    b = banks.get(record.policy, record.revision)
    if b is None:
        raise RecordError(f"規程「{record.policy}」の版 {record.revision} の問題集がありません"
                          f"（bank-{record.revision}.json を問題集のフォルダに置いてください）。")
    if b.role_name(record.role) is None:
        raise RecordError(f"役割「{record.role}」は{b.municipality}の {record.revision} 版にありません。")
    pool = banks.pool(b, record.role)
    foreign = [qid for qid, _ in record.answers if qid not in pool]
    if foreign:
        raise RecordError(f"問題「{foreign[0]}」はこの版の「{b.role_name(record.role)}」の試験の問題ではありません"
                          f"（{len(foreign)} 問）。")
    invalid = [qid for qid, a in record.answers if a is not None and a >= pool[qid].choices]
    if invalid:
        raise RecordError(f"問題「{invalid[0]}」の回答が選択肢の番号の範囲外です。")
    needed = min(min_questions, len(pool))
    if record.total < needed:
        raise RecordError(f"問題数 {record.total} が試験の問題数 {needed} より少なくなっています。")
    correct = sum(1 for qid, a in record.answers if a == pool[qid].answer)
    if correct != record.correct:
        raise RecordError(f"記録の正解数 {record.correct} が、回答を採点し直した結果 {correct} と一致しません"
                          "（記録が書き換えられています）。")
    return correct


def exam_title(municipality: str, role_name: str) -> str:
    """The exam's title: the SCORM package's title, and the activity name an LMS export shows."""
    return f"情報セキュリティ研修 {municipality} {role_name}"
