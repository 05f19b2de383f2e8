"""Every link inside the built site leads somewhere: the file exists and so does the anchor."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')
ID = re.compile(r'\sid="([^"]+)"')


def broken_links(site: Path) -> list[str]:
    """``page: href`` for every relative link whose target file or anchor is missing."""

    @cache
    def ids(path: Path) -> frozenset[str]:
        return frozenset(ID.findall(path.read_text(encoding="utf-8")))

    problems = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" and page.parent == site:
            continue  # served at any path, so MkDocs links it from the site root
        html = page.read_text(encoding="utf-8")
        for href in set(HREF.findall(html)):
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


def test_every_internal_link_and_anchor_resolves(built_site):
    assert broken_links(built_site / "site") == []


def test_links_resolve_in_a_single_policy_site_too(built_site, tmp_path):
    import zipfile

    with zipfile.ZipFile(built_site / "dist" / "handbook-moriyama.zip") as archive:
        archive.extractall(tmp_path)
    assert broken_links(tmp_path / "moriyama") == []
