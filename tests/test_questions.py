"""Generated quiz questions (right by construction), their validation, the authored-question
checks and ``handbook quiz stats``."""

from __future__ import annotations

import dataclasses
import datetime
import re

import pytest

from generator.cli import main
from generator.content import load_content
from generator.errors import Problem
from generator.questions import (
    DEADLINE_GROUPS, FREQUENCY_GROUPS, KIND_LABELS, TRUE_FALSE, _groups, _same_holder, bank, check, generate, kind_of, pool,
)
from generator.sources import squeeze
from generator.views import memberships

from .conftest import ROOT

SOURCE = """\
テスト市情報セキュリティ対策基準
1.1 パスワード
職員等は、パスワードに関し、次の事項を遵守しなければならない。
①パスワードは、他者に知られないように管理しなければならない。
②パスワードが流出した場合には、情報セキュリティ管理者に速やかに報告しなければならない。
1.2 端末
①職員等は、端末を庁舎外に持ち出してはならない。
②情報システム管理者は、障害を検知した場合は、直ちにＣＩＳＯに報告しなければならない。
③情報システム管理者は、ソフトウェアを導入する場合は、あらかじめＣＩＳＯの許可を得なければならない。
④職員等は、情報システム管理者の許可を得て、ソフトウェアを導入することができる。
1.3 委託
外部委託事業者に関する事項は、別に定める。
"""

POLICY = """\
id: miyako
municipality: テスト市
title: テスト市情報セキュリティ対策基準
revision: "2026-04-01"
roles:
  - id: ciso
    name: ＣＩＳＯ
    canonical: all-staff
  - id: security-manager
    name: 情報セキュリティ管理者
    canonical: section-head
    member_of: [staff]
  - id: system-admin
    name: 情報システム管理者
    canonical: section-head
    member_of: [staff]
  - id: staff
    name: 職員等
    canonical: all-staff
  - id: contractor
    name: 外部委託事業者
    canonical: all-staff
"""

CHAPTER = """\
number: "1"
title: パスワードと端末
obligations:
  - id: miyako.password-keep-secret
    clause: 1.1 ①
    lead_in: 職員等は、パスワードに関し、次の事項を遵守しなければならない。
    text: パスワードは、他者に知られないように管理しなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: パスワードを他人に知られないようにする
  - id: miyako.password-report-leak
    clause: 1.1 ②
    text: パスワードが流出した場合には、情報セキュリティ管理者に速やかに報告しなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: パスワードが流出したら所属長に報告する
    deadline: 速やかに
    report_to: [security-manager]
  - id: miyako.no-takeout
    clause: 1.2 ①
    text: 職員等は、端末を庁舎外に持ち出してはならない。
    actors: [staff]
    modality: must_not
    topic: passwords
    summary: 端末を庁舎の外に出さない
  - id: miyako.fault-report
    clause: 1.2 ②
    text: 情報システム管理者は、障害を検知した場合は、直ちにＣＩＳＯに報告しなければならない。
    actors: [system-admin]
    modality: must
    topic: passwords
    summary: 障害を検知したらＣＩＳＯに報告する
    deadline: 直ちに
    report_to: [ciso]
  - id: miyako.install-approval
    clause: 1.2 ③
    text: 情報システム管理者は、ソフトウェアを導入する場合は、あらかじめＣＩＳＯの許可を得なければならない。
    actors: [system-admin]
    modality: must
    topic: passwords
    summary: ソフトウェアを入れる前に許可を得る
    deadline: あらかじめ
    approver: [ciso]
  - id: miyako.staff-install
    clause: 1.2 ④
    text: 職員等は、情報システム管理者の許可を得て、ソフトウェアを導入することができる。
    actors: [staff]
    modality: may
    topic: passwords
    summary: 許可を得ればソフトウェアを入れられる
    approver: [system-admin]
"""
CHAPTER_PATH = "content/miyako/obligations/01-password.yaml"
LINES = {line.split("id: ")[1]: n for n, line in enumerate(CHAPTER.splitlines(), start=1) if "- id: " in line}
"""Line of each obligation in the fixture chapter."""

FILES = {"content/miyako/source.txt": SOURCE, "content/miyako/policy.yaml": POLICY, CHAPTER_PATH: CHAPTER}

QUIZ = """\
questions:
  - id: miyako.q-leak
    question: 同僚にパスワードを見られたかもしれません。どうしますか。
    choices: [そのまま使う, 情報セキュリティ管理者に速やかに報告する]
    answer: 1
    explanation: 流出のおそれがあれば速やかに報告します。
    cites: [miyako.password-report-leak]
"""


@pytest.fixture
def small(project):
    return load_content(project(FILES))


@pytest.fixture(scope="module")
def real():
    return load_content(ROOT)


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err.splitlines()


# --- the small project: exact questions -------------------------------------------------------


def test_small_project_questions_are_exactly_these(small):
    questions = generate(small.policy("miyako"))
    assert [(q.id, q.kind) for q in questions] == [
        ("miyako.password-keep-secret.actor", "actor"),
        ("miyako.password-report-leak.report_to", "report_to"),
        ("miyako.password-report-leak.deadline", "deadline"),
        ("miyako.no-takeout.permission", "permission"),
        ("miyako.no-takeout.actor", "actor"),
        ("miyako.fault-report.cloze", "cloze"),
        ("miyako.fault-report.deadline", "deadline"),
        ("miyako.fault-report.actor", "actor"),
        ("miyako.install-approval.approver", "approver"),
        ("miyako.install-approval.deadline", "deadline"),
        ("miyako.install-approval.actor", "actor"),
        ("miyako.staff-install.approver", "approver"),
        ("miyako.staff-install.permission", "permission"),
        ("miyako.staff-install.actor", "actor"),
    ]
    by_id = {q.id: q for q in questions}

    actor = by_id["miyako.password-keep-secret.actor"]
    assert actor.question == "次の定めの対象となる役割はどれですか。\n「パスワードを他人に知られないようにする」"
    # 情報セキュリティ管理者 and 情報システム管理者 are also 職員等: never offered as wrong answers
    assert sorted(actor.choices) == sorted(["職員等", "ＣＩＳＯ", "外部委託事業者"])
    assert actor.choices[actor.answer] == "職員等"
    assert actor.cites == ("miyako.password-keep-secret",) and actor.roles == ("staff",)
    assert actor.explanation == ("テスト市の規程 1.1 ① に「職員等は、パスワードに関し、次の事項を遵守しなければならない。"
                                 "パスワードは、他者に知られないように管理しなければならない。」と定められています。")

    deadline = by_id["miyako.password-report-leak.deadline"]
    assert deadline.question == "次のことは、いつ行うと定められていますか。\n「パスワードが流出したら所属長に報告する」"
    assert sorted(deadline.choices) == sorted(["速やかに", "直ちに", "あらかじめ"])
    assert deadline.choices[deadline.answer] == "速やかに"

    report = by_id["miyako.password-report-leak.report_to"]
    assert report.choices[report.answer] == "情報セキュリティ管理者" and len(report.choices) == 4

    # the summary names ＣＩＳＯ, so the report_to question is a cloze on the verbatim text instead
    cloze = by_id["miyako.fault-report.cloze"]
    assert cloze.question == ("次の規定の空欄（＿＿＿）に入る語句はどれですか。\n"
                              "「情報システム管理者は、障害を検知した場合は、直ちに＿＿＿に報告しなければならない。」")
    assert cloze.choices[cloze.answer] == "ＣＩＳＯ"
    assert "miyako.fault-report.report_to" not in by_id
    # the report-leak text does not name its actor (職員等 is in another sentence): no actor question
    assert "miyako.password-report-leak.actor" not in by_id

    approver = by_id["miyako.staff-install.approver"]
    assert approver.choices[approver.answer] == "情報システム管理者"

    permission = by_id["miyako.no-takeout.permission"]
    assert permission.choices == TRUE_FALSE
    statement = permission.question.split("「")[1].rstrip("」")
    right = statement == "職員等は、端末を庁舎外に持ち出してはならない。"
    assert right or statement == "職員等は、端末を庁舎外に持ち出してもよい。"
    assert permission.choices[permission.answer] == ("正しい" if right else "誤り")
    may = by_id["miyako.staff-install.permission"].question.split("「")[1].rstrip("」")
    assert may in ("職員等は、情報システム管理者の許可を得て、ソフトウェアを導入することができる。",
                   "職員等は、情報システム管理者の許可を得て、ソフトウェアを導入することはできない。")


def test_generation_is_deterministic_and_ids_do_not_depend_on_text(small):
    policy = small.policy("miyako")
    first, second = generate(policy), generate(policy)
    assert first == second and [q.choices for q in first] == [q.choices for q in second]
    for q in first:
        assert q.id == f"{q.cites[0]}.{q.kind}"
    # reword every question source the ids do not rest on: the same ids come out
    reworded = dataclasses.replace(policy, chapters=tuple(
        dataclasses.replace(c, obligations=tuple(dataclasses.replace(o, summary=o.summary + "こと") for o in c.obligations))
        for c in policy.chapters))
    assert [q.id for q in generate(reworded)] == [q.id for q in first]


def test_pool_of_a_role_holds_its_own_the_all_staff_and_the_authored_questions(project):
    content = load_content(project({**FILES, "quizzes/miyako/01.yaml": QUIZ}))
    policy = content.policy("miyako")
    questions = bank(content, policy)
    assert questions[0].id == "miyako.q-leak" and kind_of(questions[0]) == "scenario"
    admin = {q.id for q in pool(questions, policy, policy.role("system-admin"))}
    staff = {q.id for q in pool(questions, policy, policy.role("staff"))}
    ciso = {q.id for q in pool(questions, policy, policy.role("ciso"))}
    assert "miyako.fault-report.actor" in admin and "miyako.fault-report.actor" not in staff
    assert staff < admin  # a system administrator is also 職員等
    assert ciso == {"miyako.q-leak"}  # only the authored question for everyone


def test_quiz_pages_and_bank_follow_the_settings(small):
    from generator.renderers import Settings
    from generator.renderers.quiz import QuizRenderer

    outputs = {o.path: o.data for o in QuizRenderer().pages(small, Settings(("miyako",), 5, 60))}
    assert sorted(outputs) == ["quiz/bank.js", "quiz/ciso.md", "quiz/contractor.md", "quiz/security-manager.md",
                               "quiz/staff.md", "quiz/system-admin.md"]
    staff = outputs["quiz/staff.md"]
    assert 'data-exam-size="5" data-pass-mark="60"' in staff and 'data-roles="staff"' in staff
    assert '<script src="bank.js"></script>' in staff and '<script src="../assets/quiz.js"></script>' in staff
    assert 'data-roles="system-admin staff"' in outputs["quiz/system-admin.md"]
    # a role without questions still gets its page (role pages link to it), without the quiz
    assert "テスト市の規程には、外部委託事業者の名前で定められた問題がまだありません。" in outputs["quiz/contractor.md"]
    assert "hb-quiz" not in outputs["quiz/contractor.md"]
    assert outputs["quiz/bank.js"].startswith("// 生成ファイル（handbook）: テスト市のクイズ問題。編集しないでください。\n"
                                             "window.HANDBOOK_QUIZ = window.HANDBOOK_QUIZ || {};\n"
                                             'window.HANDBOOK_QUIZ["miyako"] = {')


# --- validation messages ------------------------------------------------------------------------


def test_an_authored_question_with_a_generated_questions_text_is_reported(project, capsys):
    text = "次の定めの対象となる役割はどれですか。\\n「パスワードを他人に知られないようにする」"
    quiz = QUIZ.replace("同僚にパスワードを見られたかもしれません。どうしますか。", f'"{text}"')
    project({**FILES, "quizzes/miyako/01.yaml": quiz})
    status, out, err = run(capsys, "validate")
    assert status == 2
    assert err == [
        f"{CHAPTER_PATH}:{LINES['miyako.password-keep-secret']}: 生成した問題「miyako.password-keep-secret.actor」は"
        "問題「miyako.q-leak」と同じ問題文です。",
        "1 件の問題があります。何も書き出していません。",
    ]


def test_a_generated_answer_the_text_does_not_bear_out_is_rejected(small):
    policy = small.policy("miyako")
    questions = generate(policy)
    bad = dataclasses.replace(questions[2], basis="遅滞なく")
    assert check([questions[0], bad, questions[0]], []) == [
        Problem(CHAPTER_PATH, LINES["miyako.password-report-leak"],
                "生成した問題「miyako.password-report-leak.deadline」の答え「速やかに」の根拠「遅滞なく」が"
                "義務「miyako.password-report-leak」の text（または lead_in）にありません。"),
        Problem(CHAPTER_PATH, LINES["miyako.password-keep-secret"],
                "生成した問題の id「miyako.password-keep-secret.actor」が重複しています。"),
        Problem(CHAPTER_PATH, LINES["miyako.password-keep-secret"],
                "生成した問題「miyako.password-keep-secret.actor」は問題「miyako.password-keep-secret.actor」と同じ問題文です。"),
    ]
    assert check(questions, []) == []


def test_authored_question_checks_stay(project, capsys):
    quiz = QUIZ + """\
  - id: miyako.q-bad
    question: 同僚にパスワードを見られたかもしれません。どうしますか。
    choices: [報告する, 報告しない, 報告する]
    answer: 5
    explanation: 説明
    cites: [miyako.nothing-like-this]
    roles: [nobody]
"""
    project({**FILES, "quizzes/miyako/01.yaml": quiz})
    status, out, err = run(capsys, "validate")
    path = "quizzes/miyako/01.yaml"
    assert status == 2
    assert err == [
        f"{path}:8: 問題「miyako.q-bad」が引用する義務「miyako.nothing-like-this」はテスト市の内容にありません。",
        f"{path}:8: 問題「miyako.q-bad」に同じ選択肢が重複しています。",
        f"{path}:8: 問題「miyako.q-bad」の answer 5 は選択肢にありません（0〜2 で指定）。",
        f"{path}:8: 問題「miyako.q-bad」の roles にある「nobody」はテスト市の役割にありません。",
        f"{path}:8: 問題「miyako.q-bad」は「miyako.q-leak」と同じ問題文です。",
        "5 件の問題があります。何も書き出していません。",
    ]


# --- the real content: right by construction ---------------------------------------------------


def test_every_real_answer_is_in_the_obligation_and_every_distractor_is_real_and_wrong(real):
    for policy in real.policies:
        names = {r.name: r for r in policy.roles}
        for q in generate(policy):
            o = q.obligation
            wording = squeeze(o.lead_in + o.text)
            answer = q.choices[q.answer]
            distractors = [c for i, c in enumerate(q.choices) if i != q.answer]
            assert 2 <= len(q.choices) <= 4 and len(set(q.choices)) == len(q.choices), q.id
            assert q.cites == (o.id,) and q.roles == o.actors and not o.retired
            assert o.text in q.explanation and o.clause in q.explanation
            assert squeeze(q.basis) in wording, q.id
            if q.kind in ("actor", "approver", "report_to"):
                right = {"actor": o.actors, "approver": o.approver, "report_to": o.report_to}[q.kind]
                assert names[answer].id in right, q.id
                for d in distractors:
                    assert names[d].id not in right, q.id
                    assert not _same_holder(names[d], names[answer]), q.id  # 充て職: the same person
                    if q.kind == "actor":  # nor a role that follows the actors' rules as a member
                        assert not {m.id for m in memberships(policy, names[d])} & set(o.actors), q.id
            elif q.kind in ("deadline", "frequency"):
                groups = DEADLINE_GROUPS if q.kind == "deadline" else FREQUENCY_GROUPS
                assert answer == getattr(o, q.kind)
                values = {getattr(x, q.kind) for x in policy.obligations}
                for d in distractors:
                    assert d in values and not _groups(d, groups) & _groups(answer, groups), q.id
            elif q.kind == "cloze":
                assert squeeze(answer) in wording and q.question.count("＿＿＿") >= 1
                assert answer not in q.question
            elif q.kind == "permission":
                assert q.choices == TRUE_FALSE
                statement = q.question.split("\n", 1)[1][1:-1]
                assert (statement == o.text) == (answer == "正しい"), q.id
                assert o.modality in ("must_not", "may")


def test_real_question_counts_are_reasonable(real):
    for policy in real.policies:
        questions = generate(policy)
        live = [o for o in policy.obligations if not o.retired]
        kinds = {q.kind for q in questions}
        assert {"actor", "cloze", "permission", "deadline", "report_to", "approver"} <= kinds, policy.id
        assert 0.8 * len(live) <= len(questions) <= 1.6 * len(live), (policy.id, len(questions), len(live))
        texts = [squeeze(q.question) for q in questions]
        assert len(texts) == len(set(texts))
        assert len({q.id for q in questions}) == len(questions)


def test_quiz_stats_prints_counts_per_policy_kind_and_role(project, capsys):
    project({**FILES, "quizzes/miyako/01.yaml": QUIZ})
    status, out, err = run(capsys, "quiz", "stats")
    assert status == 0 and err == []
    assert out.splitlines() == [
        "テスト市（miyako）: 15 問",
        f"  種類別: {KIND_LABELS['scenario']} 1、誰が行うか 5、誰の承認・許可か 2、誰に報告するか 1、いつまでに 3、"
        "してよいか（正誤） 2、穴埋め 1",
        "  役割別（練習・試験の出題範囲）:",
        "    ＣＩＳＯ（ciso）: 1 問",
        "    情報セキュリティ管理者（security-manager）: 9 問",
        "    情報システム管理者（system-admin）: 15 問",
        "    職員等（staff）: 9 問",
        "    外部委託事業者（contractor）: 1 問",
    ]
