"""The one Jinja environment every renderer uses: autoescaping, strict, with the site's filters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..anchors import clause_anchor, obligation_anchor
from ..model import MODALITY_LABELS

TEMPLATES = Path(__file__).parent / "templates"

_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>"})


def escape_markdown(text: str) -> Markup:
    """Text for a Markdown line (a heading, a link label): HTML-escaped, Markdown specials escaped."""
    return Markup(str(escape(text)).translate(_MARKDOWN_SPECIALS))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=escape_markdown, clause_anchor=clause_anchor, anchor=obligation_anchor)
    env.globals["modality_labels"] = MODALITY_LABELS
    return env
