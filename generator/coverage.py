"""Coverage: is every normative sentence of a policy quoted by an obligation or accounted for?

A sentence is normative when it binds someone (なければならない, てはならない, ものとする, 努める,
ことができる) or is a list item ending in こと. It is covered when the place of that wording in
``source.txt`` lies inside the text (or lead-in) of an obligation or of a ``not_obligations`` entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Policy
from .sources import QuotePlacer, SourceText, squeeze

NORMATIVE = re.compile(r"なければならな|てはならな|ものとする|努め|ことができる|ことができない")
"""Wording that makes a sentence normative."""

LIST_ITEM = re.compile(r"^(?:[（(][０-９0-9ア-ン]+[）)]|[①-⑳]|[ア-ン][\s　]|・)")
"""A list item marker at the start of a paragraph."""

SECTION = re.compile(r"^(?:(?P<num>[０-９]+|\d+\.\d+)[\s　]+\S|(?P<law>第[0-9０-９]+章))")
"""A chapter or section heading: 「５ 人的セキュリティ」「5.4 …」「第3章 …」."""


@dataclass(frozen=True)
class Sentence:
    """A normative sentence of the source."""

    line: int
    """Line of ``source.txt``."""
    text: str
    """The sentence as it stands in the line."""
    section: str
    """Heading of the section it belongs to."""
    covered: bool
    """Whether an obligation or an accounted-for entry quotes its normative wording."""


@dataclass(frozen=True)
class Coverage:
    """The result for one policy."""

    policy: Policy
    sentences: tuple[Sentence, ...]

    @property
    def uncovered(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if not s.covered)

    @property
    def share(self) -> float:
        return 1.0 if not self.sentences else 1 - len(self.uncovered) / len(self.sentences)

    def by_section(self) -> list[tuple[str, int, int]]:
        """(heading, normative sentences, covered) per section, in source order."""
        rows: dict[str, list[int]] = {}
        for s in self.sentences:
            counts = rows.setdefault(s.section, [0, 0])
            counts[0] += 1
            counts[1] += s.covered
        return [(heading, total, covered) for heading, (total, covered) in rows.items()]


def compute_coverage(policy: Policy, source: SourceText) -> Coverage:
    covered = _covered_offsets(policy, source)
    sentences: list[Sentence] = []
    section = "（前文）"
    for number, line in enumerate(source.lines, start=1):
        if SECTION.match(line) and not NORMATIVE.search(line) and len(line) < 60:
            section = line.strip()
            continue
        offset = source.line_starts[number - 1]
        for text, start in _sentences(line):
            marker = _marker(text, line)
            if marker is None:
                continue
            position = offset + len(squeeze(line[:start])) + len(squeeze(text[:marker]))
            sentences.append(Sentence(number, text.strip(), section, position in covered))
    return Coverage(policy, tuple(sentences))


def _sentences(line: str) -> list[tuple[str, int]]:
    """Split a paragraph after each 「。」 outside brackets; (sentence, start column) pairs."""
    result, depth, start = [], 0, 0
    for index, char in enumerate(line):
        if char in "（(「『":
            depth += 1
        elif char in "）)」』":
            depth = max(0, depth - 1)
        elif char == "。" and depth == 0:
            result.append((line[start:index + 1], start))
            start = index + 1
    if line[start:].strip():
        result.append((line[start:], start))
    return result


def _marker(sentence: str, line: str) -> int | None:
    """Column of the normative wording in the sentence, or None when it binds no one."""
    match = NORMATIVE.search(sentence)
    if match:
        return match.start()
    stripped = sentence.rstrip("。 　")
    if stripped.endswith("こと") and LIST_ITEM.match(line):
        return len(stripped) - 2
    return None


def _covered_offsets(policy: Policy, source: SourceText) -> set[int]:
    """Squeezed offsets inside any quote, each quote placed as validation places it."""
    placer = QuotePlacer(source)
    spans = [span for o in policy.live_obligations for span in placer.place(o.text, o.lead_in)]
    spans += [placer.place(n.text)[0] for n in policy.not_obligations]
    return {offset for span in spans if span for offset in range(span.start, span.end)}
