"""The content model: typed, immutable records built from the YAML files.

Each field carries a docstring; the JSON Schema for editors (``handbook schema``) and the schema
reference in the editor's guide are generated from them, so this file is the one place the YAML
format is described.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DERIVED = {"derived": True}
"""Field metadata: the loader fills the field in; it is not written in YAML."""

DATE = {"format": "date"}
"""Field metadata: a string holding a real date written ``YYYY-MM-DD`` (JSON Schema format ``date``)."""

MAX_TEXT_LENGTH = 5000
"""The longest string any field may hold, in characters (the longest real one has about 600)."""
MAX_ESSENTIALS = 8
"""At most this many obligations under a role's 「まず守ること」: a handful, not a second list."""

Modality = Literal["must", "must_not", "may", "should", "shall"]
MODALITY_LABELS: dict[str, str] = {
    "must": "しなければならない",
    "must_not": "してはならない",
    "may": "することができる",
    "should": "努める",
    "shall": "ものとする",
}
"""How each modality reads in Japanese, for pages, checklists and cards."""

NotObligationReason = Literal[
    "definition", "appointment", "authority", "organisation", "purpose",
    "table", "legal_reference", "procedure", "duplicate", "supplementary",
]
REASON_LABELS: dict[str, str] = {
    "definition": "定義",
    "appointment": "任命・充て職",
    "authority": "権限・所掌の規定",
    "organisation": "組織の設置",
    "purpose": "目的・趣旨",
    "table": "分類表・一覧",
    "legal_reference": "法令等の参照",
    "procedure": "手続の定め（行為義務を含まない）",
    "duplicate": "他の条項の再掲",
    "supplementary": "附則・施行期日",
}
"""Why a normative-looking sentence is not an obligation, as shown in the coverage report."""


@dataclass(frozen=True)
class Location:
    """Where a record was written, for messages and for the editor's preview."""

    path: str
    """File path relative to the project root."""
    line: int
    """1-based line of the record's first key."""
    fields: tuple[tuple[str, int], ...] = ()
    """Line of each field written, so a message can point at the field itself."""

    def line_of(self, name: str) -> int:
        return dict(self.fields).get(name, self.line)


@dataclass(frozen=True)
class Role:
    """A canonical role shared by all policies (``content/roles.yaml``)."""

    id: str
    """Stable identifier in lower-case ASCII, e.g. ``section-head``."""
    name: str
    """Generic Japanese name, e.g. 「課等の長（所属長）」."""
    description: str
    """What holders of this role are, independent of any one municipality's titles."""
    order: int = 0
    """Sort position on pages (executives first, all staff last)."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class Topic:
    """A canonical topic (``content/topics.yaml``): a guideline chapter or a situation under one."""

    id: str
    """Stable identifier in lower-case ASCII, e.g. ``password``."""
    name: str
    """Japanese name as staff would search for it, e.g. 「パスワード・ICカード」."""
    parent: str | None = None
    """The chapter topic this situation belongs to; ``None`` for a chapter."""
    keywords: tuple[str, ...] = ()
    """Other words staff use for it (USBメモリ, 私物パソコン …); they feed search."""
    description: str = ""
    """One or two sentences on what the topic covers."""
    task: str = ""
    """The situation as staff meet it, titling the topic's rules on role pages, e.g.
    「情報や記録媒体を持ち出す・運ぶ・送るとき」; empty for a chapter (its name is used)."""
    weekly: bool = False
    """A situation most staff meet week by week (mail, passwords, taking things out …): role pages
    list it before the others."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class LocalRole:
    """A role as one policy names it, mapped to a canonical role by meaning, never by name."""

    id: str
    """Identifier unique within the policy, lower-case ASCII, e.g. ``security-manager``."""
    name: str
    """The title exactly as the policy writes it, e.g. 「情報セキュリティ管理者」."""
    canonical: str
    """Canonical role id from ``roles.yaml`` (what the post is, not what it is called)."""
    held_by: str = ""
    """Who holds it (充て職), e.g. 「課等の長」; empty when the policy does not say."""
    aliases: tuple[str, ...] = ()
    """Other names the text uses for it (略称 such as 「ＣＩＳＯ」「システム管理者」)."""
    member_of: tuple[str, ...] = ()
    """Local roles whose rules it also follows, e.g. every manager is also 職員等."""
    clause: str = ""
    """Clause that establishes the role, as printed."""
    description: str = ""
    """Its authority and duties in a sentence or two, for the role page."""
    essentials: tuple[str, ...] = ()
    """Ids of the handful (at most eight) of its own obligations every holder meets week by week
    (incidents, passwords and cards, media and taking things out, the desk, mail), shown first on
    its page under 「まず守ること」 and, one line each, on the pages of the roles that are its
    members. An editor's choice; empty for no such section."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class GlossaryTerm:
    """A term the policy defines, shown in the glossary and as a tooltip in the pages."""

    term: str
    """The term as written, e.g. 「ＬＧＷＡＮ」."""
    definition: str
    """The definition, verbatim from the source where the policy defines it."""
    clause: str = ""
    """Clause where it is defined; empty for a plain explanation added by the editor."""
    aliases: tuple[str, ...] = ()
    """Other spellings that should also show the tooltip (half-width, abbreviations)."""
    verbatim: bool = True
    """Whether ``definition`` is quoted from the source (checked) or written by the editor."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class Table:
    """A table of the policy (classification levels, installation zones, reporting routes)."""

    id: str
    """Identifier unique within the policy, e.g. ``confidentiality``."""
    title: str
    """Caption as the policy gives it, e.g. 「機密性による情報資産の分類」."""
    columns: tuple[str, ...]
    """Column headings."""
    rows: tuple[tuple[str, ...], ...]
    """Cells, one tuple per row, as many cells as columns."""
    clause: str = ""
    """Clause or 別表 the table comes from."""
    note: str = ""
    """A remark shown under the table (e.g. a defect of the source)."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class SourceGap:
    """A defect of the source copy: a heading, article or paragraph that is missing."""

    clause: str
    """Where the gap is, as the clause would be printed, e.g. 「第15条」."""
    description: str
    """What is missing, in Japanese, shown as 「原文に欠落あり」 on the pages."""
    after: str = ""
    """A verbatim quote of the text right before the gap, to place the notice in the original text."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class Contact:
    """Where staff turn when something happens (``contacts`` in policy.yaml): shown in the incident
    box of every page of the policy and on its 「インシデントのときは」 page. Not in the policy's
    text: the municipality fills it in (a policy without contacts says 「連絡先が未設定です」)."""

    name: str
    """Who, as staff know them: 「情報セキュリティに関する統一的な窓口（デジタル推進課）」."""
    role: str = ""
    """The local role id this contact stands for (e.g. ``incident-desk``), if any."""
    phone: str = ""
    """Extension or telephone number: 「内線 1234」."""
    mail: str = ""
    """Mail address."""
    hours: str = ""
    """When it answers, and what to do outside those hours."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class Revision:
    """One revision of the policy in its history (``revisions`` in policy.yaml), newest first."""

    date: str = field(metadata=DATE)
    """When the revision took effect, a real date ``YYYY-MM-DD``; the newest equals the policy's ``revision``."""
    title: str
    """Its name as staff know it, e.g. 「令和9年4月改定」 or 「現行版」."""
    summary: str
    """What changed and why, in a sentence or two, for the 「改定のポイント」 page."""
    changes: tuple[str, ...] = ()
    """Ids of the obligations this revision added, changed or retired; the site marks them 「改定」
    and lists them on the roles' pages. Empty when no change list is recorded."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class Obligation:
    """One thing a role must, must not, may or should do, quoted from the policy."""

    id: str
    """Stable id, unique across all policies, independent of clause numbers: ``miyako.password-no-memo``."""
    clause: str
    """The clause as printed: 「5.4 (1) ① (ア)」, 「４ (5) イ」, 「第36条第1項第2号」."""
    text: str
    """The sentence or list item, verbatim from ``source.txt`` (white space aside)."""
    actors: tuple[str, ...]
    """Local role ids that must act."""
    modality: Modality
    """must / must_not / may / should (努める) / shall (ものとする)."""
    topic: str
    """Topic id from ``topics.yaml``."""
    summary: str
    """A short, plain action phrase for checklists and quick reading: 「離席時は端末をロックする」."""
    lead_in: str = ""
    """For a list item: the verbatim sentence that introduces the list (「職員等は、…遵守しなければならない。」)."""
    when: str = ""
    """The condition, verbatim from the text (「情報資産を外部に持ち出す場合」)."""
    deadline: str = ""
    """By when, verbatim from the text (「速やかに」「直ちに」「事前に」「毎年4月30日まで」)."""
    frequency: str = ""
    """How often, verbatim from the text (「毎年度」「定期的に」「常時」)."""
    approver: tuple[str, ...] = ()
    """Local role ids whose approval or permission is needed; each must be named in the text."""
    report_to: tuple[str, ...] = ()
    """Local role ids to report or notify; each must be named in the text."""
    applies_to: tuple[str, ...] = ()
    """Local role ids the duty is imposed on through the actors, not directly: a contractor bound
    by the clauses the actor must put in the contract, staff who must sign a pledge. Each must be
    named in the text (or an alias of the role); their pages list these duties separately."""
    exception: str = ""
    """The exception, verbatim from the text (「ただし、…この限りでない。」)."""
    forms: tuple[str, ...] = ()
    """Forms to use, as the text names them (「別記様式第1号」)."""
    retired: bool = False
    """True once the policy no longer contains it; kept so yearly decks can mark it retired."""
    policy: str = field(default="", metadata=DERIVED)
    """Policy id; filled in by the loader from the folder."""
    source_line: int = field(default=0, metadata=DERIVED)
    """Line of ``source.txt`` where the text starts; filled in by the loader."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the obligation is written; filled in by the loader."""

    @property
    def quote(self) -> str:
        """The verbatim wording as printed: the lead-in, a line break, then the text."""
        return f"{self.lead_in}\n{self.text}" if self.lead_in else self.text


@dataclass(frozen=True)
class NotObligation:
    """A normative-looking sentence that is not an obligation, with the reason."""

    text: str
    """The sentence, verbatim from ``source.txt``."""
    reason: NotObligationReason
    """definition / appointment / authority / organisation / purpose / table / legal_reference / procedure / duplicate / supplementary."""
    clause: str = ""
    """The clause as printed."""
    note: str = ""
    """Anything the reader should know (e.g. where the duty is stated instead)."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the entry is written; filled in by the loader."""


@dataclass(frozen=True)
class Chapter:
    """One obligations file: a chapter of the policy."""

    number: str
    """Chapter number as printed (「5」「第3章」)."""
    title: str
    """Chapter title as printed."""
    path: str = field(default="", metadata=DERIVED)
    """File the chapter was read from; filled in by the loader."""
    obligations: tuple[Obligation, ...] = ()
    """The chapter's obligations in source order."""
    not_obligations: tuple[NotObligation, ...] = ()
    """Sentences of the chapter accounted for without being obligations."""


@dataclass(frozen=True)
class Policy:
    """One policy document with everything derived from it (``content/<id>/policy.yaml``)."""

    id: str
    """One of ``nabari``, ``miyako``, ``moriyama``."""
    municipality: str
    """Municipality name, e.g. 「宮古市」."""
    title: str
    """Document title as printed."""
    revision: str = field(metadata=DATE)
    """Revision of the content, a real date ``YYYY-MM-DD``: bump it with every content change (decks use it)."""
    source_title: str = ""
    """Where the text comes from (the document's own dating, 規則番号, URL of the PDF)."""
    roles: tuple[LocalRole, ...] = ()
    """Local roles in the order pages list them."""
    glossary: tuple[GlossaryTerm, ...] = ()
    """Terms the policy defines."""
    tables: tuple[Table, ...] = ()
    """Classification and other tables as structured data."""
    gaps: tuple[SourceGap, ...] = ()
    """Known defects of the source copy; a clause within a gap need not be found in ``source.txt``."""
    contacts: tuple[Contact, ...] = ()
    """Whom staff report incidents to, with extension and mail (the municipality's own data)."""
    revisions: tuple[Revision, ...] = ()
    """The revision history, newest first; only revisions that really took place (a policy whose
    earlier revisions are not recorded lists its current one alone, with no change list)."""
    allow_fewer_obligations: bool = False
    """Allow this policy fewer obligations (retired ones included) than the last published build
    (``dist/build-info.json``) had. Validation refuses such a drop otherwise: an obligation deleted
    from the YAML vanishes from the site but stays unmarked in learners' Anki decks, so the policy's
    removed duties are kept with ``retired: true``. Set it only when the drop is meant (a file
    split wrongly, a duplicate removed), and remove it again after publishing."""
    source_lines: tuple[str, ...] = field(default=(), metadata=DERIVED, repr=False)
    """The lines of ``source.txt``; filled in by the loader."""
    chapters: tuple[Chapter, ...] = field(default=(), metadata=DERIVED)
    """Obligations files (``obligations/*.yaml``), in file-name order; filled in by the loader."""

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        return tuple(o for c in self.chapters for o in c.obligations)

    @property
    def live_obligations(self) -> tuple[Obligation, ...]:
        """The obligations in force: all but the retired ones (pages, checklists, quizzes)."""
        return tuple(o for o in self.obligations if not o.retired)

    @property
    def not_obligations(self) -> tuple[NotObligation, ...]:
        return tuple(n for c in self.chapters for n in c.not_obligations)

    def role(self, role_id: str) -> LocalRole:
        return next(r for r in self.roles if r.id == role_id)

    @property
    def current_changes(self) -> tuple[str, ...]:
        """Ids of the obligations the newest revision changed (none without a history)."""
        return self.revisions[0].changes if self.revisions else ()


@dataclass(frozen=True)
class Question:
    """An authored scenario question (``quizzes/<policy>/*.yaml``)."""

    id: str
    """Stable id, unique across all policies: ``miyako.q-suspicious-attachment``."""
    question: str
    """The situation and the question, plain Japanese."""
    choices: tuple[str, ...]
    """Two to six answer choices."""
    answer: int
    """0-based index of the right choice."""
    explanation: str
    """Why the answer is right, in a sentence or two."""
    cites: tuple[str, ...]
    """Obligation ids that justify the answer (at least one)."""
    roles: tuple[str, ...] = ()
    """Local role ids the question is for; empty means all staff."""
    policy: str = field(default="", metadata=DERIVED)
    """Policy id; filled in by the loader."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the question is written; filled in by the loader."""


@dataclass(frozen=True)
class SearchTerm:
    """Everyday words staff type for something the policy words otherwise, so that search finds it
    (``content/search.yaml`` for every municipality, ``content/<policy>/search.yaml`` for one).
    Width, hiragana/katakana, small-kana and long-vowel variants need no entry: search folds them."""

    words: tuple[str, ...]
    """What staff type, e.g. 「スマホ」「スマートフォン」."""
    means: tuple[str, ...]
    """The policy's own words for it, e.g. 「モバイル端末」: every search result whose text contains
    one of them is also found by ``words``."""
    note: str = ""
    """Why the entry is there, for other editors (not shown to staff)."""
    policy: str = field(default="", metadata=DERIVED)
    """The policy whose ``search.yaml`` it is in; empty for ``content/search.yaml``."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class BestBet:
    """A 「おすすめ」 result: the obligations that answer one of the most common tasks, shown first
    when the query names the task (in ``search.yaml``, beside ``terms``)."""

    words: tuple[str, ...]
    """Queries it answers, e.g. 「USBメモリ 持ち出」: it is shown when the query contains every
    space-separated part of one of them (write a stem such as 持ち出 to cover 持ち出し and 持ち出す)."""
    obligations: tuple[str, ...]
    """Ids of the obligations shown first, in this order; each is shown to readers of its own
    municipality."""
    policy: str = field(default="", metadata=DERIVED)
    """The policy whose ``search.yaml`` it is in; empty for ``content/search.yaml``."""
    location: Location | None = field(default=None, compare=False, metadata=DERIVED)
    """Where the record is written; filled in by the loader."""


@dataclass(frozen=True)
class Content:
    """Everything loaded and validated: the canonical lists and the policies."""

    roles: tuple[Role, ...]
    """Canonical roles."""
    topics: tuple[Topic, ...]
    """Canonical topics."""
    policies: tuple[Policy, ...]
    """The policies present: every ``content/<id>/policy.yaml``, in the order of their folder names."""
    questions: tuple[Question, ...] = ()
    """Authored quiz questions of all policies."""
    search_terms: tuple[SearchTerm, ...] = ()
    """Staff's everyday words for search, of every ``search.yaml`` (shared file first)."""
    best_bets: tuple[BestBet, ...] = ()
    """Results pinned first for common tasks, of every ``search.yaml``."""

    def policy(self, policy_id: str) -> Policy:
        return next(p for p in self.policies if p.id == policy_id)

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)
