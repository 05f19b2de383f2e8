"""Benchmark of the handbook's Japanese search on the real built site, in real chromium over http.

    .venv/bin/python benchmarks/search.py                                   # tuning set
    .venv/bin/python benchmarks/search.py --queries benchmarks/search_queries_staff.yaml --show-misses
    .venv/bin/python benchmarks/search.py --designs bigram,minisearch       # against MiniSearch

Designs:
  bigram      the handbook's own engine (generator/search.py, docs/assets/search.js): what ships
  minisearch  MiniSearch (npm `minisearch`, vendored in benchmarks/vendor/minisearch/) given the
              same records, the same normalised and synonym-expanded text cut into the same
              bigrams, ranked by its own BM25+ with any query term allowed to match (OR)

Queries with a `city` are typed on that city's home page, where results are scoped to the city;
the others on the portal's home page (all cities). For each design: top-5 hit rate per city (at
the anchor a result points to, and at page level), the time from page load to the first results
when typed at once (index still to load), the median time from typing to results on screen once
the box had the focus (measured inside the page), the median round trip of later queries, the
index size. Prints one table;
nothing is written to the project. (The theme's lunr search and Pagefind were measured against
the bigram design before; see the README.)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "tests" / "search_queries.yaml"
PROBE_PAGE = "miyako/roles/staff.html"
"""The page every first-query measurement starts from (a large role page)."""
MINISEARCH = Path(__file__).resolve().parent / "vendor" / "minisearch" / "minisearch.umd.js"


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


def query_page(query: dict) -> str:
    """Where a query is typed: its city's home page (results scoped to the city), else the portal's."""
    return f"{query['city']}/index.html" if query.get("city") else "index.html"


def key(query: dict) -> tuple[str, str]:
    return query.get("city", ""), query["query"]


def score(queries: list[dict], results: dict[tuple[str, str], list[str]], content=None) -> dict:
    """Top-5 hits at the anchor level (and at page level when ``content`` is given); results are
    keyed by :func:`key`."""
    misses, page_hits = [], 0
    for q in queries:
        top = results[key(q)][:5]
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


# --- building the sites -----------------------------------------------------------------------

@dataclass
class Site:
    name: str
    folder: Path
    index_files: list[Path]
    index_seconds: float
    notes: list[str] = field(default_factory=list)


def build_site(work: Path) -> Site:
    """The project built as ``handbook build`` does, in a copy: the portal in ``site/``."""
    from generator.build import build

    project = work / "project"
    for name in ("content", "quizzes", "docs", "site-overrides"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    started = time.perf_counter()
    result = build(project)
    return Site("bigram", result.site, sorted((result.site / "search").glob("index*.js")), time.perf_counter() - started,
                ["build time of the whole site"])


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

MINISEARCH_QUERY = """async q => {
  const engine = window.hbSearch;
  await engine.load();
  const data = window.hbSearchIndex;
  if (!window.__mini) {
    const tokens = text => engine.normalize(text).split(" ").filter(Boolean).flatMap(engine.bigrams);
    const also = data.docs.map(() => []);
    for (const [gram, encoded] of Object.entries(data.also)) {
      let n = 0;
      for (const gap of encoded.split(",")) { n += parseInt(gap, 36); also[n].push(gram); }
    }
    const mini = new MiniSearch({ fields: ["title", "text", "hidden", "keys", "also"], tokenize: s => s.split(" "),
                                  processTerm: t => t });
    mini.addAll(data.docs.map((d, id) => ({ id, title: tokens(d[3]).join(" "), text: tokens(d[4]).join(" "),
      hidden: tokens(d[5]).join(" "), keys: tokens(d[6].join(" ")).join(" "), also: also[id].join(" ") })));
    window.__mini = mini;
  }
  const city = await engine.city();
  const grams = engine.terms(q).terms.flatMap(t => engine.bigrams(t.text));
  return window.__mini.search(grams.join(" "), { combineWith: "OR", boost: { keys: 4, title: 2, also: 0.8 } })
    .filter(r => !city || !data.docs[r.id][7] || data.docs[r.id][7] === city)
    .slice(0, 20).map(r => engine.href(data.docs[r.id][0]));
}"""


def minisearch_query(page, query: str) -> list[str]:
    """The same index and query terms ranked by MiniSearch (loaded into the page on first use)."""
    if not page.evaluate("() => !!window.MiniSearch"):
        page.add_script_tag(path=str(MINISEARCH))
    return [urllib.parse.urljoin(page.url, u) for u in page.evaluate(MINISEARCH_QUERY, query)]


QUERY_FUNCTIONS = {"bigram": bigram_query, "minisearch": minisearch_query}

TYPED_MS = """q => new Promise(resolve => {
  const input = document.querySelector('.hb-search__input');
  const panel = document.querySelector('.hb-search__panel');
  const watch = new MutationObserver(() => {
    if (panel.dataset.query === q && !panel.hidden) { watch.disconnect(); resolve(performance.now() - started); }
  });
  watch.observe(panel, { attributes: true, childList: true, subtree: true });
  input.focus();
  const started = performance.now();
  input.value = q;
  input.dispatchEvent(new Event('input', { bubbles: true }));
})"""


def typed_ms(page, query: str) -> float:
    """Milliseconds from the input event of the last key to the handbook's results on screen
    (its 60 ms wait for more keys included), measured inside the page."""
    return page.evaluate(TYPED_MS, query)


def typed_after_focus_ms(browser, base: str) -> float:
    """Median :func:`typed_ms` of a few queries on a fresh page whose box got the focus first
    (the index loads then, as when staff click into the box)."""
    page = browser.new_page()
    page.goto(f"{base}/{PROBE_PAGE}", wait_until="load")
    page.locator(".hb-search__input").click()
    page.wait_for_function("() => !!window.hbSearchIndex")
    times = [typed_ms(page, q) for q in ("パスワード 流出", "USBメモリ 持ち出し", "パスワードを電話で聞かれた", "課長", "ウィルス")]
    page.close()
    return statistics.median(times)


def first_query_seconds(browser, base: str, design: str, query: str, runs: int = 3) -> float:
    """Median time from typing ``query`` on a freshly loaded page to its first results."""
    times = []
    for _ in range(runs):
        page = browser.new_page()
        page.goto(f"{base}/{PROBE_PAGE}", wait_until="load")
        started = page.evaluate("() => performance.now()")
        QUERY_FUNCTIONS[design](page, query)
        times.append((page.evaluate("() => performance.now()") - started) / 1000)
        page.close()
    return statistics.median(times)


def pages_of(browser, base: str, queries: list[dict]):
    """Each page queries are typed on (see :func:`query_page`), opened in turn, with its queries."""
    for path in sorted({query_page(q) for q in queries}):
        page = browser.new_page()
        page.goto(f"{base}/{path}", wait_until="load")
        try:
            yield page, [q for q in queries if query_page(q) == path]
        finally:
            page.close()


def listed_results(browser, base: str, queries: list[dict]) -> dict:
    """What the handbook's search lists for every query on its page, asked of the page's own search
    code all at once instead of typed one by one: site-relative result URLs by :func:`key`."""
    results = {}
    for page, asked in pages_of(browser, base, queries):
        found = page.evaluate("qs => Promise.all(qs.map(q => window.hbSearch.results(q)))", [q["query"] for q in asked])
        results.update({key(q): [site_relative(u, base) for u in urls] for q, urls in zip(asked, found)})
    return results


def run_queries(browser, base: str, design: str, queries: list[dict]) -> tuple[dict, list[float]]:
    """Every query typed on its page: site-relative result URLs by :func:`key`, and the seconds
    each took."""
    results, durations = {}, []
    for page, asked in pages_of(browser, base, queries):
        for q in asked:
            started = time.perf_counter()
            urls = QUERY_FUNCTIONS[design](page, q["query"])
            durations.append(time.perf_counter() - started)
            results[key(q)] = [site_relative(u, base) for u in urls]
    return results, durations


def measure(browser, site: Site, design: str, queries: list[dict], content) -> dict:
    with serve(site.folder) as base:
        first = first_query_seconds(browser, base, design, "パスワード 流出")
        typed = typed_after_focus_ms(browser, base) if design == "bigram" else float("nan")
        results, durations = run_queries(browser, base, design, queries)
    cities = sorted({q.get("city", "") for q in queries})
    return {
        "cities": {c: score([q for q in queries if q.get("city", "") == c], results, content) for c in cities},
        "first_query_s": first,
        "typed_ms": typed,
        "later_query_ms": statistics.median(durations) * 1000,
        "build_s": site.index_seconds,
        "index_bytes": sum(p.stat().st_size for p in site.index_files if p.is_file()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--designs", default="bigram")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--queries", type=Path, default=QUERIES,
                        help="query set (tuning: tests/search_queries.yaml, benchmarks/search_queries_staff.yaml, "
                             "search_queries_staff_b.yaml, search_queries_staff_c.yaml; held out: search_queries_staff_d.yaml)")
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
        site = build_site(Path(tmp))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in designs:
            rows[name] = measure(browser, site, name, queries, content)
        browser.close()

    shown = args.queries.relative_to(ROOT) if args.queries.is_relative_to(ROOT) else args.queries
    print(f"{len(queries)} queries ({shown}), hit = an expected target in the top 5\n")
    print(f"{'design':<11} {'city':<9} {'hit@5 anchor':>15} {'hit@5 page':>11} {'1st query s':>12} {'typed ms':>9} "
          f"{'later ms':>9} {'index KB':>9}")
    for name, r in rows.items():
        for city, c in r["cities"].items():
            print(f"{name:<11} {city or '(all)':<9} {c['hits']:>4}/{c['total']:<3} {c['hits'] / c['total']:>6.1%} "
                  f"{c['page_hits'] / c['total']:>11.1%} {r['first_query_s']:>12.2f} {r['typed_ms']:>9.0f} {r['later_query_ms']:>9.0f} "
                  f"{r['index_bytes'] / 1024:>9.0f}")
    if args.show_misses:
        for name, r in rows.items():
            for city, c in r["cities"].items():
                print(f"\n{name} {city or '(all)'}: missed {len(c['misses'])}")
                for query, top in c["misses"]:
                    print(f"  {query}: {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
