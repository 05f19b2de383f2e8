"""Links in a built site: every relative link leads to a file that exists, and to an anchor on it.

MkDocs checks the Markdown links of the site it builds; the published portal also links to the
municipalities' own sites placed beside it after their builds, which :func:`broken_links` checks
(and the tests check every built site with it)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')
ID = re.compile(r'\sid="([^"]+)"')


def broken_links(site: Path, pages: Iterable[Path] | None = None) -> list[str]:
    """``page: href`` for every relative link of ``pages`` (default: every page of ``site``) whose
    target file or anchor is missing."""

    @cache
    def ids(path: Path) -> frozenset[str]:
        return frozenset(ID.findall(path.read_text(encoding="utf-8")))

    problems = []
    for page in sorted(site.rglob("*.html") if pages is None else pages):
        if page.name == "404.html" and page.parent == site:
            continue  # served at any path, so MkDocs links it from the site root
        html = page.read_text(encoding="utf-8")
        for href in sorted(set(HREF.findall(html))):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(site)}: {href}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in ids(target):
                problems.append(f"{page.relative_to(site)}: {href} (anchor)")
    return problems
