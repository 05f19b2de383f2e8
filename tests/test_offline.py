"""The site loads nothing from outside the intranet, and reads from a file share (file://): every
page is a .html file, so links work there with no script."""

from __future__ import annotations

import re
from pathlib import Path

PAGE_TYPES = {
    "portal": "index.html",
    "policy home": "miyako/index.html",
    "role": "miyako/roles/*.html",
    "topic": "miyako/topics/[!i]*.html",
    "source": "miyako/source.html",
    "glossary": "miyako/glossary.html",
    "tables": "miyako/tables.html",
    "checklist": "miyako/checklists/*.html",
    "quiz": "miyako/quiz/*.html",
}
"""One page of each type, by glob over the built site (types not built yet are skipped)."""

LOADED = re.compile(r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["']([^"']+)|"""
                    r"""<link\b[^>]*\bhref=["']([^"']+)""", re.I)
"""Attributes of built HTML that make the browser fetch something."""


def pages_by_type(site: Path) -> dict[str, Path]:
    found = {}
    for kind, pattern in PAGE_TYPES.items():
        matches = sorted(site.glob(pattern))
        if matches:
            found[kind] = matches[0]
    return found


def test_every_page_type_loads_only_from_the_local_server(browser, built_site, site_url):
    site = built_site / "site"
    found = pages_by_type(site)
    assert {"portal", "policy home", "role", "source"} <= found.keys()
    requests: list[str] = []
    tab = browser.new_page()
    tab.on("request", lambda request: requests.append(request.url))
    for kind, path in found.items():
        tab.goto(f"{site_url}/{path.relative_to(site).as_posix()}", wait_until="load")
        tab.focus(".hb-search__input")  # the search index is loaded on first use, the last thing a page loads
        tab.wait_for_function("() => window.hbSearchIndex !== undefined")
        assert tab.locator("h1").first.is_visible(), kind
    tab.close()
    outside = [u for u in requests if not u.startswith(site_url + "/") and not u.startswith(("data:", "blob:"))]
    assert requests and not outside, f"{len(found)} ページ型のうち外部への通信: {outside}"


def test_built_html_and_our_scripts_reference_no_external_host(built_site):
    site = built_site / "site"
    external = []
    for html in site.rglob("*.html"):
        for match in LOADED.finditer(html.read_text(encoding="utf-8")):
            url = match.group(1) or match.group(2)
            if re.match(r"(https?:)?//", url):
                external.append(f"{html.relative_to(site)}: {url}")
    for script in [*site.glob("assets/search.*.js"), *site.glob("search/index.*.js")]:
        if re.search(r"""(src|href)\s*=\s*["']https?://|import\(["']https?://""", script.read_text(encoding="utf-8")):
            external.append(str(script.relative_to(site)))
    assert not external


def test_a_role_page_reads_from_file(browser, built_site):
    path = pages_by_type(built_site / "site")["role"]
    tab = browser.new_page()
    failed: list[str] = []
    tab.on("requestfailed", lambda r: failed.append(r.url))
    tab.goto(path.as_uri())
    assert tab.locator("h1").first.is_visible()
    assert tab.locator(".hb-obligation, .hb-duties li").count() > 0
    stylesheets = tab.evaluate("() => [...document.styleSheets].map(s => s.href || '')")
    assert any("/assets/stylesheets/main." in href for href in stylesheets)
    # the theme's stylesheet applied (file:// forbids reading its rules, not using them)
    assert tab.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    assert not failed
    tab.close()


def test_links_between_pages_work_from_a_file_share(browser, built_site):
    """From file://, following the navigation and in-page links opens pages, not folder listings."""
    tab = browser.new_page()
    try:
        tab.goto((built_site / "site" / "miyako" / "index.html").as_uri())
        with tab.expect_navigation():
            tab.click('.hb-roles a[href="roles/staff.html"]')
        assert tab.url.endswith("/miyako/roles/staff.html")
        assert tab.locator("h1").first.inner_text() == "職員等"
        with tab.expect_navigation():
            tab.click(".hb-obligation .hb-clause >> nth=0")
        assert "/miyako/source.html#c-" in tab.url
        with tab.expect_navigation():
            tab.locator('.md-nav--primary a[href$="glossary.html"]').first.evaluate("a => a.click()")
        assert tab.url.endswith("/miyako/glossary.html")
    finally:
        tab.close()
