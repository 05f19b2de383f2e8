"""Stable anchors and links shared by the pages, checklists, cards and the quiz."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9A-Za-z\u3040-\u30ff\u4e00-\u9fff]+")


def clause_anchor(clause: str) -> str:
    """Anchor of a clause on the original-text page: 「5.4 (３) ④」 → ``c-5-4-3-4``."""
    normal = unicodedata.normalize("NFKC", clause)
    return "c-" + _NOT_WORD.sub("-", normal).strip("-")


def obligation_anchor(obligation_id: str) -> str:
    """Anchor of an obligation wherever it is listed: its id with the dot as a hyphen pair."""
    return obligation_id.replace(".", "--")
