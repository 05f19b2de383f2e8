"""The training ledger on SQLite and PostgreSQL: rosters, results, idempotence, rejected files,
concurrent imports, disputed attempts and the report's numbers on a 1,000-staff municipality."""

from __future__ import annotations

import datetime
import threading

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from generator.content import load_content
from generator.errors import HandbookError
from generator.training import ledger
from generator.training.bank import Banks
from generator.training.ledger import open_ledger
from generator.training.report import build_report, write_report
from generator.training.results import Source, import_results
from generator.training.roster import Roster, import_roster, parse_rows, read_roster, roster_in_force
from generator.training.settings import TrainingSettings, YearRules

from .training_helpers import HEADER, QUIZ, db_url, municipality, record  # noqa: F401  (db_url is a fixture)

RULES = YearRules(deadline="12-31", new_hire_days=30)


@pytest.fixture
def setup(project, db_url):
    root = project({"quizzes/miyako/01.yaml": QUIZ})
    content = load_content(root)
    policy = content.policy("miyako")
    banks = Banks.load(content, None)
    settings = TrainingSettings(root, "miyako", db_url, defaults=RULES)
    engine = open_ledger(db_url)
    yield root, policy, banks, settings, engine
    engine.dispose()


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                     for t in (ledger.imports, ledger.roster_entries, ledger.attempts))


def lines(records) -> bytes:
    return "".join(r.line() + "\r\n" for r in records).encode("utf-8")


def roster_of(text: str, policy) -> Roster:
    rows = [(n, line.split(",")) for n, line in enumerate(text.splitlines(), 1)]
    return Roster(parse_rows(rows, "名簿.csv", policy), "UTF-8", str(hash(text)))


def test_migrations_run_on_open_and_twice_is_harmless(setup, db_url):
    *_, engine = setup
    open_ledger(db_url).dispose()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    assert counts(engine) == (0, 0, 0)


def test_results_import_is_idempotent_and_history_is_kept(setup):
    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    first = [record(bank, "A0001", datetime.date(2026, 5, 1), 0), record(bank, "A0001", datetime.date(2026, 6, 1))]
    summary = import_results(engine, policy, banks, settings, [Source("a.txt", lines(first))])
    assert (summary.rows, summary.added, summary.skipped_files) == (2, 2, ())
    before = counts(engine)
    again = import_results(engine, policy, banks, settings, [Source("a.txt", lines(first)), Source("copy.txt", lines(first))])
    assert (again.rows, again.added, again.skipped_files) == (0, 0, ("a.txt", "copy.txt"))
    assert counts(engine) == before  # the same file twice changes nothing
    # a merged file holding the same records (with a BOM inside) adds nothing either
    merged = b"\xef\xbb\xbf" + lines(first[:1]) + b"\xef\xbb\xbf" + lines(first[1:])
    summary = import_results(engine, policy, banks, settings, [Source("merged.txt", merged)])
    assert (summary.rows, summary.added) == (2, 0)
    assert counts(engine)[2] == 2


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_row(setup):
    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    good = record(bank, "A0001", datetime.date(2026, 5, 1))
    forged = record(bank, "A0002", datetime.date(2026, 5, 1), 0)
    forged_line = forged.line().rsplit(",", 2)[0] + f",{forged.total},{forged.total}"
    text = "\n".join([good.line(), forged_line, "HBQ2,x", good.line().replace(",A0001,", ",Ａ0001,")]) + "\n"
    before = counts(engine)
    with pytest.raises(HandbookError) as err:
        import_results(engine, policy, banks, settings, [Source("ok.txt", lines([good])), Source("提出.txt", text.encode())])
    assert [str(p) for p in err.value.problems] == [
        f"提出.txt:2: 記録の正解数 {forged.total} が、回答を採点し直した結果 0 と一致しません（記録が書き換えられています）。",
        "提出.txt:3: 修了記録の項目が2個です（13個必要です）。",
        "提出.txt:4: 修了記録の項目が正しくありません: 職員番号（半角英大文字・数字3〜16桁）「Ａ0001」。",
    ]
    assert counts(engine) == before  # the good file was not imported either


def test_two_imports_at_once_lose_nothing(setup, db_url):
    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    batches = [[record(bank, f"T{t}{n:04d}", datetime.date(2026, 7, 1)) for n in range(300)] for t in range(2)]
    errors = []

    def run(t: int) -> None:
        own = open_ledger(db_url)
        try:
            for chunk in range(3):  # three files each, interleaved with the other thread
                part = batches[t][chunk * 100:(chunk + 1) * 100]
                import_results(own, policy, banks, settings, [Source(f"{t}-{chunk}.txt", lines(part))])
        except Exception as exc:  # reported below: a lost import fails the test
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run, args=(t,)) for t in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counts(engine) == (6, 0, 600)


def test_the_same_attempt_claimed_by_two_people_is_flagged_and_counts_for_neither(setup):
    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    mine = record(bank, "A0001", datetime.date(2026, 5, 1), attempt="ab" * 16)
    copied = record(bank, "B0002", datetime.date(2026, 5, 1), attempt="ab" * 16, name="他人 次郎")
    import_roster(engine, roster_of(f"{HEADER}\nA0001,試験 太郎,総務課,,,正規\nB0002,他人 次郎,総務課,,,正規\n", policy),
                  "miyako", 2026, "名簿.csv")
    summary = import_results(engine, policy, banks, settings, [Source("a.txt", lines([mine, copied]))])
    assert summary.disputed == (("ab" * 16, ("A0001", "B0002")),)
    with engine.connect() as conn:
        report = build_report(conn, policy, RULES, 2026, datetime.date(2026, 6, 1))
    assert [(p.entry.staff_number, p.status, p.disputed) for p in report.people] == [
        ("A0001", "未受講", True), ("B0002", "未受講", True)]


def test_a_new_roster_replaces_the_old_one_without_losing_results(setup):
    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    import_roster(engine, roster_of(f"{HEADER}\nA0001,試験 太郎,総務課,,,正規\nB0002,転出 花子,財政課,,,正規\n", policy),
                  "miyako", 2026, "4月.csv")
    import_results(engine, policy, banks, settings, [Source("a.txt", lines([record(bank, "A0001", datetime.date(2026, 5, 1))]))])
    import_roster(engine, roster_of(f"{HEADER}\nA0001,試験 太郎,税務課,情報セキュリティ管理者,,正規\nC0003,転入 三郎,総務課,,2026-09-01,正規\n", policy),
                  "miyako", 2026, "10月.csv")
    with engine.connect() as conn:
        assert [e.staff_number for e in roster_in_force(conn, "miyako", 2026)] == ["A0001", "C0003"]
        report = build_report(conn, policy, RULES, 2026, datetime.date(2026, 10, 15))
    first = report.people[0]
    assert (first.entry.unit, [(e.role, e.status) for e in first.exams]) == (
        "税務課", [("staff", "修了"), ("security-manager", "未受講")])
    assert (report.people[1].new_hire, report.people[1].status, report.people[1].deadline) == (
        True, "期限超過", datetime.date(2026, 10, 1))
    assert counts(engine) == (3, 4, 1)  # both rosters and the result are kept
    import_results(engine, policy, banks, settings, [Source("typo.txt", lines([record(bank, "A0010", datetime.date(2026, 5, 2))]))])
    with engine.connect() as conn:
        assert build_report(conn, policy, RULES, 2026, datetime.date(2026, 10, 15)).unknown == (("A0010", 1),)


@pytest.mark.slow
def test_report_numbers_on_a_municipality_of_1000_staff(setup, tmp_path):
    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    as_of = datetime.date(2027, 1, 15)
    town = municipality(bank, as_of=as_of)
    path = root / "名簿2026.csv"
    path.write_bytes(town.roster_csv.encode("cp932"))
    roster = read_roster(path, policy)
    assert roster.encoding == "Shift_JIS（cp932）" and len(roster.entries) == 1000
    assert import_roster(engine, roster, "miyako", 2026, "名簿2026.csv") == 1000
    import_results(engine, policy, banks, settings, [Source("records.txt", lines(town.records))])
    with engine.connect() as conn:
        report = build_report(conn, policy, RULES, 2026, as_of)
    got = {p.entry.staff_number: p.status for p in report.people}
    assert got == town.expected
    done = sum(s == "修了" for s in town.expected.values())
    overdue = sum(s == "期限超過" for s in town.expected.values())
    assert (report.total.people, report.total.done, report.total.overdue) == (1000, done, overdue)
    assert sum(t.people for t in report.units) == 1000 and len(report.units) == 20
    assert [t.name for t in report.roles] == ["職員等", "情報セキュリティ管理者"]
    assert report.roles[1].people == 20
    assert report.monthly[-1] == ("1月", done / 1000)

    written = write_report(report, tmp_path / "reports", root)
    html = written[0].read_text(encoding="utf-8")
    assert "対象者数<strong>1000</strong>" in html and f"修了者数<strong>{done}</strong>" in html
    assert html.count("<svg") == 3 and "<script" not in html
    sheets = load_workbook(written[1])
    people = list(sheets["個人別"].iter_rows(values_only=True))
    assert len(people) == 1001 and people[0][:3] == ("職員番号", "氏名", "所属")
    assert {row[0]: row[8] for row in people[1:]} == town.expected
    assert len(list(sheets["期限超過"].iter_rows())) == overdue + 1
    summary = {row[1]: row[2:5] for row in sheets["年次報告"].iter_rows(min_row=2, values_only=True)}
    assert summary["全体"] == (1000, done, round(done / 1000, 4))
    csv_text = written[2].read_bytes().decode("utf-8-sig")
    assert len(csv_text.splitlines()) == overdue + 1


def test_report_escapes_roster_text_in_html_and_spreadsheets(setup, tmp_path):
    root, policy, banks, settings, engine = setup
    import_roster(engine, roster_of(f'{HEADER}\nA0001,<script>alert(1)</script>,=HYPERLINK("http://x"),,,@SUM(1)\n', policy),
                  "miyako", 2026, "名簿.csv")
    with engine.connect() as conn:
        report = build_report(conn, policy, RULES, 2026, datetime.date(2027, 1, 15))
    html_path, xlsx_path, csv_path = write_report(report, tmp_path / "out", root)
    html = html_path.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    cells = list(load_workbook(xlsx_path)["個人別"].iter_rows(min_row=2))[0]
    assert [(c.value, c.data_type, c.quotePrefix) for c in (cells[2], cells[4])] == [
        ('=HYPERLINK("http://x")', "s", True), ("@SUM(1)", "s", True)]  # text as typed, never a formula
    assert "'=HYPERLINK" in csv_path.read_bytes().decode("utf-8-sig")
    for published in ("site", "dist/reports"):
        with pytest.raises(HandbookError) as err:
            write_report(report, root / published, root)
        assert "公開する" in str(err.value)


@pytest.mark.slow
def test_two_import_commands_at_once_lose_nothing(setup, db_url):
    import subprocess
    import sys

    root, policy, banks, settings, engine = setup
    bank = banks.get("miyako", policy.revision)
    for t in range(2):
        records = [record(bank, f"P{t}{n:04d}", datetime.date(2026, 8, 1)) for n in range(400)]
        (root / f"batch{t}.txt").write_bytes(lines(records))
    command = [sys.executable, "-m", "generator", "--root", str(root), "training", "--policy", "miyako", "--db", db_url,
               "results", "import"]
    processes = [subprocess.Popen([*command, f"batch{t}.txt"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for t in range(2)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert all("400 件を台帳に加えました。" in out.decode() for out, _ in outputs)
    assert counts(engine) == (2, 0, 800)
