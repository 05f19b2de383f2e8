"""The theme override stays a copy of the installed theme's partial except for the one block the
handbook changes, so a theme upgrade that changes the header is noticed here, not by staff."""

from __future__ import annotations

import re
from pathlib import Path

import material

from .conftest import ROOT

THEME = Path(material.__file__).parent / "templates"
OURS = ROOT / "site-overrides"

LEADING_COMMENT = re.compile(r"\A\{#-.*?-#\}\n", re.S)
THEME_SEARCH = re.compile(r'\n *\{% if "material/search" in config\.plugins %\}.*?\n      \{% endif %\}\n    \{% endif %\}', re.S)
OUR_SEARCH = re.compile(r'\n *\{#- handbook: [^\n]*\n *\{% include "partials/hb-search\.html" %\}')


def without_search(text: str, block: re.Pattern) -> str:
    text, count = block.subn("\n<SEARCH>", LEADING_COMMENT.sub("", text))
    assert count == 1, "the search block was not found exactly once"
    return text


def test_header_partial_differs_from_the_theme_only_in_the_search_block():
    theme = without_search((THEME / "partials" / "header.html").read_text(encoding="utf-8"), THEME_SEARCH)
    ours = without_search((OURS / "partials" / "header.html").read_text(encoding="utf-8"), OUR_SEARCH)
    assert ours == theme


def test_every_other_override_names_a_file_the_theme_has_or_is_our_own():
    ours = {p.relative_to(OURS).as_posix() for p in OURS.rglob("*.html")}
    own = {"partials/hb-search.html"}  # included by the header copy above
    assert {p for p in ours - own if not (THEME / p).is_file()} == set()
