"""Site pages: per policy a home page, role pages, topic pages, the original text, glossary."""

from __future__ import annotations

from collections.abc import Iterable

import jinja2

from ..anchors import clause_anchor
from ..model import Content, Policy
from ..views import by_topic, role_rules
from . import Output, Settings
from .templating import environment


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
