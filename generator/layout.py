"""The one owner of the site's layout: every page path, download path, URL, link, nav order and
section title of a built handbook.

Renderers ask a :class:`Layout` where their outputs go and how to link to other pages; the
search index asks it for URLs; the stage step asks it for the navigation. Nothing else spells
out a path. Links between pages are relative Markdown links to the ``.md`` source (MkDocs checks
them and rewrites them to the built URL); links that must stay raw HTML (scripts, stylesheets)
are relative to the built page, which :meth:`Layout.url` knows.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .anchors import clause_anchor, obligation_anchor
from .views import reading_order

if TYPE_CHECKING:
    from .model import Obligation

SECTION_TITLES = {
    "roles": "役割",
    "topics": "場面・トピック",
    "checklists": "チェックリスト",
    "quiz": "クイズ・試験",
}
"""Navigation titles of the generated folders of a policy (and of the comparison's roles and topics)."""

COMPARE_TITLE = "団体の比較"
"""Navigation title of the portal's comparison pages."""

GUIDE = "guide"
"""The editor's guide: the static pages under ``docs/guide/``. It is not part of the staff's site:
it is built as a site of its own (``dist/editors-guide.zip``) and shown by ``make serve``."""

GUIDE_PAGES = ("index.md", "schema.md", "completion-record.md")
"""The pages of the editor's guide, in reading order."""

SEARCH_INDEX = "search/index.js"
"""The search index, relative to the site root."""

ASSETS = "assets"
"""Static scripts, styles and images, copied from ``docs/assets/``."""


_relative = functools.lru_cache(maxsize=1 << 14)(posixpath.relpath)
"""``posixpath.relpath``, remembered: pages link to the same few targets thousands of times."""


@dataclass(frozen=True)
class Layout:
    """Where everything is in one built site: the portal (several policies, each under its own
    folder) or one municipality's own site (its pages at the root)."""

    policies: tuple[str, ...]
    """Policy ids the site publishes, in navigation order."""
    directory_urls: bool = False
    """MkDocs' ``use_directory_urls``. Off: every page is a ``.html`` file, so links work the
    same from a web server and from a file share (``file://``), with no script to rewrite them."""
    hosted: bool = True
    """Whether the policies' pages are in this site's docs tree. Off for the published portal: it
    holds only the portal page, the comparison and the trainer's check page, and each
    municipality's own site, built once, is placed in ``<policy>/`` beside them; links to those
    pages are then their built URLs, which the build checks once the sites are in place."""

    @property
    def portal(self) -> bool:
        """Whether the site holds several policies (each under ``<policy>/``) and a portal page."""
        return len(self.policies) > 1

    @property
    def hosted_policies(self) -> tuple[str, ...]:
        """The policies whose pages and downloads this site holds: all of them, or none on the
        published portal (not :attr:`hosted`)."""
        return self.policies if self.hosted else ()

    # --- pages (paths relative to the docs folder) -----------------------------------------------
    def prefix(self, policy: str) -> str:
        return f"{policy}/" if self.portal else ""

    def portal_page(self) -> str:
        return "index.md"

    def home(self, policy: str) -> str:
        return f"{self.prefix(policy)}index.md"

    def role(self, policy: str, role: str) -> str:
        return f"{self.prefix(policy)}roles/{role}.md"

    def topics(self, policy: str) -> str:
        return f"{self.prefix(policy)}topics/index.md"

    def topic(self, policy: str, topic: str) -> str:
        return f"{self.prefix(policy)}topics/{topic}.md"

    def incident(self, policy: str) -> str:
        """「インシデントのときは」: contacts and the all-staff steps in order."""
        return f"{self.prefix(policy)}incident.md"

    def source(self, policy: str) -> str:
        return f"{self.prefix(policy)}source.md"

    def tables(self, policy: str) -> str:
        return f"{self.prefix(policy)}tables.md"

    def glossary(self, policy: str) -> str:
        return f"{self.prefix(policy)}glossary.md"

    def changes(self, policy: str) -> str:
        """The policy's 「改定のポイント」 page: its revision history with the obligations changed."""
        return f"{self.prefix(policy)}changes.md"

    # --- the portal's comparison of the policies ------------------------------------------------
    @staticmethod
    def compare() -> str:
        """The comparison's overview: counts per topic and role, and what each policy lacks."""
        return "compare/index.md"

    @staticmethod
    def compare_topic(topic: str) -> str:
        return f"compare/topics/{topic}.md"

    @staticmethod
    def compare_role(role: str) -> str:
        """A canonical role's duties in each policy."""
        return f"compare/roles/{role}.md"

    def checklist(self, policy: str, role: str) -> str:
        return f"{self.prefix(policy)}checklists/{role}.md"

    def quiz(self, policy: str, role: str) -> str:
        return f"{self.prefix(policy)}quiz/{role}.md"

    def quiz_bank(self, policy: str) -> str:
        return f"{self.prefix(policy)}quiz/bank.js"

    def check_page(self) -> str:
        """The trainer's page that verifies completion records (all policies of the site)."""
        return "training/check.md"

    def check_banks(self) -> str:
        """The question banks the check page grades against (current and kept revisions)."""
        return "training/banks.js"

    # --- downloads (the same in every site; also copied to dist/<policy>/) -----------------------
    @staticmethod
    def download(policy: str, name: str) -> str:
        """``downloads/<policy>/<name>``: checklists and decks."""
        return f"downloads/{policy}/{name}"

    @staticmethod
    def checklist_file(policy: str, role: str, suffix: str) -> str:
        return Layout.download(policy, f"checklist-{role}.{suffix}")

    @staticmethod
    def deck_file(policy: str, key: str) -> str:
        return Layout.download(policy, f"anki-{key}.apkg")

    # --- URLs and links ----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """The built URL of a file relative to the site root: a page ``miyako/roles/staff.md`` is
        ``miyako/roles/staff.html`` (``miyako/roles/staff/`` with directory URLs); any other file
        keeps its path."""
        if not path.endswith(".md"):
            return path
        stem = path.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            folder = stem.removesuffix("index")
            return folder if self.directory_urls else folder + "index.html"
        return stem + "/" if self.directory_urls else stem + ".html"

    def link(self, page: str, target: str, anchor: str = "") -> str:
        """A relative Markdown link from the page ``page`` to the file ``target`` (both relative to
        the docs folder), for MkDocs to check and rewrite; to a page of a municipality's own site
        placed beside this one (not :attr:`hosted`), its built URL."""
        if self.hosted or target.split("/", 1)[0] not in self.policies:
            relative = _relative(target, posixpath.dirname(page) or ".")
        else:
            relative = _relative(self.url(target), posixpath.dirname(self.url(page)) or ".")
        return f"{relative}#{anchor}" if anchor else relative

    def root(self, page: str) -> str:
        """From the built page ``page`` to the site root, for raw HTML (``../../``; ``""`` at the top)."""
        return "../" * self.url(page).count("/")

    def clause(self, page: str, policy: str, clause: str) -> str:
        """A Markdown link target to a clause on the policy's original text."""
        return self.link(page, self.source(policy), clause_anchor(clause))

    # --- navigation ----------------------------------------------------------------------------------
    def nav(self, sections: dict[str, list[tuple[str, str]]], titles: dict[str, str], guide: str | None,
            compare: list[tuple[str, str]] = ()) -> list:
        """MkDocs' ``nav`` in reading order: the portal page, then per policy its home, changes, roles,
        topics, original text, tables, glossary, checklists and quizzes; then the comparison of the
        policies, the trainer's check page and the editor's guide.

        ``sections`` maps each policy to its pages in reading order as (folder key, path) pairs, where
        the folder key is ``""`` for a page shown at the policy's level or a key of
        :data:`SECTION_TITLES`; ``titles`` maps each policy to its navigation title; ``guide`` is
        the folder of the editor's guide (``""`` when the site is the guide), None without it;
        ``compare`` holds the comparison pages the same way (empty without them)."""
        nav: list = [self.portal_page()] if self.portal else []
        for policy in self.policies:
            if not self.hosted:  # a municipality's own site, placed beside the portal
                nav.append({titles[policy]: self.url(self.home(policy))})
                continue
            entries = _folders(sections[policy])
            if self.portal:
                nav.append({titles[policy]: entries})
            else:
                nav.extend(entries)
        if compare:
            nav.append({COMPARE_TITLE: _folders(compare)})
        if self.policies:
            nav.append({"研修担当": [self.check_page()]})
        if guide == "":
            nav.extend(GUIDE_PAGES)
        elif guide:
            nav.append({"編集者ガイド": [f"{guide}/{page}" for page in GUIDE_PAGES]})
        return nav


def _folders(pages: list[tuple[str, str]]) -> list:
    """Navigation entries of (folder key, path) pairs: a page at the level itself for key ``""``,
    else in the folder titled :data:`SECTION_TITLES` ``[key]``, placed where its first page is."""
    entries: list = []
    folders: dict[str, list[str]] = {}
    for key, path in pages:
        if not key:
            entries.append(path)
            continue
        if key not in folders:
            folders[key] = []
            entries.append({SECTION_TITLES[key]: folders[key]})
        folders[key].append(path)
    return entries


@dataclass(frozen=True)
class PageLinks:
    """Links from one page of one policy, for its template: Markdown link targets (checked by
    MkDocs) and, for raw HTML, the way back to the site root."""

    layout: Layout
    page: str
    """The page being rendered, relative to the docs folder."""
    policy: str = ""
    """The policy the page belongs to (empty for the portal)."""

    def to(self, target: str, anchor: str = "") -> str:
        return self.layout.link(self.page, target, anchor)

    @property
    def root(self) -> str:
        """From the built page to the site root, for ``src`` and ``href`` in raw HTML."""
        return self.layout.root(self.page)

    def home(self, policy: str = "") -> str:
        return self.to(self.layout.home(policy or self.policy))

    def role(self, role: str, anchor: str = "") -> str:
        return self.to(self.layout.role(self.policy, role), anchor)

    def topic(self, topic: str) -> str:
        return self.to(self.layout.topic(self.policy, topic))

    def topics(self) -> str:
        return self.to(self.layout.topics(self.policy))

    def source(self, anchor: str = "") -> str:
        return self.to(self.layout.source(self.policy), anchor)

    def clause(self, clause: str) -> str:
        return self.layout.clause(self.page, self.policy, clause)

    def tables(self) -> str:
        return self.to(self.layout.tables(self.policy))

    def glossary(self) -> str:
        return self.to(self.layout.glossary(self.policy))

    def changes(self) -> str:
        return self.to(self.layout.changes(self.policy))

    def obligation(self, obligation: Obligation) -> str:
        """An obligation where it is shown in full, verbatim text and conditions: on its topic page
        (of its own policy, so the portal's comparison pages link to every policy)."""
        return self.to(self.layout.topic(obligation.policy, obligation.topic), obligation_anchor(obligation.id))

    def compare_topic(self, topic: str) -> str:
        return self.to(self.layout.compare_topic(topic))

    def compare_role(self, role: str) -> str:
        return self.to(self.layout.compare_role(role))

    def compare(self) -> str:
        return self.to(self.layout.compare())

    def checklist(self, role: str) -> str:
        return self.to(self.layout.checklist(self.policy, role))

    def quiz(self, role: str) -> str:
        return self.to(self.layout.quiz(self.policy, role))

    def download(self, name: str) -> str:
        return self.to(self.layout.download(self.policy, name))

    def asset(self, name: str) -> str:
        """A script or stylesheet for raw HTML: relative to the built page."""
        return f"{self.root}{ASSETS}/{name}"

    def built(self, target: str) -> str:
        """Any built file for raw HTML (``quiz/bank.js``, a page's URL), relative to the built page."""
        return _relative(self.layout.url(target), posixpath.dirname(self.layout.url(self.page)) or ".")


def policy_pages(layout: Layout, policy, topics: list[str], present: set[str]) -> list[tuple[str, str]]:
    """The pages of one policy in reading order, as (navigation folder key, path) pairs for
    :meth:`Layout.nav`: home, incident steps, changes, roles, topics, original text, tables, glossary, checklists,
    quizzes; roles in reading order (the all-staff role first), topics in the order of topics.yaml. Only pages in
    ``present`` (those rendered) are listed."""
    pid = policy.id
    roles = [r.id for r in reading_order(policy)]
    pages = [("", layout.home(pid)), ("", layout.incident(pid)), ("", layout.changes(pid))]
    pages += [("roles", layout.role(pid, r)) for r in roles]
    pages += [("topics", layout.topics(pid))] + [("topics", layout.topic(pid, t)) for t in topics]
    pages += [("", layout.source(pid)), ("", layout.tables(pid)), ("", layout.glossary(pid))]
    pages += [("checklists", layout.checklist(pid, r)) for r in roles]
    pages += [("quiz", layout.quiz(pid, r)) for r in roles]
    return [(key, path) for key, path in pages if path in present]


def compare_pages(layout: Layout, topics: list[str], roles: list[str], present: set[str]) -> list[tuple[str, str]]:
    """The comparison pages in reading order, as (folder key, path) pairs for :meth:`Layout.nav`:
    the overview, then the canonical roles and topics in the order of their files. Only pages in
    ``present`` (those rendered) are listed."""
    pages = [("", layout.compare())]
    pages += [("roles", layout.compare_role(r)) for r in roles]
    pages += [("topics", layout.compare_topic(t)) for t in topics]
    return [(key, path) for key, path in pages if path in present]
