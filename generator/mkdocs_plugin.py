"""MkDocs plugin ``handbook``: a thin adapter for ``mkdocs serve``.

``handbook build`` does not use it: it stages each site (``generator/stage.py``) and runs plain
MkDocs on the staged tree. Under ``mkdocs serve`` (``make serve``) the plugin stages the portal
(with the editor's guide) into ``.cache/serve/`` before each build and points MkDocs at it: only
files whose bytes changed
are rewritten, downloads are rendered again only for a policy whose files changed, and the
content, quizzes and static docs are watched instead of the staged folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import yaml
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .content import load_content
from .errors import HandbookError
from .layout import GUIDE
from .renderers import Output, render_downloads
from .stage import read_project, stage

SERVE_DIR = ".cache/serve"
"""Where ``mkdocs serve`` stages the site, under the project folder."""


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
    def on_startup(self, *, command, dirty) -> None:
        """Defined so that MkDocs keeps this plugin (and its caches) from one rebuild to the next."""
        self.downloads: dict[str, tuple[str, list[Output]]] = {}

    def project_root(self, config) -> Path:
        base = Path(config.config_file_path).parent
        return (base / self.config.root).resolve() if self.config.root else base.resolve()

    def on_config(self, config):
        root = self.project_root(config)
        try:
            content = load_content(root)
            project = read_project(root, content)
            policies = project.policies
            downloads = [o for pid in policies for o in self._downloads(root, content, pid)]
            with tempfile.TemporaryDirectory(dir=root / ".cache" if (root / ".cache").is_dir() else root) as tmp:
                staged = stage(project, content, project.settings(policies), downloads, Path(tmp), guide=GUIDE)
                staged_config = yaml.safe_load(staged.read_text(encoding="utf-8"))
                target = root / SERVE_DIR
                sync(Path(tmp) / "docs", target)
        except HandbookError as err:
            raise PluginError("内容に問題があります:\n" + str(err)) from err
        config.docs_dir = str(target)
        for key in ("nav", "site_name", "use_directory_urls"):
            config[key] = staged_config[key]
        config.extra.update(staged_config["extra"])
        return config

    def _downloads(self, root: Path, content, pid: str) -> list[Output]:
        """A policy's downloads, rendered again only when one of its files changed."""
        digest = hashlib.sha256()
        folders = [root / "content" / pid, root / "quizzes" / pid]
        files = [root / "content" / "roles.yaml", root / "content" / "topics.yaml"]
        files += sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file())
        for path in files:
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
        key = digest.hexdigest()
        if self.downloads.get(pid, ("",))[0] != key:
            self.downloads[pid] = (key, render_downloads(content, (pid,)))
        return self.downloads[pid][1]

    def on_serve(self, server, config, builder):
        """Watch what the site is made from, not the staged folder the plugin writes."""
        root = self.project_root(config)
        server.unwatch(config.docs_dir)
        for folder in ("content", "quizzes", "docs"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        return server


def sync(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source``, touching only files that differ (so MkDocs' dirty
    builds and the browser's live reload see just what changed)."""
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    if target.is_dir():
        for path in sorted(target.rglob("*"), reverse=True):
            relative = path.relative_to(target)
            if path.is_file() and relative not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for relative in sorted(wanted):
        new, old = source / relative, target / relative
        data = new.read_bytes()
        if old.is_file() and old.read_bytes() == data:
            continue
        old.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(new, old)
