"""Quiz questions generated from the obligations' structured fields, right by construction.

Every answer is taken from a field the loader has already checked against the verbatim text
(``actors``, ``approver``, ``report_to``, ``deadline``, ``frequency``, ``modality``), and every
distractor is a real value of the same policy that is known to be wrong for this obligation:

- ``actor``: who must do this. Distractors are roles that are not actors and do not inherit the
  duty through ``member_of`` (a section head is also 職員等, so it is never a wrong answer to a
  rule for 職員等), nor held by the same person as the answer (充て職).
- ``approver`` / ``report_to``: whose approval is needed, to whom one reports. Distractors are
  roles that are not approvers (receivers) of this obligation.
- ``deadline`` / ``frequency``: by when, how often. Values are grouped by meaning (直ちに, 速やかに,
  事前に …); distractors come from other groups only, so 「すみやかに」 is never offered as a
  wrong answer to 「速やかに」.
- ``permission``: may I / may I not, true or false: the verbatim sentence, or the same sentence
  with its ending turned into the opposite (「…してはならない。」 → 「…してもよい。」).
- ``cloze``: the verbatim text with a role name, a deadline or a frequency hidden; used instead of
  a question on the summary when the summary itself would give the answer away.

An obligation yields no question of a kind where it would be ambiguous or trivial: no two
distractors, the answer written in the summary (then a cloze), the same question text as an
earlier obligation's. Ids are ``<obligation id>.<kind>``: stable, and never equal to an authored
question id (those have a single dot). Choices are ordered by a hash of the question id, so the
same content always gives the same bank.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import Problem
from .model import Content, LocalRole, Obligation, Policy, Question
from .sources import fold, squeeze
from .views import memberships

KIND_LABELS: dict[str, str] = {
    "scenario": "場面（作成問題）",
    "actor": "誰が行うか",
    "approver": "誰の承認・許可か",
    "report_to": "誰に報告するか",
    "deadline": "いつまでに",
    "frequency": "どのくらいの頻度で",
    "permission": "してよいか（正誤）",
    "cloze": "穴埋め",
}
"""Question kinds in the order statistics list them, with their Japanese names."""

BLANK = "＿＿＿"
"""What stands in the verbatim text for the hidden words of a cloze."""

TRUE_FALSE = ("正しい", "誤り")
"""The two choices of a true-or-false question, in this order."""

MAX_DISTRACTORS = 3
"""At most four choices; at least two distractors are required (three choices)."""

DEADLINE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("immediate", ("直ちに", "ただちに")),
    ("prompt", ("速やか", "すみやか", "早急", "遅滞なく")),
    ("before", ("事前", "あらかじめ", "前に", "前まで")),
    ("after", ("後",)),
)
"""Deadline meanings by the words that express them; a value may belong to several."""

FREQUENCY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("always", ("常に", "常時", "24時間")),
    ("periodic", ("定期", "毎年", "年度", "毎月", "毎週", "毎日")),
    ("as-needed", ("適時", "適宜", "必要に応じ", "随時")),
)
"""Frequency meanings by the words that express them; a value may belong to several."""

PERMISSION_ENDINGS: tuple[tuple[str, re.Pattern, str], ...] = (
    ("must_not", re.compile(r"([てで])はならない。$"), r"\1もよい。"),
    ("may", re.compile(r"ことができる。$"), "ことはできない。"),
)
"""Sentence endings a may-I question is built from, and how the false statement ends instead."""


@dataclass(frozen=True)
class GeneratedQuestion(Question):
    """A question generated from one obligation (not written in YAML)."""

    kind: str = "actor"
    """One of the keys of ``KIND_LABELS`` except ``scenario``."""
    basis: str = ""
    """The words of the obligation's text (or lead-in) the answer rests on: checked to be there."""
    obligation: Obligation | None = field(default=None, compare=False, repr=False)
    """The obligation the question was generated from."""


def kind_of(question: Question) -> str:
    """``scenario`` for an authored question, otherwise the generated question's kind."""
    return question.kind if isinstance(question, GeneratedQuestion) else "scenario"


def generate(policy: Policy) -> list[GeneratedQuestion]:
    """Every generated question of a policy, in source order, each text once."""
    seen: set[tuple[str, str]] = set()
    result = []
    for o in sorted(policy.live_obligations, key=lambda o: o.source_line):
        for q in _Generator(policy, o).questions():
            key = (q.kind, squeeze(q.question))
            if key not in seen:
                seen.add(key)
                result.append(q)
    return result


def check(generated: Iterable[GeneratedQuestion], authored: Iterable[Question]) -> list[Problem]:
    """Problems of generated questions, at the obligation's line: an answer the text does not
    bear out, an id or a question text that is already taken."""
    problems = []
    texts = {squeeze(q.question): q.id for q in authored}
    ids: set[str] = set()
    for q in generated:
        o = q.obligation
        where = (o.location.path, o.location.line)
        if squeeze(q.basis) not in squeeze(o.lead_in + o.text) or not q.basis:
            problems.append(Problem(*where, f"生成した問題「{q.id}」の答え「{q.choices[q.answer]}」の根拠「{q.basis}」が義務「{o.id}」の text（または lead_in）にありません。"))
        if q.id in ids:
            problems.append(Problem(*where, f"生成した問題の id「{q.id}」が重複しています。"))
        ids.add(q.id)
        key = squeeze(q.question)
        if key in texts:
            problems.append(Problem(*where, f"生成した問題「{q.id}」は問題「{texts[key]}」と同じ問題文です。"))
        texts.setdefault(key, q.id)
    return problems


def bank(content: Content, policy: Policy) -> list[Question]:
    """All questions of a policy: authored ones first (file order), then generated ones."""
    return [q for q in content.questions if q.policy == policy.id] + list(generate(policy))


def pool(questions: Iterable[Question], policy: Policy, role: LocalRole) -> list[Question]:
    """A role's questions: its own, those of the roles it is a member of (職員等), and authored
    questions for everyone (no roles)."""
    wanted = {role.id} | {m.id for m in memberships(policy, role)}
    return [q for q in questions if not q.roles or wanted & set(q.roles)]


@dataclass(frozen=True)
class BankStats:
    """How many questions a policy's quiz has, by kind and by role (``handbook quiz stats``)."""

    policy: Policy
    by_kind: dict[str, int]
    """Questions of each kind, in the order of ``KIND_LABELS``; kinds without questions left out."""
    by_role: list[tuple[LocalRole, int]]
    """Size of each role's pool (its practice and exam questions), in the order of policy.yaml."""

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def stats(content: Content) -> list[BankStats]:
    result = []
    for policy in content.policies:
        questions = bank(content, policy)
        kinds = Counter(kind_of(q) for q in questions)
        result.append(BankStats(
            policy, {k: kinds[k] for k in KIND_LABELS if kinds[k]},
            [(role, len(pool(questions, policy, role))) for role in policy.roles],
        ))
    return result


# --- generation ------------------------------------------------------------------------------


def _hash(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _groups(value: str, groups: tuple[tuple[str, tuple[str, ...]], ...]) -> frozenset[str]:
    normal = fold(value)
    return frozenset(name for name, words in groups if any(w in normal for w in words))


def _same_holder(a: LocalRole, b: LocalRole) -> bool:
    """Whether one person may hold both roles (充て職): a wrong answer must not be the same person."""
    return bool(a.held_by and a.held_by == b.held_by) or a.held_by in _names(b) or b.held_by in _names(a)


def _names(role: LocalRole) -> list[str]:
    """The ways the text may name a role, longest first."""
    return sorted({n for n in (role.name, *role.aliases, role.held_by) if n}, key=len, reverse=True)


class _Generator:
    """The questions of one obligation."""

    def __init__(self, policy: Policy, o: Obligation):
        self.policy, self.o = policy, o
        self.wording = squeeze(o.lead_in + o.text)
        self.summary = squeeze(o.summary)
        self.cloze_done = False

    def questions(self) -> Iterable[GeneratedQuestion]:
        o = self.o
        if o.approver:
            yield from self.role_question("approver", o.approver, set(o.approver),
                                          "次のことについて、承認または許可をするのはどの役割ですか。")
        if o.report_to:
            yield from self.role_question("report_to", o.report_to, set(o.report_to),
                                          "次の定めで、報告・連絡をする相手はどの役割ですか。")
        if o.deadline:
            yield from self.value_question("deadline", o.deadline, DEADLINE_GROUPS, "次のことは、いつ行うと定められていますか。")
        if o.frequency:
            yield from self.value_question("frequency", o.frequency, FREQUENCY_GROUPS,
                                           "次のことは、どのくらいの頻度（時期）で行うと定められていますか。")
        yield from self.permission()
        not_distractors = set(o.actors) | {
            r.id for r in self.policy.roles if any(m.id in o.actors for m in memberships(self.policy, r))
        }
        prompt = ("次の定めの対象となる役割を、選択肢から1つ選んでください。" if len(o.actors) > 1
                  else "次の定めの対象となる役割はどれですか。")
        yield from self.role_question("actor", o.actors, not_distractors, prompt)

    # --- building blocks

    def make(self, kind: str, question: str, answer: str, distractors: Iterable[str], basis: str,
             fixed_order: tuple[str, ...] = ()) -> GeneratedQuestion:
        o = self.o
        qid = f"{o.id}.{kind}"
        choices = list(fixed_order) or sorted([answer, *distractors], key=lambda c: _hash(qid, c))
        quote = f"{o.lead_in}{o.text}"
        explanation = f"{self.policy.municipality}の規程 {o.clause} に「{quote}」と定められています。"
        return GeneratedQuestion(
            id=qid, question=question, choices=tuple(choices), answer=choices.index(answer),
            explanation=explanation, cites=(o.id,), roles=o.actors, policy=self.policy.id,
            location=o.location, kind=kind, basis=basis, obligation=o,
        )

    def pick(self, qid_kind: str, candidates: Iterable[str]) -> list[str]:
        unique = sorted(set(candidates))
        return sorted(unique, key=lambda c: _hash(f"{self.o.id}.{qid_kind}", c))[:MAX_DISTRACTORS]

    def named(self, role: LocalRole) -> str:
        """The first of the role's names that the wording uses, or ''."""
        return next((n for n in _names(role) if squeeze(n) in self.wording), "")

    def in_summary(self, words: Iterable[str]) -> bool:
        return any(squeeze(w) in self.summary for w in words if w)

    def role_question(self, kind: str, answers: tuple[str, ...], not_distractors: set[str], prompt: str):
        roles = [self.policy.role(r) for r in answers]
        role = next((r for r in roles if self.named(r)), None)
        if role is None:  # the text does not name any of them: nothing to build on
            return
        others = [r for r in self.policy.roles
                  if r.id not in not_distractors and not any(_same_holder(r, a) for a in roles)]
        if self.in_summary(_names(role)):
            yield from self.cloze(self.named(role), [self.named(r) or r.name for r in others], {
                n for r in self.policy.roles for n in _names(r)})
            return
        distractors = self.pick(kind, (r.name for r in others))
        if len(distractors) >= 2:
            yield self.make(kind, f"{prompt}\n「{self.o.summary}」", role.name, distractors, self.named(role))

    def value_question(self, kind: str, value: str, groups, prompt: str):
        meaning = _groups(value, groups)
        if not meaning:  # a value of no known meaning (a specific event): no sure distractors
            return
        counts = Counter(getattr(o, kind) for o in self.policy.live_obligations if getattr(o, kind))
        representatives = {}
        for candidate, _ in sorted(counts.items(), key=lambda item: (-item[1], len(item[0]), item[0])):
            g = _groups(candidate, groups)
            if len(g) == 1 and not g & meaning:
                representatives.setdefault(next(iter(g)), candidate)
        distractors = self.pick(kind, representatives.values())
        if len(distractors) < 2:
            return
        if squeeze(value) in self.summary:
            yield from self.cloze(value, distractors, set())
            return
        yield self.make(kind, f"{prompt}\n「{self.o.summary}」", value, distractors, value)

    def cloze(self, hidden: str, candidates: list[str], names: set[str]):
        """The text (with the lead-in when the words are there) with ``hidden`` blanked out
        everywhere; skipped when the words are also part of a longer name in the text."""
        o = self.o
        if self.cloze_done or not hidden:
            return
        longer = [n for n in names if hidden in n and n != hidden and squeeze(n) in self.wording]
        if longer:
            return
        distractors = self.pick("cloze", (c for c in candidates if c and c != hidden and hidden not in c and c not in hidden))
        if len(distractors) < 2:
            return
        shown = o.text if hidden in o.text else f"{o.lead_in}{o.text}"
        if hidden not in shown:  # the words are broken by white space: no clean blank
            return
        self.cloze_done = True
        yield self.make("cloze", f"次の規定の空欄（{BLANK}）に入る語句はどれですか。\n「{shown.replace(hidden, BLANK)}」",
                        hidden, distractors, hidden)

    def permission(self):
        o = self.o
        for modality, ending, opposite in PERMISSION_ENDINGS:
            if o.modality != modality or not ending.search(o.text):
                continue
            false_statement = ending.sub(opposite, o.text)
            shown_true = _hash(o.id, "permission")[0] % 2 == 0
            statement = o.text if shown_true else false_statement
            who = "、".join(self.policy.role(r).name for r in o.actors)
            answer = TRUE_FALSE[0] if shown_true else TRUE_FALSE[1]
            yield self.make("permission", f"{who}に関する次の記述は、規程の定めとして正しいですか。\n「{statement}」",
                            answer, (), o.text, fixed_order=TRUE_FALSE)
