"""Self-inspection checklists: the printable page, the workbook read back, and `checklist collect`
on workbooks filled in with openpyxl (good ones and broken ones), the report read back."""

from __future__ import annotations

import datetime
import html as html_lib
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment

from generator.archive import zip_bytes

from generator.cli import main
from generator.collect import collect, read_units, write_report
from generator.renderers.checklists import checklist_rows, checklist_xlsx
from generator.spreadsheet import put
from generator.views import by_topic, role_rules

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def content(real_content):
    return real_content


def staff_rows(content):
    return checklist_rows(content, content.policy("miyako"), "staff")


# --- the printable page ----------------------------------------------------------------------

def checklist_html(site: Path, prefix: str = "miyako/") -> str:
    return (site / f"{prefix}checklists" / "staff.html").read_text(encoding="utf-8")


def test_page_lists_every_obligation_of_the_role_grouped_by_topic(built_site, content):
    policy = content.policy("miyako")
    page = checklist_html(built_site / "site")
    groups = by_topic(content, role_rules(policy, policy.role("staff")).all_obligations)
    topics = re.findall(r'<tr class="hb-cl-topic">\s*<th colspan="5" scope="rowgroup">([^<]+)</th>\s*</tr>', page)
    assert topics == [html_lib.escape(t.name, quote=False) for t, _ in groups]
    ids = re.findall(r'<tr id="([^"]+)">\s*<td class="hb-cl-no">(\d+)</td>', page)
    assert [i for i, _ in ids] == [o.id.replace(".", "--") for _, group in groups for o in group]
    assert [int(n) for _, n in ids] == list(range(1, len(ids) + 1))  # the workbook's numbers
    row = re.search(r'<tr id="miyako--password-keep-secret">.*?</tr>', page, re.S).group(0)
    assert "<td>パスワードを他人に知られないように管理する</td>" in row
    assert '<a href="../source.html#c-5-4-3-1">5.4 (３) ①</a>' in row
    assert [re.sub(r"<[^>]+>", "", s) for s in re.findall(r'<span class="hb-cl-option">.*?</span>[^<]*</span>', row)] \
        == ["実施", "一部実施", "未実施", "該当なし"]
    for label in ("所属", "点検者", "点検日", "規程", "役割"):
        assert f'<th scope="row">{label}</th>' in page
    assert f"<td colspan=\"3\">宮古市 宮古市情報セキュリティ対策基準（{policy.revision} 版）</td>" in page
    assert '<td class="hb-cl-no">1</td>' in page and re.search(rf"項目数</th>\s*<td>{len(ids)}</td>", page)


def test_page_links_resolve_and_the_portal_holds_the_municipalitys_own_site(built_site):
    site = built_site / "site"
    page_dir = site / "miyako" / "checklists"
    page = checklist_html(site)
    links = re.findall(r'href="([^"#]*(?:downloads|source)[^"#]*)(?:#([^"]+))?"', page)
    downloads = [href for href, _ in links if "downloads" in href]
    assert downloads == ["../downloads/miyako/checklist-staff.xlsx", "../downloads/miyako/checklist-staff.csv"]
    for href in downloads:
        assert (page_dir / href).resolve().is_file(), href
    source = (site / "miyako" / "source.html").read_text(encoding="utf-8")
    anchors = {anchor for href, anchor in links if href == "../source.html" and anchor}
    assert anchors and all(f'id="{a}"' in source for a in anchors)

    with zipfile.ZipFile(built_site / "dist" / "handbook-miyako.zip") as archive:
        published = {name.removeprefix("miyako/"): archive.read(name) for name in archive.namelist()
                     if not name.endswith("/") and name != "miyako/README.txt"}
    in_portal = {path.relative_to(site / "miyako").as_posix(): path.read_bytes()
                 for path in (site / "miyako").rglob("*") if path.is_file()}
    assert in_portal == {name: data for name, data in published.items() if name != "404.html"}


def test_print_stylesheet_hides_the_site_and_keeps_rows_whole(browser, site_url):
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/miyako/checklists/staff.html")
        page.emulate_media(media="print")
        style = page.evaluate("""() => ({
            header: getComputedStyle(document.querySelector('.md-header')).display,
            sidebar: getComputedStyle(document.querySelector('.md-sidebar--primary')).display,
            intro: getComputedStyle(document.querySelector('.hb-cl-screen')).display,
            thead: getComputedStyle(document.querySelector('.hb-cl-table thead')).display,
            row: getComputedStyle(document.querySelector('.hb-cl-table tbody tr')).breakInside,
            boxes: document.querySelectorAll('.hb-cl-box').length,
            rows: document.querySelectorAll('.hb-cl-table tbody tr[id]').length,
        })""")
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        page.close()
    assert style["header"] == "none" and style["sidebar"] == "none" and style["intro"] == "none"
    assert style["thead"] == "table-header-group" and style["row"] == "avoid"
    assert style["boxes"] == 4 * style["rows"]
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert 2 <= pages <= 8
    sizes = {(round(float(w)), round(float(h))) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(595, 842)}  # A4 portrait, in points


# --- the workbook ------------------------------------------------------------------------------

def workbook(content, policy="miyako", role="staff"):
    return load_workbook(io.BytesIO(checklist_xlsx(content, content.policy(policy), role)))


def test_workbook_has_one_row_per_obligation_with_a_status_dropdown_and_protection(content):
    rows = staff_rows(content)
    policy = content.policy("miyako")
    wb = workbook(content)
    ws = wb["チェックリスト"]
    assert [ws.cell(r, 1).value for r in range(2, 8)] == ["規程", "版", "役割", "所属", "点検者", "点検日"]
    assert ws["C2"].value == "宮古市 宮古市情報セキュリティ対策基準" and ws["C3"].value == policy.revision
    assert ws["C4"].value == "職員等" and ws["C5"].value is None
    assert (ws["J2"].value, ws["J3"].value) == ("miyako", "staff") and ws.column_dimensions["J"].hidden
    last = 8 + len(rows)
    assert [ws.cell(r, 2).value for r in range(9, last + 1)] == [o.id for _, o, _ in rows]
    assert ws.max_row == last
    assert {o.id for _, o, _ in rows} == {o.id for o in role_rules(policy, policy.role("staff")).all_obligations}
    assert ws["C9"].value == rows[0][1].clause

    [validation] = ws.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"実施,一部実施,未実施,該当なし"'
    assert str(validation.sqref) == f"G9:G{last}" and validation.showErrorMessage

    assert ws.protection.sheet is True
    assert all(ws.cell(9, col).protection.locked for col in range(1, 7))
    assert not ws["G9"].protection.locked and not ws["H9"].protection.locked
    assert not any(ws[c].protection.locked for c in ("C5", "D5", "E5", "C6", "C7"))
    assert ws["C3"].protection.locked and ws["J2"].protection.locked

    assert ws.freeze_panes == "A9" and ws.print_title_rows == "$8:$8"
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["F9"].alignment.wrap_text and ws.column_dimensions["F"].width >= 40
    longest = max(range(9, last + 1), key=lambda r: len(ws.cell(r, 6).value))  # rows sized for wrapped text
    assert ws.row_dimensions[longest].height >= 16 * len(ws.cell(longest, 6).value) / 30
    assert ws.protection.formatRows is False  # a long remark may need a taller row
    assert ws.oddFooter.center.text == "&P / &N"


def test_summary_sheet_counts_per_status_and_per_topic(content):
    rows = staff_rows(content)
    last = 8 + len(rows)
    summary = workbook(content)["集計"]
    assert [summary.cell(r, 1).value for r in range(2, 7)] == ["実施", "一部実施", "未実施", "該当なし", "未記入"]
    assert summary["B2"].value == f"=COUNTIF('チェックリスト'!$G$9:$G${last},\"実施\")"
    assert summary["B6"].value == f"=COUNTBLANK('チェックリスト'!$G$9:$G${last})"
    assert summary["B7"].value == len(rows)
    assert [summary.cell(9, c).value for c in range(1, 8)] == ["トピック", "実施", "一部実施", "未実施", "該当なし", "未記入", "合計"]
    topics = list(dict.fromkeys(t for _, _, t in rows))
    assert [summary.cell(r, 1).value for r in range(10, 10 + len(topics))] == topics
    assert summary["C10"].value == (f"=COUNTIFS('チェックリスト'!$D$9:$D${last},$A10,"
                                    f"'チェックリスト'!$G$9:$G${last},\"一部実施\")")
    assert summary["G10"].value == f"=COUNTIF('チェックリスト'!$D$9:$D${last},$A10)"
    # the topic names the formulas count are exactly the ones in column D of the checklist
    ws = workbook(content)["チェックリスト"]
    column_d = [ws.cell(r, 4).value for r in range(9, last + 1)]
    assert sum(column_d.count(t) for t in topics) == len(rows)
    assert summary.protection.sheet is True


def openpyxl_bytes(wb) -> bytes:
    """The workbook as openpyxl's own writer saves it, dated as ``workbook_bytes`` dates it."""
    wb.properties.created = wb.properties.modified = datetime.datetime(2000, 1, 1)
    wb.properties.creator = "handbook"
    raw = io.BytesIO()
    wb.save(raw)
    with zipfile.ZipFile(raw) as saved:
        return zip_bytes((name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", saved.read(name)))
                         for name in saved.namelist())


def test_workbooks_are_written_as_openpyxl_writes_them(content, monkeypatch):
    """The faster row writer gives openpyxl's bytes, for every real checklist and for awkward text."""
    from generator.renderers import checklists

    real_workbook_bytes, books = checklists.workbook_bytes, []
    monkeypatch.setattr(checklists, "workbook_bytes", lambda wb: books.append(wb) or real_workbook_bytes(wb))
    for policy in content.policies:
        for role in checklists.roles_with_checklists(policy):
            checklist_xlsx(content, policy, role)
    assert len(books) > 30
    for wb in books:
        assert real_workbook_bytes(wb) == openpyxl_bytes(wb)

    wb = Workbook()
    ws = wb.active
    for row, value in enumerate([" 前後に空白 ", "　全角の空白　", "a & <b> \"c\" 'd'\n次の行", "=1+1", "-1", "x\ty\r", "",
                                 12, None, 1.5, True, datetime.date(2026, 4, 1)], start=1):
        put(ws, row, 1, value)
        ws.cell(row, 2).alignment = Alignment(wrap_text=True)
        ws.row_dimensions[row].height = 20 + row
    ws.cell(1, 3, "=SUM(A1:A2)")  # a formula, a float, a truth value, a date: openpyxl's own code writes the row
    assert real_workbook_bytes(wb) == openpyxl_bytes(wb)


# --- collecting returned workbooks --------------------------------------------------------------

def fill(content, path: Path, unit: str | None, statuses: dict[int, str], edit=None) -> Path:
    """A checklist as a unit returns it: generated, then filled in with openpyxl (row n = item n)."""
    wb = workbook(content)
    ws = wb["チェックリスト"]
    if unit is not None:
        ws["C5"] = unit
    ws["C6"] = "点検 太郎"
    ws["C7"] = "2026-06-01"
    for number, status in statuses.items():
        ws.cell(8 + number, 7, status)
    if edit:
        edit(ws)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def returned_files(content, tmp_path_factory) -> Path:
    """Three good workbooks and six broken ones, written once for the module."""
    tmp_path = tmp_path_factory.mktemp("returned")
    n = len(staff_rows(content))
    fill(content, tmp_path / "a.xlsx", "総務課", {1: "実施", 2: "未実施", 3: "一部実施", 4: "該当なし"})
    fill(content, tmp_path / "b.xlsx", "<b>総務課</b>", {i: "実施" for i in range(1, n + 1)} | {2: "未実施", 5: "未実施"})
    fill(content, tmp_path / "企画課.xlsx", None, {2: "一部実施"})  # unit from the file name
    fill(content, tmp_path / "changed-id.xlsx", "税務課", {}, lambda ws: ws.__setitem__("B12", "miyako.x"))
    fill(content, tmp_path / "deleted-row.xlsx", "市民課", {}, lambda ws: ws.delete_rows(10))
    fill(content, tmp_path / "old.xlsx", "福祉課", {}, lambda ws: ws.__setitem__("C3", "2020-04-01"))
    (tmp_path / "notes.xlsx").write_text("これは Excel ではありません", encoding="utf-8")
    fill(content, tmp_path / "checklist-staff.xlsx", None, {1: "実施"})
    fill(content, tmp_path / "bad-status.xlsx", "会計課", {1: "済", 3: " 実施 "})
    return tmp_path


@pytest.fixture
def returned(returned_files, tmp_path, monkeypatch):
    """A copy of the returned workbooks in tmp_path, the working folder."""
    shutil.copytree(returned_files, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


GOOD = ["a.xlsx", "b.xlsx", "企画課.xlsx"]
BROKEN = ["changed-id.xlsx", "deleted-row.xlsx", "old.xlsx", "notes.xlsx", "checklist-staff.xlsx", "bad-status.xlsx"]


def expected_problems(content) -> list[str]:
    rows = staff_rows(content)
    revision = content.policy("miyako").revision
    return [
        "changed-id.xlsx:B12: id「miyako.x」はこのチェックリストにありません。",
        f"deleted-row.xlsx:B10: id「{rows[1][1].id}」の行がありません。行を削除しないでください。",
        f"old.xlsx:C3: 版「2020-04-01」のチェックリストです。現在の版「{revision}」のチェックリストをダウンロードし直して記入してください。",
        "notes.xlsx: Excel ブック（.xlsx）として開けません。壊れているか、別の形式のファイルです。",
        "checklist-staff.xlsx:C5: 所属が空欄です。所属名を記入してください。",
        "bad-status.xlsx:G9: 状況「済」は選べません。実施・一部実施・未実施・該当なし のどれかを選んでください。",
    ]


def test_collect_accepts_good_sheets_and_names_the_cell_of_each_broken_one(content, returned):
    result = collect(content, [Path(f) for f in GOOD + BROKEN])
    assert list(result.problems) == expected_problems(content)
    assert list(result.rejected) == BROKEN
    assert [(s.unit, s.file, s.unit_from_file) for s in result.sheets] == [
        ("<b>総務課</b>", "b.xlsx", False), ("企画課", "企画課.xlsx", True), ("総務課", "a.xlsx", False)]
    a = result.sheets[2]
    n = len(staff_rows(content))
    assert (a.answered, a.total, a.count("実施"), a.count("未実施"), a.count("一部実施"), a.count("該当なし"),
            a.count("未記入")) == (4, n, 1, 1, 1, 1, n - 4)
    assert a.inspector == "点検 太郎" and a.date == "2026-06-01"
    assert result.notes == ("企画課.xlsx:C5: 所属が空欄のため、ファイル名から「企画課」としました。",)
    second = staff_rows(content)[1][1]
    top = result.items[0]
    assert (top.obligation.id, top.not_done, top.partly, top.answered) == (second.id, 2, 1, 3)
    assert [(i.obligation.id, i.not_done, i.partly) for i in result.items[1:]] == [
        (staff_rows(content)[4][1].id, 1, 0), (staff_rows(content)[2][1].id, 0, 1)]


def test_collect_reports_a_moved_row_a_duplicate_and_an_added_row(content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = staff_rows(content)

    def swap(ws):
        ws["B9"], ws["B10"] = rows[1][1].id, rows[0][1].id

    fill(content, tmp_path / "swapped.xlsx", "総務課", {}, swap)
    fill(content, tmp_path / "added.xlsx", "総務課", {}, lambda ws: ws.cell(9 + len(rows), 7, "実施"))
    fill(content, tmp_path / "again.xlsx", "総務課 ", {1: "実施"})
    fill(content, tmp_path / "first.xlsx", "総務課", {1: "未実施"})
    result = collect(content, [tmp_path])  # a folder: its .xlsx files, sorted by name
    assert list(result.problems) == [
        f"added.xlsx:B{9 + len(rows)}: id のない行があります。行を追加しないでください。",
        "first.xlsx: 総務課の「職員等」（宮古市）のチェックリストは again.xlsx と重複しています。again.xlsx だけを集計しました。",
        f"swapped.xlsx:B9: ここは id「{rows[0][1].id}」の行のはずです。行を並べ替えないでください。",
    ]
    assert [s.file for s in result.sheets] == ["again.xlsx"]


def test_unit_list_shows_who_has_not_returned_a_sheet(content, returned):
    (returned / "units.csv").write_bytes("番号,所属\r\n1,総務課\r\n2,企画課\r\n3,市民課\r\n4,ｿｳﾑ\r\n".encode("cp932"))
    units = read_units(returned / "units.csv")
    assert units == ["総務課", "企画課", "市民課", "ｿｳﾑ"]
    result = collect(content, [Path(f) for f in GOOD], units)
    assert result.missing_units == ("ｿｳﾑ", "市民課")
    assert result.unlisted_units == ("<b>総務課</b>",)
    (returned / "units.txt").write_text("# 所属一覧\n総務課\n\n市民課\n", encoding="utf-8")
    assert read_units(returned / "units.txt") == ["総務課", "市民課"]
    # with a list, a unit taken from the file name must be on it
    result = collect(content, [Path("企画課.xlsx")], ["総務課"])
    assert result.problems == ("企画課.xlsx:C5: 所属が空欄です。所属名を記入してください。",)


def test_cli_writes_the_report_for_the_good_sheets_and_fails_for_the_broken(content, returned, capsys):
    (returned / "units.txt").write_text("総務課\n企画課\n市民課\n", encoding="utf-8")
    status = main(["--root", str(ROOT), "checklist", "collect", *GOOD, *BROKEN, "--units", "units.txt",
                   "--out", "out", "--date", "2026-06-30"])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.err.splitlines() == expected_problems(content)
    assert captured.out.splitlines() == [
        "企画課.xlsx:C5: 所属が空欄のため、ファイル名から「企画課」としました。",
        "チェックリスト 3 件を集計しました（受け付けなかったファイル 6 件、未提出の所属 1 件）。",
        "報告: out/checklist-report.html、out/checklist-report.xlsx",
    ]
    n = len(staff_rows(content))
    rows = staff_rows(content)

    report = load_workbook(returned / "out" / "checklist-report.xlsx")
    units = report["所属別"]
    assert units["A1"].value == "自己点検 集計（2026-06-30 現在）"
    assert [c.value for c in units[3]] == ["所属", "所属の出所", "規程", "役割", "点検者", "点検日", "回答済", "項目数",
                                           "回答率", "実施", "一部実施", "未実施", "該当なし", "未記入", "ファイル"]
    assert [c.value for c in units[4]] == ["<b>総務課</b>", "所属欄", "宮古市 宮古市情報セキュリティ対策基準", "職員等",
                                           "点検 太郎", "2026-06-01", n, n, 1, n - 2, 0, 2, 0, 0, "b.xlsx"]
    assert [c.value for c in units[5]][:2] == ["企画課", "ファイル名"]
    assert [c.value for c in units[6]][6:14] == [4, n, round(4 / n, 3), 1, 1, 1, 1, n - 4]
    assert units.max_row == 6
    items = report["未実施の多い項目"]
    assert [c.value for c in items[4]] == [1, "宮古市", rows[1][1].clause, rows[1][1].summary, rows[1][1].id, 2, 1, 3]
    assert items.max_row == 6
    assert [c.value for c in report["未提出"]["A"]][2:] == ["所属", "市民課"]
    assert [c.value for c in report["受け付けなかったファイル"]["A"]][3:] == expected_problems(content)

    page = (returned / "out" / "checklist-report.html").read_text(encoding="utf-8")
    assert "<b>総務課</b>" not in page and "&lt;b&gt;総務課&lt;/b&gt;" in page
    assert f"{n} / {n}（100%）" in page and f"4 / {n}（5%）" in page
    assert "<li>市民課</li>" in page
    assert "changed-id.xlsx:B12: id「miyako.x」はこのチェックリストにありません。" in page
    assert not re.search(r"""(src|href)=|<link|@import|url\(""", page)  # self-contained


def test_report_is_deterministic_and_never_written_into_the_site(content, returned, capsys):
    result = collect(content, [Path(f) for f in GOOD])
    first = [p.read_bytes() for p in write_report(result, returned / "r1", ROOT)]
    again = collect(content, [Path(f) for f in GOOD])
    assert [p.read_bytes() for p in write_report(again, returned / "r2", ROOT)] == first
    assert main(["--root", str(returned), "checklist", "collect", "a.xlsx", "--out", "site/reports"]) == 2
    assert "site/reports: 報告には所属名や点検者名が入るため、公開する site/ には書き出せません。" in capsys.readouterr().err
    assert not (returned / "site").exists()
