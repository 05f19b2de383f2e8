"""Site pages: the portal, and per policy a home page, its revision history (「改定のポイント」),
role pages, topic pages, the original text, the classification tables and the glossary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import jinja2

from ..anchors import clause_anchor
from ..layout import Layout, PageLinks
from ..model import Content, Obligation, Policy, SourceGap, Topic
from ..sources import squeeze
from ..views import by_task, by_topic, reading_order, role_changes, role_rules
from . import Output, Settings
from .decks import decks_for_role
from .templating import environment


class PageRenderer:
    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        env = environment()
        layout = settings.layout
        policies = [content.policy(p) for p in settings.policies]
        if layout.portal:
            page = layout.portal_page()
            yield Output(page, env.get_template("portal.md.j2").render(
                policies=policies, links=PageLinks(layout, page)))
        for pid in layout.hosted_policies:
            yield from PolicyPages(env, content, content.policy(pid), layout).render()

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        return ()


@dataclass
class PolicyPages:
    """The pages of one policy, where the site's layout puts them."""

    env: jinja2.Environment
    content: Content
    policy: Policy
    layout: Layout

    def page(self, path: str, template: str, **context) -> Output:
        text = self.env.get_template(template).render(
            policy=self.policy, content=self.content, links=PageLinks(self.layout, path, self.policy.id), **context)
        return Output(path, text)

    def render(self) -> Iterable[Output]:
        layout, pid = self.layout, self.policy.id
        rules = [role_rules(self.policy, role) for role in reading_order(self.policy)]
        questions = [q for q in self.content.questions if q.policy == pid]
        topics = topics_of(self.content, self.policy)
        yield self.page(layout.home(pid), "policy_home.md.j2", rules=rules, topics=topics)
        yield self.page(layout.incident(pid), "incident.md.j2", steps=incident_steps(self.policy))
        if self.policy.revisions:
            yield self.page(layout.changes(pid), "changes.md.j2")
        for r in rules:
            yield self.page(layout.role(pid, r.role.id), "role.md.j2", rules=r, changes=role_changes(r),
                            decks=decks_for_role(self.policy, questions, r.role.id),
                            by_topic=lambda obs: by_topic(self.content, obs),
                            by_task=lambda obs: by_task(self.content, obs))
        yield self.page(layout.topics(pid), "topics.md.j2", topics=topics)
        for topic, obligations in topics:
            yield self.page(layout.topic(pid, topic.id), "topic.md.j2", topic=topic,
                            by_actor=by_actor(self.policy, obligations))
        yield self.page(layout.source(pid), "source.md.j2", paragraphs=source_paragraphs(self.policy))
        if self.policy.tables:
            yield self.page(layout.tables(pid), "tables.md.j2")
        if self.policy.glossary:
            yield self.page(layout.glossary(pid), "glossary.md.j2")


INCIDENT_TOPICS = ("incident-report", "incident-response", "malware")
"""Topics whose all-staff duties are what to do when something happens."""

URGENCY = ("直ちに", "速やかに", "すみやかに")
"""Deadlines, most urgent first; any other deadline comes after them."""


def incident_steps(policy: Policy) -> list[Obligation]:
    """The all-staff duties for when something happens, most urgent first, then in source order:
    reports, and what to do at once (an infected terminal off the network)."""
    staff = {r.id for r in policy.roles if r.canonical == "all-staff"}
    steps = [o for o in policy.live_obligations if o.topic in INCIDENT_TOPICS and staff & set(o.actors)
             and (o.topic == "incident-report" or o.deadline in URGENCY)]
    return sorted(steps, key=lambda o: (URGENCY.index(o.deadline) if o.deadline in URGENCY else len(URGENCY), o.source_line))


def topics_of(content: Content, policy: Policy) -> list[tuple[Topic, list[Obligation]]]:
    """The topics that have obligations in this policy, in the order of ``topics.yaml``."""
    return by_topic(content, policy.live_obligations)


def by_actor(policy: Policy, obligations: list[Obligation]) -> list[tuple[str, list[Obligation]]]:
    """Obligations grouped under their first actor's name: the all-staff role first (what most
    readers look for), then the roles in the order of policy.yaml."""
    order = {r.id: (r.canonical != "all-staff", i) for i, r in enumerate(policy.roles)}
    groups: dict[str, list[Obligation]] = {}
    for o in obligations:
        groups.setdefault(o.actors[0], []).append(o)
    return [(policy.role(r).name, groups[r]) for r in sorted(groups, key=order.__getitem__)]


def source_paragraphs(policy: Policy) -> list[dict]:
    """The original text, one entry per line: the obligations that start in it, the clause anchors
    placed there and the source gaps right after it."""
    starting: dict[int, list[Obligation]] = {}
    for o in policy.live_obligations:
        starting.setdefault(o.source_line, []).append(o)
    gaps_after = _gaps_by_line(policy)
    anchors_at: dict[int, list[str]] = {}
    for anchor, number in sorted(clause_lines(policy, gaps_after).items()):
        anchors_at.setdefault(number, []).append(anchor)
    return [
        {"number": number, "text": line, "obligations": starting.get(number, []),
         "anchors": anchors_at.get(number, []), "gaps": gaps_after.get(number, [])}
        for number, line in enumerate(policy.source_lines, start=1)
    ]


_LAST_PART = re.compile(r"(-[^-]+|第[0-9]+[項号]|[ア-ン])$")


def clause_lines(policy: Policy, gaps_after: dict[int, list[tuple[int, SourceGap]]]) -> dict[str, int]:
    """The source line of every clause anchor the pages link to: where its first obligation or
    non-obligation sentence is; for a clause quoted by neither (a role's, a glossary term's or a
    table's clause) where its first sub-clause is, or else its parent clause."""
    lines: dict[str, int] = {}

    def place(anchor: str, number: int) -> None:
        lines[anchor] = min(number, lines.get(anchor, number))

    for o in policy.live_obligations:
        place(clause_anchor(o.clause), o.source_line)
    squeezed = [squeeze(line) for line in policy.source_lines]
    for n in (n for c in policy.chapters for n in c.not_obligations):
        number = _line_of(squeezed, n.text)
        if n.clause and number:
            place(clause_anchor(n.clause), number)
    for number, gaps in gaps_after.items():
        for _, gap in gaps:
            lines.setdefault(clause_anchor(gap.clause), number)
    for term in policy.glossary:  # a definition quoted from the text marks its own clause
        number = None
        if term.verbatim and term.clause:
            number = _line_of(squeezed, term.definition) or next(
                (i for i, line in enumerate(squeezed, start=1) if re.match(r"[（(][0-9０-９]+[)）]" + re.escape(term.term), line)), None)
        if number and clause_anchor(term.clause) not in lines:
            lines[clause_anchor(term.clause)] = number
    referenced = [r.clause for r in policy.roles] + [g.clause for g in policy.glossary] + [t.clause for t in policy.tables]
    known = dict(lines)
    for clause in {c for c in referenced if c and clause_anchor(c) not in known}:
        anchor = clause_anchor(clause)
        children = [line for a, line in known.items() if a.startswith(anchor) and a[len(anchor):len(anchor) + 1] in ("-", "第")]
        parent = anchor
        while not children and _LAST_PART.search(parent) and parent not in known:
            parent = _LAST_PART.sub("", parent)
        heading = next((i for i, line in enumerate(squeezed, start=1) if line.startswith(squeeze(clause))), None)
        if children:
            lines[anchor] = min(children)
        elif heading:
            lines[anchor] = heading
        elif parent in known:
            lines[anchor] = known[parent]
    return lines


def _line_of(squeezed_lines: list[str], text: str) -> int | None:
    """The first source line holding the start of ``text``."""
    start = squeeze(text)[:20]
    return next((i for i, line in enumerate(squeezed_lines, start=1) if start in line), None)


def _gaps_by_line(policy: Policy) -> dict[int, list[tuple[int, SourceGap]]]:
    """Each gap (numbered from 1) under the source line holding its ``after`` quote (the loader
    checked that it exists)."""
    result: dict[int, list[tuple[int, SourceGap]]] = {}
    squeezed = [squeeze(line) for line in policy.source_lines]
    for index, gap in enumerate(policy.gaps, start=1):
        if not gap.after:
            continue
        quote = squeeze(gap.after)
        number = next((i for i, line in enumerate(squeezed, start=1) if quote in line), None)
        if number is not None:
            result.setdefault(number, []).append((index, gap))
    return result
