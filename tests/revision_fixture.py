"""A revision of the small test project (``conftest.BASE_FILES``), and a second municipality for the
portal's comparison. The revision retires 1.1 ①, adds a new 1.1 ① and 1.2 ②, and moves 1.1 ② to
1.2 ① with its deadline (and summary) changed from 速やかに to 直ちに."""

from __future__ import annotations

from .conftest import BASE_FILES, CHAPTER, POLICY

REVISED_SOURCE = """\
テスト市情報セキュリティ対策基準
1.1 パスワード
職員等は、パスワードに関し、次の事項を遵守しなければならない。
①パスワードは、十二文字以上としなければならない。
②副市長を、ＣＩＳＯとする。
1.2 報告
①パスワードが流出した場合には、情報セキュリティ管理者に直ちに報告しなければならない。
②情報セキュリティ管理者は、毎年度、パスワードの管理状況を確認しなければならない。
"""

HISTORY = """\
revisions:
  - date: "2027-04-01"
    title: 令和9年4月改定
    summary: パスワードの長さを定め、流出の報告を「直ちに」に改めました。
    changes: [miyako.password-keep-secret, miyako.password-length, miyako.password-report-leak, miyako.manager-check]
  - date: "2026-04-01"
    title: 制定
    summary: テスト市の最初の対策基準です。
"""

REVISED_POLICY = POLICY.replace('revision: "2026-04-01"\n', 'revision: "2027-04-01"\n' + HISTORY)

RETIRED = CHAPTER.split("obligations:\n")[1].split("  - id: miyako.password-report-leak")[0] + "    retired: true\n"
"""The base project's 1.1 ①, as it was, retired."""

REVISED_CHAPTER = """\
number: "1"
title: パスワード
obligations:
""" + RETIRED + """\
  - id: miyako.password-length
    clause: 1.1 ①
    lead_in: 職員等は、パスワードに関し、次の事項を遵守しなければならない。
    text: パスワードは、十二文字以上としなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: パスワードを12文字以上にする
  - id: miyako.password-report-leak
    clause: 1.2 ①
    text: パスワードが流出した場合には、情報セキュリティ管理者に直ちに報告しなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: パスワードが流出したら所属長に直ちに報告する
    when: パスワードが流出した場合
    deadline: 直ちに
    report_to: [security-manager]
  - id: miyako.manager-check
    clause: 1.2 ②
    text: 情報セキュリティ管理者は、毎年度、パスワードの管理状況を確認しなければならない。
    actors: [security-manager]
    modality: must
    topic: passwords
    summary: パスワードの管理状況を毎年度確認する
    frequency: 毎年度
not_obligations:
  - text: 副市長を、ＣＩＳＯとする。
    clause: 1.1 ②
    reason: appointment
"""

REVISED_FILES = {
    **BASE_FILES,
    "content/miyako/policy.yaml": REVISED_POLICY,
    "content/miyako/source.txt": REVISED_SOURCE,
    "content/miyako/obligations/01-password.yaml": REVISED_CHAPTER,
}
"""The revised project, complete."""

DELETED_FILES = {
    **REVISED_FILES,
    "content/miyako/obligations/01-password.yaml": REVISED_CHAPTER.replace(RETIRED, ""),
    "content/miyako/policy.yaml": REVISED_POLICY.replace("miyako.password-keep-secret, ", ""),
}
"""The same revision with the old 1.1 ① deleted from the YAML instead of retired."""

SECOND_POLICY = {
    "content/nabari/policy.yaml": """\
id: nabari
municipality: 比較市
title: 比較市情報セキュリティ対策基準
revision: "2026-04-01"
roles:
  - id: staff
    name: 職員
    canonical: all-staff
""",
    "content/nabari/source.txt": """\
比較市情報セキュリティ対策基準
2.1 研修
①職員は、情報セキュリティに関する研修を毎年度受講しなければならない。
②職員は、不審な電子メールを開いてはならない。
""",
    "content/nabari/obligations/02-training.yaml": """\
number: "2"
title: 研修
obligations:
  - id: nabari.training-attend
    clause: 2.1 ①
    text: 職員は、情報セキュリティに関する研修を毎年度受講しなければならない。
    actors: [staff]
    modality: must
    topic: human
    summary: 情報セキュリティ研修を毎年度受ける
    frequency: 毎年度
  - id: nabari.email-suspicious
    clause: 2.1 ②
    text: 職員は、不審な電子メールを開いてはならない。
    actors: [staff]
    modality: must_not
    topic: email
    summary: 不審な電子メールを開かない
""",
    "content/topics.yaml": BASE_FILES["content/topics.yaml"] + "  - id: email\n    name: 電子メール\n    parent: human\n",
}
"""A second municipality: it requires training and care with e-mail (topics human and email), which
the test policy does not, and has no section head and no password rule."""

# --- training across the revision: an obligation it leaves alone, and the questions before and after --

DEVICES_SOURCE = """\
1.3 端末
①職員等は、離席時に端末をロックしなければならない。
"""

DEVICES = """\
number: "1.3"
title: 端末
obligations:
  - id: miyako.lock-screen
    clause: 1.3 ①
    text: 職員等は、離席時に端末をロックしなければならない。
    actors: [staff]
    modality: must
    topic: passwords
    summary: 離席時は端末をロックする
"""

QUIZ_BEFORE = """\
questions:
  - id: miyako.q-lock
    question: 席を離れるとき、端末をどうしますか。
    choices: [ロックする, そのままにしておく, 画面の明るさを下げる]
    answer: 0
    explanation: 「職員等は、離席時に端末をロックしなければならない。」（1.3 ①）
    cites: [miyako.lock-screen]
  - id: miyako.q-leak-whom
    question: パスワードが流出したかもしれません。誰に報告しますか。
    choices: [情報セキュリティ管理者, 同じ係の同僚, 誰にも報告しない]
    answer: 0
    explanation: 流出したら情報セキュリティ管理者に報告します。
    cites: [miyako.password-report-leak]
  - id: miyako.q-leak-when
    question: パスワードが流出したかもしれません。いつまでに報告しますか。
    choices: [速やかに, 翌月の定例会議で, 年度末までに]
    answer: 0
    explanation: 「情報セキュリティ管理者に速やかに報告しなければならない」（1.1 ②）。
    cites: [miyako.password-report-leak]
"""
"""Questions of the project before the revision: one on the obligation it leaves alone, two on the
one it changes (whom to report to stays, by when does not)."""

QUIZ_AFTER = QUIZ_BEFORE.replace("[速やかに, 翌月", "[直ちに, 翌月").replace(
    "速やかに報告しなければならない」（1.1 ②）", "直ちに報告しなければならない」（1.2 ①）") + """\
  - id: miyako.q-length
    question: 新しいパスワードを決めます。何文字以上にしますか。
    choices: [十二文字以上, 八文字以上, 四文字以上]
    answer: 0
    explanation: 「パスワードは、十二文字以上としなければならない。」（1.1 ①）
    cites: [miyako.password-length]
"""
"""The questions after it: the deadline's answer follows the new text, and one is added on the new
obligation."""

TRAINING_BEFORE = {
    **BASE_FILES,
    "content/miyako/source.txt": BASE_FILES["content/miyako/source.txt"] + DEVICES_SOURCE,
    "content/miyako/obligations/02-devices.yaml": DEVICES,
    "quizzes/miyako/01.yaml": QUIZ_BEFORE,
}
"""The test project with an obligation the revision leaves alone, and questions, before the revision."""

TRAINING_AFTER = {
    **REVISED_FILES,
    "content/miyako/source.txt": REVISED_SOURCE + DEVICES_SOURCE,
    "content/miyako/obligations/02-devices.yaml": DEVICES,
    "quizzes/miyako/01.yaml": QUIZ_AFTER,
}
"""The same after the revision (``HISTORY``): 1.3 ① and the question on it are unchanged."""

CHANGED_QUESTIONS = ["miyako.q-leak-whom", "miyako.q-leak-when", "miyako.q-length"]
"""The questions of ``TRAINING_AFTER`` that cite an obligation the revision changed, in bank order."""
