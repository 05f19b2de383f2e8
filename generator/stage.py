"""Stage: write the docs tree of one site and the MkDocs configuration that builds it.

A staged site is a folder any MkDocs (or successor) can build on its own, with no handbook
plugin: ``mkdocs build -f <stage>/mkdocs.yml``. It holds

- ``docs/``: the static pages and assets copied from the project's ``docs/``, every generated
  page (Markdown with front matter), the page data (quiz bank), the downloads, and the search
  index (``search/index.js``);
- ``mkdocs.yml``: the project's settings (theme, extensions, extra) with the navigation as data,
  the site's URL style and the checked brand; without the ``handbook`` plugin. The site is built
  into ``site/`` beside it.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from .branding import check_brand
from .errors import HandbookError
from .layout import GUIDE, SEARCH_INDEX, compare_pages, policy_pages
from .model import Content
from .renderers import Output, Settings, render_pages
from .search import index_script
from .training.settings import load_settings
from .views import by_topic

PLUGIN = "handbook"
"""The name of the MkDocs plugin (``mkdocs serve``), dropped from staged configurations."""

SITE = "site"
"""Where a staged site is built, inside its stage folder (successors such as Zensical require it)."""

GUIDE_PLUGINS = ("mkdocstrings",)
"""Plugins only the editor's guide uses (its schema reference), left out of the staff's sites."""


@dataclass(frozen=True)
class Project:
    """The project's ``mkdocs.yml``: the MkDocs settings every site shares, and the handbook's own."""

    root: Path
    """The project folder (content/, quizzes/, docs/, site-overrides/, mkdocs.yml)."""
    config: dict
    """The MkDocs settings as written, without the handbook plugin."""
    policies: tuple[str, ...]
    """The policies the site publishes: ``plugins: handbook: policies``, or every policy of the
    content when none is configured."""
    quiz_questions: int
    """``quiz_questions``: questions drawn for one exam."""
    quiz_pass_mark: int
    """``quiz_pass_mark``: percentage of right answers needed to pass."""
    kept_banks: tuple[bytes, ...] = ()
    """The question banks of earlier revisions in the training settings' banks folder."""

    @property
    def docs(self) -> Path:
        return self.root / self.config.get("docs_dir", "docs")

    def settings(self, policies: tuple[str, ...], hosted: bool = True) -> Settings:
        return Settings(policies, self.quiz_questions, self.quiz_pass_mark, self.kept_banks, hosted)


def read_project(root: Path, content: Content) -> Project:
    """Read and check ``mkdocs.yml``; raise HandbookError listing every problem."""
    path = root / "mkdocs.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise HandbookError([f"mkdocs.yml: 読み込めません（{type(err).__name__}）。"]) from err
    options: dict = {}
    plugins = []
    for entry in config.get("plugins") or []:
        name = next(iter(entry)) if isinstance(entry, dict) else entry
        if name == PLUGIN:
            options = (entry[name] if isinstance(entry, dict) else None) or {}
        else:
            plugins.append(entry)
    config["plugins"] = plugins
    problems = []
    known = {p.id for p in content.policies}
    policies = options.get("policies") or []
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        problems.append("mkdocs.yml の handbook: policies は規程の id の一覧で書いてください。")
        policies = []
    missing = [p for p in policies if p not in known]
    if missing:
        problems.append(f"mkdocs.yml の policies にある「{'、'.join(missing)}」の内容がありません。")
    questions, mark = options.get("quiz_questions", 20), options.get("quiz_pass_mark", 80)
    if type(questions) is not int or type(mark) is not int or questions < 1 or not 0 <= mark <= 100:
        problems.append("mkdocs.yml の quiz_questions は1以上、quiz_pass_mark は0〜100 の整数にしてください。")
    if problems:
        raise HandbookError(problems)
    folder = load_settings(root).banks_folder
    kept = tuple(p.read_bytes() for p in sorted(folder.rglob("bank-*.json"))) if folder.is_dir() else ()
    return Project(root, config, tuple(policies) or tuple(p.id for p in content.policies), questions, mark, kept)


def stage(project: Project, content: Content, settings: Settings, downloads: list[Output], target: Path,
          guide: str | None = None, *, render_pages=render_pages) -> Path:
    """Write the docs tree and configuration of one site into ``target``; return the config file.

    ``guide`` is where the editor's guide goes: None for the staff's sites (the portal and each
    municipality's), ``"guide"`` for the editor's preview (``make serve``), ``""`` for the guide's
    own site (with no policy pages: ``settings.policies`` empty). ``render_pages`` makes the
    pages: ``make serve`` passes one that gives the same pages from its last rebuild's where it can."""
    docs = target / "docs"
    shutil.copytree(project.docs, docs, ignore=shutil.ignore_patterns(GUIDE))
    if guide is not None:
        shutil.copytree(project.docs / GUIDE, docs / guide, dirs_exist_ok=True)
    static = {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8") for p in sorted(docs.rglob("*.md"))}
    outputs = render_pages(content, settings) + [
        o for o in downloads if o.path.split("/")[1] in settings.layout.hosted_policies]
    for output in outputs:
        write(docs / output.path, output.data)
    generated = {o.path for o in outputs}
    static = {path: text for path, text in static.items() if path not in generated}
    write(docs / SEARCH_INDEX, index_script(content, settings.layout, static))
    path = target / "mkdocs.yml"
    config = site_config(project, content, settings, generated, target, guide)
    write(path, yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


def site_config(project: Project, content: Content, settings: Settings, pages: set[str], target: Path,
                guide: str | None) -> dict:
    """The MkDocs configuration of one staged site."""
    layout = settings.layout
    config = dict(project.config)
    if guide is None:  # the staff's sites do without the guide's plugins
        config["plugins"] = [p for p in config["plugins"] if (next(iter(p)) if isinstance(p, dict) else p) not in GUIDE_PLUGINS]
    single = content.policy(settings.policies[0]).municipality if len(settings.policies) == 1 else ""
    brand, problems = check_brand((config.get("extra") or {}).get("brand"), project.docs, single)
    if problems:
        raise HandbookError(problems)
    name = str(config.get("site_name", ""))
    if brand["name"] and not name.startswith(brand["name"]):
        name = f"{brand['name']} {name}"
    if guide == "":
        name = f"{name} 編集者ガイド"
    theme = dict(config.get("theme") or {})
    if theme.get("custom_dir"):
        theme["custom_dir"] = os.path.relpath(project.root / theme["custom_dir"], target)
    sections = {}
    for pid in settings.policies:
        policy = content.policy(pid)
        topics = [t.id for t, _ in by_topic(content, policy.live_obligations)]
        sections[pid] = policy_pages(layout, policy, topics, pages)
    titles = {p.id: p.municipality for p in content.policies}
    compare = compare_pages(layout, [t.id for t in content.topics], [r.id for r in content.roles], pages)
    config.update(
        site_name=name, docs_dir="docs", site_dir=SITE, theme=theme,
        use_directory_urls=layout.directory_urls,
        extra={**(config.get("extra") or {}), "brand": brand, "search_index": SEARCH_INDEX,
               "incident": incident_box(content, settings)},
        nav=layout.nav(sections, titles, guide, compare),
    )
    if not layout.hosted:  # links to the municipalities' sites, placed beside it, are checked after the build
        validation = config.get("validation") or {}
        config["validation"] = {**validation, "nav": {**validation.get("nav", {}), "not_found": "info"},
                                "links": {**validation.get("links", {}), "not_found": "info"}}
    return config


def incident_box(content: Content, settings: Settings) -> dict[str, dict[str, str]]:
    """What the incident box at the top of every page of a policy shows (``extra.incident``, read by
    ``site-overrides/main.html``): the contacts in a line, and the URL of the policy's incident page."""
    box = {}
    for pid in settings.policies:
        policy = content.policy(pid)
        contacts = "／".join(" ".join(v for v in (c.name, c.phone, c.mail) if v) for c in policy.contacts)
        box[pid] = {"contacts": contacts, "page": settings.layout.url(settings.layout.incident(pid))}
    return box


_REFERENCE = re.compile(r'((?:src|href)=")([^"#?:]+)(")')
"""A raw-HTML reference to a file, relative to the page (``src="bank.js"``)."""


def fingerprint(config_file: Path) -> None:
    """Put a hash of its content into the name of every script and stylesheet of a staged site
    (``assets/quiz.3f2a9c1b7e.js``, ``quiz/bank.….js``, ``search/index.….js``; not vendored
    libraries, whose folder names carry their version), and point the pages and the configuration
    at the new names: after an update, browsers fetch what changed at once instead of keeping a
    stale copy. A publishing step: ``handbook build`` does it, the preview and ``handbook stage`` do not."""
    docs = config_file.parent / "docs"
    renamed: dict[str, str] = {}
    for path in sorted(p for p in docs.rglob("*") if p.suffix in (".js", ".css") and "vendor" not in p.parts):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        new = path.with_name(f"{path.stem}.{digest}{path.suffix}")
        path.rename(new)
        renamed[path.relative_to(docs).as_posix()] = new.relative_to(docs).as_posix()
    for page in docs.rglob("*.md"):
        folder = page.parent.relative_to(docs).as_posix()

        def swap(match: re.Match) -> str:
            target = posixpath.normpath(posixpath.join(folder, match.group(2)))
            if target not in renamed:
                return match.group(0)
            return match.group(1) + posixpath.relpath(renamed[target], folder) + match.group(3)

        text = page.read_text(encoding="utf-8")
        changed = _REFERENCE.sub(swap, text)
        if changed != text:
            page.write_text(changed, encoding="utf-8")
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    for key in ("extra_css", "extra_javascript"):
        config[key] = [renamed.get(name, name) for name in config.get(key) or []]
    config["extra"]["search_index"] = renamed[config["extra"]["search_index"]]
    write(config_file, yaml.safe_dump(config, allow_unicode=True, sort_keys=False))


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
