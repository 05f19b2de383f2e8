"""What ``make serve`` keeps and shares from one rebuild to the next, apart from MkDocs: digests
of the files each policy is made from (:class:`Inputs`), the pages (:class:`PageCache`) and
downloads (:class:`DownloadCache`) of the policies whose files did not change, a generator run in
a forked process to use the second core (:class:`Forked`), and the copy of the staged tree that
rewrites only the files that changed (:func:`sync`). The MkDocs adapter is
``generator/mkdocs_plugin.py``."""

from __future__ import annotations

import ctypes
import gc
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from .renderers import Output, Settings, render_downloads, render_pages, renderers


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


class DownloadCache:
    """Each policy's downloads, rendered again only for a policy whose files (or the shared ones)
    changed."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[str, list[Output]]] = {}
        """policy → (its :meth:`Inputs.key`, its downloads)."""

    def render(self, content, policies: tuple[str, ...], inputs: Inputs, meanwhile, fork: bool) -> Downloads:
        """The policies' downloads, as :func:`stage` iterates over them; with ``fork``, those to
        render again are rendered in a forked process while the pages are rendered (and then,
        before waiting for it, whatever ``meanwhile`` does)."""
        keys = {pid: inputs.key(pid) for pid in policies}
        stale = tuple(pid for pid in policies if self.last.get(pid, ("",))[0] != keys[pid])
        forked = Forked(_render_downloads, content, stale) if stale and fork and Forked.available() else None

        def collect() -> list[Output]:
            if forked is not None:
                meanwhile()
            for pid in stale:
                done = forked.wait_for(lambda item: item[0] == pid) if forked else None
                self.last[pid] = (keys[pid], done[1] if done is not None else render_downloads(content, (pid,)))
            return [o for pid in policies for o in self.last[pid][1]]

        return Downloads(collect, forked)


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
