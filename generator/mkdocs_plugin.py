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
from .errors import HandbookError
from .model import POLICY_IDS
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


class HandbookConfig(Config):
    policies = c.ListOfItems(c.Choice(POLICY_IDS), default=[])
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
        """Section titles in Japanese: folder names would show as 「Miyako」「Roles」."""
        titles = {p.id: p.municipality for p in self.content.policies} | SECTION_TITLES

        def rename(items):
            for item in items:
                if item.is_section:
                    first = next((c for c in item.children if c.is_page), None)
                    folder = first.file.src_uri.split("/")[-2] if first and "/" in first.file.src_uri else ""
                    item.title = titles.get(folder, item.title)
                    rename(item.children)

        rename(nav.items)
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
