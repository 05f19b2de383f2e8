"""Site pages: per policy a home page, role pages, topic pages, the original text, glossary."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jinja2

from ..anchors import clause_anchor, obligation_anchor
from ..model import MODALITY_LABELS, Content, Policy
from ..views import by_topic, role_rules
from . import Output, Settings

TEMPLATES = Path(__file__).parent / "templates"


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


_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>"})


def escape_markdown(text: str) -> str:
    """Text for a Markdown line (a heading, a link label): HTML-escaped, Markdown specials escaped."""
    from markupsafe import Markup, escape

    return Markup(str(escape(text)).translate(_MARKDOWN_SPECIALS))


class PageRenderer:
    def render(self, content: Content, settings: Settings) -> Iterable[Output]:
        env = environment()
        policies = [content.policy(p) for p in settings.policies]
        if len(policies) > 1:
            yield Output("index.md", env.get_template("portal.md.j2").render(policies=policies))
        for policy in policies:
            prefix = f"{policy.id}/" if len(policies) > 1 else ""
            yield from self.policy_pages(env, content, policy, prefix)

    def policy_pages(self, env: jinja2.Environment, content: Content, policy: Policy, prefix: str) -> Iterable[Output]:
        rules = [role_rules(policy, role) for role in policy.roles]
        yield Output(f"{prefix}index.md", env.get_template("policy_home.md.j2").render(
            policy=policy, rules=rules, content=content))
        for r in rules:
            yield Output(f"{prefix}roles/{r.role.id}.md", env.get_template("role.md.j2").render(
                policy=policy, rules=r, by_topic=lambda obs: by_topic(content, obs), content=content))
        yield Output(f"{prefix}source.md", env.get_template("source.md.j2").render(
            policy=policy, paragraphs=source_paragraphs(content, policy)))


def source_paragraphs(content: Content, policy: Policy) -> list[dict]:
    """The original text, one entry per line, with the obligations that start in each line
    and the clause anchors placed there (each anchor once, at its first paragraph)."""
    starting: dict[int, list] = {}
    for o in policy.obligations:
        starting.setdefault(o.source_line, []).append(o)
    placed: set[str] = set()
    paragraphs = []
    for number, line in enumerate(policy.source_lines, start=1):
        obligations = starting.get(number, [])
        anchors = []
        for o in obligations:
            anchor = clause_anchor(o.clause)
            if anchor not in placed:
                placed.add(anchor)
                anchors.append(anchor)
        paragraphs.append({"number": number, "text": line, "obligations": obligations, "anchors": anchors})
    return paragraphs
