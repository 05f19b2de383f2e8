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

    def __post_init__(self) -> None:
        starts, parts, offset = [], [], 0
        for line in self.lines:
            starts.append(offset)
            part = squeeze(line)
            parts.append(part)
            offset += len(part)
        self.squeezed = "".join(parts)
        self.line_starts = starts

    @classmethod
    def read(cls, path: Path) -> "SourceText":
        return cls(path, path.read_text(encoding="utf-8").splitlines())

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
