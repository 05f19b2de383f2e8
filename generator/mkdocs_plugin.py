"""MkDocs plugin ``handbook``: a thin adapter for ``mkdocs serve``.

``handbook build`` does not use it: it stages each site (``generator/stage.py``) and runs plain
MkDocs on the staged tree. Under ``mkdocs serve`` (``make serve``) the plugin stages the portal
(with the editor's guide) into ``.cache/serve/`` before each build and points MkDocs at it: only
files whose bytes changed are rewritten, so MkDocs' dirty build converts only the pages that
changed. The content, quizzes and static docs are watched instead of the staged folder.

A rebuild after a save gives the staged tree a fresh stage gives (``tests/test_serve.py``), doing
less and using both cores of the machine (Linux):

- the pages of a policy whose files did not change come from the last rebuild (:class:`PageCache`);
- the downloads of a policy whose files changed are rendered in a forked process while the pages
  are rendered, the search index here while that process finishes (:class:`Downloads`);
- a forked process converts most of the changed pages from Markdown to HTML, started as soon as
  the pages are rendered (with the last build's MkDocs configuration and files, its work taken
  only if this build's are the same; else started when MkDocs converts, with half of them),
  while MkDocs converts the others (:class:`SecondCore`);
- the theme's compiled templates are kept (:class:`CompiledTemplates`), and the watched folders
  are looked at every :data:`WATCH_INTERVAL` seconds.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, replace
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
from .renderers import Output, Settings, render_downloads, render_pages, renderers
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
        self.downloads: dict[str, tuple[str, list[Output]]] = {}
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

            downloads = self._downloads(content, policies, inputs, meanwhile)

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

    def _downloads(self, content, policies: tuple[str, ...], inputs: Inputs, meanwhile) -> Downloads:
        """The policies' downloads: rendered again only for a policy whose files (or the shared
        ones) changed, under ``mkdocs serve`` in a forked process while the pages are rendered
        (and then, before waiting for it, whatever ``meanwhile`` does)."""
        keys = {pid: inputs.key(pid) for pid in policies}
        stale = tuple(pid for pid in policies if self.downloads.get(pid, ("",))[0] != keys[pid])
        forked = Forked(_render_downloads, content, stale) if stale and self.serving and Forked.available() else None

        def collect() -> list[Output]:
            if forked is not None:
                meanwhile()
            for pid in stale:
                done = forked.wait_for(lambda item: item[0] == pid) if forked else None
                self.downloads[pid] = (keys[pid], done[1] if done is not None else render_downloads(content, (pid,)))
            return [o for pid in policies for o in self.downloads[pid][1]]

        return Downloads(collect, forked)

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


@dataclass(frozen=True)
class Inputs:
    """Digests of the files the pages and downloads are made from: each policy's own folders
    (``content/<policy>/``, ``quizzes/<policy>/``), and everything else (the other files of
    ``content/`` and ``quizzes/``, ``mkdocs.yml``)."""

    shared: str
    policies: dict[str, str]

    def key(self, pid: str) -> str:
        return self.shared + self.policies[pid]

    @classmethod
    def of(cls, root: Path, policies: tuple[str, ...]) -> Inputs:
        own = {pid: [root / "content" / pid, root / "quizzes" / pid] for pid in policies}
        mine = {folder for folders in own.values() for folder in folders}
        files = [p for top in (root / "content", root / "quizzes") if top.is_dir() for p in top.rglob("*")
                 if p.is_file() and not mine.intersection(p.parents)]
        return cls(_digest([root / "mkdocs.yml", *files]),
                   {pid: _digest([p for folder in folders if folder.is_dir() for p in folder.rglob("*") if p.is_file()])
                    for pid, folders in own.items()})


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class PageCache:
    """The pages of a portal, rendered again only for the policies whose files changed.

    A policy's pages (those under ``<policy>/``) are made from its own files and the shared ones,
    and rendered the same whichever other policies are published beside it, given the portal's
    layout: a policy whose files did not change keeps the pages of the last render, and one whose
    files changed is rendered alone, with the portal's layout. The pages of no one policy (the
    portal page, the comparison, the trainer's page) are rendered for all policies, each renderer
    stopping at its first page of a policy: checked by their paths, which must be those of the last
    full render (else every page is rendered). A change to the shared files or the settings, or
    a site of one policy, renders every page."""

    def __init__(self) -> None:
        self.last: tuple[str, Settings, dict[str, str], dict[str, list[Output]]] | None = None
        """(shared digest, settings, policy digests, pages by owner: ``""`` or a policy)."""

    def render(self, content, settings: Settings, inputs: Inputs) -> list[Output]:
        policies = settings.policies
        last = self.last
        if len(policies) < 2 or last is None or last[0] != inputs.shared or last[1] != settings:
            return self._full(content, settings, inputs)
        stale = tuple(pid for pid in policies if last[2].get(pid) != inputs.policies[pid])
        groups = dict(last[3])
        if stale:
            alone = replace(settings, policies=stale)
            alone.__dict__["layout"] = settings.layout  # the portal's paths and links
            groups.update({pid: [] for pid in stale})
            for output in render_pages(content, alone):
                owner = self._owner(output.path, policies)
                if owner in stale:
                    groups[owner].append(output)
            shared = []
            for renderer in renderers():
                for output in renderer.pages(content, settings):
                    if self._owner(output.path, policies):
                        break
                    shared.append(output)
            if sorted(o.path for o in shared) != sorted(o.path for o in last[3][""]):
                return self._full(content, settings, inputs)
            groups[""] = shared
        self.last = (inputs.shared, settings, dict(inputs.policies), groups)
        return [o for owner in ("", *policies) for o in groups[owner]]

    def _full(self, content, settings: Settings, inputs: Inputs) -> list[Output]:
        outputs = render_pages(content, settings)
        groups: dict[str, list[Output]] = {owner: [] for owner in ("", *settings.policies)}
        for output in outputs:
            groups[self._owner(output.path, settings.policies)].append(output)
        self.last = (inputs.shared, settings, dict(inputs.policies), groups)
        return outputs

    @staticmethod
    def _owner(path: str, policies: tuple[str, ...]) -> str:
        first, _, rest = path.partition("/")
        return first if rest and first in policies else ""


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates in memory. Jinja checks each against its source before using it."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class Downloads:
    """The downloads as :func:`stage` iterates over them (after rendering the pages): waits then
    for those still being rendered in another process."""

    def __init__(self, collect, forked: Forked | None):
        self.collect, self.forked = collect, forked
        self.outputs: list[Output] | None = None

    def __iter__(self):
        if self.outputs is None:
            self.outputs = self.collect()
        return iter(self.outputs)

    def stop(self) -> None:
        if self.forked is not None:
            self.forked.stop()


def _render_downloads(content, policies: tuple[str, ...]):
    for pid in policies:
        yield pid, render_downloads(content, (pid,))


def static_pages(docs: Path) -> dict[str, str]:
    """The static Markdown pages of the project's docs (with the editor's guide in its folder),
    as :func:`stage` reads them from the tree it stages for ``make serve``."""
    return {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in sorted(docs.rglob("*.md"))}


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


class Forked:
    """A generator run in a forked process (Linux): what it yields arrives here as it comes, read
    by a thread so that the pipe never fills up while this process is busy."""

    def __init__(self, generate, *args):
        context = multiprocessing.get_context("fork")
        self.connection, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_send_all, args=(sender, generate, args, os.getpid()), daemon=True)
        gc.freeze()  # the child's garbage collections then skip (and do not copy) what is already here
        try:
            self.process.start()
        finally:
            gc.unfreeze()
        sender.close()
        self.items: list = []
        self.finished = False
        self.arrived = threading.Condition()
        self.reader = threading.Thread(target=self._receive, daemon=True)
        self.reader.start()

    @staticmethod
    def available() -> bool:
        """Forking a process that runs threads (the preview server's) is safe on Linux only."""
        return sys.platform.startswith("linux")

    def _receive(self) -> None:
        try:
            while True:
                item = self.connection.recv()
                with self.arrived:
                    self.items.append(item)
                    self.arrived.notify_all()
        except (EOFError, OSError):
            pass
        with self.arrived:
            self.finished = True
            self.arrived.notify_all()

    def wait_for(self, found):
        """The first item ``found`` accepts, waiting for it; None if the process ended without it."""
        with self.arrived:
            while True:
                item = next((i for i in self.items if found(i)), None)
                if item is not None or self.finished:
                    return item
                self.arrived.wait()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.reader.join()
        self.connection.close()


def _send_all(connection, generate, args, parent: int) -> None:
    _end_with(parent)
    for item in generate(*args):
        connection.send(item)
    connection.close()


def _end_with(parent: int) -> None:
    """Have this (forked) process ended when the serving process ends, killed in the middle of a
    rebuild, instead of waiting forever to hand over its work (Linux's ``PR_SET_PDEATHSIG``)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it ended before that was set
        os._exit(0)


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
