"""Quiz questions generated from the obligations' structured fields, right by construction.

Every answer is taken from a field the loader has already checked against the verbatim text
(``actors``, ``approver``, ``report_to``, ``deadline``, ``frequency``, ``modality``), and every
distractor is a real value of the same policy that is known to be wrong for this obligation:

- ``actor``: who must do this. Distractors are roles the rule does not bind (:func:`bound_roles`:
  not the actors, not their members such as a section head or ＣＳＩＲＴ made of 職員等, not a
  role held by the same person as one of those). No question whose answer is the all-staff role:
  in an all-staff pool 「職員等」 would be right every time. (The exam draw also leaves out any
  question whose ``answer_roles`` the test-taker holds; an actor question is only ever in the
  pools of its actors, so it is for practice.)
- ``approver`` / ``report_to``: whose approval is needed, to whom one reports. When the text
  names two roles, the answer is the pair and every choice is a pair, each role offered twice.
- ``deadline`` / ``frequency``: by when, how often. Values are grouped by meaning (直ちに, 速やかに,
  事前に …); distractors are short generic values of other groups only.
- ``permission``: which statement is the rule (may I, with whose approval, by when): the verbatim sentence and the same sentence with
  one substance changed (the approver, the role to report to, the deadline), never the ending.
- ``cloze``: the verbatim text with a role's name hidden (never the subject 職員等).

An obligation yields no question where it would be ambiguous, trivial or out of date: fewer than
two distractors; the answer or a synonym in the question (:func:`giveaway`); a text that is a
fragment without its context (「また、」「ただし、」…); a text that cites a law since replaced
(:data:`SUPERSEDED_LAWS`); an item of a list of laws. Ids are ``<obligation id>.<kind>``:
stable, and never equal to an authored question id (those have a single dot). Choices are
ordered by a hash of the question id, so the same content always gives the same bank; the
browser shuffles them again for each exam attempt.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
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
    "permission": "正しい定めはどれか",
    "cloze": "穴埋め",
}
"""Question kinds in the order statistics list them, with their Japanese names."""

APPLIED_KINDS = frozenset({"scenario", "approver", "report_to", "deadline", "frequency", "permission"})
"""Kinds that ask what to do in a situation (whose approval, whom to tell, by when, which rule
holds) rather than recall a name: an exam draws at least :data:`EXAM_MIN_APPLIED` of them."""

EXAM_MIN_APPLIED = 0.6
"""Least share of an exam drawn from :data:`APPLIED_KINDS` (scenario questions count)."""

EXAM_MAX_KIND_SHARE = 0.25
"""Most share of an exam any one generated kind may take (authored scenarios are not capped)."""

BLANK = "＿＿＿"
"""What stands in the verbatim text for the hidden words of a cloze."""

MAX_DISTRACTORS = 3
"""At most four choices; at least two distractors are required (three choices)."""

NON_AUTHORITY_ROLES = frozenset({"all-staff", "fixed-term-staff", "contractor"})
"""Canonical roles never offered as someone who approves or receives reports: absurd choices
anyone can rule out."""

DEADLINE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("immediate", ("直ちに", "ただちに")),
    ("prompt", ("速やか", "すみやか", "早急", "遅滞なく")),
    ("before", ("事前", "あらかじめ", "前に", "前まで")),
    ("after", ("後",)),
)
"""Deadline meanings by the words that express them; a value may belong to several. Values
meaning "after" something (「開発完了後」) name their own event and are never distractors."""

FREQUENCY_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("always", ("常に", "常時", "24時間")),
    ("periodic", ("定期", "毎年", "年度", "毎月", "毎週", "毎日")),
    ("as-needed", ("適時", "適宜", "必要に応じ", "随時")),
)
"""Frequency meanings by the words that express them; a value may belong to several."""

MAX_VALUE_LENGTH = 6
"""Longest deadline or frequency value asked or offered: longer ones (「開発完了後」「3月前まで」)
belong to one context and read as nonsense next to another."""

GENERIC_VALUE = re.compile(r"する|した|の|.{6,}")
"""A value that names its own event (「接続する前に」「報告の前に」) or is long: never a distractor elsewhere."""

PERIOD = re.compile(r"\d+(日|週間|月|か月|箇月|年|時間)")
"""A period written in figures (「15日前まで」「3月」): gives a deadline away in a question."""

FRAGMENT_STARTS = ("また", "この場合", "ただし", "なお", "この際", "その際", "前項", "前号", "当該")
"""Openings of a sentence that leans on the one before: shown alone it has no context."""

SUPERSEDED_LAWS: tuple[str, ...] = (
    "昭和63年法律第95号",
    "名張市個人情報保護条例",
    "守山市個人情報保護条例",
)
"""Laws the policies cite that have since been replaced (the 2021 reform of the Act on the
Protection of Personal Information, in force for municipalities from 2023, repealed the 1988 act
and the municipal ordinances). Obligations whose text names one yield no question or card that
would drill them as current. Compared after :func:`~generator.sources.fold`."""

LAW_ITEM = re.compile(r"(法律?|条例|規則|規程)\s*[（(][^）)]*[）)]?$")
"""An item of a list of laws (「著作権法(昭和45年法律第48号)」): not something to drill one by one."""


@dataclass(frozen=True)
class GeneratedQuestion(Question):
    """A question generated from one obligation (not written in YAML)."""

    kind: str = "actor"
    """One of the keys of ``KIND_LABELS`` except ``scenario``."""
    basis: str = ""
    """The words of the obligation's text (or lead-in) the answer rests on: checked to be there."""
    answer_roles: tuple[str, ...] = ()
    """Local role ids the answer names (who must, whose approval, whom to tell, the role hidden
    in a cloze). An exam never asks it of someone who holds one of them: 「my own role」 would
    always be right."""
    obligation: Obligation | None = field(default=None, compare=False, repr=False)
    """The obligation the question was generated from."""


def kind_of(question: Question) -> str:
    """``scenario`` for an authored question, otherwise the generated question's kind."""
    return question.kind if isinstance(question, GeneratedQuestion) else "scenario"


def answer_roles(question: Question) -> tuple[str, ...]:
    """The role ids a question's answer names: none for an authored question."""
    return question.answer_roles if isinstance(question, GeneratedQuestion) else ()


def cites_superseded_law(o: Obligation) -> bool:
    """Whether the obligation's wording names a law listed in :data:`SUPERSEDED_LAWS`."""
    wording = fold(o.lead_in + o.text)
    return any(fold(law) in wording for law in SUPERSEDED_LAWS)


def is_law_item(o: Obligation) -> bool:
    """Whether the obligation is one item of a list of laws to comply with."""
    return bool(o.lead_in) and not o.text.rstrip().endswith("。") and bool(LAW_ITEM.search(o.text.strip()))


def is_fragment(text: str) -> bool:
    """Whether a sentence cannot stand alone: it opens with a word pointing at the sentence before,
    or it is cut off at a comma."""
    text = text.strip()
    return text.startswith(FRAGMENT_STARTS) or text.endswith(("、", "，"))


def askable(o: Obligation) -> bool:
    """Whether questions and cards may be made from the obligation at all."""
    return not o.retired and not cites_superseded_law(o) and not is_law_item(o)


def bound_roles(policy: Policy, actors: Iterable[str]) -> set[str]:
    """Local role ids a rule for ``actors`` binds, so none is a wrong answer to "who must": the
    actors, every role that follows their rules as a member (a manager, ＣＳＩＲＴ made of 職員等),
    and every role held by the same person as one of those (委員長 = 副市長 = ＣＩＳＯ)."""
    actors = set(actors)
    bound = {r.id for r in policy.roles if r.id in actors or {m.id for m in memberships(policy, r)} & actors}
    return bound | {r.id for r in policy.roles if any(_same_holder(r, policy.role(b)) for b in bound)}


def all_staff_names(policy: Policy) -> set[str]:
    """Every name of the policy's all-staff roles (職員, 職員等 and their aliases)."""
    return {n for r in policy.roles if r.canonical == "all-staff" for n in _names(r)}


def synonyms(policy: Policy, q: GeneratedQuestion) -> set[str]:
    """The words that would give a generated question's answer away if the question showed them:
    the answer, every name of an answer role, every word of the answer's deadline or frequency
    group, and any period in figures."""
    answer = q.choices[q.answer]
    if q.kind in ("deadline", "frequency"):
        groups = DEADLINE_GROUPS if q.kind == "deadline" else FREQUENCY_GROUPS
        return {answer} | {w for _, words in groups for w in words}
    if q.kind in ("actor", "approver", "report_to", "cloze"):
        names = {r.id: _names(r) for r in policy.roles}
        return {answer} | {n for r in policy.roles if r.name in _split_pair(answer) for n in names[r.id]}
    return set()


def giveaway(policy: Policy, q: GeneratedQuestion) -> bool:
    """Whether the question's text shows its answer or a synonym of it (the no-giveaway rule)."""
    stem = fold(q.question)
    words = synonyms(policy, q)
    return any(fold(w) in stem for w in words if w) or (q.kind == "deadline" and bool(PERIOD.search(stem)))


@functools.lru_cache(maxsize=8)
def generate(policy: Policy) -> tuple[GeneratedQuestion, ...]:
    """Every generated question of a policy, in source order, each text once (computed once per
    policy: pages, decks and the quiz all ask)."""
    seen: set[tuple[str, str]] = set()
    result = []
    for o in sorted(policy.live_obligations, key=lambda o: o.source_line):
        if not askable(o):
            continue
        for q in _Generator(policy, o).questions():
            key = (q.kind, text_key(q))
            if key not in seen and not giveaway(policy, q):
                seen.add(key)
                result.append(q)
    return tuple(result)


def check(generated: Iterable[GeneratedQuestion], authored: Iterable[Question]) -> list[Problem]:
    """Problems of generated questions, at the obligation's line: an answer the text does not
    bear out, an id or a question text that is already taken."""
    problems = []
    texts = {text_key(q): q.id for q in authored}
    ids: set[str] = set()
    for q in generated:
        o = q.obligation
        where = (o.location.path, o.location.line)
        if squeeze(q.basis) not in squeeze(o.lead_in + o.text) or not q.basis:
            problems.append(Problem(*where, f"生成した問題「{q.id}」の答え「{q.choices[q.answer]}」の根拠「{q.basis}」が義務「{o.id}」の text（または lead_in）にありません。"))
        if q.id in ids:
            problems.append(Problem(*where, f"生成した問題の id「{q.id}」が重複しています。"))
        ids.add(q.id)
        key = text_key(q)
        if key in texts:
            problems.append(Problem(*where, f"生成した問題「{q.id}」は問題「{texts[key]}」と同じ問題文です。"))
        texts.setdefault(key, q.id)
    return problems


def text_key(q: Question) -> str:
    """What makes two questions the same: the question text, and for a which-statement question
    (whose question text is always the same) the right statement too."""
    key = squeeze(q.question)
    return key + squeeze(q.choices[q.answer]) if kind_of(q) == "permission" else key


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

PAIR_WORDS = ("及び", "又は")
"""Join the two roles of a pair answer as the text joins them: 「情報セキュリティ管理者及び
情報システム管理者」 when both must act, 「…又は…」 when either may; 及び when the text says neither."""


def _hash(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode()).digest()


def _split_pair(choice: str) -> list[str]:
    return re.split("|".join(PAIR_WORDS), choice)


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
            yield from self.role_question("approver", o.approver, "次のことについて、承認または許可をするのはどの役割ですか。",
                                          "次のことについて、承認または許可をする役割の組合せはどれですか。")
        if o.report_to:
            yield from self.role_question("report_to", o.report_to, "次の定めで、報告・連絡をする相手はどの役割ですか。",
                                          "次の定めで、報告・連絡をする相手の組合せはどれですか。")
        if o.deadline:
            yield from self.value_question("deadline", o.deadline, DEADLINE_GROUPS, "次のことは、いつ行うと定められていますか。")
        if o.frequency:
            yield from self.value_question("frequency", o.frequency, FREQUENCY_GROUPS,
                                           "次のことは、どのくらいの頻度（時期）で行うと定められていますか。")
        yield from self.permission()
        yield from self.actor()

    # --- building blocks

    def make(self, kind: str, question: str, answer: str, distractors: Iterable[str], basis: str,
             roles: Iterable[LocalRole] = ()) -> GeneratedQuestion:
        o = self.o
        qid = f"{o.id}.{kind}"
        choices = sorted([answer, *distractors], key=lambda c: _hash(qid, c))
        explanation = f"{self.policy.municipality}の規程 {o.clause} に「{o.lead_in}{o.text}」と定められています。"
        return GeneratedQuestion(
            id=qid, question=question, choices=tuple(choices), answer=choices.index(answer),
            explanation=explanation, cites=(o.id,), roles=o.actors, policy=self.policy.id,
            location=o.location, kind=kind, basis=basis, answer_roles=tuple(r.id for r in roles), obligation=o,
        )

    def pick(self, kind: str, answer: str, candidates: Iterable[str]) -> list[str]:
        """Three distractors (two when only two candidates exist) close in length to the answer:
        as many longer than the answer as a hash of the question id says, the others shorter.
        None when the candidates cannot place the answer there: the answer's rank by length is
        then chance, so neither the longest nor the shortest choice is a cue."""
        qid = f"{self.o.id}.{kind}"
        unique = sorted(set(candidates) - {answer}, key=lambda c: (abs(len(c) - len(answer)), _hash(qid, c)))
        size = min(MAX_DISTRACTORS, len(unique))
        longer = [c for c in unique if len(c) > len(answer)]
        shorter = [c for c in unique if len(c) < len(answer)]
        wanted = _hash(qid, "longer")[0] % (size + 1)
        if len(longer) < wanted or len(shorter) < size - wanted:
            return []
        return longer[:wanted] + shorter[:size - wanted]

    def one_per_meaning(self, kind: str, answer: str, members: list[list[str]]) -> list[str]:
        """One value of each other meaning (at most three), chosen so that as many are longer than
        the answer as a hash of the question id says and the others shorter, as :meth:`pick`
        does; none when no choice of values can."""
        qid = f"{self.o.id}.{kind}"
        members = sorted(members, key=lambda values: _hash(qid, *values))[:MAX_DISTRACTORS]
        wanted = _hash(qid, "longer")[0] % (len(members) + 1)
        fitting = [combo for combo in itertools.product(*members)
                   if sum(len(c) > len(answer) for c in combo) == wanted and all(len(c) != len(answer) for c in combo)]
        return list(min(fitting, key=lambda combo: _hash(qid, *combo))) if fitting else []

    def named(self, role: LocalRole) -> str:
        """The first of the role's names that the wording uses, or ''."""
        return next((n for n in _names(role) if squeeze(n) in self.wording), "")

    def in_summary(self, words: Iterable[str]) -> bool:
        return any(fold(w) in fold(self.summary) for w in words if w)

    def authorities(self, excluded: set[str]) -> list[LocalRole]:
        """Roles that could plausibly approve or receive a report, minus ``excluded`` (the right
        answers, the actors) and anyone held by the same person as an excluded role."""
        return [r for r in self.policy.roles
                if r.canonical not in NON_AUTHORITY_ROLES and r.id not in excluded
                and not any(_same_holder(r, self.policy.role(e)) for e in excluded)]

    def role_question(self, kind: str, answers: tuple[str, ...], prompt: str, pair_prompt: str):
        roles = [self.policy.role(r) for r in answers]
        if len(roles) > 2 or not all(self.named(r) for r in roles):
            return
        if self.in_summary(n for r in roles for n in _names(r)):
            yield from self.cloze(roles[0])
            return
        others = [r.name for r in self.authorities(set(answers) | set(self.o.actors))]
        if len(roles) == 1:
            distractors = self.pick(kind, roles[0].name, others)
            if len(distractors) >= 2:
                yield self.make(kind, f"{prompt}\n「{self.o.summary}」", roles[0].name, distractors, self.named(roles[0]),
                                roles)
            return
        # A pair: {A,B} against {A,C}, {C,D}, {D,B}: every role is offered twice, so counting
        # how often a role appears among the choices does not point at the answer.
        a, b = (r.name for r in roles)
        join = next((w for w in PAIR_WORDS if any(squeeze(x + w + y) in self.wording for x, y in
                                                  ((self.named(roles[0]), self.named(roles[1])),
                                                   (self.named(roles[1]), self.named(roles[0]))))), PAIR_WORDS[0])
        wrong = sorted(set(others) - {a, b}, key=lambda c: (abs(len(c) - len(a)), _hash(self.o.id, kind, c)))[:2]
        if len(wrong) < 2:
            return
        c, d = wrong
        distractors = [a + join + c, c + join + d, d + join + b]
        yield self.make(kind, f"{pair_prompt}\n「{self.o.summary}」", a + join + b, distractors, self.named(roles[0]),
                        roles)

    def value_question(self, kind: str, value: str, groups, prompt: str):
        meaning = _groups(value, groups)
        if not meaning or len(value) > MAX_VALUE_LENGTH:
            return
        members: dict[str, list[str]] = {}  # other meanings: the policy's short values for each
        for candidate in sorted({getattr(o, kind) for o in self.policy.live_obligations if getattr(o, kind)}):
            g = _groups(candidate, groups)
            if len(g) == 1 and not g & meaning and not GENERIC_VALUE.search(candidate) and "after" not in g:
                members.setdefault(next(iter(g)), []).append(candidate)
        distractors = self.one_per_meaning(kind, value, list(members.values()))
        # 「速やかに報告する」 is asked as 「報告する」; a value that is no adverb stays (and gives away)
        summary = self.o.summary.replace(value, "") if value.endswith("に") else self.o.summary
        if len(distractors) >= 2:
            yield self.make(kind, f"{prompt}\n「{summary}」", value, distractors, value)

    def cloze(self, role: LocalRole):
        """The text (with the lead-in when the name is there) with the role's name blanked out;
        skipped for the all-staff role, for a fragment, and when the name is also part of a longer
        name in the text or the role is named another way too."""
        o = self.o
        hidden = self.named(role)
        if self.cloze_done or role.canonical == "all-staff" or not hidden:
            return
        shown = o.text if hidden in o.text else f"{o.lead_in}{o.text}"
        if hidden not in shown or is_fragment(o.text):
            return
        names = {n for r in self.policy.roles for n in _names(r)}
        if any(hidden in n and n != hidden and n in shown for n in names):
            return
        if any(n != hidden and n not in hidden and n in shown.replace(hidden, "") for n in _names(role)):
            return
        if role.id in o.actors:  # the subject: any role the rule does not bind
            bound = bound_roles(self.policy, o.actors)
            others = [r for r in self.policy.roles if r.id not in bound]
        else:  # whose approval, whom to tell: another authority, not the actor
            others = self.authorities(bound_roles(self.policy, [role.id]) | set(o.actors) | set(o.approver) | set(o.report_to))
        # each wrong role under the name nearest in length to the hidden one (ＣＩＳＯ against ＣＳＩＲＴ)
        others = [self.named(r) or min((r.name, *r.aliases), key=lambda n: (abs(len(n) - len(hidden)), n))
                  for r in others if r.canonical != "all-staff"]
        distractors = self.pick("cloze", hidden, (c for c in others if hidden not in c and c not in hidden))
        if len(distractors) >= 2:
            self.cloze_done = True
            yield self.make("cloze", f"次の規定の空欄（{BLANK}）に入る語句はどれですか。\n「{shown.replace(hidden, BLANK)}」",
                            hidden, distractors, hidden, [role])

    def permission(self):
        """Which statement is the rule: the verbatim text against texts with one substance
        changed (an approver, a role to report to, a deadline). The ending never changes."""
        o = self.o
        if is_fragment(o.text) or not o.text.endswith("。"):
            return
        swaps: list[tuple[str, list[str]]] = []
        for role_ids in (o.approver, o.report_to):
            for rid in role_ids:
                name = self.named(self.policy.role(rid))
                if name and name in o.text:
                    others = self.authorities(set(role_ids) | set(o.actors))
                    swaps.append((name, self.pick("permission", name, (r.name for r in others))))
        if o.deadline and o.deadline in o.text and len(o.deadline) <= MAX_VALUE_LENGTH:
            meaning = _groups(o.deadline, DEADLINE_GROUPS)
            swaps.append((o.deadline, [w for w in ("直ちに", "速やかに", "事前に") if not _groups(w, DEADLINE_GROUPS) & meaning]))
        variants = []
        for words, replacements in swaps:
            variants += [o.text.replace(words, r, 1) for r in replacements]
        variants = self.pick("permission", o.text, (v for v in variants if v != o.text))
        if len(variants) >= 2:
            yield self.make("permission", "次のうち、規程の定めとして正しいものはどれですか。", o.text, variants, o.text)

    def actor(self):
        """Who must do this, unless the answer is the all-staff role."""
        o = self.o
        roles = [self.policy.role(r) for r in o.actors]
        role = next((r for r in roles if self.named(r)), None)
        if role is None or role.canonical == "all-staff":
            return
        if self.in_summary(_names(role)):
            yield from self.cloze(role)
            return
        bound = bound_roles(self.policy, o.actors)
        others = [r.name for r in self.policy.roles if r.id not in bound]
        prompt = ("次の定めの対象となる役割を、選択肢から1つ選んでください。" if len(o.actors) > 1
                  else "次の定めの対象となる役割はどれですか。")
        distractors = self.pick("actor", role.name, others)
        if len(distractors) >= 2:
            yield self.make("actor", f"{prompt}\n「{o.summary}」", role.name, distractors, self.named(role), [role])
