"""Japanese search: a bigram index of the site, written as one static script.

Japanese has no spaces between words, and staff type words that sit inside longer compounds
(インシデント in 情報セキュリティインシデント), in either width (ICカード / ＩＣカード). So the
index does not split words at all: every record's text is NFKC-normalised and lower-cased, and
each pair of adjacent characters (a bigram) points to the records that contain it, as
PostgreSQL's pg_bigm does. A query is normalised the same way in the browser
(``docs/assets/search.js``), and a record matches a query word when it holds (most of) the
word's bigrams, wherever the word boundaries are.

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

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from .anchors import obligation_anchor
from .layout import Layout
from .model import MODALITY_LABELS, Content
from .renderers.checklists import roles_with_checklists
from .renderers.pages import source_paragraphs, topics_of

def normalize(text: str) -> str:
    """The form both the index and the query are compared in: NFKC (ＣＩＳＯ → CISO, ① → 1,
    ｶﾀｶﾅ → カタカナ), lower case, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


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
    """Names the record is the answer for (a role page: the role's name and aliases)."""


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

        records.append(Record(url=at(layout.home(pid)), kind="section", page=page(policy.title),
                              title=[policy.title], text=[policy.municipality]))
        for role in policy.roles:
            records.append(Record(url=at(layout.role(pid, role.id)), kind="section", page=page(role.name),
                                  title=[role.name], text=[role.held_by, role.description],
                                  hidden=[role.clause], keys=[role.name, *role.aliases]))
        for o in policy.live_obligations:
            roles = [policy.role(r) for r in (*o.actors, *o.approver, *o.report_to, *o.applies_to)]
            topic = topics.get(o.topic)
            details = [o.when, o.deadline, o.frequency, o.exception, *o.forms]
            records.append(Record(
                url=at(layout.role(pid, o.actors[0]), obligation_anchor(o.id)), kind="obligation",
                page=page(policy.role(o.actors[0]).name), title=[o.summary], text=[o.lead_in, o.text],
                hidden=[MODALITY_LABELS[o.modality], o.clause, *details, *(r.name for r in roles),
                        *(a for r in roles for a in r.aliases), *((topic.name, *topic.keywords) if topic else ())],
            ))
        for topic, _ in topics_of(content, policy):
            records.append(Record(url=at(layout.topic(pid, topic.id)), kind="section", page=page(topic.name),
                                  title=[topic.name], text=[topic.description], hidden=list(topic.keywords)))
        for paragraph in source_paragraphs(policy):
            anchor = paragraph["anchors"][0] if paragraph["anchors"] else f"L{paragraph['number']}"
            derived = [f"{o.clause} {o.summary}" for o in paragraph["obligations"]]
            records.append(Record(url=at(layout.source(pid), anchor), kind="clause", page=page("原文"),
                                  text=[paragraph["text"]], hidden=derived))
        for t in policy.tables:
            records.append(Record(url=at(layout.tables(pid), f"t-{t.id}"), kind="section", page=page("分類表"),
                                  title=[t.title], text=[" ".join(row) for row in t.rows], hidden=[t.clause, t.note]))
        for number, g in enumerate(sorted(policy.glossary, key=lambda g: g.term), start=1):
            records.append(Record(url=at(layout.glossary(pid), f"g-{number}"), kind="section", page=page("用語集"),
                                  title=[g.term], text=[g.definition], hidden=[*g.aliases, g.clause]))
        for role in roles_with_checklists(policy):
            name = policy.role(role).name
            records.append(Record(url=at(layout.checklist(pid, role)), kind="section", page=page(f"{name}のチェックリスト"),
                                  title=[f"自己点検チェックリスト：{name}"], hidden=["チェックリスト", "自己点検"]))
        for role in policy.roles:
            records.append(Record(url=at(layout.quiz(pid, role.id)), kind="section", page=page(f"{role.name}のクイズ"),
                                  title=[f"{role.name}のクイズ・試験"], hidden=["クイズ", "試験", "研修"]))
    return records


def index_script(content: Content, layout: Layout, static_pages: dict[str, str]) -> str:
    """``search/index.js`` of one site: the generated pages' records, then those of the static
    Markdown pages (path → Markdown, titled by their first heading); deterministic bytes."""
    records = model_records(content, layout)
    for path, markdown in sorted(static_pages.items()):
        page_records = markdown_records(layout.url(path), "", markdown)
        title = page_records[0].title[0] if page_records and page_records[0].title else path
        for record in page_records:
            record.page = title
        records += page_records
    data = json.dumps(build_index(records), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return f"window.hbSearchIndex={data};\n"


def build_index(records: list[Record]) -> dict:
    """The index shipped to the browser.

    ``pages``: the page titles; ``docs``: one row per record
    ``[url, kind, page number, title, text, hidden words, key names]``; the browser normalises
    title, text, hidden words and names into the text the bigrams were taken from.
    ``grams``: bigram → record numbers, as a gap-encoded base-36 string (the smallest JSON);
    the browser weighs a bigram by how few records hold it.
    """
    docs = []
    pages: dict[str, int] = {}
    postings: dict[str, list[int]] = defaultdict(list)
    for number, record in enumerate(records):
        title, text, hidden = (" ".join(" ".join(p for p in parts if p).split())
                               for parts in (record.title, record.text, record.hidden))
        page = pages.setdefault(record.page, len(pages))
        docs.append([record.url, record.kind, page, title, text, hidden, record.keys])
        search = " ".join([title, text, hidden, *record.keys])
        for gram in sorted(bigrams(search)):
            postings[gram].append(number)
    grams = {}
    for gram in sorted(postings):
        numbers = postings[gram]
        gaps = [numbers[0]] + [b - a for a, b in zip(numbers, numbers[1:])]
        grams[gram] = ",".join(_base36(g) for g in gaps)
    return {"version": 1, "pages": list(pages), "docs": docs, "grams": grams}


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
