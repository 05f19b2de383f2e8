"""The handbook's Japanese search, in real chromium on the real built site."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from benchmarks.search import (
    PROBE_PAGE, ROOT, bigram_query, listed_results, load_queries, run_queries, score, site_relative, typed_ms,
)
from generator.search import bigrams, normalize

from .conftest import serve

STAFF_SETS = [ROOT / "benchmarks" / "search_queries_staff.yaml", ROOT / "benchmarks" / "search_queries_staff_b.yaml",
              ROOT / "benchmarks" / "search_queries_staff_c.yaml"]
"""Queries typed the way staff type, held out for earlier measurements and tuning sets now (the
held-out set, benchmarks/search_queries_staff_d.yaml, is run by benchmarks/search.py only)."""


@pytest.fixture(scope="module")
def page(browser, site_url):
    """The portal's home page (results of every city), reused by the tests that only type queries."""
    tab = browser.new_page()
    tab.goto(f"{site_url}/index.html")
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def miyako(browser, site_url):
    """A page of 宮古市 (results scoped to 宮古市)."""
    tab = browser.new_page()
    tab.goto(f"{site_url}/{PROBE_PAGE}")
    yield tab
    tab.close()


def results(page, query: str, base: str) -> list[str]:
    return [site_relative(url, base) for url in bigram_query(page, query)]


def test_normalisation_folds_width_kana_and_dashes():
    assert normalize("ＣＩＳＯ　ｶﾀｶﾅ  ICカード") == "ciso カタカナ icカド"
    assert normalize("ぱすわーど") == normalize("ﾊﾟｽﾜｰﾄﾞ") == normalize("パスワ−ド") == normalize("パスワード")
    assert normalize("ウィルス") == normalize("ウイルス") == "ウイルス"
    assert normalize("Wi-Fi") == normalize("WiFi") == "wifi"
    assert normalize("ＩＣカード・身分証明書") == "icカド 身分証明書"
    assert bigrams("情報資産") == {"情報", "報資", "資産"}
    assert bigrams("鍵 ＵＳＢ") == {"鍵", "us", "sb"}


def test_the_browser_folds_as_the_index_does(page):
    samples = ["ＣＩＳＯ　ｶﾀｶﾅ", "ぱすわーど", "ﾊﾟｽﾜｰﾄﾞ 使い回し", "パスワ−ド", "ウィルス", "Wi‐Fi", "ＩＣカード・身分証明書",
               "5.1 (１) ⑦", "「漏えい」"]
    folded = page.evaluate("s => window.hbSearch.load().then(() => s.map(window.hbSearch.normalize))", samples)
    assert folded == [normalize(s) for s in samples]


def test_spelling_variants_find_the_same_rules(miyako, site_url):
    for variant, written in [("ウィルス 感染", "ウイルス 感染"), ("ぱすわーど 使い回し", "パスワード 使い回し"),
                             ("ﾊﾟｽﾜｰﾄﾞ 使い回し", "パスワード 使い回し"), ("パスワ−ド 流出", "パスワード 流出"),
                             ("ＵＳＢメモリ", "USBメモリ")]:
        assert results(miyako, variant, site_url)[:5] == results(miyako, written, site_url)[:5], variant
    assert "miyako/roles/staff.html#miyako--password-report-leak" in results(miyako, "パスワード 漏洩", site_url)[:3]


def test_not_every_word_is_required(miyako, site_url):
    top = results(miyako, "パスワードを電話で聞かれた", site_url)[:5]
    assert "miyako/roles/staff.html#miyako--password-no-inquiry" in top


def test_everyday_words_find_the_policy_words(miyako, site_url):
    assert "miyako/roles/staff.html#miyako--device-takeout-permission" in results(miyako, "スマホ 持ち出し", site_url)[:5]
    assert "miyako/roles/staff.html#miyako--ic-card-report-loss" in results(miyako, "社員証 なくした", site_url)[:5]
    # a compound cut where the scripts meet (情 / シス) is still held whole through the everyday word
    assert results(miyako, "情シス", site_url)[0] == "miyako/roles/system-admin.html"


def test_holders_titles_find_their_roles(browser, site_url):
    tab = browser.new_page()
    for city, title, roles in [("miyako", "課長", {"security-manager", "system-admin"}),
                               ("moriyama", "部長", {"security-manager", "deputy-chief-manager", "network-manager"}),
                               ("nabari", "副市長", {"cio"})]:
        tab.goto(f"{site_url}/{city}/index.html")
        top = results(tab, title, site_url)[:3]
        assert {f"{city}/roles/{r}.html" for r in roles} & set(top), (title, top)
    tab.close()


def test_best_bet_comes_first_and_says_so(miyako, site_url):
    assert results(miyako, "USBメモリ 持ち出し", site_url)[0] == "miyako/roles/staff.html#miyako--device-takeout-permission"
    assert miyako.locator(".hb-search__link").first.locator(".hb-search__bet").inner_text() == "おすすめ"


def test_a_citys_pages_find_its_own_and_the_portal_finds_every_citys(miyako, page, site_url):
    scoped = results(miyako, "ICカード 共有", site_url)
    assert scoped and all(url.startswith("miyako/") for url in scoped)
    assert miyako.locator(".hb-search__status").inner_text().startswith("宮古市の")
    assert miyako.locator(".hb-search__city").count() == 0
    portal = results(page, "ICカード 共有", site_url)  # the portal's own pages: every city, named
    assert {u.split("/")[0] for u in portal} >= {"miyako", "nabari"}
    assert page.locator(".hb-search__city").first.inner_text() in ("宮古市", "名張市", "守山市")


def test_panel_closes_on_escape_and_on_a_result_of_the_same_page(browser, site_url):
    tab = browser.new_page()
    tab.goto(f"{site_url}/{PROBE_PAGE}")
    bigram_query(tab, "離席")
    panel = tab.locator(".hb-search__panel")
    assert panel.is_visible()
    tab.keyboard.press("Escape")
    assert panel.is_hidden()
    tab.locator("article h1").first.click()
    bigram_query(tab, "離席 ロック")
    tab.keyboard.press("ArrowDown")  # to the first result, then Escape: closed, the box has the focus
    tab.keyboard.press("Escape")
    assert panel.is_hidden()
    assert tab.evaluate("() => document.activeElement.classList.contains('hb-search__input')")
    tab.locator("article h1").first.click()
    tab.locator(".hb-search__input").focus()
    assert panel.is_visible()  # the last results come back with the focus
    tab.locator(".hb-search__link").first.click()  # miyako/roles/staff.html#miyako--clear-desk: this page
    tab.wait_for_function("() => location.hash === '#miyako--clear-desk'")
    assert panel.is_hidden()
    target = tab.locator("#miyako--clear-desk")
    assert target.is_visible()
    assert "hb-search-target" in target.get_attribute("class")
    assert tab.locator(".hb-search-target").count() == 1
    tab.close()


def test_queries_are_cut_at_particles_and_okurigana_stays(page):
    cases = {
        "パスワードを電話で聞かれた": ["パスワド", "電話", "聞カレタ"],
        "持ち出しを許可": ["持チ出シ", "許可"],  # the okurigana stays with its kanji
        "係のみんなで共有": ["係", "ミンナ", "共有"],
        "社員証をつける": ["社員証", "ツケル"],  # a word of three or more kana after a particle
        "パソコンの動きがおかしい": ["パソコン", "動キ", "オカシイ"],
        "パスワードとは": ["パスワドトハ"],  # too short to be a word of its own
        "誤ってデータを消した": ["誤ツテ", "デタ", "消シタ"],  # って after a kanji ends a verb
        "むやみに複製しない": ["ムヤミニ", "複製シナイ"],  # kana before the first kanji: a word of its own
        "お知らせ": ["オ知ラセ"],  # but not one kana (お, ご)
    }
    got = page.evaluate("qs => window.hbSearch.load().then(() => qs.map(q => window.hbSearch.terms(q).terms.map(t => t.text)))",
                        list(cases))
    assert dict(zip(cases, got)) == cases
    shares = page.evaluate("() => window.hbSearch.terms('USBメモリ 持ち出し').terms.map(t => t.share)")
    assert shares == [0.5, 0.5, 1]  # the parts of one typed word share its weight


def test_target_is_highlighted_on_arrival(browser, site_url):
    tab = browser.new_page()
    tab.goto(f"{site_url}/miyako/source.html#c-5-1-1-7")  # an empty anchor: its paragraph is marked
    marked = tab.locator(".hb-search-target")
    assert marked.count() == 1
    assert marked.evaluate("el => el.querySelector('#c-5-1-1-7') !== null")
    assert marked.is_visible()
    tab.close()


def hit_rates(browser, site_url, queries) -> dict:
    found = listed_results(browser, site_url, queries)
    cities = sorted({q.get("city", "") for q in queries})
    return {c: score([q for q in queries if q.get("city", "") == c], found) for c in cities}


def test_query_set_top5_hit_rate(browser, site_url):
    queries = load_queries()
    assert len(queries) >= 70
    for city, outcome in hit_rates(browser, site_url, queries).items():
        for query, top in outcome["misses"]:
            print(f"missed ({city or 'all'}): {query} → {top}")
        rate = outcome["hits"] / outcome["total"]
        print(f"tuning set, {city or 'all cities'}: {outcome['hits']}/{outcome['total']} = {rate:.1%}")
        assert rate >= 0.85


def test_staff_queries_per_city(browser, site_url):
    """The staff-typed tuning sets, per city: the figures are printed; the floor catches regressions."""
    queries = [q for path in STAFF_SETS for q in load_queries(path)]
    for city, outcome in hit_rates(browser, site_url, queries).items():
        rate = outcome["hits"] / outcome["total"]
        assert outcome["total"] >= 80
        print(f"staff sets, {city}: {outcome['hits']}/{outcome['total']} = {rate:.1%} in the top 5")
        for query, top in outcome["misses"]:
            print(f"  missed: {query} → {top[:3]}")
        assert rate >= 0.9  # issue 15: 90 % in the top 5 for each city


def test_results_show_when_typed_cold_and_after_the_box_got_the_focus(browser, site_url):
    """Typed the moment the box gets the focus (the index still to load) and as staff type (the
    index loads when they click into the box), the results of each query come on screen. How soon
    is measured by ``benchmarks/search.py`` (``make bench``), not here."""
    tab = browser.new_page()
    tab.goto(f"{site_url}/{PROBE_PAGE}", wait_until="load")
    shown = {"パスワード 流出": typed_ms(tab, "パスワード 流出")}
    tab.goto(f"{site_url}/{PROBE_PAGE}", wait_until="load")
    tab.locator(".hb-search__input").click()
    tab.wait_for_function("() => !!window.hbSearchIndex")
    for query in ("USBメモリ 持ち出し", "パスワードを電話で聞かれた", "ウィルス", "課長", "自宅で仕事"):
        shown[query] = typed_ms(tab, query)
        assert tab.locator(".hb-search__panel").get_attribute("data-query") == query
        assert tab.locator(".hb-search__link").count() > 0, query
    tab.close()
    print("results after typing (ms): " + ", ".join(f"{q} {ms:.0f}" for q, ms in shown.items()))


def test_full_and_half_width_give_the_same_answers(page, site_url):
    assert results(page, "ＣＩＳＯ", site_url)[0] == "miyako/roles/ciso.html"
    assert results(page, "CISO", site_url)[0] == "miyako/roles/ciso.html"
    assert results(page, "ＩＣカード 共有", site_url)[:5] == results(page, "ICカード 共有", site_url)[:5]
    assert "nabari/roles/staff.html#nabari--ic-card-no-sharing" in results(page, "ICカード 共有", site_url)[:5]


def test_words_inside_compounds_are_found_and_marked(page, site_url):
    top = results(page, "インシデント", site_url)
    assert "miyako/roles/csirt.html#miyako--csirt-report-incident" in top
    snippets = page.eval_on_selector_all(".hb-search__snippet", "els => els.map(e => e.textContent)")
    assert any("セキュリティインシデント" in s for s in snippets)
    results(page, "資産 返却", site_url)
    marks = page.eval_on_selector_all(".hb-search__link:first-child mark", "els => els.map(e => e.textContent)")
    assert "資産" in marks and "返却" in marks


def test_a_result_shows_title_page_and_snippet(page, site_url):
    assert results(page, "離席", site_url)[0] == "miyako/roles/staff.html#miyako--clear-desk"
    first = page.locator(".hb-search__link").first
    assert first.locator(".hb-search__title").inner_text().endswith("離席時は端末をロックし、媒体や文書は見られない場所に保管する")
    assert first.locator(".hb-search__city").inner_text() == "宮古市"
    assert first.locator(".hb-search__page").inner_text() == "義務・職員等（宮古市）"
    assert first.locator(".hb-search__snippet mark").first.inner_text() == "離席"
    results(page, "ぬぬぬ qqzx", site_url)
    assert page.locator(".hb-search__status").inner_text() == (
        "「ぬぬぬ qqzx」に当てはまる項目は見つかりませんでした。別の言い方で探してください。")


def test_search_escapes_html(page, site_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    results(page, "<img src=x onerror=alert(1)>", site_url)
    assert page.locator(".hb-search img").count() == 0
    nothing = "<ゞゞ>"  # no bigram of it is in the index: the status repeats the query as text
    results(page, nothing, site_url)
    assert page.locator(".hb-search__status").inner_text() == (
        "「<ゞゞ>」に当てはまる項目は見つかりませんでした。別の言い方で探してください。")
    results(page, "<b>パスワード</b>", site_url)
    assert page.locator(".hb-search__panel b").count() == 0
    assert not dialogs


@pytest.fixture(scope="module")
def single_policy_under_subpath(built_site, tmp_path_factory):
    """dist/handbook-miyako.zip unpacked under /intranet/ of a web server."""
    root = tmp_path_factory.mktemp("www")
    with zipfile.ZipFile(built_site / "dist" / "handbook-miyako.zip") as archive:
        archive.extractall(root / "intranet")
    with serve(root) as url:
        yield f"{url}/intranet/miyako"


def test_single_policy_site_under_a_subpath(browser, single_policy_under_subpath):
    base = single_policy_under_subpath
    tab = browser.new_page()
    tab.goto(f"{base}/topics/index.html")
    top = results(tab, "離席", base)
    assert top[0] == "roles/staff.html#miyako--clear-desk"
    tab.locator(".hb-search__link").first.click()
    tab.wait_for_load_state()
    assert tab.url == f"{base}/roles/staff.html#miyako--clear-desk"
    assert tab.locator("#miyako--clear-desk").is_visible()
    tab.close()


def test_search_works_from_file(browser, built_site):
    role_page = (built_site / "site" / "miyako" / "roles" / "staff.html").as_uri()
    tab = browser.new_page()
    tab.goto(role_page)
    hrefs = bigram_query(tab, "パスワード 流出")
    site = (built_site / "site").as_uri()
    assert f"{site}/miyako/roles/staff.html#miyako--password-report-leak" in hrefs[:5]
    assert Path(hrefs[0].removeprefix("file://").split("#")[0]).is_file()
    tab.close()


def test_search_vocabulary_problems_are_reported_with_file_and_line(project, capsys):
    from generator.cli import main

    project({
        "content/search.yaml": "terms:\n  - words: [スマホ]\n    means: [モバイル端末]\n"
                               "  - words: [スマホ, 携帯]\n    means: []\nsynonyms: []\n",
        "content/miyako/search.yaml": "best_bets:\n  - words: [パスワード 流出]\n"
                                      "    obligations: [miyako.no-such-rule, miyako.password-report-leak]\n",
    })
    assert main(["validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "content/miyako/search.yaml:2: おすすめの義務「miyako.no-such-rule」はありません。義務の id を書いてください。",
        "content/search.yaml:4: 「means」に1つ以上書いてください。",
        "content/search.yaml:4: 言葉「スマホ」は 2 行目の項目にもあります。1か所にまとめてください。",
        "content/search.yaml:6: 不明な項目「synonyms」があります（使える項目: best_bets, terms）。",
        "4 件の問題があります。何も書き出していません。",
    ]


def test_everyday_words_reach_the_index(project):
    from generator.content import load_content
    from generator.layout import Layout
    from generator.search import index_script

    root = project({"content/miyako/search.yaml": "terms:\n  - words: [漏洩]\n    means: [流出]\n"
                                                  "best_bets:\n  - words: [パスワード 漏洩]\n"
                                                  "    obligations: [miyako.password-report-leak]\n"})
    content = load_content(root)
    script = index_script(content, Layout(("miyako",)), {})
    index = json.loads(script.removeprefix("window.hbSearchIndex=").removesuffix(";\n"))
    leak = next(n for n, d in enumerate(index["docs"]) if d[0].endswith("#miyako--password-report-leak"))
    assert leak in _decoded(index["also"]["漏洩"])
    assert "漏洩" not in index["grams"]  # the page's own words are untouched
    assert index["bets"] == [[[["パスワド", "漏洩"]], [leak]]]
    assert index["cities"] == {"miyako": "テスト市"}


def _decoded(encoded: str) -> list[int]:
    numbers, current = [], 0
    for gap in encoded.split(","):
        current += int(gap, 36)
        numbers.append(current)
    return numbers


def test_a_latin_policy_word_is_found_at_word_edges_only():
    from generator.model import SearchTerm
    from generator.search import Record, build_index

    records = [Record(url="a", kind="section", page="p", text=["Computer Security Incident Response Team"]),
               Record(url="b", kind="section", page="p", text=["利用者ＩＤの取扱い"]),
               Record(url="c", kind="section", page="p", text=["重要性分類Ⅱの情報"]),
               Record(url="d", kind="section", page="p", text=["重要性分類Ⅰ・Ⅱの情報"])]
    terms = (SearchTerm(words=("アカウント",), means=("ＩＤ",)), SearchTerm(words=("機密情報",), means=("重要性分類Ⅰ",)))
    index = build_index(records, terms)
    assert _decoded(index["also"]["アカ"]) == [1]  # not in "incident"
    assert _decoded(index["also"]["機密"]) == [3]  # Ⅰ (i) is not the start of Ⅱ (ii)


def test_queries_asked_at_once_list_what_typing_shows(browser, site_url):
    """The query sets are scored by asking the page's search code directly (``hbSearch.results``);
    typed into the box, the same queries list the same results."""
    queries = [q for q in load_queries() if q.get("city") == "moriyama"][:5] + [q for q in load_queries() if not q.get("city")][:5]
    typed, _ = run_queries(browser, site_url, "bigram", queries)
    assert listed_results(browser, site_url, queries) == typed
