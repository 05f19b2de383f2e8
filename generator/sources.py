"""The original policy text: cleaning a PDF-extracted copy, and finding quotes in it.

``source.txt`` holds one paragraph (heading, sentence group or list item) per line: the PDF's
line breaks joined and its page numbers removed, every other character as in the original.
Quotes are matched with all white space removed, so a sentence that the PDF broke over two
lines is still found.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
"""A line holding only a page number, as the PDF extraction left them."""

PARAGRAPH_START = re.compile(
    r"^(?:[（(][０-９0-9]+[）)]|[①-⑳]|[（(][ア-ン][）)]|[ア-ン][\s　]|・|[０-９]+[\s　]|\d+\.\d+|第[0-9０-９]+[条章節])"
)
"""Markers that open a new paragraph: (１) ① (ア) ア ・ １ 4.1 第5条."""

SHORT_LINE = 34
"""A PDF line narrower than this (in characters, indentation included) ended its paragraph."""

WHITESPACE = re.compile(r"\s+")


def clean_pdf_text(raw: str) -> str:
    """Join the lines a PDF extraction broke, drop page numbers, keep every other character.

    A line opens a new paragraph when it is indented, starts with a clause marker, or follows
    a line that ends a sentence or stops well short of the page width (a heading); any other
    line continues the paragraph before it.
    """
    paragraphs: list[str] = []
    previous_width = 0
    for line in raw.splitlines():
        if not line.strip() or PAGE_NUMBER.match(line):
            continue
        stripped = line.strip()
        new_paragraph = (
            not paragraphs
            or line[:1].isspace()
            or PARAGRAPH_START.match(stripped)
            or paragraphs[-1].endswith(("。", "）", ")"))
            or previous_width < SHORT_LINE
        )
        previous_width = len(line.rstrip())
        if new_paragraph:
            paragraphs.append(stripped)
        else:
            paragraphs[-1] += stripped
    return "\n".join(paragraphs) + "\n"


def squeeze(text: str) -> str:
    """The text with all white space removed: the form in which quotes are compared."""
    return WHITESPACE.sub("", text)


def excerpt(text: str, limit: int = 40) -> str:
    """The start of a text, squeezed, to show in a message (a quote, or a cell a user filled)."""
    text = squeeze(text)
    return text if len(text) <= limit else text[:limit] + "…"


def fold(text: str) -> str:
    """The text squeezed and NFKC-normalised, for comparing what people type: full and half
    width alike (「ＣＩＳＯ」 = 「CISO」, 「総務課 」 = 「総務課」)."""
    return squeeze(unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Span:
    """Where a quote stands in the squeezed source text."""

    start: int
    """Offset of the first character in the squeezed text."""
    end: int
    """Offset just past the last character."""
    line: int
    """1-based line of ``source.txt`` where the quote starts."""


@dataclass
class SourceText:
    """A policy's ``source.txt`` with an index from squeezed offsets back to its lines."""

    path: Path
    """The file that was read."""
    lines: list[str]
    """The paragraphs, one per line, as in the file."""
    squeezed: str = field(init=False)
    """All lines joined with white space removed."""
    line_starts: list[int] = field(init=False)
    """Squeezed offset at which each line starts."""
    clauses: frozenset[str] = field(init=False)
    """Every clause number the text prints (:func:`clause_numbers`)."""

    def __post_init__(self) -> None:
        starts, parts, offset = [], [], 0
        for line in self.lines:
            starts.append(offset)
            part = squeeze(line)
            parts.append(part)
            offset += len(part)
        self.squeezed = "".join(parts)
        self.line_starts = starts
        self.clauses = clause_numbers(self.lines)

    @classmethod
    def read(cls, path: Path) -> "SourceText":
        return cls(path, path.read_text(encoding="utf-8").splitlines())

    def has_clause(self, clause: str) -> bool:
        """Whether the text prints the clause: a number it uses (each part of a range such as
        「第9条第3項第1号～第7号」 or 「第50条第2項・第3項」), the preamble 「前文」 before the first
        number, or an unnumbered heading that opens a line (「付則」「別表第1(第13条関係)」; an
        editor's remark in brackets after it is allowed: 「付則（改正規則）」)."""
        key = clause_key(clause)
        if key == "前文":
            return True
        if not _NUMBERED.match(key):
            base = re.sub(r"\(.*\)$", "", key)
            return bool(base) and any(
                line.startswith(base) and not line[len(base):len(base) + 1].isdigit()
                for line in map(clause_key, self.lines)
            )
        first, *rest = _RANGE.split(key)
        parts = [first] + [_CLAUSE_PARTS.sub(lambda _: part, first, count=1) for part in rest]
        return all(part in self.clauses for part in parts)

    def line_at(self, offset: int) -> int:
        """The 1-based line holding the squeezed offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def find(self, quote: str) -> Span | None:
        """The first place the quote stands, white space ignored; None when it is not verbatim."""
        needle = squeeze(quote)
        if not needle:
            return None
        start = self.squeezed.find(needle)
        if start < 0:
            return None
        return Span(start, start + len(needle), self.line_at(start))

    def find_all(self, quote: str) -> list[Span]:
        """Every place the quote stands (list items such as 「(1) 略」 recur)."""
        needle, spans, start = squeeze(quote), [], 0
        while needle:
            start = self.squeezed.find(needle, start)
            if start < 0:
                break
            spans.append(Span(start, start + len(needle), self.line_at(start)))
            start += 1
        return spans


class QuotePlacer:
    """Decides which occurrence a quote means when its words recur in the source.

    Each quote takes the first occurrence not yet taken by an identical quote; a list item takes
    one that follows its lead-in, and the lead-in is the occurrence nearest before the item.
    Validation and coverage place quotes with this one rule, in the same order, so they agree.
    """

    LEAD_IN_REACH = 3000
    """How far (squeezed characters) a list item may stand after its lead-in."""

    def __init__(self, source: SourceText):
        self.source = source
        self.taken: dict[str, set[int]] = {}

    def place(self, quote: str, lead_in: str = "") -> tuple[Span | None, Span | None]:
        """(span of the quote, span of its lead-in); None for a part that is not verbatim."""
        spans = self.source.find_all(quote)
        leads = self.source.find_all(lead_in) if lead_in else []
        if not spans:
            return None, leads[0] if leads else None
        taken = self.taken.setdefault(squeeze(quote), set())
        free = [s for s in spans if s.start not in taken] or spans
        near = [s for s in free if any(0 <= s.start - lead.end < self.LEAD_IN_REACH for lead in leads)]
        span = (near or free)[0]
        taken.add(span.start)
        before = [lead for lead in leads if lead.end <= span.start]
        return span, (before[-1] if before else leads[0] if leads else None)


_WIDTH = str.maketrans("０１２３４５６７８９（）．", "0123456789().")


def clause_key(clause: str) -> str:
    """A clause in the form clauses are compared in: white space removed, full-width digits,
    brackets and dots as ASCII; circled numbers and katakana kept (「5.4 (３) ④」 → ``5.4(3)④``)."""
    return squeeze(clause).translate(_WIDTH)


_OUTLINE_MARKERS = (  # level (0 outermost) and pattern of each line-start marker of outline-numbered text
    (0, re.compile(r"(\d+\.\d+)\s")),  # a section 「5.4」 stands in place of its chapter 「５」
    (0, re.compile(r"(\d+)\s")),
    (1, re.compile(r"(\(\d+\))")),
    (2, re.compile(r"([①-⑳])")),
    (3, re.compile(r"([ア-ン])\s")),
    (4, re.compile(r"(\([ア-ン]\))")),
)
_ARTICLE = re.compile(r"第\d+条(?:の\d+)?")
_PARAGRAPH = re.compile(r"(\d+)\s")
_ITEM = re.compile(r"\((\d+)\)")
_SUB_ITEM = re.compile(r"([ア-ン])\s|(\([ア-ン]\))")
_CLAUSE_PARTS = re.compile(r"(第\d+[項号]|[ア-ン]|\([ア-ン]\)|[①-⑳]|\(\d+\))$")
"""The last part of a clause, replaced by each later part of a range (「第1号～第3号」)."""

_NUMBERED = re.compile(r"\d|\(\d|[①-⑳]|第\d+条")
"""How a numbered clause starts; anything else is a heading such as 「付則」 or 「別表第1」."""
_RANGE = re.compile(r"[～〜~・、]")


def clause_numbers(lines: list[str]) -> frozenset[str]:
    """Every clause number the text prints, as :func:`clause_key` writes them: article numbers
    when the text has articles (「第1条」), outline numbers otherwise."""
    texts = [line.translate(_WIDTH).strip() + " " for line in lines]  # \s also matches the full-width space
    if any(_ARTICLE.match(text) for text in texts):
        return _article_numbers(texts)
    return _outline_numbers(texts)


def _outline_numbers(texts: list[str]) -> frozenset[str]:
    """Outline-numbered standards (「１」「5.4」「(３)」「④」「ア」「(ア)」): each marker with the
    markers above it, 「5.4(3)④」."""
    keys: set[str] = set()
    stack: list[tuple[int, str]] = []
    for text in texts:
        for level, pattern in _OUTLINE_MARKERS:
            if m := pattern.match(text):
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, m.group(1)))
                keys.add("".join(part for _, part in stack))
                break
    return frozenset(keys)


def _article_numbers(texts: list[str]) -> frozenset[str]:
    """Article-numbered rules: 「第N条」, its paragraphs 「第N条第M項」 (the first one unnumbered,
    later ones opened by 「2」「3」), their items 「第N条第M項第K号」 (「第N条第K号」 in the first
    paragraph) and the items' sub-items (ア, (ア))."""
    keys: set[str] = set()
    article = paragraph = item = ""
    for text in texts:
        if m := _ARTICLE.match(text):
            article, paragraph, item = m.group(0), "第1項", ""
            keys.update({article, article + paragraph})
        elif not article:
            continue
        elif m := _PARAGRAPH.match(text):
            paragraph, item = f"第{m.group(1)}項", ""
            keys.add(article + paragraph)
        elif m := _ITEM.match(text):
            item = f"第{m.group(1)}号"
            keys.add(article + paragraph + item)
            if paragraph == "第1項":
                keys.add(article + item)
        elif item and (m := _SUB_ITEM.match(text)):
            sub = m.group(1) or m.group(2)
            keys.add(article + paragraph + item + sub)
            if paragraph == "第1項":
                keys.add(article + item + sub)
    return frozenset(keys)
