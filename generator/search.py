"""Japanese search: a bigram index of the site, written as one static script.

Japanese has no spaces between words, and staff type words that sit inside longer compounds
(インシデント in 情報セキュリティインシデント), in either width (ICカード / ＩＣカード), in
hiragana (ぱすわーど), with small or long-vowel variants (ウィルス / ウイルス, パスワ−ド). So the
index does not split words at all: every record's text is folded by :func:`normalize`, and each
pair of adjacent characters (a bigram) points to the records that contain it, as PostgreSQL's
pg_bigm does. The browser (``docs/assets/search.js``) folds a query with the same tables, which
the index carries, and ranks records by how much of the query they hold: no word is required.

Staff's everyday words (スマホ, 社員証, 自宅 …) are not in the policies. The editors' files
``content/search.yaml`` and ``content/<policy>/search.yaml`` (:class:`~generator.model.SearchTerm`)
say which policy words they mean; a record containing those gets the everyday words as extra,
lower-weighted index terms (``also``). A role's holders' titles (課長, 部長) are among the names
its page answers for. Best bets (:class:`~generator.model.BestBet`) pin the answers of common
tasks first. Every record carries its municipality, so results can be scoped to the reader's.

Records come from the model and from the Markdown of the static pages, never from the theme's
HTML, so a theme change cannot empty the index: one record per obligation (on its first actor's
role page, where the original text links to), per paragraph of the original text (at its clause
anchor), per role, topic, glossary term and table, per checklist and quiz page, and per headed
section of every static page (the editor's guide). URLs come from the site's
:class:`~generator.layout.Layout`.

The index is a classic script assigning ``window.hbSearchIndex``, so it loads from a web server
and from ``file://`` alike (``fetch`` does not work there).
"""

from __future__ import annotations

import functools
import json
import operator
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from .anchors import obligation_anchor
from .layout import Layout
from .model import MODALITY_LABELS, BestBet, Content, SearchTerm
from .renderers.checklists import roles_with_checklists
from .renderers.pages import source_paragraphs, topics_of

FOLD = {
    "drop": "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc",
    "space": "・、。,「」『』【】〔〕<>\"'!?:;/\\|",
    "small": ["ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ"],
}
"""The folding tables, shipped in the index so the browser folds queries exactly as here: dashes
and long-vowel marks dropped (パスワ−ド, パスワード, Wi-Fi → wifi), punctuation as spaces, small
kana as large (ウィ → ウイ)."""
_SMALL = str.maketrans(*FOLD["small"])
_FOLD = {ord(c): None for c in FOLD["drop"]} | {ord(c): " " for c in FOLD["space"]}


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """The form both the index and the query are compared in: NFKC (ＣＩＳＯ → CISO, ① → 1,
    ｶﾀｶﾅ → カタカナ), lower case, hiragana as katakana, then :data:`FOLD`; runs of white space as
    one space."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    text = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
    return " ".join(text.translate(_SMALL).split())


def bigrams(text: str) -> set[str]:
    """The pairs of adjacent characters of the normalised text, never across a space;
    a one-character word stands for itself."""
    grams: set[str] = set()
    for word in normalize(text).split(" "):
        if len(word) == 1:
            grams.add(word)
        grams.update(word[i:i + 2] for i in range(len(word) - 1))
    return grams


@dataclass
class Record:
    """One search result: an obligation, a paragraph of the original text or a page section."""

    url: str
    """Site-relative URL with its anchor (``miyako/roles/staff/#miyako--clear-desk``)."""
    kind: str
    """``obligation``, ``clause`` or ``section``."""
    page: str
    """Title of the page it is on."""
    title: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    """What the result shows: the snippet is taken from it."""
    hidden: list[str] = field(default_factory=list)
    """Searched but not shown (clause numbers, the roles named, topic keywords)."""
    keys: list[str] = field(default_factory=list)
    """Names the record is the answer for (a role page: the role's name, aliases and holders)."""
    city: str = ""
    """The policy it belongs to; empty for pages of no one municipality."""
    obligation: str = ""
    """The obligation's id, for an obligation's record (best bets point to it)."""
    everyone: bool = False
    """Whether it is an obligation of every member of staff (ranked a little higher)."""


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{[^}]*\})?\s*$")
_MARKUP = re.compile(r"<[^>]+>|!!!.*|:::.*|[*_`]|\[([^\]]*)\]\([^)]*\)(\{[^}]*\})?")


def _plain(markdown: str) -> str:
    """Markdown and HTML as the words a reader sees (tags, emphasis and link targets removed)."""
    return " ".join(_MARKUP.sub(lambda m: m.group(1) or "", markdown).split())


def markdown_records(url: str, page: str, markdown: str) -> list[Record]:
    """Records of a static Markdown page: one per heading, with the text up to the next heading
    (front matter skipped)."""
    if markdown.startswith("---\n"):
        markdown = markdown[markdown.find("\n---\n", 4) + 5:]
    records: list[Record] = []
    current = Record(url=url, kind="section", page=page)
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            if current.title or current.text:
                records.append(current)
            current = Record(url=url, kind="section", page=page, title=[_plain(heading.group(2))])
        elif line.strip():
            current.text.append(_plain(line))
    if current.title or current.text:
        records.append(current)
    return records


def model_records(content: Content, layout: Layout) -> list[Record]:
    """The records of every generated page of the site, in page order."""
    records: list[Record] = []
    topics = {t.id: t for t in content.topics}
    for policy in (content.policy(p) for p in layout.policies):
        pid, town = policy.id, policy.municipality

        def at(path: str, anchor: str = "") -> str:
            return layout.url(path) + (f"#{anchor}" if anchor else "")

        def page(title: str) -> str:
            return f"{title}（{town}）"

        first = len(records)
        records.append(Record(url=at(layout.home(pid)), kind="section", page=page(policy.title),
                              title=[policy.title], text=[policy.municipality]))
        for role in policy.roles:
            records.append(Record(url=at(layout.role(pid, role.id)), kind="section", page=page(role.name),
                                  title=[role.name], text=[role.held_by, role.description], hidden=[role.clause],
                                  keys=[role.name, *_holders(role)]))
        for o in policy.live_obligations:
            roles = [policy.role(r) for r in (*o.actors, *o.approver, *o.report_to, *o.applies_to)]
            topic = topics.get(o.topic)
            details = [o.when, o.deadline, o.frequency, o.exception, *o.forms]
            records.append(Record(
                url=at(layout.role(pid, o.actors[0]), obligation_anchor(o.id)), kind="obligation",
                page=page(policy.role(o.actors[0]).name), title=[o.summary], text=[o.lead_in, o.text],
                hidden=[MODALITY_LABELS[o.modality], o.clause, *details, *(r.name for r in roles),
                        *(a for r in roles for a in r.aliases), *((topic.name, *topic.keywords) if topic else ())],
                obligation=o.id, everyone=any(r.canonical == "all-staff" for r in roles),
            ))
        for topic, _ in topics_of(content, policy):
            records.append(Record(url=at(layout.topic(pid, topic.id)), kind="section", page=page(topic.name),
                                  title=[topic.name], text=[topic.description], hidden=list(topic.keywords)))
        for paragraph in source_paragraphs(policy):
            anchor = paragraph["anchors"][0] if paragraph["anchors"] else f"L{paragraph['number']}"
            derived = [f"{o.clause} {o.summary}" for o in paragraph["obligations"]]
            records.append(Record(url=at(layout.source(pid), anchor), kind="clause", page=page("原文"),
                                  text=[paragraph["text"]], hidden=derived,
                                  keys=sorted({o.clause for o in paragraph["obligations"]})))
        for t in policy.tables:
            records.append(Record(url=at(layout.tables(pid), f"t-{t.id}"), kind="section", page=page("分類表"),
                                  title=[t.title], text=[" ".join(row) for row in t.rows], hidden=[t.clause, t.note]))
        for number, g in enumerate(sorted(policy.glossary, key=lambda g: g.term), start=1):
            records.append(Record(url=at(layout.glossary(pid), f"g-{number}"), kind="section", page=page("用語集"),
                                  title=[g.term], text=[g.definition], hidden=[*g.aliases, g.clause]))
        for role in map(policy.role, roles_with_checklists(policy)):
            records.append(Record(url=at(layout.checklist(pid, role.id)), kind="section",
                                  page=page(f"{role.name}のチェックリスト"), title=[f"自己点検チェックリスト：{role.name}"],
                                  hidden=["チェックリスト", "自己点検", *_holders(role)]))
        for role in policy.roles:
            records.append(Record(url=at(layout.quiz(pid, role.id)), kind="section", page=page(f"{role.name}のクイズ"),
                                  title=[f"{role.name}のクイズ・試験"], hidden=["クイズ", "試験", "研修", *_holders(role)]))
        for record in records[first:]:
            record.city = pid
    return records


def _holders(role) -> list[str]:
    """A role's other names and the post that holds it (課等の長): its checklist and quiz are found by them."""
    return [name for name in (*role.aliases, role.held_by) if name]


def index_script(content: Content, layout: Layout, static_pages: dict[str, str]) -> str:
    """``search/index.js`` of one site: the generated pages' records, then those of the static
    Markdown pages (path → Markdown, titled by their first heading); deterministic bytes.

    The last index made is remembered with what it was made from (this very content, an equal
    layout and equal static pages): ``mkdocs serve`` makes it early, while it waits for other
    processes, and staging then asks for it again."""
    last = _LAST_INDEX
    if last and last[0] is content and last[1] == layout and last[2] == static_pages:
        return last[3]
    script = _index_script(content, layout, static_pages)
    _LAST_INDEX[:] = [content, layout, dict(static_pages), script]
    return script


_LAST_INDEX: list = []
"""[content, layout, static pages, script] of the last :func:`index_script`."""


def _index_script(content: Content, layout: Layout, static_pages: dict[str, str]) -> str:
    records = model_records(content, layout)
    for path, markdown in sorted(static_pages.items()):
        page_records = markdown_records(layout.url(path), "", markdown)
        title = page_records[0].title[0] if page_records and page_records[0].title else path
        for record in page_records:
            record.page = title
        records += page_records
    cities = {pid: content.policy(pid).municipality for pid in layout.policies}
    index = build_index(records, content.search_terms, content.best_bets, cities)
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"window.hbSearchIndex={data};\n"


def build_index(records: list[Record], terms: tuple[SearchTerm, ...] = (), bets: tuple[BestBet, ...] = (),
                cities: dict[str, str] | None = None) -> dict:
    """The index shipped to the browser.

    ``docs``: one row per record ``[url, kind, page number, title, text, hidden words, key names,
    city, 1 if every member of staff must act]``, key names with the everyday words for them; ``pages``: the page titles; ``cities``:
    policy id → municipality. ``grams``: bigram → the records whose own text holds it; ``also``:
    bigram → the records that hold it only through an everyday word (weighted lower), both as
    gap-encoded base-36 strings (the smallest JSON). ``bets``: ``[[query parts …] …, [record …]]``.
    ``fold``: :data:`FOLD`.
    """
    docs = []
    pages: dict[str, int] = {}
    postings: dict[str, list[int]] = defaultdict(list)
    extra: dict[str, list[int]] = defaultdict(list)
    terms_of = _vocabulary(terms)
    for number, record in enumerate(records):
        title, text, hidden = (" ".join(" ".join(p for p in parts if p).split())
                               for parts in (record.title, record.text, record.hidden))
        keys, grams, also = terms_of(title, text, hidden, tuple(record.keys), record.city)
        page = pages.setdefault(record.page, len(pages))
        docs.append([record.url, record.kind, page, title, text, hidden, list(keys), record.city, int(record.everyone)])
        for gram in grams:
            postings[gram].append(number)
        for gram in also:
            extra[gram].append(number)
    by_obligation = {r.obligation: n for n, r in enumerate(records) if r.obligation}
    pinned = [[[normalize(w).split(" ") for w in bet.words], [by_obligation[o] for o in bet.obligations if o in by_obligation]]
              for bet in bets]
    return {"version": 2, "pages": list(pages), "docs": docs, "cities": cities or {},
            "grams": _encoded(postings), "also": _encoded(extra), "bets": [b for b in pinned if b[1]], "fold": FOLD}


def _vocabulary(terms: tuple[SearchTerm, ...]):
    """What :func:`build_index` keeps of one record, given the everyday-words files: ``(key names
    with their everyday words, the bigrams of its own text, the bigrams it holds only through an
    everyday word)``. Remembered per record text for the last two vocabularies: the sites of one
    build, and the rebuilds of ``mkdocs serve``, index mostly the same records again."""
    key = tuple((t.policy, t.means, t.words) for t in terms)
    if key not in _MEMO:
        while len(_MEMO) >= 2:
            del _MEMO[next(iter(_MEMO))]
        vocabulary = [(t.policy, [_Means(normalize(m)) for m in t.means], t.words) for t in terms]
        _MEMO[key] = functools.lru_cache(maxsize=1 << 15)(functools.partial(_record_terms, vocabulary))
    return _MEMO[key]


_MEMO: dict = {}
"""Vocabulary → the memoised :func:`_record_terms` for it (the newest last)."""


def _record_terms(vocabulary, title: str, text: str, hidden: str, keys: tuple[str, ...],
                  city: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    own = normalize(" ".join([title, text, hidden, *keys]))
    applies = [(means, words) for policy, means, words in vocabulary if policy in ("", city)]
    named = keys + tuple(sorted({w for means, words in applies
                                 for key in keys if any(m.found_in(normalize(key)) for m in means) for w in words}))
    grams = bigrams(own)
    also = {w for means, words in applies if any(m.found_in(own) for m in means) for w in words}
    return named, tuple(sorted(grams)), tuple(sorted(bigrams(" ".join(also)) - grams))


class _Means:
    """A policy word of the everyday-words files, as it is looked for in a record's folded text:
    anywhere (モバイル端末 in 本市のモバイル端末), but a Latin end only at a word's edge, so ＩＤ is
    not found in "incident" nor 重要性分類Ⅰ (i) in 重要性分類Ⅱ (ii)."""

    def __init__(self, folded: str):
        self.folded = folded
        latin = "[a-z0-9]"
        self.pattern = re.compile((f"(?<!{latin})" if re.match(latin, folded) else "") + re.escape(folded)
                                  + (f"(?!{latin})" if re.search(f"{latin}$", folded) else ""))

    def found_in(self, text: str) -> bool:
        return self.folded in text and bool(self.pattern.search(text))


def _encoded(postings: dict[str, list[int]]) -> dict[str, str]:
    encoded = {}
    small = _SMALL_BASE36.__getitem__
    for gram in sorted(postings):
        numbers = postings[gram]
        gaps = [numbers[0], *map(operator.sub, numbers[1:], numbers)]
        try:
            encoded[gram] = ",".join(map(small, gaps))
        except IndexError:  # a gap of 1296 records or more
            encoded[gram] = ",".join(map(_base36, gaps))
    return encoded


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


_SMALL_BASE36 = [_base36(n) for n in range(36 * 36)]
"""The gaps most postings have, written once."""
