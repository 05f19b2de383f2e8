"""Bad input: every problem at once, as ``path:line: message`` in Japanese, exit status 2."""

import pytest

from generator.cli import main

from .conftest import CHAPTER, CONTACTS_NOTICE, POLICY

CHAPTER_PATH = "content/miyako/obligations/01-password.yaml"


def run(capsys, *args):
    status = main(["validate", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err.splitlines()


def test_valid_project_passes(project, capsys):
    project()
    status, out, err = run(capsys)
    assert status == 0
    assert out == "問題はありません（規程 1 件、義務 2 件、問題 0 問）。\n"


def test_every_problem_is_reported_with_file_and_line(project, capsys):
    broken = (CHAPTER
              .replace("actors: [staff]\n    modality: must\n    topic: passwords\n    summary: パスワードを他人",
                       "actors: [nobody]\n    modality: must\n    topic: passwords\n    summary: パスワードを他人")
              .replace("text: パスワードは、他者に知られないように管理しなければならない。",
                       "text: パスワードは、他人に知られないように管理しなければならない。")
              .replace("report_to: [security-manager]", "report_to: [security-manager]\n    colour: red")
              .replace("deadline: 速やかに", "deadline: 直ちに"))
    project({CHAPTER_PATH: broken})
    status, out, err = run(capsys)
    assert status == 2
    assert err == [
        f"{CHAPTER_PATH}:7: text が原文（source.txt）にありません。原文を一字一句そのまま引用してください: 「パスワードは、他人に知られないように管理しなければならない。」",
        f"{CHAPTER_PATH}:8: 義務「miyako.password-keep-secret」の actors にある「nobody」はテスト市の役割にありません。",
        f"{CHAPTER_PATH}:20: 義務「miyako.password-report-leak」の deadline「直ちに」が text（または lead_in）にありません。本文の語句をそのまま書いてください。",
        f"{CHAPTER_PATH}:22: 不明な項目「colour」があります（使える項目: id, clause, text, actors, modality, topic, summary, lead_in, when, deadline, frequency, approver, report_to, applies_to, exception, forms, retired）。",
        "4 件の問題があります。何も書き出していません。",
    ]


def test_structured_fields_must_come_from_the_text(project, capsys):
    broken = CHAPTER.replace("deadline: 速やかに", "deadline: 直ちに").replace(
        "report_to: [security-manager]", "report_to: [security-manager, staff]")
    project({CHAPTER_PATH: broken})
    status, _, err = run(capsys)
    assert status == 2
    assert err == [
        f"{CHAPTER_PATH}:20: 義務「miyako.password-report-leak」の deadline「直ちに」が text（または lead_in）にありません。本文の語句をそのまま書いてください。",
        f"{CHAPTER_PATH}:21: 義務「miyako.password-report-leak」の report_to「staff」は text（または lead_in）で名指しされていません。",
        "2 件の問題があります。何も書き出していません。",
    ]


def test_yaml_traps(project, capsys):
    project({
        CHAPTER_PATH: CHAPTER.replace("number: \"1\"", "number: \"1\"\nnumber: \"2\""),
        "content/miyako/obligations/02-alias.yaml": "number: &n \"2\"\ntitle: *n\n",
        "content/miyako/obligations/03-tab.yaml": "number: \"3\"\ntitle:\tタブ\n",
        "content/miyako/obligations/04-sjis.yaml": "number: \"4\"\ntitle: 日本語\n".encode("cp932"),
        "content/miyako/obligations/05-broken.yaml": "number: \"5\"\ntitle: [閉じない\nobligations: []\n",
    })
    status, _, err = run(capsys)
    assert status == 2
    assert err == [
        f"{CHAPTER_PATH}:2: キー「number」が重複しています（1行目にもあります）。",
        "content/miyako/obligations/02-alias.yaml:1: アンカー・エイリアス（&n）は使えません。値をそのまま書いてください。",
        "content/miyako/obligations/02-alias.yaml:2: アンカー・エイリアス（*n）は使えません。値をそのまま書いてください。",
        "content/miyako/obligations/03-tab.yaml:2: タブ文字が使われています。YAML の字下げには半角スペースを使ってください。",
        "content/miyako/obligations/04-sjis.yaml:2: このファイルは Shift_JIS（cp932）で保存されているようです。UTF-8 で保存し直してください。",
        "content/miyako/obligations/05-broken.yaml:2: この行で始まる [ が ] で閉じていません。値に括弧を含めるときは値全体を引用符で囲んでください。",
        "6 件の問題があります。何も書き出していません。",
    ]


def test_duplicate_ids_unknown_topic_and_bad_role_mapping(project, capsys):
    second = CHAPTER.replace("number: \"1\"", "number: \"2\"").replace("topic: passwords\n    summary: パスワードを他人", "topic: nowhere\n    summary: パスワードを他人")
    project({
        "content/miyako/obligations/02-copy.yaml": second,
        "content/miyako/policy.yaml": POLICY.replace("canonical: section-head", "canonical: boss"),
    })
    status, _, err = run(capsys)
    assert status == 2
    assert err == [
        "content/miyako/obligations/02-copy.yaml:4: id「miyako.password-keep-secret」が重複しています（content/miyako/obligations/01-password.yaml:4 にもあります）。",
        "content/miyako/obligations/02-copy.yaml:10: 義務「miyako.password-keep-secret」の topic「nowhere」は topics.yaml にありません。",
        "content/miyako/obligations/02-copy.yaml:12: id「miyako.password-report-leak」が重複しています（content/miyako/obligations/01-password.yaml:12 にもあります）。",
        "content/miyako/policy.yaml:9: 役割「security-manager」の canonical「boss」は roles.yaml にありません。",
        "4 件の問題があります。何も書き出していません。",
    ]


@pytest.mark.slow
def test_failed_build_leaves_previous_site_untouched(project, capsys):
    root = project()
    assert main(["build"]) == 0
    capsys.readouterr()
    page = root / "site" / "roles" / "staff.html"
    before = page.read_bytes()
    (root / CHAPTER_PATH).write_text(CHAPTER.replace("modality: must\n", "modality: perhaps\n", 1), encoding="utf-8")
    assert main(["build"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{CHAPTER_PATH}:9: 「modality」の値「perhaps」は使えません（使える値: must, must_not, may, should, shall）。"
    assert page.read_bytes() == before
    assert not list(root.glob(".build-*"))


def test_a_retired_obligation_may_quote_text_the_revised_source_no_longer_has(project, capsys):
    retired = CHAPTER.replace(
        "    summary: パスワードを他人に知られないようにする\n",
        "    summary: パスワードを他人に知られないようにする\n    retired: true\n",
    ).replace("text: パスワードは、他者に知られないように管理しなければならない。",
              "text: パスワードは、旧規程の文言で管理しなければならない。")
    project({CHAPTER_PATH: retired})
    status, out, err = run(capsys)
    assert (status, err) == (0, [CONTACTS_NOTICE])


def test_applies_to_must_name_a_role_the_text_names(project, capsys):
    project({CHAPTER_PATH: CHAPTER.replace("    report_to: [security-manager]\n",
                                           "    report_to: [security-manager]\n    applies_to: [staff]\n")})
    status, out, err = run(capsys)
    assert err[0] == f"{CHAPTER_PATH}:22: 義務「miyako.password-report-leak」の applies_to「staff」は text（または lead_in）で名指しされていません。"
