"""What `make build` produces for the real content: pages, checklists, decks — read back for real."""

import csv
import re
import io
import zipfile

import pytest
from openpyxl import load_workbook

from generator.content import load_content
from generator.renderers import render_downloads, render_pages
from generator.stage import read_project, stage

from .conftest import ROOT


def test_staff_role_page_lists_obligations_with_clauses(built_site):
    html = (built_site / "site" / "miyako" / "roles" / "staff.html").read_text(encoding="utf-8")
    assert '<html lang="ja"' in html
    assert "パスワードは、他者に知られないように管理しなければならない。" in html
    assert 'href="../source.html#c-5-4-3-1" title="原文の該当箇所">5.4 (３) ①</a>' in html
    assert 'id="miyako--password-keep-secret"' in html


def test_source_page_has_clause_anchors(built_site):
    html = (built_site / "site" / "miyako" / "source.html").read_text(encoding="utf-8")
    assert 'id="c-5-4-3-1"' in html
    assert "5.4 ＩＤ及びパスワード等の管理" in html


def test_checklist_xlsx_has_one_row_per_obligation_and_a_status_dropdown(built_site):
    wb = load_workbook(built_site / "dist" / "miyako" / "checklist-staff.xlsx")
    ws = wb["チェックリスト"]
    ids = [ws.cell(r, 2).value for r in range(9, ws.max_row + 1)]
    assert "miyako.password-keep-secret" in ids
    assert len(ids) == len(set(ids))
    validation = ws.data_validations.dataValidation[0]
    assert validation.formula1 == '"実施,一部実施,未実施,該当なし"'
    assert ws.protection.sheet is True
    assert ws.cell(9, 2).protection.locked is True and ws.cell(9, 7).protection.locked is False
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToWidth == 1  # A4
    assert ws.freeze_panes == "A9"
    assert wb["集計"]["B2"].value.startswith("=COUNTIF(")


def test_checklist_csv_opens_in_japanese_excel(built_site):
    data = (built_site / "dist" / "miyako" / "checklist-staff.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["番号", "ID", "条項", "トピック", "確認事項", "原文", "状況", "備考"]
    assert any(r[1] == "miyako.password-keep-secret" for r in rows[1:])


@pytest.mark.slow
def test_same_input_gives_same_bytes(tmp_path):
    """Determinism where it is made: every renderer's output and the staged trees, twice over."""
    content = load_content(ROOT)
    project = read_project(ROOT, content)
    policies = tuple(p.id for p in content.policies)
    downloads = render_downloads(content, ("miyako",))
    assert render_downloads(content, ("miyako",)) == downloads
    assert render_pages(content, project.settings(policies)) == render_pages(content, project.settings(policies))
    trees = []
    for name in ("a", "b"):  # a single policy's site: its pages, downloads and search index
        config = stage(project, content, project.settings(("miyako",)), downloads, tmp_path / name)
        docs = config.parent / "docs"
        trees.append({p.relative_to(docs): p.read_bytes() for p in docs.rglob("*") if p.is_file()})
    assert trees[0].keys() == trees[1].keys()
    assert [k for k in trees[0] if trees[0][k] != trees[1][k]] == []


def test_scripts_styles_and_data_carry_a_content_hash_in_their_names(built_site):
    site = built_site / "site"
    ours = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                  if p.suffix in (".js", ".css") and not {"vendor", "javascripts", "stylesheets"} & set(p.parts))
    assert ours and all(re.search(r"\.[0-9a-f]{10}\.(js|css)$", name) for name in ours), ours
    assert {"quiz.js", "search.js", "handbook.css"} <= {re.sub(r"\.[0-9a-f]{10}", "", name.split("/")[-1]) for name in ours}
    page = (site / "miyako" / "quiz" / "staff.html").read_text(encoding="utf-8")
    for src in re.findall(r'<script src="([^"]+)"', page):
        assert (site / "miyako" / "quiz" / src).resolve().is_file(), src
    assert re.search(r'<script src="bank\.[0-9a-f]{10}\.js"></script>', page)


def test_zips_are_dated_by_the_revision_readable_by_a_web_server_and_explained_to_its_admin(built_site):
    with zipfile.ZipFile(built_site / "dist" / "handbook-miyako.zip") as archive:
        infos = archive.infolist()
    revision = load_content(built_site).policy("miyako").revision
    newest = max(load_content(built_site).policies, key=lambda p: p.revision).revision
    assert {info.date_time[:3] for info in infos} == {tuple(int(x) for x in newest.split("-"))}
    assert revision <= newest
    assert {info.external_attr >> 16 & 0o777 for info in infos if not info.is_dir()} == {0o644}
    assert {info.external_attr >> 16 & 0o777 for info in infos if info.is_dir()} == {0o755}
    with zipfile.ZipFile(built_site / "dist" / "handbook-miyako.zip") as archive:
        readme = archive.read("miyako/README.txt").decode("utf-8-sig")
    assert readme.startswith(f"宮古市 情報セキュリティ ハンドブック（内容の版: {revision}）")
    assert 'Cache-Control "no-cache"' in readme and "\r\n" in readme
    assert not (built_site / "site" / "README.txt").exists()  # for the zip's administrator, not the portal


def test_policy_zip_is_a_whole_single_policy_site(built_site):
    with zipfile.ZipFile(built_site / "dist" / "handbook-miyako.zip") as archive:
        names = archive.namelist()
    assert "miyako/index.html" in names
    assert "miyako/roles/staff.html" in names
    assert not any(n.startswith("miyako/nabari/") for n in names)


@pytest.mark.parametrize("policy", ["nabari", "miyako", "moriyama"])
def test_every_policy_has_a_home_page(built_site, policy):
    assert (built_site / "site" / policy / "index.html").is_file()


def test_navigation_sections_are_named_in_japanese(built_site):
    html = (built_site / "site" / "miyako" / "roles" / "staff.html").read_text(encoding="utf-8")
    titles = re.findall(r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>', html)
    assert "宮古市情報セキュリティ対策基準" in titles and "役割" in titles
    assert "Miyako" not in titles and "Roles" not in titles
