"""The browser quiz in real chromium: practice with spaced repetition, the exam, completion records,
escaping, and training across a revision (the 「今回の改定で変わったところ」 set, the exam option,
practice state carried over). The answers are read from the page's own data (window.HANDBOOK_QUIZ)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import build
from generator.completion import parse_record
from generator.content import load_content
from generator.questions import bank, pool
from generator.training.bank import Banks, regrade

from .conftest import ROOT, built_once, make_project, serve
from .revision_fixture import CHANGED_QUESTIONS, TRAINING_AFTER, TRAINING_BEFORE

PAGE = "/miyako/quiz/staff.html"


def checked_page(browser, origin: str) -> Iterator:
    """A page in a new context; afterwards, no script error and no request outside ``origin``."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.errors, page.requests = errors, requests
    yield page
    assert errors == []
    assert all(url.startswith((origin, "blob:", "data:")) for url in requests), requests
    context.close()


@pytest.fixture
def page(browser, site_url):
    yield from checked_page(browser, site_url)


def answers(page) -> dict[str, int]:
    return page.evaluate("() => Object.fromEntries(window.HANDBOOK_QUIZ.miyako.questions.map(q => [q.id, q.answer]))")


def due(page) -> int:
    return int(page.locator(".hb-quiz-due").get_attribute("data-due"))


def local_today(page) -> str:
    return page.evaluate("() => { const d = new Date(); return d.getFullYear() + '-' + "
                         "String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }")


def open_quiz(page, url):
    page.goto(url)
    page.wait_for_selector(".hb-quiz-card[data-question-id], .hb-quiz-done")  # the scheduler has loaded


def test_practice_answer_feedback_next_and_reload_keeps_the_state(page, site_url):
    open_quiz(page, site_url + PAGE)
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
    assert href.split("/")[-1].startswith("source.html#c-")
    assert due(page) == before - 1
    assert page.evaluate("() => document.activeElement.className").startswith("hb-quiz-next")

    page.keyboard.press("Enter")  # the focused 次の問題へ button
    second = card.get_attribute("data-question-id")
    assert second and second != first
    wrong = next(i for i in range(3) if i != key[second])
    position = card.locator(f'.hb-quiz-choice[data-index="{wrong}"]').get_attribute("data-position")
    page.keyboard.press(position)  # number keys answer by the position shown
    assert page.locator(".hb-quiz-verdict").inner_text().startswith("不正解です。正解は「")
    assert due(page) == before - 1  # a wrong answer stays due today

    stored = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('hb-quiz:miyako:')).sort()")
    version = page.evaluate("() => Object.fromEntries(window.HANDBOOK_QUIZ.miyako.questions.map(q => [q.id, q.version]))")
    assert stored == sorted(f"hb-quiz:miyako:{qid}:{version[qid]}" for qid in (first, second))
    page.reload()
    page.wait_for_selector(".hb-quiz-card[data-question-id]")
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
    today = local_today(page)
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
    confirm = page.locator(".hb-quiz-confirm")  # asked before grading
    assert confirm.get_attribute("data-unanswered") == "5"
    assert "問 16、問 17、問 18、問 19、問 20" in confirm.inner_text()
    assert page.locator(".hb-quiz-result").count() == 0
    page.locator(".hb-quiz-confirm-grade").click()
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
        assert item.locator("a.hb-quiz-clause").get_attribute("href").split("/")[-1].startswith("source.html#c-")
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
    for _ in range(10):  # generated questions may come first: answer them until the authored one
        card.locator(".hb-quiz-q").wait_for()
        if card.get_attribute("data-question-id") == "miyako.q-escape":
            break
        right = page.evaluate("(id) => window.HANDBOOK_QUIZ.miyako.questions.find(q => q.id === id).answer",
                              card.get_attribute("data-question-id"))
        card.locator(f'.hb-quiz-choice[data-index="{right}"]').click()  # right: not due again today
        page.locator(".hb-quiz-next").click()
    assert card.locator(".hb-quiz-q").inner_text() == '<img src=x onerror="window.__xss=1"> のような文字列を含む問題です。'
    assert sorted(c.strip()[1:] for c in card.locator(".hb-quiz-choice").all_inner_texts()) == [
        "<b>太字ではない</b>", "<script>window.__xss=2</script>"]
    card.locator('.hb-quiz-choice[data-index="0"]').click()
    assert card.locator(".hb-quiz-explanation").inner_text() == '<img src=y onerror="window.__xss=3">'
    assert page.locator(".hb-quiz img, .hb-quiz b, .hb-quiz script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert errors == []
    page.close()


def shown(page) -> list[tuple[str, list[int]]]:
    """Each exam question's id and its choices' indexes in the order shown."""
    return page.evaluate("""() => [...document.querySelectorAll('fieldset.hb-quiz-item')].map(f =>
        [f.dataset.questionId, [...f.querySelectorAll('input')].map(i => +i.value)])""")


def test_exam_draw_quotas_shuffled_choices_stable_on_reload_new_on_retake(page, site_url):
    open_quiz(page, site_url + PAGE)
    start_exam(page)
    first = shown(page)
    kinds = page.evaluate("() => Object.fromEntries(window.HANDBOOK_QUIZ.miyako.questions.map(q => [q.id, q.applied]))")
    assert sum(kinds[qid] for qid, _ in first) >= 12  # at least 60 % scenario or applied
    assert any(order != sorted(order) for _, order in first)  # choices are not in the bank's order
    page.reload()  # the same attempt: the same questions, choices in the same order
    page.wait_for_selector("fieldset.hb-quiz-item")
    assert page.locator('[data-mode="exam"]').get_attribute("aria-pressed") == "true"
    assert shown(page) == first
    key = answers(page)
    for n, (qid, _) in enumerate(first):
        page.locator(f"#hb-exam-{n}-{key[qid]}").check()
    page.locator(".hb-quiz-submit").click()  # all answered: graded at once
    assert page.locator(".hb-quiz-confirm").count() == 0
    assert page.locator(".hb-quiz-result").get_attribute("data-correct") == "20"
    page.locator(".hb-quiz-retake").click()
    assert shown(page) != first
    page.reload()  # a graded attempt is over: the reload keeps the new attempt, not the old one
    page.wait_for_selector("fieldset.hb-quiz-item")
    assert shown(page) != first


def test_unanswered_questions_are_flagged_and_the_taker_can_go_back(page, site_url):
    open_quiz(page, site_url + PAGE)
    ids = start_exam(page)
    key = answers(page)
    for n, qid in enumerate(ids):
        if n != 6:
            page.locator(f"#hb-exam-{n}-{key[qid]}").check()
    page.locator(".hb-quiz-submit").click()
    assert page.locator(".hb-quiz-confirm").inner_text().startswith("まだ答えていない問題が 1 問あります（問 7）。")
    item = page.locator("fieldset.hb-quiz-item").nth(6)
    assert "hb-quiz-unanswered" in item.get_attribute("class")
    page.locator(".hb-quiz-confirm-back").click()
    assert page.locator(".hb-quiz-confirm").count() == 0
    assert page.evaluate("() => document.activeElement.closest('fieldset').dataset.questionId") == ids[6]
    page.locator(f"#hb-exam-6-{key[ids[6]]}").check()
    assert "hb-quiz-unanswered" not in item.get_attribute("class")
    page.locator(".hb-quiz-submit").click()
    assert page.locator(".hb-quiz-result").get_attribute("data-passed") == "1"


STORED = """(id) => {
    const q = window.HANDBOOK_QUIZ.miyako.questions.find(q => q.id === id);
    return JSON.parse(localStorage.getItem('hb-quiz:miyako:' + q.id + ':' + q.version));
}"""
"""A question's practice state, as the page's own bank keys it (None when there is none)."""


def stored(page, qid: str) -> dict | None:
    return page.evaluate(STORED, qid)


def test_practice_is_scheduled_by_fsrs_and_leitner_state_per_revision_is_carried_over(page, site_url):
    open_quiz(page, site_url + PAGE)
    revision = load_content(ROOT).policy("miyako").revision
    assert page.evaluate("() => typeof window.FSRS.fsrs") == "function"  # the vendored ts-fsrs
    assert any(url.endswith("/assets/vendor/ts-fsrs-5.4.2/ts-fsrs.umd.js") for url in page.requests)
    ids = page.evaluate("() => window.HANDBOOK_QUIZ.miyako.questions.filter(q => q.roles.length === 0).map(q => q.id)")
    late, later = ids[0], ids[1]
    # Practice state as the Leitner scheduler left it: box 3 (7 days) due yesterday, box 2 due in five days.
    page.evaluate("""([revision, late, later]) => {
        const day = (n) => { const d = new Date(); d.setDate(d.getDate() + n);
          return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); };
        localStorage.setItem('hb-quiz:miyako:' + revision + ':' + late,
          JSON.stringify({box: 3, first: day(-20), due: day(-1), reps: 3, lapses: 1, last: Date.now() - 8 * 864e5}));
        localStorage.setItem('hb-quiz:miyako:' + revision + ':' + later,
          JSON.stringify({box: 2, first: day(-20), due: day(5), reps: 2, lapses: 0, last: Date.now() - 2 * 864e5}));
    }""", [revision, late, later])
    open_quiz(page, site_url + PAGE)
    # moved from the key of the revision to the question's own key
    assert page.evaluate("(r) => Object.keys(localStorage).filter(k => k.includes(':' + r + ':'))", revision) == []
    carried = stored(page, late)
    assert carried["fsrs"]["state"] == 2 and carried["fsrs"]["stability"] == 7 and carried["fsrs"]["reps"] == 3
    assert stored(page, later)["fsrs"]["scheduled_days"] == 3 and stored(page, later)["due"] > carried["due"]
    card = page.locator(".hb-quiz-card")
    assert card.get_attribute("data-question-id") == late  # the overdue review comes first
    key = answers(page)
    card.locator(f'.hb-quiz-choice[data-index="{key[late]}"]').click()
    reviewed = stored(page, late)
    assert reviewed["fsrs"]["reps"] == 4 and reviewed["fsrs"]["state"] == 2
    assert reviewed["fsrs"]["scheduled_days"] > 7 and reviewed["due"] > carried["due"]  # recalled after 8 days: longer
    page.locator(".hb-quiz-next").click()
    fresh = card.get_attribute("data-question-id")
    wrong = next(i for i in range(3) if i != key[fresh])
    card.locator(f'.hb-quiz-choice[data-index="{wrong}"]').click()
    relearn = stored(page, fresh)
    assert relearn["fsrs"]["state"] == 1 and relearn["due"] == local_today(page)  # again in ten minutes
    assert 0 < (page.evaluate(f"() => Date.parse({relearn['fsrs']['due']!r})") - page.evaluate("() => Date.now()")) <= 10 * 60_000


# --- training across a revision: the fixture project before and after it, on one origin ----------

@pytest.fixture(scope="module")
def revision_url(tmp_path_factory):
    """The fixture project built before (``/before/``) and after (``/after/``) the revision, with
    exams of 2 questions, served from one origin (one localStorage): ``http://127.0.0.1:N``."""

    def make(served: Path) -> None:
        for name, files in (("before", TRAINING_BEFORE), ("after", TRAINING_AFTER)):
            root = make_project(served / f"{name}-project", files)
            config = root / "mkdocs.yml"
            config.write_text(config.read_text(encoding="utf-8").replace(
                "  - handbook\n", "  - handbook:\n      quiz_questions: 2\n"), encoding="utf-8")
            build(root)
            (root / "site").rename(served / name)

    with serve(built_once(tmp_path_factory, "revision", make)) as url:
        yield url


@pytest.fixture
def revision_page(browser, revision_url):
    yield from checked_page(browser, revision_url)


def practise_all(page) -> list[str]:
    """Answer every question due in the practice set shown, rightly; their ids in the order asked."""
    card, asked = page.locator(".hb-quiz-card"), []
    key = answers(page)
    while not page.locator(".hb-quiz-done").count():
        qid = card.get_attribute("data-question-id")
        asked.append(qid)
        card.locator(f'.hb-quiz-choice[data-index="{key[qid]}"]').click()
        page.locator(".hb-quiz-next").click()
    return asked


@pytest.mark.slow
def test_changed_practice_set_holds_exactly_the_questions_the_revision_changed(revision_page, revision_url):
    page = revision_page
    open_quiz(page, revision_url + "/after/quiz/staff.html")
    sets = page.locator(".hb-quiz-sets")
    assert sets.locator(".hb-quiz-help").inner_text() == "「今回の改定で変わったところ」は、令和9年4月改定（2027-04-01）で変わった義務の問題です。"
    assert sets.locator('[data-set="all"]').get_attribute("aria-pressed") == "true"
    changed = sets.locator('[data-set="changed"]')
    assert changed.inner_text() == "今回の改定で変わったところ（3 問）"
    changed.click()
    assert changed.get_attribute("aria-pressed") == "true"
    open_quiz(page, revision_url + "/after/quiz/staff.html")  # the choice is kept over a reload
    assert changed.get_attribute("aria-pressed") == "true" and sets.locator('[data-set="all"]').get_attribute("aria-pressed") == "false"
    assert page.locator(".hb-quiz-due").inner_text() == "今日の出題: 残り 3 問（復習 0 問・新しい問題 3 問）／全 3 問"
    assert sorted(practise_all(page)) == sorted(CHANGED_QUESTIONS)
    sets.locator('[data-set="all"]').click()  # the whole set: only the unchanged question is left today
    assert practise_all(page) == ["miyako.q-lock"]

    # exam: the option draws the changed questions first (2 of the 3 here), kept over a reload and a retake
    page.locator('[data-mode="exam"]').click()
    option = page.locator("#hb-quiz-changed-first")
    assert page.locator('label[for="hb-quiz-changed-first"]').inner_text() == (
        "今回の改定で変わった問題（3 問）を優先して出題する（令和9年4月改定、2027-04-01）")
    option.check()
    page.locator(".hb-quiz-start").click()
    exam = page.locator(".hb-quiz-exam")
    assert exam.get_attribute("data-changed-first") == "1"
    assert "今回の改定で変わった問題を優先して出題しています。" in exam.locator("p").first.inner_text()
    first = [qid for qid, _ in shown(page)]
    assert len(first) == 2 and set(first) <= set(CHANGED_QUESTIONS)
    page.reload()
    page.wait_for_selector("fieldset.hb-quiz-item")
    assert [qid for qid, _ in shown(page)] == first
    page.locator(".hb-quiz-submit").click()
    page.locator(".hb-quiz-confirm-grade").click()
    for _ in range(8):  # a draw that ignored the option would bring the question on 1.3 ① half the time
        page.locator(".hb-quiz-retake").click()
        assert exam.get_attribute("data-changed-first") == "1"
        assert set(qid for qid, _ in shown(page)) <= set(CHANGED_QUESTIONS)
        page.locator(".hb-quiz-submit").click()
        page.locator(".hb-quiz-confirm-grade").click()


@pytest.mark.slow
def test_no_changed_set_or_exam_option_without_a_change_list(revision_page, revision_url):
    page = revision_page
    open_quiz(page, revision_url + "/before/quiz/staff.html")
    assert page.locator(".hb-quiz-sets").count() == 0
    page.locator('[data-mode="exam"]').click()
    assert page.locator(".hb-quiz-start").count() == 1 and page.locator("#hb-quiz-changed-first").count() == 0


@pytest.mark.slow
def test_practice_state_carries_over_to_the_revision_for_unchanged_questions(revision_page, revision_url):
    page = revision_page
    open_quiz(page, revision_url + "/before/quiz/staff.html")
    assert sorted(practise_all(page)) == ["miyako.q-leak-when", "miyako.q-leak-whom", "miyako.q-lock"]
    before = {qid: stored(page, qid) for qid in ("miyako.q-lock", "miyako.q-leak-whom", "miyako.q-leak-when")}
    assert all(before.values())

    open_quiz(page, revision_url + "/after/quiz/staff.html")
    # unchanged wording and answer: the same state, not due today (q-leak-whom cites a changed
    # obligation, but asks what did not change); the deadline question's answer changed: new again
    assert stored(page, "miyako.q-lock") == before["miyako.q-lock"]
    assert stored(page, "miyako.q-leak-whom") == before["miyako.q-leak-whom"]
    assert stored(page, "miyako.q-leak-when") is None and stored(page, "miyako.q-length") is None
    assert page.locator(".hb-quiz-due").inner_text() == "今日の出題: 残り 2 問（復習 0 問・新しい問題 2 問）／全 4 問"
    assert sorted(practise_all(page)) == ["miyako.q-leak-when", "miyako.q-length"]
