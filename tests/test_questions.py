"""Generated quiz questions (right by construction), their validation, the authored-question
checks and ``handbook quiz stats``."""

from __future__ import annotations

import dataclasses
import re

import pytest

from generator.cli import main
from generator.content import load_content
from generator.errors import Problem
from generator.questions import (
    DEADLINE_GROUPS, FREQUENCY_GROUPS, KIND_LABELS, MAX_VALUE_LENGTH, _groups, _split_pair, all_staff_names, askable,
    bank, bound_roles, check, cites_superseded_law, generate, giveaway, is_fragment, is_law_item, kind_of, pool, text_key,
)
from generator.sources import squeeze


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
    canonical: chief-officer
  - id: security-manager
    name: 情報セキュリティ管理者
    canonical: section-head
    member_of: [staff]
  - id: system-admin
    name: 情報システム管理者
    canonical: system-administrator
    member_of: [staff]
  - id: staff
    name: 職員等
    canonical: all-staff
  - id: contractor
    name: 外部委託事業者
    canonical: contractor
"""

ROLES = """\
roles:
  - {id: chief-officer, name: 最高責任者, description: 幹部}
  - {id: section-head, name: 課長, description: 所属長}
  - {id: system-administrator, name: システム管理者, description: 管理者}
  - {id: all-staff, name: 全職員, description: 全員}
  - {id: contractor, name: 委託先, description: 外部}
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

FILES = {"content/miyako/source.txt": SOURCE, "content/miyako/policy.yaml": POLICY, CHAPTER_PATH: CHAPTER,
         "content/roles.yaml": ROLES}

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
def real(real_content):
    return real_content


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err.splitlines()


# --- the small project: exact questions -------------------------------------------------------


def test_small_project_questions_are_exactly_these(small):
    """Few roles, few values: most questions are left out, each for a stated reason."""
    questions = generate(small.policy("miyako"))
    assert [(q.id, q.kind) for q in questions] == [
        ("miyako.password-report-leak.report_to", "report_to"),
        ("miyako.install-approval.permission", "permission"),
    ]
    report, statement = questions

    # whom to report to: neither 職員等 (who must report) nor 外部委託事業者 receives reports
    assert report.question == "次の定めで、報告・連絡をする相手はどの役割ですか。\n「パスワードが流出したら所属長に報告する」"
    assert report.choices[report.answer] == "情報セキュリティ管理者"
    assert sorted(report.choices) == sorted(["情報セキュリティ管理者", "ＣＩＳＯ", "情報システム管理者"])
    assert report.answer_roles == ("security-manager",)
    assert report.explanation == ("テスト市の規程 1.1 ② に「パスワードが流出した場合には、情報セキュリティ管理者に速やかに"
                                  "報告しなければならない。」と定められています。")

    # which statement is the rule: the verbatim text against the same text with the deadline or the
    # approver changed; every choice ends as the rule does
    assert statement.question == "次のうち、規程の定めとして正しいものはどれですか。"
    assert statement.choices[statement.answer] == "情報システム管理者は、ソフトウェアを導入する場合は、あらかじめＣＩＳＯの許可を得なければならない。"
    assert sorted(statement.choices) == sorted([
        "情報システム管理者は、ソフトウェアを導入する場合は、あらかじめＣＩＳＯの許可を得なければならない。",
        "情報システム管理者は、ソフトウェアを導入する場合は、直ちにＣＩＳＯの許可を得なければならない。",
        "情報システム管理者は、ソフトウェアを導入する場合は、速やかにＣＩＳＯの許可を得なければならない。",
        "情報システム管理者は、ソフトウェアを導入する場合は、あらかじめ情報セキュリティ管理者の許可を得なければならない。",
    ])

    ids = {q.id for q in questions}
    # 「ソフトウェアを入れる前に許可を得る」 says 前に: no deadline question (the answer would be in it)
    assert "miyako.install-approval.deadline" not in ids
    # no "who must" question whose answer is 職員等: in an all-staff pool it would always be right
    assert "miyako.password-keep-secret.actor" not in ids and "miyako.no-takeout.actor" not in ids


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
    assert "miyako.install-approval.permission" in admin and "miyako.install-approval.permission" not in staff
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
    text = "次の定めで、報告・連絡をする相手はどの役割ですか。\\n「パスワードが流出したら所属長に報告する」"
    quiz = QUIZ.replace("同僚にパスワードを見られたかもしれません。どうしますか。", f'"{text}"')
    project({**FILES, "quizzes/miyako/01.yaml": quiz})
    status, out, err = run(capsys, "validate")
    assert status == 2
    assert err == [
        f"{CHAPTER_PATH}:{LINES['miyako.password-report-leak']}: 生成した問題「miyako.password-report-leak.report_to」は"
        "問題「miyako.q-leak」と同じ問題文です。",
        "1 件の問題があります。何も書き出していません。",
    ]


def test_a_generated_answer_the_text_does_not_bear_out_is_rejected(small):
    policy = small.policy("miyako")
    questions = generate(policy)
    bad = dataclasses.replace(questions[1], basis="遅滞なく", question="別の問題文")
    first = questions[0].id
    assert check([questions[0], bad, questions[0]], []) == [
        Problem(CHAPTER_PATH, LINES["miyako.install-approval"],
                f"生成した問題「miyako.install-approval.permission」の答え「{bad.choices[bad.answer]}」の根拠「遅滞なく」が"
                "義務「miyako.install-approval」の text（または lead_in）にありません。"),
        Problem(CHAPTER_PATH, LINES["miyako.password-report-leak"], f"生成した問題の id「{first}」が重複しています。"),
        Problem(CHAPTER_PATH, LINES["miyako.password-report-leak"],
                f"生成した問題「{first}」は問題「{first}」と同じ問題文です。"),
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
        staff = all_staff_names(policy)
        for q in generate(policy):
            o = q.obligation
            wording = squeeze(o.lead_in + o.text)
            answer = q.choices[q.answer]
            distractors = [c for i, c in enumerate(q.choices) if i != q.answer]
            assert 3 <= len(q.choices) <= 4 and len(set(q.choices)) == len(q.choices), q.id
            assert q.cites == (o.id,) and q.roles == o.actors and askable(o)
            assert o.text in q.explanation and o.clause in q.explanation
            assert squeeze(q.basis) in wording, q.id
            assert not giveaway(policy, q), q.id
            if q.kind in ("actor", "approver", "report_to"):
                right = {"actor": o.actors, "approver": o.approver, "report_to": o.report_to}[q.kind]
                assert {names[n].id for n in _split_pair(answer)} <= set(right), q.id
                if q.kind == "actor":  # nor a member of the actors, nor the same person as one
                    assert names[answer].canonical != "all-staff", q.id
                    assert not {names[d].id for d in distractors} & bound_roles(policy, o.actors), q.id
                else:  # nobody who must act, and never 職員等 as someone who approves
                    for d in distractors:
                        assert not {names[n].id for n in _split_pair(d)} >= set(right), q.id
                        assert not set(_split_pair(d)) & staff, q.id
            elif q.kind in ("deadline", "frequency"):
                groups = DEADLINE_GROUPS if q.kind == "deadline" else FREQUENCY_GROUPS
                assert answer == getattr(o, q.kind)
                values = {getattr(x, q.kind) for x in policy.obligations}
                for d in distractors:
                    assert d in values and not _groups(d, groups) & _groups(answer, groups), q.id
                    assert len(d) <= MAX_VALUE_LENGTH and "after" not in _groups(d, groups), q.id
            elif q.kind == "cloze":
                assert squeeze(answer) in wording and q.question.count("＿＿＿") >= 1
                assert answer not in q.question and answer not in staff, q.id
                shown = q.question.split("\n", 1)[1][1:-1]
                assert not is_fragment(shown), q.id
            elif q.kind == "permission":
                assert answer == o.text and not is_fragment(o.text), q.id
                ending = re.search(r"[^、]*$", o.text).group()[-8:]
                assert all(c.endswith(ending) for c in q.choices), q.id  # substance changed, never the ending


def test_no_question_drills_a_replaced_law_or_an_item_of_a_list_of_laws(real):
    nabari = real.policy("nabari")
    cited = {q.cites[0] for q in generate(nabari)}
    for oid in ("nabari.comply-administrative-data-protection-act", "nabari.comply-personal-information-ordinance",
                "nabari.comply-copyright-act"):
        o = next(o for o in nabari.obligations if o.id == oid)
        assert not askable(o) and oid not in cited
    assert cites_superseded_law(next(o for o in nabari.obligations if o.id == "nabari.comply-personal-information-ordinance"))
    assert is_law_item(next(o for o in nabari.obligations if o.id == "nabari.comply-copyright-act"))
    for policy in real.policies:
        assert not [q for q in generate(policy) if cites_superseded_law(q.obligation) or is_law_item(q.obligation)]


@pytest.mark.parametrize("text, fragment", [
    ("また、その後も業務上知り得た情報を漏らしてはならない。", True),
    ("この場合において、システム管理者は、重要性の高い機器の存在を明示してはならない。", True),
    ("ただし、承認を得た場合は、この限りでない。", True),
    ("情報システム管理者は、障害を検知した場合は、", True),
    ("職員等は、端末を庁舎外に持ち出してはならない。", False),
])
def test_fragments_are_recognised(text, fragment):
    assert is_fragment(text) is fragment


BOUND_POLICY = POLICY.replace("    canonical: chief-officer\n", "    canonical: chief-officer\n    member_of: [staff]\n") + """\
  - id: committee-chair
    name: 委員長
    canonical: chief-officer
    held_by: ＣＩＳＯ
  - id: csirt
    name: ＣＳＩＲＴ
    canonical: section-head
    member_of: [staff]
  - id: auditor
    name: 監査人
    canonical: section-head
"""
BOUND_SOURCE = SOURCE + "1.4 体制\n委員長、ＣＳＩＲＴ及び監査人を置く。\n"
"""The small policy with ＣＩＳＯ one of the staff, a 委員長 held by the ＣＩＳＯ, a team made of
staff and an outside auditor."""


def test_distractors_are_never_bound_by_the_rule(project):
    """Members of the actor (a team made of staff), and roles held by the same person as a bound
    role (委員長 held by ＣＩＳＯ, who is one of the staff here), are never wrong answers."""
    content = load_content(project({**FILES, "content/miyako/policy.yaml": BOUND_POLICY,
                                    "content/miyako/source.txt": BOUND_SOURCE}))
    policy = content.policy("miyako")
    assert bound_roles(policy, ["staff"]) == {"staff", "ciso", "security-manager", "system-admin", "csirt", "committee-chair"}
    assert bound_roles(policy, ["system-admin"]) == {"system-admin"}
    assert bound_roles(policy, ["ciso"]) == {"ciso", "committee-chair"}
    checked = 0
    for q in generate(policy):
        if q.kind == "actor":
            wrong = {c for i, c in enumerate(q.choices) if i != q.answer}
            assert not wrong & {r.name for r in policy.roles if r.id in bound_roles(policy, q.obligation.actors)}, q.id
            checked += 1


def test_an_approval_by_two_roles_is_asked_as_the_pair(project):
    sentence = "職員等は、アカウントを共用する場合は、ＣＩＳＯ及び情報システム管理者の承認を得なければならない。"
    chapter = CHAPTER + f"""\
  - id: miyako.joint-approval
    clause: 1.3 ①
    text: {sentence}
    actors: [staff]
    modality: must
    topic: passwords
    summary: アカウントの共用には承認が要る
    approver: [ciso, system-admin]
"""
    source = BOUND_SOURCE.replace("1.3 委託\n", f"1.3 委託\n①{sentence}\n")
    content = load_content(project({**FILES, CHAPTER_PATH: chapter, "content/miyako/source.txt": source,
                                    "content/miyako/policy.yaml": BOUND_POLICY}))
    q = next(q for q in generate(content.policy("miyako")) if q.id == "miyako.joint-approval.approver")
    assert q.question.startswith("次のことについて、承認または許可をする役割の組合せはどれですか。")
    assert q.choices[q.answer] == "ＣＩＳＯ及び情報システム管理者"
    roles = [r for c in q.choices for r in c.split("及び")]
    assert all(roles.count(r) == 2 for r in roles)  # counting how often a role is offered does not help
    assert "委員長" not in roles  # the same person as ＣＩＳＯ


def test_real_question_counts_are_reasonable(real):
    for policy in real.policies:
        questions = generate(policy)
        live = [o for o in policy.obligations if askable(o)]
        kinds = {q.kind for q in questions}
        assert {"actor", "cloze", "permission", "deadline", "report_to", "approver"} <= kinds, policy.id
        assert 0.5 * len(live) <= len(questions) <= 1.6 * len(live), (policy.id, len(questions), len(live))
        keys = [text_key(q) for q in questions]
        assert len(keys) == len(set(keys))
        assert len({q.id for q in questions}) == len(questions)


def test_quiz_stats_prints_counts_per_policy_kind_and_role(project, capsys):
    project({**FILES, "quizzes/miyako/01.yaml": QUIZ})
    status, out, err = run(capsys, "quiz", "stats")
    assert status == 0 and err == []
    assert out.splitlines() == [
        "テスト市（miyako）: 3 問",
        f"  種類別: {KIND_LABELS['scenario']} 1、誰に報告するか 1、正しい定めはどれか 1",
        "  役割別（練習・試験の出題範囲）:",
        "    ＣＩＳＯ（ciso）: 1 問",
        "    情報セキュリティ管理者（security-manager）: 2 問",
        "    情報システム管理者（system-admin）: 3 問",
        "    職員等（staff）: 2 問",
        "    外部委託事業者（contractor）: 1 問",
    ]
