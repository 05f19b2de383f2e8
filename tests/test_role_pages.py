"""Role pages for people: 「まず守ること」 first (the editor's handful, in full), then the rest one
line each under task titles, the verbatim text one click away on the topic page; a manager sees
the all-staff handful first too, each duty once; ``essentials`` validated with its line."""

from __future__ import annotations

import re

import pytest

from generator.content import load_content
from generator.errors import HandbookError
from generator.renderers import Settings, render_pages

from .conftest import BASE_FILES, POLICY, html_file, write_files

TOPICS = ("topics:\n  - id: human\n    name: 人的セキュリティ\n"
          "  - id: passwords\n    name: パスワード\n    parent: human\n    task: パスワードを使うとき\n")

ESSENTIALS = "    essentials: [miyako.password-report-leak]\n"

FILES = {
    **BASE_FILES,
    "content/topics.yaml": TOPICS,
    "content/miyako/policy.yaml": POLICY.replace("    canonical: all-staff\n", "    canonical: all-staff\n" + ESSENTIALS, 1),
}


def pages(tmp_path, files: dict) -> dict[str, str]:
    content = load_content(write_files(tmp_path, files))
    return {o.path: o.data for o in render_pages(content, Settings(("miyako",))) if o.path.endswith(".md")}


def headings(page: str) -> list[str]:
    return re.findall(r"^(#{2,3} .*)$", page, re.M)


def test_the_handful_comes_first_in_full_and_the_rest_one_line_each_under_task_titles(tmp_path):
    staff = pages(tmp_path, FILES)["roles/staff.md"]
    assert headings(staff) == ["## まず守ること { #first }", "## しなければならないこと { #duties }",
                               "### パスワードを使うとき { #passwords }"]
    first, rest = staff.split("## しなければならないこと { #duties }")
    # the handful in full: verbatim text and conditions on the card
    assert '<div class="hb-obligation" id="miyako--password-report-leak" markdown="1">' in first
    assert "パスワードが流出した場合には、情報セキュリティ管理者に速やかに報告しなければならない。</blockquote>" in first
    # the rest one line each, the text one click away on the topic page, nothing shown twice
    assert "miyako--password-report-leak" not in rest
    assert ('<li id="miyako--password-keep-secret" markdown="span"><span class="hb-modality hb-must">しなければならない</span> '
            'パスワードを他人に知られないようにする　[1\\.1 ①](../source.md#c-1-1-1 "原文の該当箇所"){ .hb-clause }　'
            '[原文と条件](../topics/passwords.md#miyako--password-keep-secret)</li>') in rest
    assert "<blockquote" not in rest


def test_a_manager_sees_the_all_staff_handful_first_and_each_duty_once(tmp_path):
    manager = pages(tmp_path, FILES)["roles/security-manager.md"]
    assert [h for h in headings(manager) if h.startswith("## ")] == [
        "## まず守ること { #first }", "## 報告を受けること { #receives }",
        "## しなければならないこと { #duties }", "## 職員等として守ること { #as-staff }"]
    first = manager.split("## 報告を受けること")[0].split("## まず守ること { #first }")[1]
    assert "パスワードが流出したら所属長に速やかに報告する" in first and "[原文と条件](../topics/passwords.md#miyako--password-report-leak)" in first
    as_staff = manager.split("## 職員等として守ること { #as-staff }")[1]
    assert "（「まず守ること」にあるものを除きます）" in as_staff
    assert "password-report-leak" not in as_staff and "password-keep-secret" in as_staff
    assert "### パスワードを使うとき（職員等） { #staff-passwords }" in as_staff
    # an id on the page once: the report card keeps the anchor, the lines it follows as 職員等 do not
    ids = re.findall(r'\bid="([^"]+)"', manager)
    assert len(ids) == len(set(ids)) and "miyako--password-report-leak" in ids


def test_without_essentials_the_page_starts_with_the_duties(tmp_path):
    staff = pages(tmp_path, {**FILES, "content/miyako/policy.yaml": POLICY})["roles/staff.md"]
    assert headings(staff)[0] == "## しなければならないこと { #duties }"
    assert "まず守ること" not in staff


@pytest.mark.parametrize("essentials, message", [
    ("[miyako.no-such-duty]", "essentials にある「miyako.no-such-duty」はテスト市の義務にありません。"),
    ("[miyako.password-report-leak, miyako.password-report-leak]", "essentials に「miyako.password-report-leak」が2回以上あります。"),
    ("[" + ", ".join(["miyako.password-keep-secret"] * 9) + "]",
     "essentials が9件あります。毎週のように出会う8件以内に絞ってください。"),
])
def test_essentials_are_checked_with_their_line(tmp_path, essentials, message):
    policy = POLICY.replace("    canonical: all-staff\n", f"    canonical: all-staff\n    essentials: {essentials}\n", 1)
    with pytest.raises(HandbookError) as err:
        load_content(write_files(tmp_path, {**FILES, "content/miyako/policy.yaml": policy}))
    assert f"content/miyako/policy.yaml:9: 役割「staff」の {message}" in [str(p) for p in err.value.problems]


def test_essentials_must_be_the_roles_own_duties(tmp_path):
    policy = POLICY + "    essentials: [miyako.password-keep-secret]\n"
    with pytest.raises(HandbookError) as err:
        load_content(write_files(tmp_path, {**FILES, "content/miyako/policy.yaml": policy}))
    assert [str(p) for p in err.value.problems] == [
        "content/miyako/policy.yaml:13: 役割「security-manager」の essentials にある「miyako.password-keep-secret」は、"
        "この役割が actors にない義務です。この役割自身が守る義務を書いてください。"]


def test_real_staff_pages_open_with_the_handful(built_site):
    for city in ("miyako", "moriyama", "nabari"):
        html = html_file(built_site / "site", f"{city}/roles/staff").read_text(encoding="utf-8")
        article = html.split('<article class="md-content__inner md-typeset">')[1]
        assert re.findall(r"<h2[^>]*>(.*?)</h2>", article)[0].startswith("まず守ること")
        first = article.split('id="first"')[1].split("<h2")[0]
        assert 4 <= first.count('class="hb-obligation"') <= 8


def test_situations_met_week_by_week_come_first(tmp_path):
    topics = TOPICS.replace("    task: パスワードを使うとき\n", "    task: パスワードを使うとき\n    weekly: true\n").replace(
        "  - id: passwords\n", "  - id: organisation\n    name: 組織体制\n    parent: human\n    task: 役割を果たすとき\n  - id: passwords\n")
    chapter = BASE_FILES["content/miyako/obligations/01-password.yaml"].replace(
        "    topic: passwords\n    summary: パスワードを他人に知られないようにする", "    topic: organisation\n    summary: パスワードを他人に知られないようにする")
    staff = pages(tmp_path, {**FILES, "content/topics.yaml": topics, "content/miyako/obligations/01-password.yaml": chapter,
                             "content/miyako/policy.yaml": POLICY})["roles/staff.md"]
    assert headings(staff)[1:] == ["### パスワードを使うとき { #passwords }", "### 役割を果たすとき { #organisation }"]
