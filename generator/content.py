"""Load and validate the hand-edited content: every problem at once, then the typed model.

Pipeline step one and two: ``load_content(root)`` reads ``content/`` and ``quizzes/``, checks
the YAML against the model (types, required fields), then across files (duplicate ids, unknown
roles and topics, quotes not verbatim in ``source.txt``, structured fields the text does not
bear out) and raises one :class:`HandbookError` listing all problems, or returns the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .errors import Problems, display_path
from .manifest import check_published
from .model import (
    MAX_ESSENTIALS, BestBet, Chapter, Contact, Content, GlossaryTerm, LocalRole, NotObligation, Obligation, Policy,
    Question, Revision, Role, SearchTerm, SourceGap, Table, Topic,
)
from .questions import check as check_generated, generate
from .records import RecordBuilder
from .sources import QuotePlacer, SourceText, clause_key, excerpt, squeeze
from .yamlfile import LocatedDict, LocatedList, load_yaml, read_text

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""Canonical and local role, topic and table ids: lower-case ASCII words joined by hyphens."""


def record_id_pattern(policy: str) -> re.Pattern:
    """Obligation and question ids: the policy id, a dot, then lower-case ASCII words."""
    return re.compile(rf"^{policy}\.[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class LoadedPolicy:
    """A policy with the source text it quotes, kept together for validation and coverage."""

    policy: Policy
    source: SourceText


def load_content(root: Path) -> Content:
    """Read and validate everything under ``root``; raise HandbookError listing every problem."""
    content, _ = load_with_sources(root)
    return content


def load_with_sources(root: Path) -> tuple[Content, dict[str, SourceText]]:
    problems = Problems(root)
    loader = _Loader(root, problems)
    roles = loader.list_file(root / "content" / "roles.yaml", "roles", Role)
    topics = loader.list_file(root / "content" / "topics.yaml", "topics", Topic)
    loader.check_canonical(roles, topics)
    loader.check_folders()
    policies = [loader.policy(pid, roles, topics) for pid in discover_policies(root)]
    policies = [p for p in policies if p is not None]
    questions = loader.questions([p.policy for p in policies])
    loader.check_unique_ids([p.policy for p in policies], questions)
    check_published(root, [p.policy for p in policies if p.policy.id not in loader.incomplete], problems)
    terms, bets = loader.search([p.policy for p in policies])
    if not problems:  # generated questions rest on valid obligations
        for p in policies:
            problems.extend(check_generated(generate(p.policy), [q for q in questions if q.policy == p.policy.id]))
    problems.raise_if_any()
    content = Content(tuple(roles), tuple(topics), tuple(p.policy for p in policies), tuple(questions),
                      tuple(terms), tuple(bets))
    return content, {p.policy.id: p.source for p in policies}


def discover_policies(root: Path) -> list[str]:
    """The policy ids of a project: every folder of ``content/`` holding a ``policy.yaml``, in
    name order. A new municipality is a new folder, not a code change."""
    return sorted(path.parent.name for path in (root / "content").glob("*/policy.yaml"))


class _Loader:
    def __init__(self, root: Path, problems: Problems):
        self.root, self.problems = root, problems
        self.incomplete: set[str] = set()
        """Policies with a problem in their own files: some of their obligations may be missing,
        so questions citing an obligation not found get no second, misleading message."""

    def display(self, path: Path) -> str:
        return display_path(path, self.root)

    def builder(self, path: Path) -> RecordBuilder:
        return RecordBuilder(path, self.problems, self.display(path))

    def read_mapping(self, path: Path) -> LocatedDict | None:
        if not path.is_file():
            self.problems.add(path, 0, "ファイルがありません。")
            return None
        before = len(self.problems.items)
        data = load_yaml(path, self.problems)
        if data is None:
            if len(self.problems.items) == before:
                self.problems.add(path, 0, "ファイルが空です（コメントしかありません）。"
                                           "内容を消してしまったのなら元に戻し、不要なファイルなら削除してください。")
            return None
        if not isinstance(data, LocatedDict):
            self.problems.add(path, 1, "ファイルの最上位は「項目: 値」の形（マッピング）で書いてください。")
            return None
        return data

    def items(self, path: Path, data: LocatedDict, key: str, cls: type, required: bool = True) -> list:
        """Records of ``cls`` from the list under ``key``; problems noted, bad items left out."""
        if key not in data:
            if required:
                self.problems.add(path, data.line, f"必須の項目「{key}」がありません。")
            return []
        value = data[key]
        if not isinstance(value, LocatedList):
            self.problems.add(path, data.line_of(key), f"「{key}」はリスト（- で始まる行）で書いてください。")
            return []
        builder = self.builder(path)
        built = (builder.build(cls, item, value.line_of(i)) for i, item in enumerate(value))
        return [b for b in built if b is not None]

    def list_file(self, path: Path, key: str, cls: type) -> list:
        data = self.read_mapping(path)
        if data is None:
            return []
        self.unknown_keys(path, data, {key})
        return self.items(path, data, key, cls)

    def unknown_keys(self, path: Path, data: LocatedDict, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.problems.add(
                    path, data.line_of(key), f"不明な項目「{key}」があります（使える項目: {', '.join(sorted(allowed))}）。"
                )

    def check_folders(self) -> None:
        """No policy at all, a policy folder without ``policy.yaml`` and quizzes without a policy
        would vanish from the site without a word."""
        policies = set(discover_policies(self.root))
        if not policies:
            self.problems.add(self.root / "content", 0, "規程（content/<規程>/policy.yaml）が1つもありません。"
                                                        "プロジェクトのフォルダで実行するか、--root で指定してください。")
        for folder in _folders(self.root / "content"):
            if folder.name not in policies:
                self.problems.add(folder / "policy.yaml", 0, f"ファイルがありません。フォルダ content/{folder.name} の内容が"
                                                             "使われません（規程を外すのならフォルダごと削除してください）。")
        for folder in _folders(self.root / "quizzes"):
            if not (self.root / "content" / folder.name).is_dir():
                self.problems.add(folder, 0, f"規程「{folder.name}」（content/{folder.name}/policy.yaml）がないため、"
                                             "この問題は使われません。フォルダ名を確かめてください。")

    def check_canonical(self, roles: list[Role], topics: list[Topic]) -> None:
        path_r, path_t = self.root / "content" / "roles.yaml", self.root / "content" / "topics.yaml"
        self.check_ids(path_r, roles, "役割")
        self.check_ids(path_t, topics, "トピック")
        chapters = {t.id for t in topics if t.parent is None}
        for t in topics:
            if t.parent is not None and t.parent not in chapters:
                self.problems.add(path_t, _line(t), f"トピック「{t.id}」の parent「{t.parent}」は章のトピックではありません。")

    def check_ids(self, path: Path, records: list, kind: str) -> None:
        seen: set[str] = set()
        for record in records:
            line = _line(record)
            if not ID_PATTERN.match(record.id):
                self.problems.add(path, line, f"{kind}の id「{record.id}」は半角英小文字・数字とハイフンで書いてください。")
            if record.id in seen:
                self.problems.add(path, line, f"{kind}の id「{record.id}」が重複しています。")
            seen.add(record.id)

    # --- one policy -------------------------------------------------------------------------

    def policy(self, pid: str, roles: list[Role], topics: list[Topic]) -> LoadedPolicy | None:
        folder = self.root / "content" / pid
        path = folder / "policy.yaml"
        source_path = folder / "source.txt"
        before = len(self.problems.items)
        if not source_path.is_file():
            self.problems.add(source_path, 0, "原文ファイル source.txt がありません。")
            return None
        text = read_text(source_path, self.problems)
        data = self.read_mapping(path)
        if data is None or text is None:
            return None
        source = SourceText(source_path, text.splitlines())
        lists = {"roles": LocalRole, "glossary": GlossaryTerm, "tables": Table, "gaps": SourceGap, "revisions": Revision,
                 "contacts": Contact}
        head = _subset(data, [k for k in data if k not in lists])
        policy = self.builder(path).build(Policy, head, data.line)
        if policy is not None and policy.id != pid:
            self.problems.add(path, data.line_of("id"), f"id「{policy.id}」がフォルダ名「{pid}」と一致しません。")
        parts = {key: tuple(self.items(path, data, key, cls, required=key == "roles")) for key, cls in lists.items()}
        chapters = tuple(self.chapter(p, pid) for p in sorted((folder / "obligations").glob("*.yaml")))
        chapters = tuple(c for c in chapters if c is not None)
        if len(self.problems.items) > before:
            self.incomplete.add(pid)
        elif not any(c.obligations for c in chapters):
            self.incomplete.add(pid)
            self.problems.add(path, 0, f"義務が1件もありません（content/{pid}/obligations/*.yaml）。"
                                       "義務のファイルを消してしまっていないか確かめてください。")
        if policy is None:
            return None
        policy = replace(policy, chapters=chapters, source_lines=tuple(source.lines), **parts)
        checked = _PolicyChecks(self, policy, source, path, {r.id for r in roles}, {t.id for t in topics})
        return LoadedPolicy(checked.run(), source)

    def chapter(self, path: Path, pid: str) -> Chapter | None:
        data = self.read_mapping(path)
        if data is None:
            return None
        self.unknown_keys(path, data, {"number", "title", "obligations", "not_obligations"})
        head = _subset(data, [k for k in ("number", "title") if k in data])
        chapter = self.builder(path).build(Chapter, head, data.line, path=self.display(path))
        obligations = [
            replace(o, policy=pid) for o in self.items(path, data, "obligations", Obligation, required=False)
        ]
        not_obligations = self.items(path, data, "not_obligations", NotObligation, required=False)
        if not data.get("obligations") and not data.get("not_obligations"):
            self.problems.add(path, data.line, "この章には義務（obligations）も除外文（not_obligations）もありません。"
                                               "内容を消してしまったのなら元に戻してください。")
        if chapter is None:
            return None
        return replace(chapter, obligations=tuple(obligations), not_obligations=tuple(not_obligations))

    # --- quizzes ------------------------------------------------------------------------------

    def questions(self, policies: list[Policy]) -> list[Question]:
        result: list[Question] = []
        for policy in policies:
            obligation_ids = {o.id for o in policy.obligations}
            role_ids = {r.id for r in policy.roles}
            seen_text: dict[str, str] = {}
            for path in sorted((self.root / "quizzes" / policy.id).glob("*.yaml")):
                data = self.read_mapping(path)
                if data is None:
                    continue
                self.unknown_keys(path, data, {"questions"})
                for q in self.items(path, data, "questions", Question):
                    q = replace(q, policy=policy.id)
                    line = _line(q)
                    if not 2 <= len(q.choices) <= 6:
                        self.problems.add(path, line, f"問題「{q.id}」の選択肢は2〜6個にしてください（{len(q.choices)}個あります）。")
                    if len(set(q.choices)) != len(q.choices):
                        self.problems.add(path, line, f"問題「{q.id}」に同じ選択肢が重複しています。")
                    if not 0 <= q.answer < len(q.choices):
                        self.problems.add(
                            path, line, f"問題「{q.id}」の answer {q.answer} は選択肢にありません（0〜{len(q.choices) - 1} で指定）。"
                        )
                    if not q.cites:
                        self.problems.add(path, line, f"問題「{q.id}」の cites に根拠の義務 id を1つ以上書いてください。")
                    for cited in q.cites:
                        if cited not in obligation_ids and policy.id not in self.incomplete:
                            self.problems.add(path, line, f"問題「{q.id}」が引用する義務「{cited}」は{policy.municipality}の内容にありません。")
                    for role in q.roles:
                        if role not in role_ids:
                            self.problems.add(path, line, f"問題「{q.id}」の roles にある「{role}」は{policy.municipality}の役割にありません。")
                    key = squeeze(q.question)
                    if key in seen_text:
                        self.problems.add(path, line, f"問題「{q.id}」は「{seen_text[key]}」と同じ問題文です。")
                    seen_text.setdefault(key, q.id)
                    result.append(q)
        return result

    # --- search vocabulary ----------------------------------------------------------------------

    def search(self, policies: list[Policy]) -> tuple[list[SearchTerm], list[BestBet]]:
        """The optional ``content/search.yaml`` (every municipality) and ``content/<policy>/search.yaml``."""
        terms: list[SearchTerm] = []
        bets: list[BestBet] = []
        owners = {o.id: p for p in policies for o in p.obligations}
        files = [(self.root / "content" / "search.yaml", None)]
        files += [(self.root / "content" / p.id / "search.yaml", p) for p in policies]
        for path, policy in files:
            if not path.is_file():
                continue
            data = self.read_mapping(path)
            if data is None:
                continue
            self.unknown_keys(path, data, {"terms", "best_bets"})
            pid = policy.id if policy else ""
            file_terms = [replace(t, policy=pid) for t in self.items(path, data, "terms", SearchTerm, required=False)]
            file_bets = [replace(b, policy=pid) for b in self.items(path, data, "best_bets", BestBet, required=False)]
            seen: dict[str, int] = {}
            for record in (*file_terms, *file_bets):
                line = _line(record)
                for name in ("words", *(["means"] if isinstance(record, SearchTerm) else ["obligations"])):
                    if not [v for v in getattr(record, name) if v.strip()]:
                        self.problems.add(path, line, f"「{name}」に1つ以上書いてください。")
                if isinstance(record, SearchTerm):
                    for word in record.words:
                        if word in seen:
                            self.problems.add(path, line, f"言葉「{word}」は {seen[word]} 行目の項目にもあります。1か所にまとめてください。")
                        seen.setdefault(word, line)
            for bet in file_bets:
                for oid in bet.obligations:
                    if oid not in owners:
                        self.problems.add(path, _line(bet), f"おすすめの義務「{oid}」はありません。義務の id を書いてください。")
                    elif policy and owners[oid].id != policy.id:
                        self.problems.add(path, _line(bet), f"おすすめの義務「{oid}」は{policy.municipality}の義務ではありません。")
            terms += file_terms
            bets += file_bets
        return terms, bets

    def check_unique_ids(self, policies: list[Policy], questions: list[Question]) -> None:
        seen: dict[str, str] = {}
        records = [o for p in policies for o in p.obligations] + list(questions)
        for record in records:
            where = f"{record.location.path}:{record.location.line}"
            if record.id in seen:
                self.problems.add(record.location.path, record.location.line, f"id「{record.id}」が重複しています（{seen[record.id]} にもあります）。")
            else:
                seen[record.id] = where
            if not record_id_pattern(record.policy).match(record.id):
                self.problems.add(
                    record.location.path, record.location.line,
                    f"id「{record.id}」は「{record.policy}.」で始め、半角英小文字・数字とハイフンで書いてください。",
                )


class _PolicyChecks:
    """Checks within one policy: roles, topics, verbatim quotes, structured fields."""

    def __init__(self, loader: _Loader, policy: Policy, source: SourceText, path: Path,
                 canonical_roles: set[str], topics: set[str]):
        self.loader, self.policy, self.source, self.path = loader, policy, source, path
        self.canonical_roles, self.topics = canonical_roles, topics
        self.problems = loader.problems
        self.role_ids = {r.id for r in policy.roles}
        self.placer = QuotePlacer(source)
        """Decides which occurrence each obligation quotes (coverage uses the same rule)."""

    def run(self) -> Policy:
        self.roles()
        self.glossary_and_tables()
        self.revisions()
        for record in (*self.policy.roles, *self.policy.glossary, *self.policy.tables):
            self.clause(record)
        chapters = []
        for chapter in self.policy.chapters:
            for n in chapter.not_obligations:
                self.quote(n.location, n.text, "text")
                self.clause(n)
            chapters.append(replace(chapter, obligations=tuple(self.obligation(o) for o in chapter.obligations)))
        return replace(self.policy, chapters=tuple(chapters))

    def add(self, location: Any, message: str, field_name: str = "") -> None:
        self.problems.add(location.path, location.line_of(field_name) if field_name else location.line, message)

    def roles(self) -> None:
        self.loader.check_ids(self.path, list(self.policy.roles), "役割")
        for role in self.policy.roles:
            line = _line(role)
            if role.canonical not in self.canonical_roles:
                self.problems.add(self.path, line, f"役割「{role.id}」の canonical「{role.canonical}」は roles.yaml にありません。")
            for other in role.member_of:
                if other not in self.role_ids:
                    self.problems.add(self.path, line, f"役割「{role.id}」の member_of「{other}」はこの規程の役割にありません。")
                if other == role.id:
                    self.problems.add(self.path, line, f"役割「{role.id}」が自分自身を member_of にしています。")
            for name in (role.name, *role.aliases):
                if self.source.find(name) is None:
                    self.problems.add(self.path, line, f"役割名「{name}」が原文にありません。原文どおりの名称を書いてください。")
        self.essentials()
        for contact in self.policy.contacts:
            if contact.role and contact.role not in self.role_ids:
                self.problems.add(self.path, _line(contact), f"連絡先「{contact.name}」の role「{contact.role}」はこの規程の役割にありません。")

    def essentials(self) -> None:
        """「まず守ること」 lists a handful of the role's own, current obligations, each once."""
        obligations = {o.id: o for o in self.policy.obligations}
        for role in self.policy.roles:
            if len(role.essentials) > MAX_ESSENTIALS:
                self.add(role.location, f"役割「{role.id}」の essentials が{len(role.essentials)}件あります。"
                                        f"毎週のように出会う{MAX_ESSENTIALS}件以内に絞ってください。", "essentials")
            for oid in sorted({oid for oid in role.essentials if role.essentials.count(oid) > 1}):
                self.add(role.location, f"役割「{role.id}」の essentials に「{oid}」が2回以上あります。", "essentials")
            for oid in role.essentials:
                o = obligations.get(oid)
                if o is None:
                    self.add(role.location, f"役割「{role.id}」の essentials にある「{oid}」は{self.policy.municipality}の義務にありません。", "essentials")
                elif o.retired:
                    self.add(role.location, f"役割「{role.id}」の essentials にある「{oid}」は廃止された義務です。", "essentials")
                elif role.id not in o.actors:
                    self.add(role.location, f"役割「{role.id}」の essentials にある「{oid}」は、この役割が actors にない義務です。"
                                            "この役割自身が守る義務を書いてください。", "essentials")

    def glossary_and_tables(self) -> None:
        for term in self.policy.glossary:
            if term.verbatim and self.source.find(term.definition) is None:
                self.problems.add(self.path, _line(term), f"用語「{term.term}」の定義が原文にそのままの形でありません（原文と異なるなら verbatim: false）。")
        for table in self.policy.tables:
            for index, row in enumerate(table.rows, start=1):
                if len(row) != len(table.columns):
                    self.problems.add(self.path, _line(table), f"表「{table.id}」の{index}行目のセルが{len(row)}個です（列は{len(table.columns)}個）。")
        for gap in self.policy.gaps:
            if gap.after and self.source.find(gap.after) is None:
                self.problems.add(self.path, _line(gap), f"欠落「{gap.clause}」の after が原文にありません。")

    def revisions(self) -> None:
        """The history is newest first, its newest revision is the content's ``revision``, and every
        change it lists is an obligation of the policy (a retired one included)."""
        history = self.policy.revisions
        if self.policy.id in self.loader.incomplete:  # a revision left out would shift the order
            history = ()
        if history and history[0].date != self.policy.revision:
            self.add(history[0].location, f"revisions の先頭（最新の改定）の date「{history[0].date}」が revision"
                                          f"「{self.policy.revision}」と一致しません。最新の改定を先頭に書き、revision と同じ日付にしてください。", "date")
        for newer, older in zip(history, history[1:]):
            if older.date >= newer.date:
                self.add(older.location, f"revisions は新しい順に、日付を重ねずに書いてください（「{newer.date}」の次に「{older.date}」があります）。", "date")
        obligation_ids = {o.id for o in self.policy.obligations}
        for revision in self.policy.revisions:
            for oid in sorted({oid for oid in revision.changes if revision.changes.count(oid) > 1}):
                self.add(revision.location, f"改定「{revision.title}」の changes に「{oid}」が2回以上あります。", "changes")
            for oid in revision.changes:
                if oid not in obligation_ids:
                    self.add(revision.location, f"改定「{revision.title}」の changes にある「{oid}」は{self.policy.municipality}の義務にありません。", "changes")

    def clause(self, record: Any) -> None:
        """The clause must be a number the source prints (or lie in a known gap of the source):
        pages, checklists, cards and quiz explanations show it and link to it."""
        if not record.clause or self.source.has_clause(record.clause):
            return
        key = clause_key(record.clause)
        for gap in map(clause_key, (g.clause for g in self.policy.gaps)):
            if key.startswith(gap) and not key[len(gap):len(gap) + 1].isdigit():
                return
        self.add(record.location, f"clause「{record.clause}」は原文（source.txt）の条項番号にありません。"
                                  "原文に印刷された番号を上の階層から順に書いてください（例: 「5.4 (３) ④」「第36条第1号」）。", "clause")

    def quote(self, location: Any, text: str, name: str) -> None:
        if self.source.find(text) is None:
            self.not_verbatim(location, text, name)

    def not_verbatim(self, location: Any, text: str, name: str) -> None:
        self.add(location, f"{name} が原文（source.txt）にありません。原文を一字一句そのまま引用してください: 「{excerpt(text)}」", name)

    def obligation(self, o: Obligation) -> Obligation:
        loc = o.location
        # a retired obligation quotes a text the revised source may no longer have
        span, lead_span = self.placer.place(o.text, o.lead_in) if not o.retired else (None, None)
        if span is None and not o.retired:
            self.not_verbatim(loc, o.text, "text")
        if o.lead_in and lead_span is None and not o.retired:
            self.not_verbatim(loc, o.lead_in, "lead_in")
        if not o.retired:  # a retired obligation may cite a clause the revised source no longer has
            self.clause(o)
        if not o.actors:
            self.add(loc, f"義務「{o.id}」の actors が空です。", "actors")
        for field_name in ("actors", "approver", "report_to", "applies_to"):
            for role in getattr(o, field_name):
                if role not in self.role_ids:
                    self.add(loc, f"義務「{o.id}」の {field_name} にある「{role}」は{self.policy.municipality}の役割にありません。", field_name)
        if o.topic not in self.topics:
            self.add(loc, f"義務「{o.id}」の topic「{o.topic}」は topics.yaml にありません。", "topic")
        wording = squeeze(o.lead_in + o.text)
        for field_name in ("when", "deadline", "frequency", "exception"):
            value = getattr(o, field_name)
            if value and squeeze(value) not in wording:
                self.add(loc, f"義務「{o.id}」の {field_name}「{value}」が text（または lead_in）にありません。本文の語句をそのまま書いてください。", field_name)
        for field_name in ("approver", "report_to", "applies_to"):
            for role_id in getattr(o, field_name):
                if role_id in self.role_ids and not self.names_role(role_id, wording):
                    self.add(loc, f"義務「{o.id}」の {field_name}「{role_id}」は text（または lead_in）で名指しされていません。", field_name)
        for form in o.forms:
            if squeeze(form) not in wording:
                self.add(loc, f"義務「{o.id}」の forms「{form}」が text（または lead_in）にありません。", "forms")
        if not o.summary:
            self.add(loc, f"義務「{o.id}」の summary が空です。", "summary")
        return replace(o, source_line=span.line if span else 0)

    def names_role(self, role_id: str, wording: str) -> bool:
        role = self.policy.role(role_id)
        return any(squeeze(name) in wording for name in (role.name, role.held_by, *role.aliases) if name)


def _folders(parent: Path) -> list[Path]:
    """The sub-folders of a folder (none when it does not exist), hidden ones left out."""
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and not p.name.startswith("."))


def _line(record: Any) -> int:
    location = getattr(record, "location", None)
    return location.line if location else 0


def _subset(data: LocatedDict, keys: list[str]) -> LocatedDict:
    """The given keys of a located mapping, still located."""
    head = LocatedDict((k, data[k]) for k in keys)
    head.line, head.key_lines = data.line, {k: data.line_of(k) for k in keys}
    return head
