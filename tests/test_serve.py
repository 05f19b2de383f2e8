"""``make serve``: the handbook plugin's rebuilds after a save give exactly what a fresh stage and
a fresh build give, though they reuse the last rebuild's downloads, search records and compiled
templates, render the downloads in another process and convert half of the changed pages there
(:class:`generator.mkdocs_plugin.SecondCore`)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin

from generator.content import load_content
from generator.layout import GUIDE
from generator.mkdocs_plugin import SERVE_DIR, SecondCore
from generator.preview import Forked, Inputs, PageCache
from generator.renderers import render_downloads, render_pages
from generator.stage import read_project, stage

from .test_pipeline import FOURTH

SERVE_URL = "http://127.0.0.1:8000/"

pytestmark = pytest.mark.skipif(not Forked.available(), reason="needs fork")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differing(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


def save(path: Path, text: str) -> None:
    """Write like an editor saving, one second later than the last write (MkDocs' dirty builds
    compare modification times)."""
    before = path.stat().st_mtime
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 1, before + 1))


def serve_build(root: Path, site: Path, *, command: str, dirty: bool, startup: bool = True) -> None:
    """One build as ``mkdocs serve`` makes it: a fresh configuration each time, whose plugins
    MkDocs keeps from the last build (they define ``on_startup``)."""
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    config.site_url = SERVE_URL
    if startup:
        config.plugins.on_startup(command=command, dirty=dirty)
    mkdocs_build(config, serve_url=SERVE_URL, dirty=dirty)


def edit(root: Path, old: str = "パスワードを他人に知られないようにする", new: str = "パスワードは誰にも教えない") -> None:
    chapter = root / "content" / "miyako" / "obligations" / "01-password.yaml"
    text = chapter.read_text(encoding="utf-8")
    assert f"summary: {old}" in text
    save(chapter, text.replace(f"summary: {old}", f"summary: {new}"))


@pytest.mark.slow
def test_a_rebuild_after_a_save_stages_and_builds_what_a_fresh_build_does(project, tmp_path):
    root = project()
    alone = shutil.copytree(root, tmp_path.parent / f"{tmp_path.name}-alone")
    served = tmp_path.parent / f"{tmp_path.name}-served"
    serve_build(root, served, command="serve", dirty=True)
    forked = []
    original = Forked.__init__

    def counting(self, generate, *args):
        forked.append(generate.__name__)
        original(self, generate, *args)

    def add_page(folder: Path) -> None:
        (folder / "docs" / "extra.md").write_text("# 追加\n\n[職員等](roles/staff.md)\n", encoding="utf-8")

    saves = [lambda folder: edit(folder),
             lambda folder: (edit(folder, "パスワードは誰にも教えない", "パスワードは家族にも教えない"), add_page(folder))]
    sites = []
    try:
        Forked.__init__ = counting
        for step in saves:
            step(root)
            serve_build(root, served, command="serve", dirty=True, startup=False)
            sites.append(tree(served))
    finally:
        Forked.__init__ = original
    # the downloads, and the changed pages' conversion started while staging, in other processes;
    # after the save that added a page, the conversion started with the last build's files is
    # dropped and the changed pages shared out again
    assert forked == ["_render_downloads", "_convert_pages"] + ["_render_downloads", "_convert_pages", "_convert_pages"]
    assert "家族にも教えない" in sites[1]["roles/staff.html"].decode("utf-8")

    content = load_content(root)
    settings = read_project(root, content).settings(("miyako",))
    fresh = stage(read_project(root, content), content, settings, render_downloads(content, ("miyako",)),
                  tmp_path / "fresh", guide=GUIDE)
    assert differing(tree(root / SERVE_DIR), tree(fresh.parent / "docs")) == []

    # the same builds in one process, nothing kept, nothing forked (``mkdocs build --dirty``)
    reference = tmp_path.parent / f"{tmp_path.name}-reference"
    serve_build(alone, reference, command="build", dirty=True)
    for step, site in zip(saves, sites):
        step(alone)
        serve_build(alone, reference, command="build", dirty=True, startup=False)
        assert differing(site, tree(reference)) == []


def test_the_page_cache_gives_the_pages_a_full_render_gives_after_each_edit(project):
    """A portal of two policies: a policy's pages are rendered again only when its own files
    changed, the comparison and the portal page always; a change to a shared file renders all."""
    root = project(FOURTH)
    cache = PageCache()

    def rendered() -> tuple[list, list]:
        content = load_content(root)
        project_ = read_project(root, content)
        settings = project_.settings(project_.policies)
        cached = cache.render(content, settings, Inputs.of(root, project_.policies))
        return sorted((o.path, o.data) for o in cached), sorted((o.path, o.data) for o in render_pages(content, settings))

    def replace_in(name: str, old: str, new: str) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    cached, full = rendered()
    assert cached == full and any(path.startswith("testvillage/") for path, _ in full)
    assert any(path.startswith("compare/") for path, _ in full)
    assert rendered()[0] == full  # nothing changed
    replace_in("content/miyako/obligations/01-password.yaml", "summary: パスワードを他人に知られないようにする",
               "summary: パスワードは誰にも教えない")
    cached, full = rendered()
    assert cached == full and any("パスワードは誰にも教えない" in data for path, data in full if path.startswith("compare/"))
    replace_in("content/testvillage/obligations/01-password.yaml", "summary: パスワードが流出したら",
               "summary: パスワードが漏れたら")
    cached, full = rendered()
    assert cached == full and any("パスワードが漏れたら" in data for path, data in full if path.startswith("testvillage/"))
    replace_in("content/topics.yaml", "name: パスワード", "name: パスワード管理")
    cached, full = rendered()
    assert cached == full and any("パスワード管理" in data for path, data in full if path.startswith("miyako/"))


# --- the second process, on a plain MkDocs project ---------------------------------------------

class Sharing(BasePlugin):
    """Hands every page but ``index.md`` to a second process, as the handbook plugin hands its
    generated pages; ``extra`` is appended to each page's Markdown in this process only."""

    def __init__(self, extra: str = ""):
        super().__init__()
        self.extra, self.second, self.used = extra, None, 0

    def on_nav(self, nav, *, config, files):
        self.second = SecondCore.start(config, files, files.documentation_pages(), lambda f: f.src_uri != "index.md")
        return nav

    def on_pre_page(self, page, *, config, files):
        self.second.take(page)
        return page

    def on_page_markdown(self, markdown, *, page, config, files):
        return markdown + self.extra

    def on_post_build(self, *, config):
        self.second.stop()
        self.used = self.second.used


def plain_project(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\nuse_directory_urls: false\n", encoding="utf-8")
    (docs / "index.md").write_text("# Home\n\n[a](a.md)\n", encoding="utf-8")
    for name in "abcde":
        (docs / f"{name}.md").write_text(f"# Page {name}\n\n## Part {{ #part }}\n\n[home](index.md#nowhere) "
                                         f"[missing](missing-{name}.md)\n", encoding="utf-8")
    return root


def build_plain(root: Path, site: Path, plugin: BasePlugin | None) -> list[str]:
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(f"{record.levelname} {record.getMessage()}")

    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site))
    if plugin is not None:
        config.plugins["sharing"] = plugin
    handler, logger = Keep(logging.INFO), logging.getLogger("mkdocs")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        mkdocs_build(config)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return sorted(m for m in messages if "Documentation built" not in m and "Cleaning site" not in m
                  and "Building documentation" not in m)


@pytest.mark.slow
def test_pages_converted_in_a_second_process_are_the_same_with_the_same_messages(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # the theme dates the home page
    root = plain_project(tmp_path / "p")
    plugin = Sharing()
    shared = build_plain(root, tmp_path / "shared", plugin)
    alone = build_plain(root, tmp_path / "alone", None)
    assert plugin.used >= 2
    assert differing(tree(tmp_path / "shared"), tree(tmp_path / "alone")) == []
    assert shared == alone and any("missing-e.md" in m for m in alone) and any("nowhere" in m for m in alone)


@pytest.mark.slow
def test_a_page_whose_markdown_a_plugin_changed_here_is_converted_here(tmp_path):
    root = plain_project(tmp_path / "p")
    plugin = Sharing(extra="\n\nadded here\n")
    build_plain(root, tmp_path / "site", plugin)
    assert plugin.used == 0  # every result was for the Markdown before the plugin's change
    for name in "abcde":
        assert "added here" in (tmp_path / "site" / f"{name}.html").read_text(encoding="utf-8")


def test_forked_work_that_fails_is_done_here(tmp_path):
    def broken():
        yield "first"
        raise RuntimeError("boom")

    forked = Forked(broken)
    try:
        assert forked.wait_for(lambda item: item == "first") == "first"
        assert forked.wait_for(lambda item: item == "second") is None
    finally:
        forked.stop()
    empty = Forked(lambda: iter(()))
    try:
        assert empty.wait_for(lambda item: True) is None
    finally:
        empty.stop()
