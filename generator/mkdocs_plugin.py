"""MkDocs plugin: generates the handbook pages and downloads from the YAML during the build.

Registered as ``handbook`` (entry point), so ``mkdocs build`` and ``mkdocs serve`` both produce
the whole site; ``serve`` also watches ``content/`` and ``quizzes/`` and rebuilds on change.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .content import load_content
from .branding import check_brand
from .errors import HandbookError
from .renderers import Settings, render_all
from .search import write_index


SECTION_TITLES = {
    "roles": "役割",
    "topics": "場面・トピック",
    "checklists": "チェックリスト",
    "quiz": "クイズ・試験",
    "guide": "編集者ガイド",
}
"""Navigation titles of the generated folders of a policy (and of the editor's guide)."""


def _folder(section) -> str:
    """The folder a navigation section stands for (``miyako/roles``), from the pages inside it."""
    page = next((c for c in section.children if c.is_page), None)
    if page is None:  # only sub-sections: the parent of the first one's folder
        return _folder(section.children[0]).rpartition("/")[0]
    return page.file.src_uri.rpartition("/")[0]


class HandbookConfig(Config):
    policies = c.ListOfItems(c.Type(str), default=[])
    """Policies to publish: empty (the default) for every policy in content/ as a portal, or one id
    for a municipality's own site."""
    root = c.Optional(c.Type(str))
    """Project folder holding content/ and quizzes/; defaults to the folder of mkdocs.yml."""
    quiz_questions = c.Type(int, default=20)
    """Questions drawn for one exam of the browser quiz."""
    quiz_pass_mark = c.Type(int, default=80)
    """Percentage of right answers needed to pass the exam (0–100)."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    def project_root(self, config) -> Path:
        base = Path(config.config_file_path).parent
        return (base / self.config.root).resolve() if self.config.root else base.resolve()

    def on_config(self, config):
        try:
            self.content = load_content(self.project_root(config))
        except HandbookError as err:
            raise PluginError("内容に問題があります:\n" + str(err)) from err
        missing = [p for p in self.config.policies if p not in {q.id for q in self.content.policies}]
        if missing:
            raise PluginError(f"mkdocs.yml の policies にある「{'、'.join(missing)}」の内容がありません。")
        if self.config.quiz_questions < 1 or not 0 <= self.config.quiz_pass_mark <= 100:
            raise PluginError("mkdocs.yml の quiz_questions は1以上、quiz_pass_mark は0〜100 の整数にしてください。")
        chosen = self.chosen_policies()
        single = self.content.policy(chosen[0]).municipality if len(chosen) == 1 else ""
        brand, problems = check_brand(config.extra.get("brand"), Path(config.docs_dir), single)
        if problems:
            raise PluginError("\n".join(problems))
        config.extra["brand"] = brand
        if brand["name"] and not config.site_name.startswith(brand["name"]):
            config.site_name = f"{brand['name']} {config.site_name}"
        return config

    def chosen_policies(self) -> tuple[str, ...]:
        """The policies this build publishes (every policy in content/ when none is configured)."""
        return tuple(self.config.policies or [p.id for p in self.content.policies])

    def on_files(self, files: Files, config) -> Files:
        chosen = self.chosen_policies()
        settings = Settings(tuple(chosen), self.config.quiz_questions, self.config.quiz_pass_mark)
        for output in render_all(self.content, settings):
            files.append(File.generated(config, output.path, content=output.data))
        return files

    def on_nav(self, nav, config, files):
        """Japanese section titles (folder names would show as 「Miyako」「Roles」) and a reading
        order: policies as in content/, then per policy home, roles, topics, original text, tables,
        glossary, checklists, quiz; roles in the order of policy.yaml."""
        titles = {p.id: p.municipality for p in self.content.policies} | SECTION_TITLES
        order = {name: i for i, name in enumerate(
            [p.id for p in self.content.policies] + ["index", "roles", "topics", "source", "tables", "glossary", "checklists", "quiz", "guide"])}
        role_order = {f"{folder}/{r.id}": i for p in self.content.policies for i, r in enumerate(p.roles)
                      for folder in ("roles", "checklists", "quiz")}
        role_order |= {f"topics/{t.id}": i for i, t in enumerate(self.content.topics)}

        def key(item) -> tuple[int, int]:
            uri = item.file.src_uri.removesuffix(".md") if item.is_page else _folder(item)
            parts = uri.split("/")
            if uri == "index":  # the portal (or the single policy's home) comes first
                return -1, 0
            return order.get(parts[-1], len(order)), role_order.get("/".join(parts[-2:]), 0)

        def arrange(items):
            for item in items:
                if item.is_section:
                    item.title = titles.get(_folder(item).split("/")[-1], item.title)
                    arrange(item.children)
            items.sort(key=key)

        arrange(nav.items)
        return nav

    def on_post_build(self, config):
        """Index the built pages for the handbook's own Japanese search (generator/search.py)."""
        write_index(Path(config.site_dir), self.content, self.chosen_policies())

    def on_serve(self, server, config, builder):
        root = self.project_root(config)
        for folder in ("content", "quizzes"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        return server
