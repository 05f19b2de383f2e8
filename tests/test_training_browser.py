"""The trainer's check page and the SCORM package in real chromium, opened from file://."""

from __future__ import annotations

import dataclasses
import datetime
import shutil

import pytest

from generator.completion import parse_record
from generator.content import load_content
from generator.training.bank import Banks, regrade
from generator.training.checkpage import check_fragment, check_page_outputs

from .conftest import ROOT
from .training_helpers import QUIZ, record


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    yield page
    assert errors == []
    assert all(url.startswith(("file://", "blob:", "data:")) for url in requests), requests
    context.close()


def test_check_page_regrades_flags_duplicates_escapes_and_merges(project, page, tmp_path):
    root = project({"quizzes/miyako/01.yaml": QUIZ})
    content = load_content(root)
    outputs = dict(check_page_outputs(content, ["miyako"], questions=20, pass_mark=80))
    assert set(outputs) == {"training/check.md", "training/banks.js"}
    site = tmp_path / "site"
    (site / "training" / "check").mkdir(parents=True)
    (site / "training" / "banks.js").write_text(outputs["training/banks.js"], encoding="utf-8")
    (site / "assets").mkdir()
    shutil.copy(ROOT / "docs" / "assets" / "check.js", site / "assets" / "check.js")
    (site / "training" / "check" / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><body>" + check_fragment(20, 80)
        + '<script src="../banks.js"></script><script src="../../assets/check.js"></script>', encoding="utf-8")

    bank = Banks.load(content, None).get("miyako", "2026-04-01")
    day = datetime.date(2026, 5, 1)
    good = record(bank, "A0001", day, name="<img src=x onerror=alert(1)>")
    failed = record(bank, "A0002", day, 0)
    zero = record(bank, "A0003", day, 0)
    forged = dataclasses.replace(zero, correct=zero.total).line()  # score raised, answers left as they were
    mine = record(bank, "B0001", day, attempt="cd" * 16)
    copied = record(bank, "B0002", day, attempt="cd" * 16)
    page.goto((site / "training" / "check" / "index.html").as_uri())
    page.locator("#hb-check-input").fill("\n".join([good.line(), failed.line(), forged, "garbage", good.line()]))
    page.locator("#hb-check-files").set_input_files([
        {"name": "b1.txt", "mimeType": "text/plain", "buffer": ("\ufeff" + mine.line() + "\r\n").encode()},
        {"name": "b2.txt", "mimeType": "text/plain", "buffer": ("\ufeff" + copied.line() + "\r\n").encode()},
    ])
    page.wait_for_function("document.querySelectorAll('.hb-check-table tr').length === 7")
    rows = page.locator(".hb-check-table tr")
    states = [(rows.nth(i).get_attribute("data-state"), rows.nth(i).locator("td").nth(0).inner_text(),
               rows.nth(i).locator("td").nth(1).inner_text()) for i in range(1, 7)]
    assert states == [("ok", "合格", "A0001"), ("ok", "不合格", "A0002"), ("bad", "受け付けません", "A0003"),
                      ("bad", "受け付けません", ""), ("dup", "要確認", "B0001"), ("dup", "要確認", "B0002")]
    assert "採点し直した結果 0 と一致しません" in rows.nth(3).inner_text()
    assert rows.nth(1).locator("td").nth(2).inner_text() == "<img src=x onerror=alert(1)>"  # text, not markup
    assert page.locator(".hb-check-table img").count() == 0
    assert page.locator(".hb-check-summary").inner_text() == "記録 6 件: 確認済み 2 件、要確認 2 件、受け付けない 2 件。"

    with page.expect_download() as info:
        page.locator(".hb-check-download").click()
    merged = open(info.value.path(), "rb").read()
    assert b"\xef\xbb\xbf" not in merged
    lines = merged.decode("utf-8").split("\r\n")
    assert lines == [good.line(), failed.line(), mine.line(), copied.line(), ""]
    assert [regrade(parse_record(line), Banks.load(content, None), 20) for line in lines[:-1]] == [
        good.correct, 0, mine.correct, copied.correct]
