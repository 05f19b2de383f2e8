"""Benchmark of Japanese search designs on the real handbook, in real chromium over http.

    .venv/bin/python benchmarks/search.py                 # all three designs
    .venv/bin/python benchmarks/search.py --designs bigram

Designs (see /work/shared/research/japanese-search.md):
  bigram    the handbook's own index (generator/search.py, docs/assets/search.js): what ships
  theme     Material's lunr search (`search` plugin, lang ja) patched as the research note
            describes: NFKC-normalised index and query, the script-change separator, and each
            query word segmented with the theme's TinySegmenter, every piece required
  pagefind  Pagefind extended (PyPI pagefind[extended], pinned in the `bench` extra) run over
            the built HTML, the article marked `data-pagefind-body`, queried with its JS API

For each design: top-5 hit rate on tests/search_queries.yaml (at the anchor a result points to,
and at page level), the time from page load to the first results, the time to index at build,
and the sizes of a page and of the index. Prints one table; nothing is written to the project.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "search_queries.yaml"
PROBE_PAGE = "miyako/roles/staff.html"
"""The page every first-query measurement starts from (a large role page)."""


# --- the query set and what counts as a hit (shared with tests/test_search.py) -------------------

def load_queries(path: Path = QUERIES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


def target_url(target: str) -> str:
    """An expected target as a site-relative URL pattern: ``#anchor`` (anywhere),
    ``policy/source.html#c-…`` or a page path."""
    from generator.anchors import clause_anchor, obligation_anchor

    kind, _, rest = target.partition(":")
    if kind == "obligation":
        return "#" + obligation_anchor(rest)
    if kind == "clause":
        policy, _, clause = rest.partition(":")
        return f"{policy}/source.html#{clause_anchor(clause)}"
    if kind == "page":
        return rest
    raise ValueError(f"unknown target {target!r}")


def is_hit(target: str, url: str) -> bool:
    """Whether a result URL (site-relative, with its anchor) is the expected target."""
    pattern = target_url(target)
    if pattern.startswith("#"):
        return url.endswith(pattern)
    if "#" in pattern:
        return url == pattern
    return url.split("#")[0] == pattern


def target_page(target: str, content) -> str:
    """The page a target is on (an obligation: its first actor's role page)."""
    kind, _, rest = target.partition(":")
    if kind == "obligation":
        policy = content.policy(rest.split(".")[0])
        obligation = next(o for o in policy.obligations if o.id == rest)
        return f"{policy.id}/roles/{obligation.actors[0]}.html"
    return target_url(target).split("#")[0]


def site_relative(url: str, base: str) -> str:
    """``http://127.0.0.1:8000/miyako/roles/staff.html#x`` → ``miyako/roles/staff.html#x``
    (a folder's ``index.html`` as the folder: ``miyako/``)."""
    url = urllib.parse.unquote(url.removeprefix(base.rstrip("/") + "/"))
    return re.sub(r"index\.html(?=#|$)", "", url)


def score(queries: list[dict], results: dict[str, list[str]], content=None) -> dict:
    """Top-5 hits at the anchor level (and at page level when ``content`` is given)."""
    misses, page_hits = [], 0
    for q in queries:
        top = results[q["query"]][:5]
        if not any(is_hit(t, url) for t in q["expect"] for url in top):
            misses.append((q["query"], top))
        if content is not None:
            pages = {target_page(t, content) for t in q["expect"]}
            page_hits += any(url.split("#")[0] in pages for url in top)
    return {"hits": len(queries) - len(misses), "page_hits": page_hits, "total": len(queries), "misses": misses}


# --- driving each design in chromium ----------------------------------------------------------

def bigram_query(page, query: str) -> list[str]:
    """Type a query into the handbook's search box; the result URLs, best first."""
    page.fill(".hb-search__input", "")
    page.fill(".hb-search__input", query)
    page.wait_for_function(
        "q => { const s = document.querySelector('.hb-search__status').textContent;"
        " return document.querySelector('.hb-search__input').value === q && /件|見つかりません/.test(s)"
        " && document.querySelector('.hb-search__panel').dataset.query === q; }", arg=query)
    return page.eval_on_selector_all(".hb-search__link", "els => els.map(a => a.href)")


def theme_query(page, query: str) -> list[str]:
    """Type into Material's search; wait until its count line answers this query."""
    meta = "document.querySelector('.md-search-result__meta').textContent.trim()"
    if page.input_value(".md-search__input"):
        page.fill(".md-search__input", "")
        page.press(".md-search__input", "End")  # the theme reads the query on keyup
        page.wait_for_function(f"() => {meta} === '検索キーワードを入力してください'")
    page.fill(".md-search__input", query)
    page.press(".md-search__input", "End")
    try:
        page.wait_for_function(f"() => /見つかり/.test({meta})", timeout=15000)
    except PlaywrightTimeout:  # the worker gave no answer (it throws on some queries)
        return []
    return page.eval_on_selector_all(".md-search-result__item > .md-search-result__link", "els => els.map(a => a.href)")


PAGEFIND_QUERY = """async q => {
  if (!window.__pf) { window.__pf = await import(new URL('/pagefind/pagefind.js', location.href).href);
                      await window.__pf.options({}); await window.__pf.init(); }
  const search = await window.__pf.search(q);
  const top = await Promise.all(search.results.slice(0, 5).map(r => r.data()));
  const urls = [];
  for (const d of top) {
    const sub = (d.sub_results || [])[0];
    urls.push(sub ? sub.url : d.url);
  }
  return urls;
}"""


def pagefind_query(page, query: str) -> list[str]:
    urls = page.evaluate(PAGEFIND_QUERY, query)
    origin = page.url.split("/", 3)[:3]
    return ["/".join(origin) + u if u.startswith("/") else u for u in urls]


# --- building the sites -----------------------------------------------------------------------

@dataclass
class Site:
    name: str
    folder: Path
    index_files: list[Path]
    index_seconds: float
    notes: list[str] = field(default_factory=list)


def project_copy(target: Path) -> Path:
    for name in ("content", "quizzes", "docs", "site-overrides"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def build_bigram(work: Path, strict: bool) -> Site:
    from generator.content import load_content
    from generator.search import write_index

    project = project_copy(work / "bigram")
    _mkdocs_build(project, strict)
    site = project / "site"
    content = load_content(project)
    started = time.perf_counter()
    index = write_index(site, content, tuple(p.id for p in content.policies))  # as on_post_build does
    return Site("bigram", site, [index], time.perf_counter() - started)


def build_theme(work: Path, strict: bool) -> Site:
    """Material's own search with the research note's patch (benchmark only)."""
    project = project_copy(work / "theme")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("plugins:\n", "plugins:\n  - search:\n      lang: ja\n", 1)
    config = re.sub(r"extra_javascript:\n(  - .*\n)+", "", config)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    (project / "site-overrides" / "partials" / "header.html").unlink()
    _mkdocs_build(project, strict)
    site = project / "site"
    (site / "search" / "index.js").unlink()
    index = site / "search" / "search_index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    import unicodedata
    for doc in data["docs"]:
        for key in ("title", "text"):
            doc[key] = unicodedata.normalize("NFKC", doc[key])
    classes = ["\\u3041-\\u309f", "\\u30a0-\\u30ff", "\\u3400-\\u9fff\\u3005", "a-zA-Z0-9"]
    script_change = "|".join(f"(?<=[{c}])(?=[^{c}\\s])" for c in classes)
    data["config"]["separator"] = "[\\s\\-、。，．・（）()「」]+|" + script_change
    index.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    worker = next((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    source = worker.read_text(encoding="utf-8")
    original = 'search(e){if(e=e.replace(new RegExp("\\\\p{sc=Han}+","gu"),s=>[...fe(s,this.index.invertedIndex)].join("* ")),'
    if original not in source:
        raise SystemExit("the theme's search worker changed: the benchmark patch must be redone")
    patched = ("search(e){if(e=e.normalize('NFKC').toLowerCase().split(/\\s+/).filter(Boolean).map(w=>"
               "w.split(lunr.tokenizer.separator).filter(Boolean).map(p=>lunr.segmenter?lunr.segmenter.segment(p):[p])"
               ".flat().filter(p=>p.trim()).map(p=>'+'+p).join(' ')).join(' '),")
    worker.write_text(source.replace(original, patched), encoding="utf-8")
    return Site("theme", site, [index], 0.0, ["index built in the browser on every page load"])


def build_pagefind(work: Path, bigram: Site) -> Site:
    site = work / "pagefind-site"
    shutil.copytree(bigram.folder, site)
    shutil.rmtree(site / "search")
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        html.write_text(text.replace('<article class="md-content__inner', '<article data-pagefind-body class="md-content__inner', 1),
                        encoding="utf-8")
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode:
        raise SystemExit(f"pagefind failed (pip install -c constraints.txt -e '.[bench]'):\n{run.stderr}")
    version = subprocess.run([sys.executable, "-m", "pip", "show", "pagefind"], capture_output=True, text=True).stdout
    notes = [line for line in version.splitlines() if line.startswith("Version")]
    return Site("pagefind", site, sorted((site / "pagefind").rglob("*")), seconds, notes)


def _mkdocs_build(project: Path, strict: bool) -> None:
    from generator.build import build_site

    if strict:
        build_site(project, project / "site")
    else:  # while other work in the tree breaks --strict
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"),
                        "-d", str(project / "site")], check=True, capture_output=True)


@contextlib.contextmanager
def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# --- measuring --------------------------------------------------------------------------------

QUERY_FUNCTIONS = {"bigram": bigram_query, "theme": theme_query, "pagefind": pagefind_query}


def first_query_seconds(browser, base: str, design: str, query: str, runs: int = 3) -> float:
    """Median time from the page's load event to the first results of ``query`` (fresh page)."""
    times = []
    for _ in range(runs):
        page = browser.new_page()
        page.goto(f"{base}/{PROBE_PAGE}", wait_until="load")
        started = page.evaluate("() => performance.now()")
        QUERY_FUNCTIONS[design](page, query)
        times.append((page.evaluate("() => performance.now()") - started) / 1000)
        page.close()
    return statistics.median(times)


def measure(browser, site: Site, queries: list[dict], content) -> dict:
    with serve(site.folder) as base:
        first = first_query_seconds(browser, base, site.name, "パスワード 流出")
        page = browser.new_page()
        page.goto(f"{base}/{PROBE_PAGE}", wait_until="load")
        results, durations = {}, []
        for q in queries:
            started = time.perf_counter()
            urls = QUERY_FUNCTIONS[site.name](page, q["query"])
            durations.append(time.perf_counter() - started)
            results[q["query"]] = [site_relative(u, base) for u in urls]
        page.close()
    outcome = score(queries, results, content)
    probe = site.folder / PROBE_PAGE
    return {
        **outcome,
        "first_query_s": first,
        "later_query_ms": statistics.median(durations) * 1000,
        "index_s": site.index_seconds,
        "index_bytes": sum(p.stat().st_size for p in site.index_files if p.is_file()),
        "page_bytes": probe.stat().st_size,
        "notes": site.notes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", default="bigram,theme,pagefind")
    parser.add_argument("--no-strict", action="store_true", help="build without mkdocs --strict")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--queries", type=Path, default=QUERIES,
                        help="query set (benchmarks/search_queries_holdout.yaml: queries never used for tuning)")
    args = parser.parse_args(argv)
    designs = args.designs.split(",")

    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from generator.content import load_content
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    queries = load_queries(args.queries)
    content = load_content(ROOT)
    rows = {}
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp, sync_playwright() as pw:
        work = Path(tmp)
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sites = {}
        if "bigram" in designs or "pagefind" in designs:
            sites["bigram"] = build_bigram(work, not args.no_strict)
        if "theme" in designs:
            sites["theme"] = build_theme(work, not args.no_strict)
        if "pagefind" in designs:
            sites["pagefind"] = build_pagefind(work, sites["bigram"])
        for name in designs:
            rows[name] = measure(browser, sites[name], queries, content)
        browser.close()

    print(f"{len(queries)} queries ({args.queries.relative_to(ROOT) if args.queries.is_relative_to(ROOT) else args.queries}), hit = an expected target in the top 5\n")
    header = f"{'design':<9} {'hit@5 anchor':>13} {'hit@5 page':>11} {'1st query s':>12} {'later ms':>9} {'index s':>8} {'index KB':>9} {'page KB':>8}"
    print(header)
    for name, r in rows.items():
        print(f"{name:<9} {r['hits'] / r['total']:>12.1%} {r['page_hits'] / r['total']:>11.1%} "
              f"{r['first_query_s']:>12.2f} {r['later_query_ms']:>9.0f} {r['index_s']:>8.2f} "
              f"{r['index_bytes'] / 1024:>9.0f} {r['page_bytes'] / 1024:>8.0f}  {'; '.join(r['notes'])}")
    if args.show_misses:
        for name, r in rows.items():
            print(f"\n{name}: missed {len(r['misses'])}")
            for query, top in r["misses"]:
                print(f"  {query}: {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
