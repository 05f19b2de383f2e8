"""Training inputs without a database: rosters (cp932, BOM, XLSX, bad rows, random cells),
settings, fiscal-year boundaries, new-hire deadlines and overdue logic; and the command line
end to end on SQLite, with LMS exports."""

from __future__ import annotations

import datetime
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from generator.cli import main
from generator.content import load_content
from generator.errors import HandbookError
from generator.training.bank import Banks, exam_title
from generator.training.roster import RosterEntry, parse_rows, read_roster
from generator.training.settings import YearRules, load_settings
from generator.training.status import Attempt, evaluate

from .conftest import examples
from .training_helpers import HEADER, QUIZ, record

ROWS = "A0001,宮古 花子,総務課,情報セキュリティ管理者、staff,2026-04-01,正規職員\nB0002,山田 太郎,財政課,,2019/4/1,会計年度任用職員\n"


@pytest.fixture
def root(project):
    return project({"quizzes/miyako/01.yaml": QUIZ})


@pytest.fixture
def policy(root):
    return load_content(root).policy("miyako")


@pytest.mark.parametrize("encoding, data, label", [
    ("utf-8", b"", "UTF-8"),
    ("utf-8", b"\xef\xbb\xbf", "UTF-8（BOM 付き）"),
    ("cp932", b"", "Shift_JIS（cp932）"),
])
def test_rosters_saved_by_excel_are_read_and_the_encoding_is_said(root, policy, encoding, data, label):
    path = root / "名簿.csv"
    path.write_bytes(data + (HEADER + "\r\n" + ROWS.replace("\n", "\r\n")).encode(encoding))
    roster = read_roster(path, policy)
    assert roster.encoding == label
    assert roster.entries == (
        RosterEntry("A0001", "宮古 花子", "総務課", ("security-manager", "staff"), datetime.date(2026, 4, 1), "正規職員", 2),
        RosterEntry("B0002", "山田 太郎", "財政課", (), datetime.date(2019, 4, 1), "会計年度任用職員", 3))


def test_xlsx_rosters_with_date_cells_are_read(root, policy):
    wb = Workbook()
    ws = wb.active
    ws.append(["所属", "職員番号", "氏名", "役割", "採用日", "雇用区分", "備考"])
    ws.append(["総務課", "A0001", "宮古 花子", "情報セキュリティ管理者", datetime.datetime(2026, 4, 1), "正規職員", "x"])
    path = root / "名簿.xlsx"
    wb.save(path)
    roster = read_roster(path, policy)
    assert roster.encoding == "XLSX"
    assert roster.entries[0] == RosterEntry("A0001", "宮古 花子", "総務課", ("security-manager",),
                                            datetime.date(2026, 4, 1), "正規職員", 2)


def test_every_bad_row_is_reported_in_japanese_and_nothing_is_returned(root, policy):
    path = root / "名簿.csv"
    path.write_text(HEADER + "\n" + ROWS + "\n".join([
        "Ａ0003,全角 番号,総務課,,,正規",
        "A0001,重複 一郎,総務課,,,正規",
        "C0004,,総務課,市長,20270415,正規",
        "C0005,日付 誤り,総務課,,2026-02-30,正規",
    ]) + "\n", encoding="utf-8")
    with pytest.raises(HandbookError) as err:
        read_roster(path, policy)
    assert [str(p) for p in err.value.problems] == [
        "名簿.csv:4: 職員番号「Ａ0003」は半角の英大文字・数字3〜16桁で書いてください。",
        "名簿.csv:5: 職員番号「A0001」が 2 行目と重複しています。",
        "名簿.csv:6: 氏名が空欄です、役割「市長」はテスト市の役割にありません（役割名か id で書き、複数は「、」か「;」で区切ります）、"
        "採用日「20270415」は 2026-04-01 または 2026/4/1 の形で書いてください。",
        "名簿.csv:7: 採用日「2026-02-30」は存在しない日付です。",
    ]


@pytest.mark.parametrize("data, message", [
    (b"\x81\x7f\x81", "名簿.csv: 文字コードが UTF-8 でも Shift_JIS（cp932）でもありません。Excel で「CSV UTF-8」として保存し直してください。"),
    ("職員番号,氏名\nA0001,x\n".encode(), "名簿.csv:1: 見出しに「所属」「役割」「採用日」「雇用区分」の列がありません（必要な列: 職員番号、氏名、所属、役割、採用日、雇用区分）。"),
    (b"\xd0\xcf\x11\xe0", "名簿.xls: Excel 97-2003 形式（.xls）は読めません。Excel で .xlsx か「CSV UTF-8」として保存し直してください。"),
    (f'{HEADER}\nA0001,"x,総務課\n'.encode(), "名簿.csv:2: CSV の区切りが正しくありません（\" で囲んだセルが閉じていません）。"),
])
def test_unreadable_rosters_are_refused_with_a_message(root, policy, data, message):
    path = root / ("名簿.xls" if message.startswith("名簿.xls:") else "名簿.csv")
    path.write_bytes(data)
    with pytest.raises(HandbookError) as err:
        read_roster(path, policy)
    assert str(err.value) == message


LOADED: dict = {}
cells = st.one_of(st.text(max_size=30), st.sampled_from(["A0001", "２０", "²", "2026-04-01", "20260401", "職員等", "=1+1", ""]),
                  st.integers(-10, 10**6), st.dates(), st.none())


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=0, max_size=8), max_size=6))
def test_random_roster_rows_give_entries_or_the_projects_error(project, rows):
    if "policy" not in LOADED:  # the content is the same for every example: load it once
        LOADED["policy"] = load_content(project()).policy("miyako")
    policy = LOADED["policy"]
    table = [(1, list(HEADER.split(",")))] + [(n, r) for n, r in enumerate(rows, 2)]
    try:
        entries = parse_rows(table, "名簿.xlsx", policy)
    except HandbookError as err:
        assert all(p.path == "名簿.xlsx" and p.message for p in err.problems)
    else:
        for e in entries:
            assert e.staff_number.isascii() and e.name and e.unit


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400),
    st.builds(lambda rows, bom: (b"\xef\xbb\xbf" if bom else b"") + (HEADER + "\n" + rows).encode("utf-8"),
              st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300), st.booleans()),
    st.builds(lambda rows: (HEADER + "\r\n" + rows).encode("cp932"),
              st.text(st.sampled_from("A0123456789,、;\"\r\n職員総務課情報セキュリティ管理者-/２"), max_size=200)),
), st.sampled_from(["名簿.csv", "名簿.xlsx"]))
def test_any_roster_file_gives_entries_or_the_projects_error(project, tmp_path, data, name):
    if "policy" not in LOADED:
        LOADED["policy"] = load_content(project()).policy("miyako")
    path = tmp_path / name
    path.write_bytes(data)
    try:
        roster = read_roster(path, LOADED["policy"])
    except HandbookError as err:
        assert all(p.message for p in err.problems)
    else:
        assert all(e.staff_number.isascii() and len(e.name) <= 100 for e in roster.entries)


# --- requirements --------------------------------------------------------------------------------

def person(number="A0001", hired=None, roles=()) -> RosterEntry:
    return RosterEntry(number, "氏名", "総務課", roles, hired, "正規職員", 2)


def status(policy, entry, attempts, as_of, rules=YearRules(deadline="12-31", new_hire_days=30)):
    return evaluate(policy, [entry], attempts, rules, 2026, as_of)[0]


def test_the_fiscal_year_runs_from_april_to_march(policy):
    on_3_31 = Attempt("A0001", "staff", datetime.date(2027, 3, 31), 20, 20)
    on_4_1 = Attempt("A0001", "staff", datetime.date(2027, 4, 1), 20, 20)
    on_3_31_before = Attempt("A0001", "staff", datetime.date(2026, 3, 31), 20, 20)
    as_of = datetime.date(2027, 4, 30)
    assert status(policy, person(), [on_3_31], as_of).status == "修了"
    assert status(policy, person(), [on_4_1], as_of).status == "期限超過"
    assert status(policy, person(), [on_3_31_before], as_of).status == "期限超過"
    assert evaluate(policy, [person()], [on_4_1], YearRules(), 2027, as_of)[0].status == "修了"


def test_new_hires_must_pass_within_n_days_of_their_hiring(policy):
    hired = person(hired=datetime.date(2026, 10, 1))
    entry = status(policy, hired, [], datetime.date(2026, 10, 31))
    assert (entry.new_hire, entry.deadline, entry.status) == (True, datetime.date(2026, 10, 31), "未受講")
    assert status(policy, hired, [], datetime.date(2026, 11, 1)).status == "期限超過"
    late_hire = person(hired=datetime.date(2027, 3, 20))  # deadline falls in the next fiscal year
    passed = Attempt("A0001", "staff", datetime.date(2027, 4, 10), 20, 20)
    assert status(policy, late_hire, [passed], datetime.date(2027, 4, 30)).status == "修了"
    assert status(policy, person(hired=datetime.date(2020, 4, 1)), [], datetime.date(2026, 11, 1)).new_hire is False


def test_overdue_failed_and_best_passing_attempt(policy):
    failed = Attempt("A0001", "staff", datetime.date(2026, 6, 1), 10, 20)
    better = Attempt("A0001", "staff", datetime.date(2026, 6, 3), 19, 20)
    good = Attempt("A0001", "staff", datetime.date(2026, 6, 2), 17, 20)
    assert status(policy, person(), [failed], datetime.date(2026, 12, 31)).status == "不合格"
    assert status(policy, person(), [failed], datetime.date(2027, 1, 1)).status == "期限超過"
    assert status(policy, person(), [], datetime.date(2026, 12, 31)).status == "未受講"
    best = status(policy, person(), [failed, good, better], datetime.date(2027, 1, 1)).exams[0]
    assert (best.status, best.score, best.passed_on) == ("修了", "19/20", datetime.date(2026, 6, 3))
    manager = status(policy, person(roles=("security-manager",)), [good], datetime.date(2027, 1, 1))
    assert [(e.role, e.status) for e in manager.exams] == [("staff", "修了"), ("security-manager", "期限超過")]
    assert manager.status == "期限超過" and manager.completed_on is None


def test_settings_are_validated_with_line_numbers(root):
    path = root / "training" / "settings.toml"
    path.parent.mkdir()
    path.write_text('policy = "miyako"\npass_mark = 180\ndeadline = "1231"\ncolour = "red"\n\n[years.2027]\nnew_hire_days = "30"\n',
                    encoding="utf-8")
    with pytest.raises(HandbookError) as err:
        load_settings(root)
    assert [str(p) for p in err.value.problems] == [
        "training/settings.toml:2: 「pass_mark」は 1〜100 の整数で書いてください。",
        "training/settings.toml:3: 「deadline」は月-日（例: \"12-31\"）で書いてください。",
        "training/settings.toml:4: 不明な項目「colour」があります（使える項目: policy, database, banks, years, lms, pass_mark, questions, deadline, new_hire_days）。",
        "training/settings.toml:7: 「years.2027.new_hire_days」は整数で書いてください。",
    ]
    path.write_text('pass_mark = 90\ndeadline = "01-31"\n[years.2027]\ndeadline = "11-30"\n', encoding="utf-8")
    loaded = load_settings(root)
    assert loaded.rules(2026).deadline_in(2026) == datetime.date(2027, 1, 31)
    assert (loaded.rules(2027).deadline_in(2027), loaded.rules(2027).pass_mark) == (datetime.date(2027, 11, 30), 90)
    assert loaded.database_url == f"sqlite:///{(root / 'training' / 'ledger.sqlite').as_posix()}"


# --- the command line, end to end -----------------------------------------------------------------

def test_training_commands_end_to_end_with_records_and_lms_exports(root, policy, monkeypatch, capsys):
    content = load_content(root)
    bank = Banks.load(content, None).get("miyako", policy.revision)
    (root / "training").mkdir()
    (root / "training" / "settings.toml").write_text('deadline = "12-31"\n', encoding="utf-8")
    (root / "名簿.csv").write_bytes(("\ufeff" + HEADER + "\n" + ROWS + "C0003,佐藤 三郎,税務課,,,正規職員\n"
                                     "D0004,鈴木 四郎,税務課,,,正規職員\n").encode("utf-8"))
    assert main(["training", "roster", "import", "名簿.csv", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "名簿.csv: 文字コード UTF-8（BOM 付き） として読みました。" in out and "4 人を取り込みました。" in out
    assert main(["training", "roster", "import", "名簿.csv", "--year", "2026"]) == 0
    assert "この名簿は取り込み済みです。何も変えていません。" in capsys.readouterr().out

    pasted = record(bank, "A0001", datetime.date(2026, 5, 1)).line() + "\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pasted.encode())))
    assert main(["training", "results", "import", "-"]) == 0
    assert "1 件の入力から 1 件の受験を読み、1 件を台帳に加えました。" in capsys.readouterr().out

    title = exam_title(policy.municipality, "情報セキュリティ管理者")
    (root / "lms").mkdir()
    (root / "lms" / "scorm.csv").write_text(
        "learner_id,activity,lesson_status,score_raw,score_max,date\n"
        f"A0001,{title},passed,90,100,2026-06-01T10:00:00+09:00\n"
        "B0002,職員等,failed,40,100,2026-06-02\nC0003,職員等,incomplete,,,\n", encoding="utf-8")
    (root / "lms" / "moodle.csv").write_text(
        "First name,Last name,ID number,Institution,Department,Email address,"
        "Quiz: 情報セキュリティ研修 テスト市 職員等 (Percentage),Quiz: 別の小テスト (Percentage),Last downloaded from this course\n"
        "三郎,佐藤,C0003,,税務課,,85.00 %,10.00 %,1780000000\n四郎,鈴木,D0004,,税務課,,-,-,1780000000\n",
        encoding="utf-8")
    assert main(["training", "results", "import", "lms"]) == 0
    out = capsys.readouterr().out
    assert "lms/scorm.csv: 終わっていない受講（lesson_status が passed / failed / completed 以外）1 行は数えません。" in out
    assert "lms/moodle.csv: 試験と対応しない成績の列は読みませんでした: Quiz: 別の小テスト (Percentage)" in out
    assert "2 件の入力から 3 件の受験を読み、3 件を台帳に加えました。" in out

    (root / "bad.csv").write_text("learner_id,activity,lesson_status,score_raw,score_max,date\n"
                                  "A0001,不明な研修,passed,９０,100,2026-06-01\n", encoding="utf-8")
    assert main(["training", "results", "import", "bad.csv"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv:2: activity「不明な研修」がどの役割の試験か分かりません（settings.toml の [lms] に書いてください）、" \
           "得点「９０/100」は半角数字で、score_raw ≤ score_max にしてください。" in err
    assert "1 件の問題があります。何も書き出していません。" in err

    assert main(["training", "report", "--year", "2026", "--date", "2027-01-05"]) == 0
    out = capsys.readouterr().out
    assert "2026年度（2027-01-05 時点）: 対象者 4 人、修了 2 人（50.0%）、期限超過 2 人。" in out
    rows = list(load_workbook(root / "reports" / "training-miyako-2026.xlsx")["個人別"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[8]) for r in rows] == [("A0001", "修了"), ("B0002", "期限超過"), ("C0003", "修了"), ("D0004", "期限超過")]
    assert main(["training", "report", "--year", "2026", "--out", "site/x"]) == 2


def test_banks_are_kept_per_revision_and_older_ones_reach_the_check_page(root, policy, capsys):
    import json

    from generator.training.checkpage import check_page_outputs

    assert main(["training", "banks"]) == 0
    kept = root / "training" / "banks" / "miyako" / "bank-2026-04-01.json"
    assert "問題集を training/banks/miyako/bank-2026-04-01.json に保存しました。" in capsys.readouterr().out
    old = json.loads(kept.read_text(encoding="utf-8"))
    old["revision"] = "2025-04-01"
    old_bytes = json.dumps(old, ensure_ascii=False).encode()
    (kept.parent / "bank-2025-04-01.json").write_bytes(old_bytes)
    banks = Banks.load(load_content(root), root / "training" / "banks")
    assert banks.get("miyako", "2025-04-01") is not None and banks.get("miyako", "2026-04-01") is not None
    outputs = dict(check_page_outputs(load_content(root), ["miyako"], [old_bytes]))
    script = outputs["training/banks.js"]
    data = json.loads(script.split(" = ", 1)[1].rstrip().rstrip(";"))
    assert [(b["policy"], b["revision"]) for b in data] == [("miyako", "2025-04-01"), ("miyako", "2026-04-01")]
    assert 'data-questions="20" data-pass-mark="80"' in outputs["training/check.md"]
