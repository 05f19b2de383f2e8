"""Revisions and comparison: ``handbook diff`` on folders and git revisions, the revision history
and its validation, the 改定のポイント page, the role pages' change lists, the 改定 badges, the quiz
bank's marks of changed questions and the portal's comparison pages (on the fixture revision in
``revision_fixture.py``)."""

from __future__ import annotations

import json
import subprocess

import pytest

from generator.build import build
from generator.cli import main
from generator.content import load_content
from generator.errors import HandbookError
from generator.renderers import Settings, render_pages

from .conftest import BASE_FILES, html_file, write_files
from .revision_fixture import (
    CHANGED_QUESTIONS, DELETED_FILES, HISTORY, REVISED_FILES, REVISED_POLICY, SECOND_POLICY, TRAINING_AFTER,
    TRAINING_BEFORE,
)


def run_diff(capsys, *args: str) -> str:
    assert main(["diff", *args]) == 0
    return capsys.readouterr().out


def test_diff_of_two_folders_lists_added_retired_and_renumbered_obligations(tmp_path, capsys):
    old, new = write_files(tmp_path / "old", BASE_FILES), write_files(tmp_path / "new", REVISED_FILES)
    result = json.loads(run_diff(capsys, str(old), str(new), "--policy", "miyako", "--json"))
    assert (result["old_revision"], result["new_revision"]) == ("2026-04-01", "2027-04-01")
    assert [o["id"] for o in result["added"]] == ["miyako.password-length", "miyako.manager-check"]
    assert result["removed"] == [{"id": "miyako.password-keep-secret", "clause": "1.1 ①",
                                  "summary": "パスワードを他人に知られないようにする", "deleted": False}]
    [changed] = result["changed"]
    assert (changed["id"], changed["old_clause"], changed["clause"], changed["renumbered"]) == (
        "miyako.password-report-leak", "1.1 ②", "1.2 ①", True)
    assert [f["field"] for f in changed["fields"]] == ["clause", "text", "summary", "deadline"]
    assert changed["fields"][3] == {"field": "deadline", "label": "期限", "old": "速やかに", "new": "直ちに"}
    assert result["changes"] == ["miyako.manager-check", "miyako.password-keep-secret",
                                 "miyako.password-length", "miyako.password-report-leak"]

    text = run_diff(capsys, str(old / "content"), str(new))  # a content folder works too; one policy needs no --policy
    assert text.splitlines()[:2] == ["テスト市（miyako）: 版 2026-04-01 → 2027-04-01",
                                     "追加 2 件・廃止 1 件・変更 1 件（うち条項番号の変更 1 件）"]
    assert "  + miyako.manager-check［1.2 ②］パスワードの管理状況を毎年度確認する" in text
    assert "  - miyako.password-keep-secret［1.1 ①］パスワードを他人に知られないようにする（retired: true）" in text
    assert "  ~ miyako.password-report-leak［1.1 ② → 1.2 ①（条項番号の変更）］パスワードが流出したら所属長に直ちに報告する" in text
    assert "      本文: パスワードが流出した場合には、情報セキュリティ管理者に［-速やか-］［+直ち+］に報告しなければならない。\n" in text
    assert "      期限: 速やかに\n      　　→ 直ちに\n" in text
    assert text.endswith("\npolicy.yaml の revisions に書く changes: [miyako.manager-check, miyako.password-keep-secret, "
                         "miyako.password-length, miyako.password-report-leak]\n")


def test_diff_tells_a_deleted_obligation_from_a_retired_one(tmp_path, capsys):
    old, new = write_files(tmp_path / "old", BASE_FILES), write_files(tmp_path / "new", DELETED_FILES)
    result = json.loads(run_diff(capsys, str(old), str(new), "--json"))
    assert [(r["id"], r["deleted"]) for r in result["removed"]] == [("miyako.password-keep-secret", True)]
    assert "（YAML から削除）" in run_diff(capsys, str(old), str(new))


def test_diff_of_the_same_content_has_no_changes(tmp_path, capsys):
    old = write_files(tmp_path / "old", BASE_FILES)
    assert run_diff(capsys, str(old), str(old)).endswith("\n義務に違いはありません。\n")


def test_diff_of_two_git_revisions(tmp_path, capsys):
    repo = tmp_path / "repo"
    project = repo / "handbook"  # the project need not be the repository's top folder
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    write_files(project, BASE_FILES)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    subprocess.run([*git, "tag", "r2026"], check=True)
    write_files(project, REVISED_FILES)
    subprocess.run([*git, "commit", "-qam", "revision"], check=True)
    assert main(["--root", str(project), "diff", "r2026", "HEAD", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [o["id"] for o in result["added"]] == ["miyako.password-length", "miyako.manager-check"]
    assert [c["id"] for c in result["changed"]] == ["miyako.password-report-leak"]
    assert main(["--root", str(project), "diff", "no-such-revision", "HEAD"]) == 2
    assert "「no-such-revision」はフォルダでも、content/ を含む Git の版でもありません。" in capsys.readouterr().err


def test_diff_needs_the_policy_when_there_are_several(tmp_path, capsys):
    old = write_files(tmp_path / "old", {**BASE_FILES, **SECOND_POLICY})
    assert main(["diff", str(old), str(old)]) == 2
    assert "--policy で規程を指定してください（miyako、nabari）。" in capsys.readouterr().err
    assert main(["diff", str(old), str(old), "--policy", "moriyama"]) == 2
    assert "規程「moriyama」は両方の版にはありません（両方にあるのは miyako、nabari）。" in capsys.readouterr().err


@pytest.mark.parametrize(("history", "message"), [
    (HISTORY.replace('"2027-04-01"', '"2027-02-30"'),
     "content/miyako/policy.yaml:6: 「date」は実在する日付を YYYY-MM-DD の形で書いてください（「2027-02-30」は日付ではありません）。"),
    (HISTORY.replace('"2027-04-01"', '"2027-03-01"'),
     "content/miyako/policy.yaml:6: revisions の先頭（最新の改定）の date「2027-03-01」が revision「2027-04-01」と一致しません。"
     "最新の改定を先頭に書き、revision と同じ日付にしてください。"),
    (HISTORY.replace('"2026-04-01"', '"2027-05-01"'),
     "content/miyako/policy.yaml:10: revisions は新しい順に、日付を重ねずに書いてください（「2027-04-01」の次に「2027-05-01」があります）。"),
    (HISTORY.replace("miyako.manager-check]", "miyako.manager-check, miyako.password-length]"),
     "content/miyako/policy.yaml:9: 改定「令和9年4月改定」の changes に「miyako.password-length」が2回以上あります。"),
    (HISTORY.replace("miyako.manager-check]", "miyako.no-such-duty]"),
     "content/miyako/policy.yaml:9: 改定「令和9年4月改定」の changes にある「miyako.no-such-duty」はテスト市の義務にありません。"),
])
def test_revision_history_is_validated(tmp_path, history, message):
    files = {**REVISED_FILES, "content/miyako/policy.yaml": REVISED_POLICY.replace(HISTORY, history)}
    with pytest.raises(HandbookError) as err:
        load_content(write_files(tmp_path, files))
    assert [str(p) for p in err.value.problems] == [message]


def staged(tmp_path, files: dict, policies: tuple[str, ...]) -> dict[str, str]:
    content = load_content(write_files(tmp_path, files))
    return {o.path: o.data for o in render_pages(content, Settings(policies)) if o.path.endswith(".md")}


def test_changes_page_lists_each_revision_with_links_to_the_obligations(tmp_path):
    pages = staged(tmp_path, REVISED_FILES, ("miyako",))
    page = pages["changes.md"]
    assert "## 令和9年4月改定（2027-04-01）\n\nパスワードの長さを定め、流出の報告を「直ちに」に改めました。\n\n変わった義務（4 件）:" in page
    assert "- <span class=\"hb-retired\">廃止</span> 1\\.1 ① パスワードを他人に知られないようにする\n" in page
    assert "- [1\\.1 ①](topics/passwords.md#miyako--password-length) パスワードを12文字以上にする（職員等）\n" in page
    assert "- [1\\.2 ②](topics/passwords.md#miyako--manager-check) パスワードの管理状況を毎年度確認する（情報セキュリティ管理者）\n" in page
    assert page.endswith("## 制定（2026-04-01）\n\nテスト市の最初の対策基準です。\n\n")
    assert "[改定のポイント](changes.md)" in pages["index.md"]


def test_role_pages_list_the_changes_that_concern_the_role_and_mark_the_cards(tmp_path):
    pages = staged(tmp_path, REVISED_FILES, ("miyako",))
    staff, manager = pages["roles/staff.md"], pages["roles/security-manager.md"]
    section = staff.split("## 改定で変わったこと\n\n")[1].split("\n## ")[0]
    assert "令和9年4月改定（2027-04-01）で、この役割に関わる次の義務が変わりました。改定の全体は[改定のポイント](../changes.md)にあります。" in section
    assert [line for line in section.splitlines() if line.startswith("- ")] == [
        '- <span class="hb-retired">廃止</span> 1\\.1 ① パスワードを他人に知られないようにする',
        "- [1\\.1 ①](../topics/passwords.md#miyako--password-length) パスワードを12文字以上にする",
        "- [1\\.2 ①](../topics/passwords.md#miyako--password-report-leak) パスワードが流出したら所属長に直ちに報告する",
    ]
    assert "miyako--manager-check" not in staff  # the manager's own duty does not concern all staff
    assert "[1\\.2 ②](../topics/passwords.md#miyako--manager-check)" in manager.split("## しなければならないこと")[0]
    badge = '<span class="hb-revised" title="令和9年4月改定で変わった義務">改定 2027-04-01</span>'
    assert staff.count(badge) == 2 and manager.count(badge) == 4  # the manager also sees 報告を受けること
    assert f'<li markdown="span">{badge}[1\\.2 ①](topics/passwords.md#miyako--password-report-leak)' in pages["source.md"]


def test_a_current_revision_alone_publishes_no_change_list(tmp_path):
    current = 'revisions:\n  - date: "2026-04-01"\n    title: 現行版\n    summary: 現在の版です。\n'
    policy = BASE_FILES["content/miyako/policy.yaml"].replace("roles:\n", current + "roles:\n", 1)
    pages = staged(tmp_path, {**BASE_FILES, "content/miyako/policy.yaml": policy}, ("miyako",))
    assert pages["changes.md"].endswith("# 改定のポイント\n\nテスト市情報セキュリティ対策基準の改定を、新しいものから順に示します。\n\n"
                                        "## 現行版（2026-04-01）\n\n現在の版です。\n\n")
    assert "改定で変わったこと" not in pages["roles/staff.md"] and "hb-revised" not in pages["roles/staff.md"]


def quiz_outputs(tmp_path, files: dict) -> tuple[dict, dict[str, str]]:
    """The bank.js data of the project's policy, and its quiz pages by role id."""
    content = load_content(write_files(tmp_path, files))
    outputs = {o.path: o.data for o in render_pages(content, Settings(("miyako",)))}
    data = json.loads(outputs["quiz/bank.js"].splitlines()[-1].split(" = ", 1)[1].removesuffix(";"))
    return data, {path.removeprefix("quiz/").removesuffix(".md"): text for path, text in outputs.items()
                  if path.startswith("quiz/") and path.endswith(".md")}


def test_quiz_bank_marks_the_questions_the_revision_changed_and_versions_each_question(tmp_path):
    before, before_pages = quiz_outputs(tmp_path / "before", TRAINING_BEFORE)
    after, after_pages = quiz_outputs(tmp_path / "after", TRAINING_AFTER)
    assert before["changes"] is None and not any(q["changed"] for q in before["questions"])
    assert after["changes"] == {"date": "2027-04-01", "title": "令和9年4月改定"}
    assert [q["id"] for q in after["questions"] if q["changed"]] == CHANGED_QUESTIONS
    # the version follows the wording and the answer: the deadline question's answer changed
    version = {data["revision"]: {q["id"]: q["version"] for q in data["questions"]} for data in (before, after)}
    old, new = version["2026-04-01"], version["2027-04-01"]
    assert [qid for qid in old if old[qid] == new[qid]] == ["miyako.q-lock", "miyako.q-leak-whom"]
    assert old["miyako.q-leak-when"] != new["miyako.q-leak-when"]
    assert all(len(v) == 10 for v in new.values())

    line = "- **今回の改定で変わったところ**: 令和9年4月改定（2027-04-01）で変わった義務の問題（3 問）だけを練習できます。"
    assert line in after_pages["staff"] and line in after_pages["security-manager"]
    assert "今回の改定で変わったところ" not in before_pages["staff"]

    # no change list recorded: nothing is marked and the page says nothing of it
    unlisted = {**TRAINING_AFTER, "content/miyako/policy.yaml": REVISED_POLICY.replace(
        "    changes: [miyako.password-keep-secret, miyako.password-length, miyako.password-report-leak, "
        "miyako.manager-check]\n", "")}
    data, pages = quiz_outputs(tmp_path / "unlisted", unlisted)
    assert data["changes"] is None and not any(q["changed"] for q in data["questions"])
    assert "今回の改定で変わったところ" not in pages["staff"]


def test_comparison_pages_put_the_municipalities_side_by_side(tmp_path):
    pages = staged(tmp_path, {**REVISED_FILES, **SECOND_POLICY}, ("miyako", "nabari"))
    overview = pages["compare/index.md"]
    assert ('<tr markdown="1"><td markdown="span">[パスワード](topics/passwords.md)</td><td>3</td><td>0</td></tr>'
            in overview)
    assert '<tr markdown="1"><td markdown="span">[課長](roles/section-head.md)</td><td>1</td><td>—</td></tr>' in overview
    gaps = overview.split("## 他の団体にあって自団体にない要求\n\n")[1]
    assert ("### テスト市\n\n次の場面では、他の団体が義務を定めていますが、テスト市の対策基準には義務がありません（2 件）。\n\n"
            "- [人的セキュリティ](topics/human.md): 比較市 1 件\n- [電子メール](topics/email.md): 比較市 1 件\n\n") in gaps
    assert "### 比較市\n\n次の場面では、他の団体が義務を定めていますが、比較市の対策基準には義務がありません（1 件）。\n\n" \
           "- [パスワード](topics/passwords.md): テスト市 3 件\n" in gaps
    topic = pages["compare/topics/passwords.md"]
    assert '<th scope="col">テスト市（3 件）</th><th scope="col">比較市（0 件）</th>' in topic
    assert ('<li markdown="span">[1\\.2 ②](../../miyako/topics/passwords.md#miyako--manager-check) '
            "パスワードの管理状況を毎年度確認する（情報セキュリティ管理者）</li>") in topic
    assert "<p>義務はありません。</p>" in topic
    role = pages["compare/roles/all-staff.md"]
    assert "[職員等](../../miyako/roles/staff.md)" in role and "[職員](../../nabari/roles/staff.md)" in role
    assert "[2\\.1 ①](../../nabari/topics/human.md#nabari--training-attend) 情報セキュリティ研修を毎年度受ける</li>" in role
    assert "この役割はありません。" in pages["compare/roles/section-head.md"]
    assert not any(path.startswith("compare/") for path in staged(tmp_path / "one", REVISED_FILES, ("miyako",)))


@pytest.mark.slow
def test_revised_portal_builds_with_the_comparison_in_its_navigation(project):
    root = project({**REVISED_FILES, **SECOND_POLICY})
    build(root)
    site = root / "site"
    portal = html_file(site, "index").read_text(encoding="utf-8")
    assert "団体の比較" in portal
    staff = html_file(site, "miyako/roles/staff").read_text(encoding="utf-8")
    assert '<span class="hb-revised" title="令和9年4月改定で変わった義務">改定 2027-04-01</span>' in staff
    assert '<a href="../changes.html">改定のポイント</a>' in staff
    topic = html_file(site, "compare/topics/passwords").read_text(encoding="utf-8")
    assert '<a href="../../miyako/topics/passwords.html#miyako--manager-check">1.2 ②</a>' in topic
