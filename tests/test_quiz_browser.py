"""The browser quiz in real chromium: practice with spaced repetition, the exam, completion records,
escaping. The answers are read from the page's own data (window.HANDBOOK_QUIZ)."""

from __future__ import annotations

import pytest

from generator.build import build
from generator.completion import parse_record
from generator.content import load_content
from generator.questions import bank, pool
from generator.training.bank import Banks, regrade

from .conftest import ROOT

PAGE = "/miyako/quiz/staff.html"


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.errors, page.requests = errors, requests
    yield page
    assert errors == []
    assert all(url.startswith((site_url, "blob:", "data:")) for url in requests), requests
    context.close()


def answers(page) -> dict[str, int]:
    return page.evaluate("() => Object.fromEntries(window.HANDBOOK_QUIZ.miyako.questions.map(q => [q.id, q.answer]))")


def due(page) -> int:
    return int(page.locator(".hb-quiz-due").get_attribute("data-due"))


def test_practice_answer_feedback_next_and_reload_keeps_the_state(page, site_url):
    page.goto(site_url + PAGE)
    content = load_content(ROOT)
    policy = content.policy("miyako")
    size = len(pool(bank(content, policy), policy, policy.role("staff")))
    assert f"／全 {size} 問" in page.locator(".hb-quiz-due").inner_text()
    key = answers(page)
    before = due(page)
    assert before == min(20, size)

    card = page.locator(".hb-quiz-card")
    first = card.get_attribute("data-question-id")
    page.locator(f'.hb-quiz-choice[data-index="{key[first]}"]').click()
    feedback = page.locator(".hb-quiz-feedback")
    assert feedback.locator(".hb-quiz-verdict").inner_text() == "正解です。"
    question = next(q for q in bank(content, policy) if q.id == first)
    assert feedback.locator(".hb-quiz-explanation").inner_text() == question.explanation
    link = feedback.locator("a.hb-quiz-clause")
    href = link.get_attribute("href")
    assert href.startswith("../source.html#c-")
    assert due(page) == before - 1
    assert page.evaluate("() => document.activeElement.className").startswith("hb-quiz-next")

    page.keyboard.press("Enter")  # the focused 次の問題へ button
    second = card.get_attribute("data-question-id")
    assert second and second != first
    wrong = next(i for i in range(4) if i != key[second])
    page.keyboard.press(str(wrong + 1))  # number keys answer
    assert page.locator(".hb-quiz-verdict").inner_text().startswith("不正解です。正解は「")
    assert due(page) == before - 1  # a wrong answer stays due today

    stored = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('hb-quiz:miyako:')).sort()")
    assert stored == sorted(f"hb-quiz:miyako:{policy.revision}:{qid}" for qid in (first, second))
    page.reload()
    assert due(page) == before - 1
    assert page.locator(".hb-quiz-card").get_attribute("data-question-id") != first

    # the clause link leads to the anchor on the original text
    anchor = href.split("#")[1]
    page.goto(site_url + "/miyako/source.html")
    assert page.locator(f"#{anchor}").count() == 1, anchor


def start_exam(page):
    page.locator('[data-mode="exam"]').click()
    page.locator(".hb-quiz-start").click()
    items = page.locator("fieldset.hb-quiz-item")
    return [items.nth(i).get_attribute("data-question-id") for i in range(items.count())]


def test_exam_pass_gives_a_record_that_the_python_verifier_accepts(page, site_url):
    page.goto(site_url + PAGE)
    key = answers(page)
    ids = start_exam(page)
    assert len(ids) == 20 and len(set(ids)) == 20
    for n, qid in enumerate(ids):
        page.locator(f"#hb-exam-{n}-{key[qid]}").check()
    page.locator(".hb-quiz-submit").click()
    result = page.locator(".hb-quiz-result")
    assert result.get_attribute("data-passed") == "1"
    assert result.locator(".hb-quiz-score").inner_text() == "20 問中 20 問正解（100%）。合格です。合格ラインは 80% です。"

    staff = page.locator("#hb-quiz-staff")
    staff.fill("12")
    page.locator(".hb-quiz-make").click()
    assert page.locator(".hb-quiz-staff-error").inner_text() == "職員番号は半角英数字3〜16桁で入力してください。"
    staff.fill("ａ１２３４５")  # full-width input is converted
    staff.press("Enter")
    assert page.locator(".hb-quiz-staff-error").inner_text() == "氏名を入力してください。"
    page.locator("#hb-quiz-name").fill("宮古 花子")
    page.locator("#hb-quiz-unit").fill('総務課,"情報"係')
    page.locator("#hb-quiz-unit").press("Enter")
    line = page.locator("input.hb-quiz-record").input_value()
    today = page.evaluate("() => { const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }")
    record = parse_record(line)
    content = load_content(ROOT)
    revision = content.policy("miyako").revision
    assert (record.staff_number, record.name, record.unit, record.policy, record.revision, record.role) == (
        "A12345", "宮古 花子", '総務課,"情報"係', "miyako", revision, "staff")
    assert (record.correct, record.total, record.day.isoformat()) == (20, 20, today)
    assert [qid for qid, _ in record.answers] == ids and record.started <= record.finished
    assert regrade(record, Banks.load(content, None), 20) == 20

    with page.expect_download() as info:
        page.locator(".hb-quiz-download").click()
    download = info.value
    assert download.suggested_filename == f"completion-miyako-staff-A12345-{today}.txt"
    data = open(download.path(), "rb").read()
    assert data == (line + "\r\n").encode("utf-8")  # no BOM: files join cleanly

    # a second staff number typed into the same form gives the same attempt id: flagged on import
    staff.fill("B99999")
    staff.press("Enter")
    other = parse_record(page.locator("input.hb-quiz-record").input_value())
    assert other.attempt == record.attempt and other.staff_number == "B99999"


def test_exam_fail_explains_every_wrong_answer_and_retake_draws_anew(page, site_url):
    page.goto(site_url + PAGE)
    key = answers(page)
    ids = start_exam(page)
    for n, qid in enumerate(ids[:15]):  # five left unanswered
        page.locator(f"#hb-exam-{n}-{(key[qid] + 1) % 2}").check()
    page.locator(".hb-quiz-submit").click()
    result = page.locator(".hb-quiz-result")
    assert result.get_attribute("data-passed") == "0"
    assert result.locator(".hb-quiz-score").inner_text() == "20 問中 0 問正解（0%）。不合格です。合格ラインは 80% です。"
    assert page.locator("#hb-quiz-staff").count() == 0
    items = page.locator("fieldset.hb-quiz-item")
    for n in range(20):
        item = items.nth(n)
        assert item.get_attribute("data-result") == "wrong"
        verdict = item.locator(".hb-quiz-verdict").inner_text()
        assert verdict.startswith("不正解です。" if n < 15 else "未回答です。")
        assert item.locator("a.hb-quiz-clause").get_attribute("href").startswith("../source.html#c-")
        assert item.locator("input:disabled").count() == item.locator("input").count()
    assert page.locator(".hb-quiz-submit").is_disabled()

    page.locator(".hb-quiz-retake").click()
    again = [page.locator("fieldset.hb-quiz-item").nth(i).get_attribute("data-question-id") for i in range(20)]
    assert page.locator(".hb-quiz-result").count() == 0 and page.locator(".hb-quiz input:checked").count() == 0
    assert again != ids  # a new draw (20 of more than a hundred questions)


ESCAPE_QUIZ = """\
questions:
  - id: miyako.q-escape
    question: <img src=x onerror="window.__xss=1"> のような文字列を含む問題です。
    choices: ['<b>太字ではない</b>', '<script>window.__xss=2</script>']
    answer: 0
    explanation: <img src=y onerror="window.__xss=3">
    cites: [miyako.password-keep-secret]
"""


@pytest.mark.slow
def test_question_text_is_shown_as_text_from_a_file_share(project, browser):
    root = project({"quizzes/miyako/01.yaml": ESCAPE_QUIZ})
    build(root)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((root / "site" / "quiz" / "staff.html").as_uri())  # file://, single-policy layout
    card = page.locator(".hb-quiz-card")
    assert card.locator(".hb-quiz-q").inner_text() == '<img src=x onerror="window.__xss=1"> のような文字列を含む問題です。'
    assert [c.strip() for c in card.locator(".hb-quiz-choice").all_inner_texts()] == [
        "1<b>太字ではない</b>", "2<script>window.__xss=2</script>"]
    card.locator('.hb-quiz-choice[data-index="0"]').click()
    assert card.locator(".hb-quiz-explanation").inner_text() == '<img src=y onerror="window.__xss=3">'
    assert page.locator(".hb-quiz img, .hb-quiz b, .hb-quiz script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert errors == []
    page.close()
