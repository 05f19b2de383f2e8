"""Read-only views of the model that several renderers share: who follows which rules."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Content, LocalRole, Obligation, Policy, Topic


@dataclass(frozen=True)
class RoleRules:
    """Everything one local role has to know, as its page, checklist and deck show it."""

    policy: Policy
    role: LocalRole
    own: tuple[Obligation, ...]
    """Obligations that name the role itself as an actor."""
    inherited: tuple[tuple[LocalRole, tuple[Obligation, ...]], ...]
    """Obligations of the roles it is also a member of (e.g. 職員等), per such role."""
    approves: tuple[Obligation, ...]
    """Obligations that need this role's approval or permission."""
    receives: tuple[Obligation, ...]
    """Obligations that report to or notify this role."""
    applies: tuple[Obligation, ...] = ()
    """Obligations imposed on this role through another (contract clauses, pledges)."""

    @property
    def essentials(self) -> tuple[Obligation, ...]:
        """Its own 「まず守ること」, in the editor's order (``essentials`` in policy.yaml)."""
        return _essentials(self.role, self.own)

    @property
    def member_essentials(self) -> tuple[tuple[LocalRole, tuple[Obligation, ...]], ...]:
        """The 「まず守ること」 of each role it is a member of (every 課長 is also 職員等)."""
        return tuple((member, _essentials(member, group)) for member, group in self.inherited
                     if member.essentials)

    @property
    def shown_first(self) -> frozenset[str]:
        """Ids of every obligation under 「まず守ること」, which the rest of the page leaves out."""
        return frozenset(o.id for o in self.essentials + tuple(o for _, group in self.member_essentials for o in group))

    @property
    def all_obligations(self) -> tuple[Obligation, ...]:
        """Own and inherited obligations, each once, in source order (a checklist lists them, by topic)."""
        seen, result = set(), []
        for o in self.own + tuple(o for _, group in self.inherited for o in group):
            if o.id not in seen:
                seen.add(o.id)
                result.append(o)
        return tuple(sorted(result, key=lambda o: o.source_line))


def _essentials(role: LocalRole, among: tuple[Obligation, ...]) -> tuple[Obligation, ...]:
    chosen = {o.id: o for o in among if o.id in role.essentials}
    return tuple(chosen[oid] for oid in role.essentials if oid in chosen)


def reading_order(policy: Policy) -> list[LocalRole]:
    """The roles as staff look for them: the all-staff role first (what most readers are), then
    the others in the order of policy.yaml."""
    return sorted(policy.roles, key=lambda r: r.canonical != "all-staff")


def memberships(policy: Policy, role: LocalRole) -> list[LocalRole]:
    """Roles whose rules ``role`` also follows, transitively, nearest first."""
    result: list[LocalRole] = []
    queue = list(role.member_of)
    while queue:
        role_id = queue.pop(0)
        if role_id == role.id or any(r.id == role_id for r in result):
            continue
        member = policy.role(role_id)
        result.append(member)
        queue.extend(member.member_of)
    return result


def role_rules(policy: Policy, role: LocalRole) -> RoleRules:
    live = policy.live_obligations
    own = tuple(o for o in live if role.id in o.actors)
    inherited = tuple(
        (member, tuple(o for o in live if member.id in o.actors and role.id not in o.actors))
        for member in memberships(policy, role)
    )
    approves = tuple(o for o in live if role.id in o.approver)
    receives = tuple(o for o in live if role.id in o.report_to)
    applies = tuple(o for o in live if role.id in o.applies_to)
    return RoleRules(policy, role, own, inherited, approves, receives, applies)


def by_topic(content: Content, obligations: tuple[Obligation, ...]) -> list[tuple[Topic, list[Obligation]]]:
    """Group obligations by topic, topics in the order of ``topics.yaml``."""
    order = {t.id: i for i, t in enumerate(content.topics)}
    groups: dict[str, list[Obligation]] = {}
    for o in obligations:
        groups.setdefault(o.topic, []).append(o)
    return [(content.topic(t), groups[t]) for t in sorted(groups, key=lambda t: order.get(t, 1_000))]


def by_task(content: Content, obligations) -> list[tuple[Topic, list[Obligation]]]:
    """Group obligations by topic for a role page: the situations staff meet week by week first,
    each part in the order of ``topics.yaml``."""
    return sorted(by_topic(content, tuple(obligations)), key=lambda group: not group[0].weekly)


def role_changes(rules: RoleRules) -> tuple[Obligation, ...]:
    """The obligations the policy's newest revision changed that concern the role: those it must
    follow, approves, receives reports on or is bound by, and the retired ones it used to follow;
    in source order."""
    changed = set(rules.policy.current_changes)
    if not changed:
        return ()
    roles = {rules.role.id} | {m.id for m, _ in rules.inherited}
    live = rules.all_obligations + rules.approves + rules.receives + rules.applies
    retired = tuple(o for o in rules.policy.obligations if o.retired and roles & set(o.actors))
    concerned = {o.id for o in live + retired} & changed
    return tuple(o for o in rules.policy.obligations if o.id in concerned)


@dataclass(frozen=True)
class Requirement:
    """What one policy requires of one canonical topic or role, for the portal's comparison."""

    policy: Policy
    obligations: tuple[Obligation, ...]
    """The policy's obligations in force on the topic (or of the role's local roles), in source order."""
    roles: tuple[LocalRole, ...] = ()
    """For a role: the policy's local roles mapped to the canonical role (none: the policy has no such post)."""


def topic_requirements(policies: tuple[Policy, ...], topic: str) -> tuple[Requirement, ...]:
    """Each policy's obligations on one canonical topic."""
    return tuple(Requirement(p, tuple(o for o in p.live_obligations if o.topic == topic)) for p in policies)


def role_requirements(policies: tuple[Policy, ...], role: str) -> tuple[Requirement, ...]:
    """Each policy's obligations of the local roles that are the canonical role, named as actors."""
    result = []
    for p in policies:
        local = tuple(r for r in p.roles if r.canonical == role)
        ids = {r.id for r in local}
        result.append(Requirement(p, tuple(o for o in p.live_obligations if ids & set(o.actors)), local))
    return tuple(result)


def missing_topics(content: Content, policies: tuple[Policy, ...], policy: Policy) -> list[tuple[Topic, tuple[Requirement, ...]]]:
    """The topics where other policies require something and ``policy`` nothing, with what the
    others require, in the order of ``topics.yaml``."""
    result = []
    for topic in content.topics:
        requirements = topic_requirements(policies, topic.id)
        mine = next(r for r in requirements if r.policy.id == policy.id)
        others = tuple(r for r in requirements if r.policy.id != policy.id and r.obligations)
        if not mine.obligations and others:
            result.append((topic, others))
    return result
