"""The handbook pages read back from the built site: topics, glossary tooltips, tables, source
gaps, contract duties, the editor's guide, brand settings, and escaping of YAML text."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from generator.build import build
from generator.errors import HandbookError

from .conftest import CONTACTS_NOTICE, POLICY, html_file


def page(built_site, path: str) -> str:
    return html_file(built_site / "site", path).read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_topic_page_lists_who_must_do_what_with_clause_links(built_site):
    html = page(built_site, "miyako/topics/passwords")
    assert "<h1" in html and "ＩＤ・パスワード・ＩＣカード" in html
    assert re.search(r"<h2[^>]*>職員等</h2>", html)
    assert 'id="miyako--password-keep-secret"' in html
    assert '<a class="hb-clause" href="../source.html#c-5-4-3-1" title="原文の該当箇所">5.4 (３) ①</a>' in html


def test_topic_index_lists_every_topic_with_obligations(built_site):
    html = page(built_site, "nabari/topics")
    assert 'href="passwords.html"' in html and 'href="transport.html"' in html
    assert "件" in html


def test_glossary_terms_show_as_tooltips_without_changing_the_quote(built_site):
    html = page(built_site, "moriyama/topics/asset-handling")
    assert re.search(r'<abbr title="[^"]+">情報資産</abbr>', html)
    # every verbatim quote, tags stripped, is still found in the source text
    source = (built_site / "content" / "moriyama" / "source.txt").read_text(encoding="utf-8")
    squeezed = re.sub(r"\s+", "", source)
    for block in re.findall(r'<blockquote class="hb-text">(.*?)</blockquote>', html, re.S):
        for part in re.split(r"<br>", block):
            assert re.sub(r"\s+", "", text_of(part)) in squeezed


def test_glossary_page_marks_editorial_explanations(built_site):
    html = page(built_site, "miyako/glossary")
    assert "<dt" in html and "編集者による説明" in html


def test_tables_page_renders_classification_tables(built_site):
    html = page(built_site, "moriyama/tables")
    assert html.count("<table>") >= 4
    assert '<th scope="col">' in html


def test_source_page_marks_every_gap_where_it_is(built_site):
    html = page(built_site, "moriyama/source")
    assert "原文に欠落あり（14 か所）" in html
    assert html.count('class="hb-gap"') == 14
    assert re.search(r'id="gap-7" role="note"><strong>原文に欠落あり</strong>（第15条）', html)


def test_contractor_page_lists_contract_and_pledge_duties(built_site):
    html = page(built_site, "moriyama/roles/contractor")
    assert "契約・誓約を通じて求められること" in html
    assert 'id="moriyama--worker-pledge-confidentiality"' not in html  # that one is the worker's
    assert "第63条第1項第1号" in html and "義務を負う役割: 市長" in html
    worker = page(built_site, "moriyama/roles/contractor-worker")
    assert 'id="moriyama--worker-pledge-confidentiality"' in worker


def test_role_page_links_its_checklist_quiz_and_decks(built_site):
    html = page(built_site, "miyako/roles/system-admin")
    assert 'href="../checklists/system-admin.html"' in html
    assert 'href="../quiz/system-admin.html"' in html
    assert 'href="../downloads/miyako/anki-system-admin.apkg"' in html
    assert 'href="../downloads/miyako/anki-all-staff.apkg"' in html


def nav_labels(html: str) -> list[str]:
    return re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', html[html.index("md-nav--primary"):], re.S)


def test_navigation_follows_reading_order(built_site):
    portal = nav_labels(page(built_site, ""))
    policies = [portal.index(name) for name in ("宮古市", "守山市", "名張市")]  # content/ folder names
    assert policies == sorted(policies) and portal.index("団体の比較") > policies[-1]
    labels = nav_labels(page(built_site, "miyako"))  # each municipality's own site
    assert "守山市" not in labels and "団体の比較" not in labels
    sections = [labels.index(name) for name in ("役割", "場面・トピック", "原文", "分類表", "用語集", "チェックリスト")]
    assert sections == sorted(sections)


def test_editors_guide_is_its_own_site_with_the_schema_from_model_docstrings(built_site):
    import zipfile

    with zipfile.ZipFile(built_site / "dist" / "editors-guide.zip") as archive:
        html = archive.read("editors-guide/schema.html").decode("utf-8")
        home = archive.read("editors-guide/index.html").decode("utf-8")
    assert "Local role ids whose approval or permission is needed" in html
    assert "applies_to" in html
    assert "handbook validate" in home
    assert not (built_site / "site" / "guide").exists()  # not in the staff's site, nor its search
    index = next((built_site / "site" / "search").glob("index.*.js"))
    assert "編集者ガイド" not in index.read_text(encoding="utf-8")


def test_window_title_names_the_municipality(built_site):
    assert "<title>職員等（宮古市） - 宮古市 情報セキュリティ ハンドブック</title>" in page(built_site, "miyako/roles/staff")


def test_single_policy_site_is_named_after_its_municipality(built_site, tmp_path):
    import zipfile

    with zipfile.ZipFile(built_site / "dist" / "handbook-nabari.zip") as archive:
        html = archive.read("nabari/roles/staff.html").decode("utf-8")
    assert "名張市 情報セキュリティ ハンドブック" in html


BRAND = """\
extra:
  brand:
    name: テスト市
    primary: "#1a5e9a"
"""


@pytest.mark.slow
def test_brand_colours_and_name_are_applied(project):
    root = project()
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text(encoding="utf-8").replace(
        'extra:\n  generator: false\n  brand:\n    name: ""\n    logo: ""\n    primary: ""\n    accent: ""\n',
        "extra:\n  generator: false\n" + BRAND.split("\n", 1)[1]), encoding="utf-8")
    build(root)
    html = (root / "site" / "roles" / "staff.html").read_text(encoding="utf-8")
    assert "--md-primary-fg-color: #1a5e9a;" in html
    assert "テスト市 情報セキュリティ ハンドブック" in html


@pytest.mark.slow
def test_bad_brand_settings_are_reported_in_japanese(project):
    root = project()
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace('primary: ""', 'primary: "red; background: url(x)"').replace('logo: ""', 'logo: "assets/none.png"')
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    with pytest.raises(HandbookError) as err:
        build(root)
    message = str(err.value)
    assert "mkdocs.yml の extra.brand.primary「red; background: url(x)」は #1a5e9a のような6桁の色で書いてください。" in message
    assert "mkdocs.yml の extra.brand.logo「assets/none.png」が docs/ にありません。" in message
    assert not (root / "site").exists()


@pytest.mark.slow
def test_yaml_text_is_escaped_in_pages_and_titles(project):
    from .conftest import BASE_FILES, CHAPTER

    topics = BASE_FILES["content/topics.yaml"].replace("name: パスワード", "name: パスワード<img src=x onerror=alert(1)>")
    chapter = CHAPTER.replace("summary: パスワードを他人に知られないようにする", "summary: 秘密に<script>alert(2)</script>")
    root = project({"content/topics.yaml": topics, "content/miyako/obligations/01-password.yaml": chapter})
    build(root)
    for path in ("roles/staff", "topics/passwords"):
        html = html_file(root / "site", path).read_text(encoding="utf-8")
        assert "<img src=x" not in html and "<script>alert(2)" not in html
        assert "秘密に&lt;script&gt;alert(2)&lt;/script&gt;" in html
    topic = (root / "site" / "topics" / "passwords.html").read_text(encoding="utf-8")
    assert "<title>パスワード&lt;img src=x onerror=alert(1)&gt;（テスト市）" in topic


def test_a_policy_without_contacts_is_warned_about_but_valid(project, capsys):
    from generator.cli import main

    project()
    assert main(["validate"]) == 0
    assert capsys.readouterr().err.splitlines() == [CONTACTS_NOTICE]


@pytest.mark.slow
def test_contacts_show_in_the_incident_box_of_every_page_and_the_steps_page(project):

    contacts = POLICY + ('contacts:\n  - name: 情報政策課ヘルプデスク<b>\n    role: security-manager\n'
                         '    phone: 内線 1234\n    mail: help@example.lg.jp\n')
    root = project({"content/miyako/policy.yaml": contacts})
    build(root)
    for path in ("roles/staff", "topics/passwords", "source"):
        html = page(root, path)
        box = re.search(r'<aside class="hb-incident"[^>]*>(.*?)</aside>', html, re.S).group(1)
        assert "情報政策課ヘルプデスク&lt;b&gt; 内線 1234 help@example.lg.jp" in box
        assert re.search(r'href="(\.\./)?incident\.html"', box)
    steps = page(root, "incident")
    assert "<td>情報政策課ヘルプデスク&lt;b&gt;</td><td>内線 1234</td>" in steps
    assert "全職員に向けた定めがありません" in steps  # the small project has no incident duties


@pytest.mark.slow
def test_without_contacts_every_page_says_they_are_not_set(built_site):
    html = page(built_site, "site/miyako/roles/staff".removeprefix("site/"))
    assert '<span class="hb-incident__unset">連絡先が未設定です</span>' in html
    steps = page(built_site, "miyako/incident")
    assert "連絡先が未設定です" in steps
    # the infected terminal is taken off the network in the same list as the report, most urgent first
    order = [text_of(s) for s in re.findall(r"<li><strong>(.*?)</strong>", steps)]
    assert order.index("ウイルス感染（疑いを含む）時は直ちに統一的な窓口に報告し指示を仰ぐ") < order.index("インシデントに気付いたら速やかに所属長と統一的な窓口に報告する")
    assert any("ＬＡＮケーブル" in s for s in order[:3])
