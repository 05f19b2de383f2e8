"""MkDocs plugin ``handbook``: a thin adapter for ``mkdocs serve``.

``handbook build`` does not use it: it stages each site (``generator/stage.py``) and runs plain
MkDocs on the staged tree. Under ``mkdocs serve`` (``make serve``) the plugin stages the portal
(with the editor's guide) into ``.cache/serve/`` before each build and points MkDocs at it: only
files whose bytes changed are rewritten, so MkDocs' dirty build converts only the pages that
changed. The content, quizzes and static docs are watched instead of the staged folder.

A rebuild after a save gives the staged tree a fresh stage gives (``tests/test_serve.py``), doing
less and using both cores of the machine (Linux). What does not depend on MkDocs is in
``generator/preview.py``: the pages and downloads of a policy whose files did not change come
from the last rebuild, and the downloads of one whose files changed are rendered in a forked
process while the pages are rendered. Here, with MkDocs' objects:

- a forked process converts most of the changed pages from Markdown to HTML, started as soon as
  the pages are rendered (with the last build's MkDocs configuration and files, its work taken
  only if this build's are the same; else started when MkDocs converts, with half of them),
  while MkDocs converts the others (:class:`SecondCore`);
- the theme's compiled templates are kept (:class:`CompiledTemplates`), and the watched folders
  are looked at every :data:`WATCH_INTERVAL` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import jinja2
import yaml
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data

from .content import load_content
from .errors import HandbookError
from .layout import GUIDE
from .preview import DownloadCache, Forked, Inputs, PageCache, static_pages, sync
from .renderers import Output, render_pages
from .search import index_script
from .stage import read_project, stage

SERVE_DIR = ".cache/serve"
"""Where ``mkdocs serve`` stages the site, under the project folder."""


WATCH_INTERVAL = 0.1
"""Seconds between two looks at the watched folders for a saved file (MkDocs polls every 0.5 s;
the content, quizzes and docs folders hold under 100 files, looked at in 2 ms)."""


EARLY_SHARE = 0.6
"""The share of the changed pages' Markdown converted by the process started while the site is
staged (it starts a second or so before MkDocs converts the others)."""


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
        self.downloads = DownloadCache()
        self.serving, self.dirty = command == "serve", dirty
        self.second: SecondCore | None = None
        self.compiled = CompiledTemplates()
        self.pages = PageCache()
        self.staged: dict[str, str] = {}
        """The generated pages in the staged tree (path → Markdown)."""
        self.last: tuple[object, object, tuple] | None = None
        """The last build's MkDocs configuration, files and :meth:`fingerprint`."""
        self.early: SecondCore | None = None
        """The changed pages' conversion, started while the site is staged."""

    def project_root(self, config) -> Path:
        base = Path(config.config_file_path).parent
        return (base / self.config.root).resolve() if self.config.root else base.resolve()

    def on_config(self, config):
        root = self.project_root(config)
        downloads = None
        try:
            content = load_content(root)
            project = read_project(root, content)
            self.static = {p.relative_to(project.docs).as_posix() for p in project.docs.rglob("*.md")}
            policies = project.policies
            settings = project.settings(policies)
            inputs = Inputs.of(root, policies)
            generated: set[str] = set()

            def pages(content_, settings_) -> list[Output]:
                if content_ is not content or settings_ is not settings:
                    return render_pages(content_, settings_)
                outputs = self.pages.render(content, settings, inputs)
                generated.update(o.path for o in outputs)
                self._convert_early({o.path: o.data for o in outputs if o.path.endswith(".md")})
                return outputs

            def meanwhile() -> None:  # the search index, as stage() will ask for it (search.index_script)
                static = {path: text for path, text in static_pages(project.docs).items() if path not in generated}
                index_script(content, settings.layout, static)

            downloads = self.downloads.render(content, policies, inputs, meanwhile, fork=self.serving)

            with tempfile.TemporaryDirectory(dir=root / ".cache" if (root / ".cache").is_dir() else root) as tmp:
                staged = stage(project, content, settings, downloads, Path(tmp), guide=GUIDE, render_pages=pages)
                staged_config = yaml.safe_load(staged.read_text(encoding="utf-8"))
                target = root / SERVE_DIR
                sync(Path(tmp) / "docs", target)
        except HandbookError as err:
            self._stop_second()
            raise PluginError("内容に問題があります:\n" + str(err)) from err
        except BaseException:
            self._stop_second()
            raise
        finally:
            if downloads is not None:
                downloads.stop()
        config.docs_dir = str(target)
        for key in ("nav", "site_name", "use_directory_urls"):
            config[key] = staged_config[key]
        config.extra.update(staged_config["extra"])
        return config

    def _convert_early(self, pages: dict[str, str]) -> None:
        """Start converting the generated pages that changed since the last build in a second
        process while the site is staged (``mkdocs serve`` only), with the last build's
        configuration and files: most of them (:data:`EARLY_SHARE`), as the process starts early."""
        changed = {path: text for path, text in pages.items() if self.staged.get(path) != text and path not in self.static}
        self.staged = pages
        self._stop_second()
        if self.serving and self.last is not None and changed:
            config, files, _ = self.last
            order = [f.src_uri for f in files.documentation_pages() if f.src_uri in changed]
            if len(order) == len(changed):
                self.early = SecondCore.early(config, files, [(uri, changed[uri]) for uri in order], EARLY_SHARE)

    @staticmethod
    def fingerprint(config, files) -> tuple:
        """What converting a page depends on besides its Markdown: the settings and the files."""
        digest = hashlib.sha256(Path(config.config_file_path).read_bytes()).hexdigest()
        return digest, config.docs_dir, config.use_directory_urls, tuple((f.src_uri, f.url) for f in files)

    def on_nav(self, nav, *, config, files):
        """Take the conversion started early if this build converts as the last did, else hand the
        later half of the pages to convert to a second process (``mkdocs serve`` only)."""
        if self.serving:
            fingerprint = self.fingerprint(config, files)
            if self.early is not None and self.last is not None and self.last[2] == fingerprint:
                self.second, self.early = self.early, None
            else:
                self._stop_second()
                pages = [f for f in files.documentation_pages() if not self.dirty or f.is_modified()]
                self.second = SecondCore.start(config, files, pages, lambda f: f.src_uri not in self.static)
            self.last = (config, files, fingerprint)
        return nav

    def on_pre_page(self, page, *, config, files):
        if self.second is not None:
            self.second.take(page)
        return page

    def on_env(self, env, *, config, files):
        """Keep the theme's compiled templates from one build to the next (MkDocs makes a new
        Jinja environment for every build, which compiles the theme again: 0.2 s)."""
        env.bytecode_cache = self.compiled
        return env

    def on_post_build(self, *, config) -> None:
        self._stop_second()

    def on_build_error(self, *, error) -> None:
        self._stop_second()

    def _stop_second(self) -> None:
        for second in (self.second, self.early):
            if second is not None:
                second.stop()
        self.second = self.early = None

    def on_serve(self, server, config, builder):
        """Watch what the site is made from, not the staged folder the plugin writes."""
        root = self.project_root(config)
        server.unwatch(config.docs_dir)
        if isinstance(getattr(server.observer, "_timeout", None), (int, float)):
            server.observer._timeout = WATCH_INTERVAL  # how often the watches added below poll
        for folder in ("content", "quizzes", "docs"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        return server


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates in memory. Jinja checks each against its source before using it."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class SecondCore:
    """Converts some of a build's pages from Markdown to HTML in a forked process, while MkDocs
    converts the others, so a rebuild uses both cores of the machine.

    MkDocs still runs every plugin event of every page in this process, in order; only
    :meth:`Page.render` (Markdown → HTML, which also checks the page's links) of a page handed to
    the second process takes its result instead of converting, when the Markdown it was given is
    the Markdown that process converted (otherwise, or if that process failed, the page is
    converted here as usual). Its log messages (a broken link) are logged here, at that page.
    Only the handbook's generated pages are handed over: the static pages may use other plugins'
    Markdown (the guide's schema reference), whose state must stay in this process."""

    MIN_PAGES = 4
    """Fewer changed pages than this are converted here alone (a fork is not worth it)."""

    def __init__(self, forked: Forked, uris: list[str]):
        self.forked = forked
        self.pending = set(uris)
        self.used = 0
        """Pages whose conversion was taken from the second process."""

    @classmethod
    def start(cls, config, files, pages: list, movable) -> SecondCore | None:
        """Fork a process converting the last pages of ``pages`` that ``movable`` allows, about
        half of all their bytes; None when there is too little to share."""
        if len(pages) < cls.MIN_PAGES or not Forked.available():
            return None
        sizes = {f.src_uri: os.path.getsize(f.abs_src_path) for f in pages}
        half, share, taken = sum(sizes.values()) / 2, 0, []
        for f in reversed(pages):
            if share >= half:
                break
            if movable(f):
                taken.append(f.src_uri)
                share += sizes[f.src_uri]
        if not taken:
            return None
        taken.reverse()  # in MkDocs' order: the first one MkDocs asks for comes first
        return cls(Forked(_convert_pages, config, files, [(uri, None) for uri in taken]), taken)

    @classmethod
    def early(cls, config, files, pages: list[tuple[str, str]], share: float) -> SecondCore | None:
        """Fork a process converting the last pages of ``pages`` (uri, source), ``share`` of their
        bytes, before MkDocs builds: with the last build's configuration and files, taken only if
        this build's are the same (:meth:`HandbookPlugin.on_nav`)."""
        if len(pages) < cls.MIN_PAGES or not Forked.available():
            return None
        wanted, done, taken = share * sum(len(source) for _, source in pages), 0, []
        for uri, source in reversed(pages):
            if done >= wanted:
                break
            taken.append((uri, source))
            done += len(source)
        taken.reverse()
        return cls(Forked(_convert_pages, config, files, taken), [uri for uri, _ in taken])

    def take(self, page) -> None:
        """Before MkDocs reads a page handed over, make its ``render`` take the second process's result."""
        uri = page.file.src_uri
        if uri not in self.pending:
            return
        self.pending.discard(uri)
        convert = page.render

        def render(config, files):
            del page.render  # back to the class's method
            done = self.forked.wait_for(lambda item: item[0] == uri)
            result = done[1] if done is not None else None
            if result is None or result["markdown"] != page.markdown:
                return convert(config, files)
            self.used += 1
            for name, level, message in result["logs"]:
                logging.getLogger(name).log(level, message)
            page.content, page.toc = result["content"], result["toc"]
            page._title_from_render, page.present_anchor_ids = result["title"], result["present_anchor_ids"]
            if result["links_to_anchors"] is not None:
                page.links_to_anchors = {files.get_file_from_path(u): links
                                         for u, links in result["links_to_anchors"].items()}

        page.render = render

    def stop(self) -> None:
        self.forked.stop()


def _convert_pages(config, files, pages: list[tuple[str, str | None]]):
    """In the forked process: read (or take the given source of) and convert each page, yielding
    ``(uri, result)`` as it is done (``None`` when it failed: MkDocs then converts it and reports
    the error)."""
    messages: list[tuple[str, int, str]] = []

    def keep(logger, record):  # every message any logger would emit, for the main process to log
        messages.append((record.name, record.levelno, record.getMessage()))

    logging.Logger.callHandlers = keep
    for uri, source in pages:
        messages.clear()
        try:
            file = files.get_file_from_path(uri)
            page = file.page if file.page is not None else Page(None, file, config)
            if source is None:
                page.read_source(config)
            else:
                page.markdown, page.meta = get_data(source)
            page.render(config, files)
            links = page.links_to_anchors
            result = {
                "markdown": page.markdown, "content": page.content, "toc": page.toc, "title": page._title_from_render,
                "present_anchor_ids": page.present_anchor_ids, "logs": list(messages),
                "links_to_anchors": None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
            }
        except Exception:  # noqa: BLE001 - MkDocs converts the page again and reports it
            result = None
        yield uri, result
