"""Japanese search: a bigram index of the built site, written as one static script.

Japanese has no spaces between words, and staff type words that sit inside longer compounds
(インシデント in 情報セキュリティインシデント), in either width (ICカード / ＩＣカード). So the
index does not split words at all: every record's text is NFKC-normalised and lower-cased, and
each pair of adjacent characters (a bigram) points to the records that contain it, as
PostgreSQL's pg_bigm does. A query is normalised the same way in the browser
(``docs/assets/search.js``), and a record matches a query word when it holds (most of) the
word's bigrams, wherever the word boundaries are.

Records are read back from the built HTML, so every page type is searchable whatever renderer
made it: one record per obligation (``div.hb-obligation``), per paragraph of the original text
(``div.hb-para``, pointing at its clause anchor) and per headed section of any other page. An
obligation listed on several role pages is indexed once, on the page of its first actor (where
the original text links to), with its roles and topic keywords as extra search words.

The index is a classic script assigning ``window.hbSearchIndex``, so it loads from a web server
and from ``file://`` alike (``fetch`` does not work there).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from .anchors import obligation_anchor
from .model import Content

INDEX_PATH = "search/index.js"
"""Where the index is written, relative to the site root."""

_SKIPPED_TAGS = {"script", "style", "template", "svg", "button"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_HEADINGS = {"h2", "h3", "h4", "h5", "h6"}


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


class _PageParser(HTMLParser):
    """Splits the article of one built page into records."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.page_title = ""
        self.records: list[Record] = []
        self._in_article = 0
        self._in_title = False
        self._skip = 0
        self._stack: list[tuple[str, list[str]]] = []  # open tags and what they started
        self._section: Record | None = None
        self._blocks: list[Record] = []  # open obligation / paragraph records, innermost last
        self._target = "text"  # where text currently goes in the innermost record

    # --- tag handling -------------------------------------------------------------------------
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        if tag == "article" and "md-content__inner" in (attrs.get("class") or ""):
            self._in_article = 1
            self._section = self._new(self.url, "section")
            return
        if not self._in_article or tag in _VOID_TAGS:
            return
        classes = (attrs.get("class") or "").split()
        started: list[str] = []
        if tag in _SKIPPED_TAGS or "headerlink" in classes:
            self._skip += 1
            started.append("skip")
        elif "hb-obligation" in classes and attrs.get("id"):
            self._blocks.append(self._new(f"{self.url}#{attrs['id']}", "obligation"))
            started.append("block")
        elif "hb-para" in classes and attrs.get("id"):
            self._blocks.append(self._new(f"{self.url}#{attrs['id']}", "clause"))
            started.append("block")
        elif tag == "span" and (attrs.get("id") or "").startswith("c-") and self._blocks:
            block = self._blocks[-1]
            if "#c-" not in block.url:  # point at the first clause anchor of the paragraph
                block.url = f"{self.url}#{attrs['id']}"
        elif tag in _HEADINGS and attrs.get("id") and not self._blocks:
            self._section = self._new(f"{self.url}#{attrs['id']}", "section")
            started.append("heading")
        elif tag == "h1" and not self._blocks:
            started.append("heading")
        elif "hb-summary" in classes:
            started.append("title")
        elif "hb-modality" in classes or "hb-derived" in classes:
            started.append("hidden")
        previous = self._target
        if "heading" in started or "title" in started:
            self._target = "title"
        elif "hidden" in started:
            self._target = "hidden"
        self._stack.append((tag, started + [f"was:{previous}"]))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if not self._in_article or tag in _VOID_TAGS:
            return
        if tag == "article":
            self._in_article = 0
            return
        if tag not in (t for t, _ in self._stack):
            return  # a stray end tag
        # pop up to the matching tag (tolerates unclosed <p>, <li>)
        while self._stack:
            open_tag, started = self._stack.pop()
            if "skip" in started:
                self._skip -= 1
            if "block" in started:
                self._blocks.pop()
            self._target = next(s[4:] for s in started if s.startswith("was:"))
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self._in_title and not self.page_title:
            self.page_title = data.strip()
        if not self._in_article or self._skip:
            return
        record = self._blocks[-1] if self._blocks else self._section
        if record is not None:
            getattr(record, self._target).append(data)

    def _new(self, url: str, kind: str) -> Record:
        record = Record(url=url, kind=kind, page=self.page_title)
        self.records.append(record)
        return record


def page_url(html_path: Path, site_dir: Path) -> str:
    """The site-relative URL of a built page (``miyako/roles/staff/``, ``""`` for the home page)."""
    relative = html_path.relative_to(site_dir).as_posix()
    return relative.removesuffix("index.html")


@dataclass(frozen=True)
class Extras:
    """What the model adds to the records read from the pages."""

    canonical: dict[str, str]
    """Obligation anchor → the one URL it is indexed at: its first actor's role page."""
    hidden: dict[str, list[str]]
    """Record URL → words it is searched by but does not show."""
    keys: dict[str, list[str]]
    """Record URL → names it is the answer for."""


def extras(content: Content, policies: tuple[str, ...]) -> Extras:
    """An obligation is indexed once, where the original text links to (its first actor's role
    page), with its clause, the roles it names (and their aliases) and its topic's keywords;
    a role page is the answer for the role's name and aliases."""
    prefix = {p: (f"{p}/" if len(policies) > 1 else "") for p in policies}
    canonical: dict[str, str] = {}
    hidden: dict[str, list[str]] = {}
    keys: dict[str, list[str]] = {}
    topics = {t.id: t for t in content.topics}
    for policy in (content.policy(p) for p in policies):
        for role in policy.roles:
            keys[f"{prefix[policy.id]}roles/{role.id}/"] = [role.name, *role.aliases]
        for o in policy.obligations:
            anchor = obligation_anchor(o.id)
            canonical[anchor] = f"{prefix[policy.id]}roles/{o.actors[0]}/#{anchor}"
            roles = [policy.role(r) for r in (*o.actors, *o.approver, *o.report_to)]
            topic = topics.get(o.topic)
            hidden[canonical[anchor]] = [
                o.clause, *(r.name for r in roles), *(a for r in roles for a in r.aliases),
                *((topic.name, *topic.keywords) if topic else ()),
            ]
    return Extras(canonical, hidden, keys)


_OBLIGATION_START = re.compile(r'<div class="hb-obligation" id="([^"]+)"')
_DIV = re.compile(r"<div\b|</div>")


def _drop_copies(html: str, url: str, canonical: dict[str, str]) -> str:
    """The page without the obligations indexed on another page (most of a role page is the
    rules it inherits; skipping them before parsing keeps indexing fast)."""
    parts, position = [], 0
    for match in _OBLIGATION_START.finditer(html):
        anchor = match.group(1)
        if match.start() < position or canonical.get(anchor, f"{url}#{anchor}") == f"{url}#{anchor}":
            continue
        depth, end = 0, len(html)
        for tag in _DIV.finditer(html, match.start()):
            depth += 1 if tag.group() == "<div" else -1
            if depth == 0:
                end = tag.end()
                break
        parts.append(html[position:match.start()])
        position = end
    parts.append(html[position:])
    return "".join(parts)


def read_records(site_dir: Path, extra: Extras) -> list[Record]:
    """The records of every built page in path order (not 404.html), without repeats: an
    obligation only at its canonical URL, no heading without text of its own (a topic heading
    above obligations)."""
    records = []
    seen: set[str] = set()
    for html_path in sorted(site_dir.rglob("*.html")):
        if html_path.name == "404.html":
            continue
        url = page_url(html_path, site_dir)
        html = html_path.read_text(encoding="utf-8")
        start, end = html.find("<article"), html.rfind("</article>")
        title_end = html.find("</title>") + len("</title>")
        article = html[start:end + len("</article>")] if 0 <= start < end else ""
        parser = _PageParser(url)
        # only the head's title and the article: the navigation is most of every page
        parser.feed(html[:title_end] + _drop_copies(article, url, extra.canonical))
        for record in parser.records:
            if record.url in seen or (record.kind == "section" and "#" in record.url and not _clean(record.text)):
                continue
            seen.add(record.url)
            record.page = parser.page_title.split(" - ")[0]
            record.hidden += extra.hidden.get(record.url, [])
            record.keys += extra.keys.get(record.url, [])
            records.append(record)
    return records


def _clean(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


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
        title, text, hidden = _clean(record.title), _clean(record.text), _clean(record.hidden)
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


def write_index(site_dir: Path, content: Content, policies: tuple[str, ...]) -> Path:
    """Index the built site in ``site_dir`` and write ``search/index.js`` (deterministic bytes)."""
    records = read_records(site_dir, extras(content, policies))
    data = json.dumps(build_index(records), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    target = site_dir / INDEX_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"window.hbSearchIndex={data};\n", encoding="utf-8")
    return target
