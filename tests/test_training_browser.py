"""The trainer's check page and the SCORM package in real chromium, opened from file://."""

from __future__ import annotations

import dataclasses
import re
import datetime
import shutil

import pytest

from generator.completion import parse_record
from generator.content import load_content
from generator.training.bank import Banks, regrade
from generator.training.checkpage import check_fragment, check_page_outputs

from .conftest import ROOT, serve
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


LMS_PAGE = """<!doctype html><meta charset=utf-8><title>LMS</title>
<script>
window.calls = [];
window.cmi = {"cmi.core.lesson_status": "not attempted", "cmi.suspend_data": "", "cmi.core.student_id": "A0001"};
function record(name, args, result) { window.calls.push([name].concat([].slice.call(args))); return result; }
window.API = {
  LMSInitialize: function () { return record("LMSInitialize", arguments, "true"); },
  LMSFinish: function () { return record("LMSFinish", arguments, "true"); },
  LMSGetValue: function (k) { return record("LMSGetValue", arguments, window.cmi[k] || ""); },
  LMSSetValue: function (k, v) { window.cmi[k] = v; return record("LMSSetValue", arguments, "true"); },
  LMSCommit: function () { return record("LMSCommit", arguments, "true"); },
  LMSGetLastError: function () { return "0"; },
  LMSGetErrorString: function () { return ""; },
  LMSGetDiagnostic: function () { return ""; }
};
</script>
<body><iframe id="sco" width="900" height="700"></iframe></body>
"""


@pytest.fixture
def served(tmp_path):
    """``tmp_path`` served over http (an LMS serves packages over http; frames then share an origin)."""
    with serve(tmp_path) as url:
        yield tmp_path, url


def scorm_setup(served):
    import io
    import zipfile

    from generator.training.scorm import scorm_packages

    folder, url = served
    packages = dict(scorm_packages(load_content(ROOT), ["miyako"], questions=20, pass_mark=80))
    zipfile.ZipFile(io.BytesIO(packages["miyako/scorm-staff.zip"])).extractall(folder / "sco")
    (folder / "lms.html").write_text(LMS_PAGE, encoding="utf-8")
    return packages, url


def test_scorm_packages_are_deterministic_with_a_scorm_12_manifest(served, real_content):
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    from generator.training.scorm import scorm_packages

    packages, _ = scorm_setup(served)
    assert packages == dict(scorm_packages(real_content, ["miyako"], questions=20, pass_mark=80))  # from a second load
    archive = zipfile.ZipFile(io.BytesIO(packages["miyako/scorm-staff.zip"]))
    assert archive.namelist() == ["imsmanifest.xml", "index.html", "scorm-exam.js", "exam-data.js"]
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    ns = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2"}
    assert manifest.find("cp:metadata/cp:schemaversion", ns).text == "1.2"
    assert manifest.find("cp:metadata/cp:schema", ns).text == "ADL SCORM"
    item = manifest.find("cp:organizations/cp:organization/cp:item", ns)
    assert item.find("cp:title", ns).text == "情報セキュリティ研修 宮古市 職員等"
    assert item.find("adlcp:masteryscore", ns).text == "80"
    resource = manifest.find("cp:resources/cp:resource", ns)
    assert resource.get("{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype") == "sco"
    assert resource.get("href") == "index.html"
    assert [f.get("href") for f in resource.findall("cp:file", ns)] == ["index.html", "scorm-exam.js", "exam-data.js"]


def test_the_scorm_exam_talks_to_the_lms_in_a_frame(browser, served):
    _, url = scorm_setup(served)
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/lms.html")
    page.evaluate("document.getElementById('sco').src = 'sco/index.html'")
    frame = page.frame_locator("#sco")
    frame.locator("fieldset.hb-exam-item").first.wait_for()
    sco = next(f for f in page.frames if f.url.endswith("sco/index.html"))
    answers = sco.evaluate("() => Object.fromEntries(HANDBOOK_EXAM.questions.map(q => [q.id, q.answer]))")
    items = frame.locator("fieldset.hb-exam-item")
    assert items.count() == 20
    for n in range(19):  # one wrong: 95%
        qid = items.nth(n).get_attribute("data-question-id")
        frame.locator(f"#hb-exam-{n}-{answers[qid]}").check()
    last = items.nth(19).get_attribute("data-question-id")
    frame.locator(f"#hb-exam-19-{(answers[last] + 1) % 2}").check()
    suspend = page.evaluate("window.cmi['cmi.suspend_data']")
    assert suspend.startswith("v1|") and len(suspend) < 4096
    frame.locator(".hb-exam-submit").click()
    assert frame.locator(".hb-exam-result").inner_text().startswith("20 問中 19 問正解（95%）。合格です。")
    # hidden, then navigated away: session time committed both times, LMSFinish once
    sco.evaluate("() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden'}); "
                 "document.dispatchEvent(new Event('visibilitychange')); }")
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.calls.some(c => c[0] === 'LMSFinish')")
    calls = page.evaluate("window.calls")
    names = [c[0] for c in calls]
    sets = [tuple(c[1:]) for c in calls if c[0] == "LMSSetValue"]
    assert names[0] == "LMSInitialize" and names[-1] == "LMSFinish" and names.count("LMSFinish") == 1
    assert ("cmi.core.lesson_status", "incomplete") in sets
    graded = sets.index(("cmi.core.lesson_status", "passed"))
    assert sets[graded - 3:graded] == [("cmi.core.score.min", "0"), ("cmi.core.score.max", "100"), ("cmi.core.score.raw", "95")]
    times = [v for k, v in sets if k == "cmi.core.session_time"]
    assert len(times) >= 3 and all(re.fullmatch(r"[0-9]{4}:[0-9]{2}:[0-9]{2}\.[0-9]{2}", t) for t in times)
    passed_at = calls.index(["LMSSetValue", "cmi.core.lesson_status", "passed"])
    assert "LMSCommit" in names[passed_at:] and ("cmi.core.exit", "") in sets
    assert errors == []
    page.close()


def test_the_scorm_exam_finds_the_api_through_its_opener(browser, served):
    _, url = scorm_setup(served)
    page = browser.new_page()
    page.goto(url + "/lms.html")
    with page.expect_popup() as info:
        page.evaluate("window.open('sco/index.html')")
    popup = info.value
    popup.locator("fieldset.hb-exam-item").first.wait_for()
    assert popup.locator(".hb-exam-warning").count() == 0
    calls = page.evaluate("window.calls")
    assert calls[0] == ["LMSInitialize", ""] and ["LMSGetValue", "cmi.core.lesson_status"] in calls
    popup.close(run_before_unload=True)
    page.wait_for_function("window.calls.some(c => c[0] === 'LMSFinish')")
    page.close()


def test_the_report_renders_its_charts_in_the_browser(project, page, tmp_path):
    from generator.training.bank import Banks
    from generator.training.ledger import open_ledger
    from generator.training.report import build_report, write_report
    from generator.training.results import Source, import_results
    from generator.training.roster import import_roster, read_roster
    from generator.training.settings import TrainingSettings, YearRules

    from .training_helpers import municipality

    root = project({"quizzes/miyako/01.yaml": QUIZ})
    content = load_content(root)
    policy = content.policy("miyako")
    banks = Banks.load(content, None)
    town = municipality(banks.get("miyako", policy.revision), staff=200)
    (root / "roster.csv").write_text(town.roster_csv, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    rules = YearRules(deadline="12-31")
    engine = open_ledger(url)
    import_roster(engine, read_roster(root / "roster.csv", policy), "miyako", 2026, "roster.csv")
    import_results(engine, policy, banks, TrainingSettings(root, "miyako", url, defaults=rules),
                   [Source("r.txt", "".join(r.line() + "\n" for r in town.records).encode())])
    with engine.connect() as conn:
        report = build_report(conn, policy, rules, 2026, datetime.date(2027, 1, 15))
    engine.dispose()
    html = write_report(report, tmp_path / "reports", root)[0]
    page.goto(html.as_uri())
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box["width"] == 720 and box["height"] >= 60
    bars = page.locator("svg.chart").nth(1).locator("rect")
    assert bars.count() == 2 * 20  # a background and a bar per unit
    assert page.locator(".figure strong").first.inner_text() == "200"
