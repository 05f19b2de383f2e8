"""``handbook build``: load → validate → render → publish, reading top to bottom.

Everything is built into a temporary folder beside ``site/`` and ``dist/``; only when the whole
build succeeded are they swapped in, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .content import load_content
from .errors import HandbookError


@dataclass(frozen=True)
class BuildResult:
    site: Path
    """The published portal site."""
    dist: Path
    """Downloads and one zip of the site per policy."""
    files: int
    """Number of files in the site."""


def build(root: Path) -> BuildResult:
    content = load_content(root)  # validate first: on any problem nothing is built
    newest = max(datetime.date.fromisoformat(p.revision) for p in content.policies)
    with _source_date(newest), tempfile.TemporaryDirectory(dir=root, prefix=".build-") as tmp:
        work = Path(tmp)
        site, dist = work / "site", work / "dist"
        build_site(root, site)
        dist.mkdir()
        _copy_tree(site / "downloads", dist)
        for policy in content.policies:
            single = work / f"site-{policy.id}"
            build_site(root, single, policies=[policy.id])
            (dist / f"handbook-{policy.id}.zip").write_bytes(zip_folder(single, policy.id))
        publish(work / "site", root / "site")
        publish(work / "dist", root / "dist")
    files = sum(1 for p in (root / "site").rglob("*") if p.is_file())
    return BuildResult(root / "site", root / "dist", files)


@contextlib.contextmanager
def _source_date(day: datetime.date):
    """MkDocs dates the sitemap and gzip files from SOURCE_DATE_EPOCH: the newest revision, for
    this build only (a value the caller set is kept)."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if saved is None:
        epoch = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp()
        os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def build_site(root: Path, site_dir: Path, policies: list[str] | None = None) -> None:
    """Run ``mkdocs build --strict`` with the project's mkdocs.yml into ``site_dir``."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    messages = _MkDocsMessages()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(messages)
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        if policies is not None:
            config.plugins["handbook"].config.policies = policies
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as err:
        details = messages.lines or [str(err)]
        raise HandbookError([f"サイトの生成に失敗しました: {line}" for line in details]) from err
    finally:
        logger.removeHandler(messages)


class _MkDocsMessages(logging.Handler):
    """Keeps MkDocs' warnings and errors, which are the reason a strict build stops."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def zip_folder(folder: Path, name: str) -> bytes:
    """A zip of the folder under ``name/`` with sorted entries and fixed dates (reproducible)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{name}/{path.relative_to(folder).as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def publish(built: Path, target: Path) -> None:
    """Swap the built folder in for ``target``: rename the old one away, rename the new one in."""
    old = built.parent / (target.name + ".old")
    if target.exists():
        target.rename(old)
    built.rename(target)
    if old.exists():
        shutil.rmtree(old)


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
