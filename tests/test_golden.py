"""Golden output of the small fixture project: the staged pages and configuration, the checklist
(CSV and the workbook's cells), the deck's notes and the search records, compared file by file
with ``tests/golden/``. After an intended change, ``make golden`` rewrites them; review the diff.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from generator.content import load_content
from generator.renderers import render_downloads
from generator.search import model_records
from generator.stage import read_project, stage

GOLDEN = Path(__file__).parent / "golden"

QUIZ = """\
questions:
  - id: miyako.q-leak
    question: パスワードが流出したかもしれない。どうするか。
    choices: [情報セキュリティ管理者に速やかに報告する, 様子を見る, 自分でパスワードを変えて済ませる, 同僚に相談して終える]
    answer: 0
    explanation: 「情報セキュリティ管理者に速やかに報告しなければならない」（1.1 ②）。
    cites: [miyako.password-report-leak]
"""


def workbook_cells(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    lines = []
    for sheet in book.worksheets:
        lines.append(f"[{sheet.title}]")
        lines += [f"{cell.coordinate}: {cell.value}" for row in sheet.iter_rows() for cell in row if cell.value is not None]
    return "\n".join(lines) + "\n"


def deck_notes(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "collection.anki2"
        path.write_bytes(archive.read("collection.anki2"))
        with sqlite3.connect(path) as db:
            rows = db.execute("select guid, mid, tags, flds from notes order by guid").fetchall()
    return "".join(f"{guid} {mid} [{tags.strip()}]\n" + "".join(f"  {f}\n" for f in fields.split("\x1f"))
                   for guid, mid, tags, fields in rows)


def outputs(root: Path) -> dict[str, str]:
    """What the small project produces, as text files named as under tests/golden/."""
    content = load_content(root)
    project = read_project(root, content)
    downloads = render_downloads(content, ("miyako",))
    config = stage(project, content, project.settings(("miyako",)), downloads, root / "stage")
    docs = config.parent / "docs"
    result = {"mkdocs.yml": config.read_text(encoding="utf-8").replace(project.config["theme"]["custom_dir"], "")}
    for path in sorted(docs.rglob("*")):
        relative = path.relative_to(docs).as_posix()
        if path.suffix == ".md" and not (root / "docs" / relative).exists():
            result[f"pages/{relative}"] = path.read_text(encoding="utf-8")
        elif relative.endswith("bank.js"):
            result[f"pages/{relative}"] = path.read_text(encoding="utf-8")
    for output in downloads:
        name = output.path.removeprefix("downloads/")
        if name.endswith(".csv"):
            result[name] = output.data.decode("utf-8-sig")
        elif name.endswith(".xlsx"):
            result[name + ".txt"] = workbook_cells(output.data)
        elif name.endswith(".apkg"):
            result[name + ".txt"] = deck_notes(output.data)
    records = [vars(r) for r in model_records(content, project.settings(("miyako",)).layout)]
    result["search-records.json"] = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    return result


def test_small_project_matches_the_golden_files(project, request):
    root = project({"quizzes/miyako/01.yaml": QUIZ})
    produced = outputs(root)
    if request.config.getoption("--update-golden"):
        if GOLDEN.exists():
            for old in GOLDEN.rglob("*"):
                if old.is_file():
                    old.unlink()
        for name, text in produced.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8", newline="")
        pytest.skip("tests/golden/ rewritten")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_bytes().decode("utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(produced) == sorted(expected)
    for name in sorted(expected):
        assert produced[name] == expected[name], f"{name} differs from tests/golden/{name} (make golden rewrites it)"

