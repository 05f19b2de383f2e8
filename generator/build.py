"""``handbook build``, reading top to bottom: load → render the downloads → stage each site →
run the site builder → zip → publish.

1. **load** (``content.load_content``): the YAML once, validated; any problem stops the build.
2. **downloads** (``renderers.render_downloads``): checklists and decks, rendered once (a process
   per policy) and copied into every site that publishes their policy and into
   ``dist/<policy>/``; for ``dist/`` only, the question banks and SCORM packages
   (:func:`training_files`).
3. **stage** (``stage.stage``, ``stage.fingerprint``): per site, the docs tree with every generated
   page, the search index and an MkDocs configuration, with content hashes in the names of our
   scripts, styles and data files: one site per municipality (zipped into
   ``dist/handbook-<policy>.zip``), the portal (its home page, the comparison and the trainer's
   check page, linking to each municipality's site) and the editor's guide
   (``dist/editors-guide.zip``).
4. **site builder** (:func:`build_site`): plain ``mkdocs build --strict`` on each staged tree, two
   at a time on separate cores, each started as soon as its tree is staged.
5. **zip and publish** (:func:`zip_folder`, :func:`place_sites`, :func:`publish`): each
   municipality's site is zipped, then moved into the portal's ``<policy>/`` (so ``site/`` holds
   every site once, built once); everything is built in a temporary folder beside ``site/`` and
   ``dist/``, and only when the whole build succeeded are they swapped in, so a failed build
   leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build  # imported before the site builders fork
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from .archive import zip_bytes
from .content import load_content
from .errors import HandbookError
from .links import broken_links
from .manifest import BUILD_INFO, build_info
from .model import Content
from .renderers import Output, Settings, render_downloads
from .renderers.templating import environment
from .stage import SITE, Project, fingerprint, read_project, stage, write
from .training.bank import bank_json
from .training.scorm import scorm_packages

WORKERS = 2
"""Site builds run at once (the machines this runs on have two cores)."""


@dataclass(frozen=True)
class BuildResult:
    site: Path
    """The published portal site."""
    dist: Path
    """Downloads and one zip of the site per policy."""
    files: int
    """Number of files in the site."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage: load, downloads, stage (while the first sites are built),
    sites (building after the last site was staged), publish."""


def build(root: Path, progress=None) -> BuildResult:
    """Build ``site/`` and ``dist/`` for the project in ``root``."""
    say = progress or (lambda message: None)
    clock = _Clock()
    content = load_content(root)  # validate first: on any problem nothing is built
    project = read_project(root, content)
    clock.lap("load")
    policies = project.policies
    say(f"配布物を作っています（規程 {len(policies)} 件）…")
    newest = max(datetime.date.fromisoformat(content.policy(p).revision) for p in policies)
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with (ProcessPoolExecutor(WORKERS, mp_context=context) as pool, _source_date(newest),
          tempfile.TemporaryDirectory(dir=root, prefix=".build-") as tmp):
        rendering = [pool.submit(render_downloads, content, (pid,)) for pid in policies]  # one policy each, at once
        for_dist = training_files(content, project, policies)
        downloads = [output for job in rendering for output in job.result()]
        clock.lap("downloads")
        work = Path(tmp)
        say("サイトを生成しています…")
        configs = stage_and_build(project, content, policies, downloads, work, clock, pool)
        dist = work / "dist"
        for output in downloads:
            write(dist / output.path.removeprefix("downloads/"), output.data)
        for path, data in for_dist:
            write(dist / path, data)
        zipped = {name: config for name, config in configs.items() if name != PORTAL}
        if len(policies) == 1:
            zipped = {f"handbook-{policies[0]}": configs[PORTAL], **zipped}
        for name, config in zipped.items():
            folder = name.removeprefix("handbook-")
            extra = {"README.txt": admin_readme(content, folder)} if folder in policies else {}
            (dist / f"{name}.zip").write_bytes(zip_folder(config.parent / SITE, folder, newest, extra))
        (dist / BUILD_INFO.name).write_bytes(build_info(content))
        if len(policies) > 1:
            place_sites(configs, policies)
        publish(configs[PORTAL].parent / SITE, root / "site")
        publish(dist, root / "dist")
        clock.lap("publish")
    files = sum(1 for p in (root / "site").rglob("*") if p.is_file())
    return BuildResult(root / "site", root / "dist", files, clock.laps)


def training_files(content: Content, project: Project, policies: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """For ``dist/`` only (trainers and LMS administrators, not staff): each policy's question bank
    of this revision (``<policy>/bank-<revision>.json``, for re-grading records later) and the
    SCORM 1.2 package of each role's exam (``<policy>/scorm-<role>.zip``)."""
    banks = [(f"{p}/bank-{content.policy(p).revision}.json", bank_json(content, content.policy(p))) for p in policies]
    return banks + scorm_packages(content, policies, project.quiz_questions, project.quiz_pass_mark)


PORTAL = "site"
"""The site published in ``site/``: every policy of the project (or the configured ones)."""


def sites(project: Project, policies: tuple[str, ...]) -> list[tuple[str, Settings, str | None]]:
    """The sites of the project: (name, settings, where the editor's guide goes), the largest first.
    One site per municipality (``handbook-<policy>``), the portal (``site``: the portal page, the
    comparison and the trainer's check page, with each municipality's site placed in
    ``<policy>/`` by :func:`place_sites`), and the editor's guide (``editors-guide``) on its own. A
    project of one policy has no other site to build: its portal is that municipality's site."""
    if len(policies) == 1:
        return [(PORTAL, project.settings(policies), None), ("editors-guide", project.settings(()), "")]
    own = [(f"handbook-{pid}", project.settings((pid,)), None) for pid in policies]
    return [*own, (PORTAL, project.settings(policies, hosted=False), None), ("editors-guide", project.settings(()), "")]


def place_sites(configs: dict[str, Path], policies: tuple[str, ...]) -> None:
    """Move each municipality's built site (as zipped) into the portal's ``<policy>/`` and check
    the portal's own pages' links into them (MkDocs could not: they were not in its docs tree).
    Their ``404.html`` is left out: a web server shows the portal's, and theirs links from the
    root of the server."""
    portal = configs[PORTAL].parent / SITE
    own_pages = list(portal.rglob("*.html"))
    for pid in policies:
        shutil.move(configs[f"handbook-{pid}"].parent / SITE, portal / pid)
        (portal / pid / "404.html").unlink()
    broken = broken_links(portal, own_pages)
    if broken:
        raise HandbookError([f"ポータルのリンク先がありません: {line}" for line in broken])


def stage_sites(project: Project, content: Content, policies: tuple[str, ...], downloads: list[Output],
                stage_dir: Path) -> dict[str, Path]:
    """Stage every site into ``stage_dir / name``: name → staged configuration."""
    return {name: stage(project, content, settings, downloads, stage_dir / name, guide)
            for name, settings, guide in sites(project, policies)}


def stage_and_build(project: Project, content: Content, policies: tuple[str, ...], downloads: list[Output],
                    stage_dir: Path, clock: _Clock, pool: ProcessPoolExecutor) -> dict[str, Path]:
    """Stage each site and hand it to the site builder in ``pool`` at once (:data:`WORKERS` at a
    time, each in its own process), so staging the next site overlaps building the last; raise
    HandbookError with MkDocs' reasons if any site fails."""
    configs, builds = {}, []
    for name, settings, guide in sites(project, policies):
        configs[name] = stage(project, content, settings, downloads, stage_dir / name, guide)
        fingerprint(configs[name])
        builds.append(pool.submit(build_site, configs[name]))
    clock.lap("stage")
    problems = [line for done in builds for line in done.result()]
    clock.lap("sites")
    if problems:
        raise HandbookError([f"サイトの生成に失敗しました: {line}" for line in problems])
    return configs


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now


@contextlib.contextmanager
def _source_date(day: datetime.date):
    """MkDocs dates the sitemap and gzip files from SOURCE_DATE_EPOCH: the newest revision, for
    this build only (a value the caller set is kept)."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if saved is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(int(_midnight(day)))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def _midnight(day: datetime.date) -> float:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp()


def build_site(config_file: Path) -> list[str]:
    """``mkdocs build --strict`` of one staged configuration: the reasons it failed (none: built)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    messages = _MkDocsMessages()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(messages)
    try:
        config = load_config(str(config_file), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as err:
        return messages.lines or [str(err)]
    finally:
        logger.removeHandler(messages)
    return []


class _MkDocsMessages(logging.Handler):
    """Keeps MkDocs' warnings and errors, which are the reason a strict build stops."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def zip_folder(folder: Path, name: str, day: datetime.date, extra: dict[str, bytes] | None = None) -> bytes:
    """A zip of the folder under ``name/`` (plus ``extra`` files beside it): sorted entries dated
    ``day``, readable by a web server running as another user (:func:`archive.zip_bytes`)."""
    stamp = datetime.datetime.fromtimestamp(_midnight(day), datetime.timezone.utc).timetuple()[:6]
    entries = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*")} | (extra or {})
    return zip_bytes(((f"{name}/{relative}", None if isinstance(source, Path) and source.is_dir()
                       else source.read_bytes() if isinstance(source, Path) else source)
                      for relative, source in sorted(entries.items())), stamp)


def admin_readme(content: Content, policy: str) -> bytes:
    """``README.txt`` of a municipality's zip: how to publish it (UTF-8 with BOM, CRLF, for Notepad)."""
    p = content.policy(policy)
    text = environment().get_template("admin-readme.txt.j2").render(
        municipality=p.municipality, revision=p.revision, folder=policy)
    return ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")


def publish(built: Path, target: Path) -> None:
    """Swap the built folder in for ``target``: rename the old one away, rename the new one in."""
    old = built.parent / (target.name + ".old")
    if target.exists():
        target.rename(old)
    built.rename(target)
    if old.exists():
        shutil.rmtree(old)
