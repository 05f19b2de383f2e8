"""The trainer's check page shipped with the handbook: ``training/check.md`` (the page),
``training/banks.js`` (the banks it grades against) and ``assets/check.js`` (in ``docs/assets``).
It needs no Python and works from a file share: the banks are a script, not JSON fetched later."""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..layout import Layout, PageLinks
from ..model import Content
from .bank import bank_data, exam_bank

BANKS_GLOBAL = "HANDBOOK_BANKS"


def banks_script(banks: list[dict]) -> str:
    """``banks.js``: every bank as JSON data in ``window.HANDBOOK_BANKS``."""
    text = json.dumps(banks, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("</", "<\\/")
    return f"// 生成ファイル（handbook）: 修了記録の確認に使う問題集。編集しないでください。\nwindow.{BANKS_GLOBAL} = {text};\n"


def check_fragment(questions: int, pass_mark: int) -> str:
    """The page's HTML element that ``check.js`` fills in."""
    return (f'<div id="hb-check" class="hb-check" markdown="0" data-questions="{int(questions)}" '
            f'data-pass-mark="{int(pass_mark)}"><noscript><p>この確認ページを使うには JavaScript を有効にしてください。'
            "</p></noscript></div>\n")


def check_page_outputs(content: Content, policies: Iterable[str], archived: Iterable[bytes] = (),
                       questions: int = 20, pass_mark: int = 80, layout: Layout | None = None) -> list[tuple[str, str | bytes]]:
    """The check page and its banks for the site: the current banks of ``policies`` and the kept
    banks of older revisions (``bank-<revision>.json`` contents) of the same policies; where the
    site's layout puts them (by default that of a site of ``policies``)."""
    wanted = list(policies)
    layout = layout or Layout(tuple(wanted))
    links = PageLinks(layout, layout.check_page())
    banks = [bank_data(exam_bank(content, content.policy(pid))) for pid in wanted]
    current = {(b["policy"], b["revision"]) for b in banks}
    for raw in archived:
        data = json.loads(raw)
        if data["policy"] in wanted and (data["policy"], data["revision"]) not in current:
            banks.append(data)
    banks.sort(key=lambda b: (b["policy"], b["revision"]))
    page = ("---\ntitle: 修了記録の確認（研修担当）\n---\n\n# 修了記録の確認（研修担当）\n\n"
            "受講者から提出された修了記録を、その版の問題集で採点し直して確かめます。Python は要りません。"
            "このページは記録をどこにも送信しません。\n\n"
            "- **合格／不合格**: 記録の回答を採点し直した結果が記録の得点と一致しました。\n"
            "- **要確認**: 同じ受験（受験 id）が別の職員番号でも提出されています。本人に確かめてください。\n"
            "- **受け付けません**: 形が正しくないか、得点・回答が書き換えられています。\n\n"
            "確かめた記録は「確認済みの記録を1つのファイルで保存」で1つのファイル（UTF-8、BOM なし）にまとめ、"
            "`handbook training results import` で台帳に取り込みます。問題集は答えを含み、誰でも読めるため、"
            "この確認は書き換えや使い回しを見つけるもので、本人が受けたことの証明にはなりません"
            "（記録の形式は編集者ガイドの「修了記録の形式」にあります）。\n\n"
            + check_fragment(questions, pass_mark) +
            f'<script src="{links.built(layout.check_banks())}"></script>\n<script src="{links.asset("check.js")}"></script>\n')
    return [(layout.check_page(), page), (layout.check_banks(), banks_script(banks))]
