"""Exam records (``HBQ2``): the strict parser, its messages, its properties under random input,
and re-grading against a revision's bank."""

from __future__ import annotations

import dataclasses
import datetime
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.completion import MAX_LINE, CompletionRecord, RecordError, parse_record
from generator.content import load_content
from generator.training.bank import Banks, BankQuestion, ExamBank, bank_json, read_bank, regrade

from .conftest import examples

JST = datetime.timezone(datetime.timedelta(hours=9))
ATTEMPT = "3f9c0d2a7b4e4f0c9a1b2c3d4e5f6a7b"
EXAMPLE = ("HBQ2,3f9c0d2a7b4e4f0c9a1b2c3d4e5f6a7b,A12345,宮古 花子,総務課,miyako,2026-11-22,staff,"
           "2027-04-15T10:02:03+09:00,2027-04-15T10:14:40+09:00,miyako.q-a=1 miyako.b.actor=0 miyako.c.cloze=-,1,3")
"""The worked example of docs/guide/completion-record.md."""

BANK = ExamBank("miyako", "宮古市", "2026-11-22", (("staff", "職員等", ("staff",)), ("admin", "管理者", ("admin", "staff"))), (
    BankQuestion("miyako.q-a", 1, 4, ()),
    BankQuestion("miyako.b.actor", 2, 4, ("staff",)),
    BankQuestion("miyako.c.cloze", 0, 3, ("staff",)),
    BankQuestion("miyako.d.actor", 0, 4, ("admin",)),
))


def test_the_documented_example_parses_and_round_trips():
    record = parse_record(EXAMPLE)
    assert record == CompletionRecord(
        ATTEMPT, "A12345", "宮古 花子", "総務課", "miyako", "2026-11-22", "staff",
        datetime.datetime(2027, 4, 15, 10, 2, 3, tzinfo=JST), datetime.datetime(2027, 4, 15, 10, 14, 40, tzinfo=JST),
        (("miyako.q-a", 1), ("miyako.b.actor", 0), ("miyako.c.cloze", None)), 1, 3)
    assert record.line() == EXAMPLE and record.day == datetime.date(2027, 4, 15)
    assert parse_record("\ufeff" + EXAMPLE + "\r\n") == record
    from .conftest import ROOT
    assert EXAMPLE in (ROOT / "docs" / "guide" / "completion-record.md").read_text(encoding="utf-8")


def test_names_and_units_with_commas_and_quotes_round_trip():
    record = dataclasses.replace(parse_record(EXAMPLE), unit='総務課,"情報"係')
    assert ',"総務課,""情報""係",' in record.line()
    assert parse_record(record.line()) == record


def replaced(index: int, value: str) -> str:
    fields = EXAMPLE.split(",")
    fields[index] = value
    return ",".join(fields)


@pytest.mark.parametrize("line, message", [
    (replaced(11, "²"), "修了記録の項目が正しくありません: 正解数（半角数字）「²」。"),
    (replaced(12, "２０"), "修了記録の項目が正しくありません: 問題数（半角数字）「２０」。"),
    (replaced(11, "1" * 5000), "修了記録の項目が正しくありません: 正解数（半角数字）「" + "1" * 40 + "」。"),
    (replaced(6, "20261122"), "修了記録の項目が正しくありません: 版（YYYY-MM-DD）「20261122」。"),
    (replaced(6, "2026-02-30"), "修了記録の項目が正しくありません: 版「2026-02-30」（存在しない日付）。"),
    (replaced(9, "2027-04-15 10:14:40"),
     "修了記録の項目が正しくありません: 終了日時（YYYY-MM-DDTHH:MM:SS+09:00）「2027-04-15 10:14:40」。"),
    (replaced(2, "a1234"), "修了記録の項目が正しくありません: 職員番号（半角英大文字・数字3〜16桁）「a1234」。"),
    (replaced(2, "Ａ12345"), "修了記録の項目が正しくありません: 職員番号（半角英大文字・数字3〜16桁）「Ａ12345」。"),
    (replaced(3, ""), "修了記録の項目が正しくありません: 氏名「」（1〜100 文字、改行や制御文字なし）。"),
    (replaced(11, "4"), "修了記録の項目が正しくありません: 得点「4/3」（問題数は1〜200、正解数は問題数以下）。"),
    (replaced(12, "2"), "修了記録の項目が正しくありません: 回答の数 3（問題数 2 と同じ数が必要です）。"),
    (replaced(10, "miyako.q-a=1 miyako.q-a=0 x=1"), "修了記録の項目が正しくありません: 回答（同じ問題が2回あります）。"),
    (replaced(10, "miyako.q-a=１"), "修了記録の項目が正しくありません: 回答「miyako.q-a=１」（「問題id=選択肢の番号」の形）。"),
    (EXAMPLE.rsplit(",", 1)[0], "修了記録の項目が12個です（13個必要です）。"),
    ("HBQ1,A12345,miyako,2026-11-22,staff,職員等,18,20,2027-04-15,5BDF3CD0",
     "修了記録の形式「HBQ1」は読めません（HBQ2 で始まる行だけを読みます）。"),
    (EXAMPLE + "x" * MAX_LINE, f"修了記録が長すぎます（{len(EXAMPLE) + MAX_LINE} 文字。{MAX_LINE} 文字まで）。"),
    ('HBQ2,"abc', "修了記録の区切りが正しくありません（\" で囲んだ項目が閉じていません）。"),
])
def test_anything_but_the_documented_form_is_refused_with_a_japanese_message(line, message):
    with pytest.raises(RecordError) as err:
        parse_record(line)
    assert err.value.message == message
    assert str(err.value.at("提出/a.txt", 3)) == f"提出/a.txt:3: {message}"


@settings(max_examples=examples(300), deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_raises_the_projects_error(text):
    try:
        parse_record(text)
    except RecordError as err:
        assert err.message
    # any other exception fails the test


fields = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(fields, min_size=13, max_size=13), st.integers(0, 12))
def test_mutated_records_parse_or_raise_the_projects_error(values, keep):
    original = EXAMPLE.split(",")
    mixed = original[:keep] + values[keep:]
    try:
        record = parse_record(",".join(mixed))
    except RecordError:
        return
    assert record.total == len(record.answers) and record.correct <= record.total


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=100)


@settings(max_examples=examples(200), deadline=None)
@given(names.filter(lambda s: s.strip() == s), names.filter(lambda s: s.strip() == s),
       st.from_regex(r"[0-9A-Z]{3,16}", fullmatch=True),
       st.lists(st.tuples(st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,8}){0,3}", fullmatch=True),
                          st.one_of(st.none(), st.integers(0, 9))), min_size=1, max_size=50,
                unique_by=lambda a: a[0]))
def test_every_valid_record_round_trips(name, unit, staff, answers):
    record = dataclasses.replace(parse_record(EXAMPLE), name=name, unit=unit, staff_number=staff,
                                 answers=tuple(answers), total=len(answers), correct=0)
    assert parse_record(record.line()) == record


def test_regrade_accepts_a_true_score_and_refuses_changed_ones():
    banks = Banks([BANK])
    record = parse_record(EXAMPLE)
    assert regrade(record, banks, 3) == 1
    cases = {
        dataclasses.replace(record, correct=3):
            "記録の正解数 3 が、回答を採点し直した結果 1 と一致しません（記録が書き換えられています）。",
        dataclasses.replace(record, answers=(("miyako.q-a", 0),) + record.answers[1:]):
            "記録の正解数 1 が、回答を採点し直した結果 0 と一致しません（記録が書き換えられています）。",
        dataclasses.replace(record, answers=record.answers[:2] + (("miyako.d.actor", 0),)):
            "問題「miyako.d.actor」はこの版の「職員等」の試験の問題ではありません（1 問）。",
        dataclasses.replace(record, answers=record.answers[:2] + (("miyako.c.cloze", 3),)):
            "問題「miyako.c.cloze」の回答が選択肢の番号の範囲外です。",
        dataclasses.replace(record, revision="2025-04-01"):
            "規程「miyako」の版 2025-04-01 の問題集がありません（bank-2025-04-01.json を問題集のフォルダに置いてください）。",
        dataclasses.replace(record, role="mayor"): "役割「mayor」は宮古市の 2026-11-22 版にありません。",
    }
    for changed, message in cases.items():
        with pytest.raises(RecordError) as err:
            regrade(changed, banks, 3)
        assert err.value.message == message
    with pytest.raises(RecordError) as err:  # the admin pool has 4 questions: 3 is too short for a 20-question exam
        regrade(dataclasses.replace(record, role="admin"), banks, 20)
    assert err.value.message == "問題数 3 が試験の問題数 4 より少なくなっています。"


def test_bank_json_is_deterministic_and_reads_back(project, tmp_path):
    root = project()
    content = load_content(root)
    policy = content.policy("miyako")
    data = bank_json(content, policy)
    assert data == bank_json(content, policy)
    parsed = json.loads(data)
    assert parsed["format"] == "handbook-bank/1" and parsed["revision"] == "2026-04-01"
    assert {r["id"]: r["covers"] for r in parsed["roles"]} == {"staff": ["staff"], "security-manager": ["security-manager", "staff"]}
    path = tmp_path / "kept" / "bank-2026-04-01.json"
    path.parent.mkdir()
    path.write_bytes(data)
    assert read_bank(path) == Banks.load(content, None).get("miyako", "2026-04-01")
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(Exception) as err:
        Banks.load(content, path.parent)
    assert "問題集のファイル（handbook-bank/1）として読めません。" in str(err.value)
