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
    def all_obligations(self) -> tuple[Obligation, ...]:
        """Own and inherited obligations, each once, in source order (a checklist lists them, by topic)."""
        seen, result = set(), []
        for o in self.own + tuple(o for _, group in self.inherited for o in group):
            if o.id not in seen:
                seen.add(o.id)
                result.append(o)
        return tuple(sorted(result, key=lambda o: o.source_line))


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
