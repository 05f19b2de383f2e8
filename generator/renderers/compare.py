"""The portal's comparison of the policies (「団体の比較」): per canonical topic and canonical role,
what each municipality requires side by side, and per municipality the topics where the others
require something it does not. Only a site with several policies has it."""

from __future__ import annotations

from collections.abc import Iterable

from ..layout import PageLinks
from ..model import Content
from ..views import missing_topics, role_requirements, topic_requirements
from . import Output, Settings
from .templating import environment


class CompareRenderer:
    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        layout = settings.layout
        if not layout.portal:
            return
        env = environment()
        policies = tuple(content.policy(p) for p in settings.policies)
        topics = [(t, topic_requirements(policies, t.id)) for t in content.topics]
        topics = [(t, r) for t, r in topics if any(q.obligations for q in r)]
        roles = [(r, role_requirements(policies, r.id)) for r in content.roles]
        roles = [(r, q) for r, q in roles if any(x.roles for x in q)]

        def page(path: str, template: str, **context) -> Output:
            return Output(path, env.get_template(template).render(
                policies=policies, links=PageLinks(layout, path), **context))

        gaps = [(p, missing_topics(content, policies, p)) for p in policies]
        yield page(layout.compare(), "compare.md.j2", topics=topics, roles=roles, gaps=gaps)
        for topic, requirements in topics:
            yield page(layout.compare_topic(topic.id), "compare_item.md.j2", title=topic.name, kind="場面",
                       description=topic.description, requirements=requirements)
        for role, requirements in roles:
            yield page(layout.compare_role(role.id), "compare_item.md.j2", title=role.name, kind="役割",
                       description=role.description, requirements=requirements)

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        return ()
