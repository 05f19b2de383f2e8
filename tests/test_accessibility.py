"""Accessibility basics and print layout, checked in the real browser on every page type."""

from __future__ import annotations

import re
import zipfile

import pytest

PAGE_TYPES = [
    "index.html", "miyako/index.html", "miyako/roles/staff.html", "miyako/topics/passwords.html", "miyako/source.html",
    "moriyama/tables.html", "miyako/glossary.html", "miyako/checklists/staff.html", "miyako/quiz/staff.html",
    "miyako/changes.html", "compare/index.html", "compare/topics/passwords.html", "compare/roles/section-head.html",
]

CONTRAST = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return rgb(getComputedStyle(document.body).backgroundColor).slice(0, 3);
  };
  const blend = (fg, bg) => fg.length === 4 ? fg.slice(0, 3).map((c, i) => c * fg[3] + bg[i] * (1 - fg[3])) : fg;
  const selectors = [".md-typeset p", ".hb-summary", ".hb-text", ".hb-modality", ".hb-meta", ".hb-meta a", ".md-typeset a", ".hb-count", ".hb-keywords", ".hb-lead"];
  const worst = [];
  for (const sel of selectors) {
    for (const el of Array.from(document.querySelectorAll(sel)).slice(0, 20)) {
      if (!el.offsetParent) continue;
      const bg = background(el);
      const fg = blend(rgb(getComputedStyle(el).color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      worst.push([sel, (a + 0.05) / (b + 0.05)]);
    }
  }
  return worst;
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa_in_both_themes(browser, site_url, scheme):
    page = browser.new_page(color_scheme=scheme)
    try:
        low = []
        for path in ("miyako/roles/staff.html", "miyako/topics/passwords.html", "miyako/index.html", "miyako/glossary.html"):
            page.goto(f"{site_url}/{path}")
            low += [(path, sel, round(ratio, 2)) for sel, ratio in page.evaluate(CONTRAST) if ratio < 4.5]
        assert low == [], low
    finally:
        page.close()


def test_every_page_type_is_japanese_with_ordered_headings_and_named_links(built_site):
    with zipfile.ZipFile(built_site / "dist" / "editors-guide.zip") as archive:  # published apart from the site
        guide = {f"guide/{name}": archive.read(f"editors-guide/{name}").decode("utf-8") for name in ("index.html", "schema.html")}
    pages = {path: (built_site / "site" / path).read_text(encoding="utf-8") for path in PAGE_TYPES} | guide
    for path, html in pages.items():
        assert '<html lang="ja"' in html, path
        article = html[html.index('<article'):html.index('</article>')]
        levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", article)]
        assert levels and levels[0] == 1 and levels.count(1) == 1, path
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)
        empty = [a for a, inner in re.findall(r"<a\s([^>]*)>(.*?)</a>", article, re.S)
                 if not re.sub(r"<[^>]+>|\s", "", inner) and "aria-label" not in a and "title=" not in a]
        assert empty == [], path


def test_printing_a_role_page_hides_navigation_and_keeps_obligations_whole(browser, site_url):
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/miyako/roles/staff.html")
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.querySelector('.md-sidebar--primary')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).display") == "none"
        assert page.evaluate("getComputedStyle(document.querySelector('.hb-obligation')).breakInside") == "avoid"
    finally:
        page.close()


@pytest.mark.parametrize("path", ["miyako/checklists/staff.html", "miyako/roles/staff.html", "miyako/quiz/staff.html",
                                  "miyako/incident.html", "miyako/source.html"])
def test_pages_reflow_at_320_css_pixels(browser, site_url, path):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        page.goto(f"{site_url}/{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{path}: {width}px wide at a 320px viewport"
    finally:
        page.close()


def test_exam_choices_have_a_visible_focus(browser, site_url):
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/miyako/quiz/staff.html")
        page.locator('[data-mode="exam"]').click()
        page.locator(".hb-quiz-start").click()
        radio = page.locator('.hb-quiz-form input[type="radio"]').first
        radio.focus()
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [document.activeElement.type, s.outlineStyle, s.outlineWidth]; }")
        assert focused[0] == "radio" and focused[1] != "none" and focused[2] != "0px", focused
    finally:
        page.close()
