"""The one Jinja environment every renderer uses: autoescaping, strict, with the site's filters."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..anchors import clause_anchor, obligation_anchor
from ..model import MODALITY_LABELS, GlossaryTerm, Policy

TEMPLATES = Path(__file__).parent / "templates"

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>"})


def escape_markdown(text: str) -> Markup:
    """Text for a Markdown line (a heading, a link label): HTML-escaped, Markdown specials escaped."""
    return Markup(str(escape(text)).translate(_MARKDOWN_SPECIALS))


@cache
def _glossary_pattern(glossary: tuple[GlossaryTerm, ...]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    definitions: dict[str, str] = {}
    for term in glossary:
        for name in (term.term, *term.aliases):
            definitions.setdefault(name, term.definition)
    if not definitions:
        return None, definitions
    names = sorted(definitions, key=len, reverse=True)  # longest first: 情報資産 before 資産
    return re.compile("|".join(map(re.escape, names))), definitions


def gloss(text: str, policy: Policy) -> Markup:
    """Escaped text with the first occurrence of each glossary term marked as ``<abbr>``, whose
    title the theme shows as a tooltip. The characters of the text stay exactly as they are."""
    pattern, definitions = _glossary_pattern(policy.glossary)
    if pattern is None:
        return escape(text)
    parts, seen, last = [], set(), 0
    for match in pattern.finditer(text):
        term = match.group()
        if term in seen:
            continue
        seen.add(term)
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<abbr title="{}">{}</abbr>').format(definitions[term], term))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def role_names(role_ids: tuple[str, ...], policy: Policy) -> str:
    """Local role ids as their names, joined the Japanese way: 「市長、管理責任者」."""
    return "、".join(policy.role(r).name for r in role_ids)


def front_matter(text: str) -> Markup:
    """A value for a page's YAML front matter: HTML-escaped (the theme prints titles unescaped
    into the navigation) and double-quoted for YAML."""
    return Markup(json.dumps(str(escape(text)), ensure_ascii=False))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a build: no stat per include
    )
    env.filters.update(md=escape_markdown, clause_anchor=clause_anchor, anchor=obligation_anchor, gloss=gloss,
                       front_matter=front_matter, role_names=role_names)
    env.globals["modality_labels"] = MODALITY_LABELS
    return env
