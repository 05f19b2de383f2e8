"""Reading YAML files with line numbers, refusing the traps YAML sets for hand editors.

Every mapping and sequence comes back as :class:`Located` values that remember the line of
each key and item, so validation can point at ``path:line``. Problems are collected, not raised
one by one, and every YAML error becomes a Japanese message that says what to do.

The file is parsed once, by libyaml's C parser where it is installed (PyYAML's pure-Python
parser otherwise), into events; the values are built from the events here, without recursion,
so anchors, aliases, tags and merge keys are refused before anything is expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problems

MAX_FILE_BYTES = 1_000_000
"""The largest content file read (the largest real one is under 100 kB)."""

MAX_DEPTH = 20
"""How deeply lists and mappings may nest (the content needs five levels)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's C parser when PyYAML was built with it: the same events, ten times faster."""

_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
"""Characters YAML refuses (control characters such as the form feed PDF copies leave), and a byte
order mark inside the text, which libyaml and PyYAML read differently."""

_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class LocatedDict(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def read_text(path: Path, problems: Problems) -> str | None:
    """Read a UTF-8 file of the project; a file outside it, a large file, a Shift_JIS/cp932
    file or broken bytes get a message of their own (and None)."""
    root = problems.root
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        problems.add(path, 0, "プロジェクトの外にあるファイルを指しています（シンボリックリンク）。"
                              "ファイルそのものをプロジェクトの中に置いてください。")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(path, 0, f"ファイルが大きすぎます（{size:,} バイト。上限は {MAX_FILE_BYTES:,} バイト）。"
                                  "複数のファイルに分けてください。")
            return None
        data = path.read_bytes()
    except OSError:
        problems.add(path, 0, "ファイルを読めません。読み取りの権限があるか、別のプログラムが開いていないか確かめてください。")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        try:
            data.decode("cp932")
        except UnicodeDecodeError:
            problems.add(path, line, "UTF-8 として読めない文字があります。ファイルを UTF-8 で保存し直してください。")
        else:
            problems.add(
                path, line,
                "このファイルは Shift_JIS（cp932）で保存されているようです。UTF-8 で保存し直してください。",
            )
        return None


def load_yaml(path: Path, problems: Problems) -> Any:
    """Load one YAML file into located values; on any problem, record it and return None.

    An empty file (or one holding only comments) also gives None, without a problem."""
    text = read_text(path, problems)
    if text is None:
        return None
    key = str(path)
    cached = _PARSED.get(key)
    if cached is not None and cached[0] == text:
        return cached[1]
    before = len(problems.items)
    value = parse_yaml(text, path, problems)
    if len(problems.items) == before:
        _PARSED.pop(key, None)
        _PARSED[key] = (text, value)
        while len(_PARSED) > MAX_PARSED:
            del _PARSED[next(iter(_PARSED))]
    return value


_PARSED: dict[str, tuple[str, Any]] = {}
"""The last text read from each path and its located value (never changed by the loader, which
only reads it): ``mkdocs serve`` loads the content again on every save, most files unchanged."""

MAX_PARSED = 400
"""Files remembered in :data:`_PARSED`, the least recently parsed forgotten first (the real
content has about 60)."""


def parse_yaml(text: str, path: Path | str, problems: Problems) -> Any:
    """The located value of a YAML text, or None with the problems recorded."""
    before = len(problems.items)
    for number, line in enumerate(text.split("\n"), start=1):
        if "\t" in line:
            problems.add(path, number, "タブ文字が使われています。YAML の字下げには半角スペースを使ってください。")
        for char in sorted(set(_NOT_PRINTABLE.findall(line))):
            problems.add(path, number, f"制御文字（U+{ord(char):04X}）が含まれています。PDF などから貼り付けたときに"
                                       "混じることがあります。削除してください。")
    if len(problems.items) > before:
        return None
    builder = _Builder(path, problems)
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if not builder.add(event):
                break
    except yaml.MarkedYAMLError as err:
        problems.add(path, *_syntax_problem(err, builder.open_flow()))
    except yaml.YAMLError:
        problems.add(path, 0, "YAML として読めません。字下げ・引用符・括弧を確かめてください。")
    if len(problems.items) > before:
        return None
    return builder.result


def _syntax_problem(err: yaml.MarkedYAMLError, flow: LocatedDict | LocatedList | None) -> tuple[int, str]:
    """(line, message) for a YAML syntax error: where the broken construct opens and what to do.

    PyYAML's and libyaml's English differ; the context names the construct in both. ``flow`` is
    the innermost ``[…]`` or ``{…}`` still open when the error came, if any."""
    context, problem = err.context or "", err.problem or ""
    opened = (err.context_mark or err.problem_mark).line + 1 if (err.context_mark or err.problem_mark) else 0
    at = err.problem_mark.line + 1 if err.problem_mark else opened
    if "quoted scalar" in context:
        return opened, "この行で始まる引用符（\" または '）が閉じていません。値の終わりに同じ引用符を書いてください。"
    if "flow" in context and flow is not None:
        brackets = "[ が ]" if isinstance(flow, LocatedList) else "{ が }"
        return flow.line, f"この行で始まる {brackets} で閉じていません。値に括弧を含めるときは値全体を引用符で囲んでください。"
    if "simple key" in context:
        return opened, "「項目: 値」の「: 」がありません。前の行の続きなら字下げをそろえ、値の中の改行なら引用符で囲んでください。"
    if "mapping values" in problem:
        return at, "この行の「: 」の位置が正しくありません。値に「: 」を含めるときは値全体を引用符で囲み、字下げが前の行とそろっているか確かめてください。"
    if "block" in context and ("mapping" in context or "collection" in context):
        return at, "字下げ（行頭の空白の数）が前の項目とそろっていません。同じ階層の項目は同じ数の空白で始めてください。"
    if "anchor" in context or "alias" in context:
        return at, "「&」「*」で始まる値は引用符で囲んでください（アンカー・エイリアスは使えません）。"
    if "next token" in context:
        return at, "「@」や「`」などで始まる値は引用符で囲んでください。"
    if "block scalar" in context:
        return opened, "「|」「>」の後には改行だけを書き、本文は次の行から字下げして書いてください。"
    if "tag" in context:
        return at, "「!」で始まる値は引用符で囲んでください（タグは使えません）。"
    return at, "YAML の書式が正しくありません。この行と前の行の字下げ・引用符・括弧・「: 」を確かめてください。"


_NOTHING = object()
"""No key read yet: the next value placed in the mapping is a key."""
_DROP = object()
"""A mapping key that could not be used: its value is read and left out."""


@dataclass(slots=True)
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    value: LocatedDict | LocatedList
    flow: bool
    """Written ``[…]`` or ``{…}``."""
    key: Any = _NOTHING
    """For a mapping: the key read, waiting for its value."""
    key_line: int = 0


class _Builder:
    """Builds located values from parser events, noting refused constructs and duplicate keys."""

    def __init__(self, path: Path | str, problems: Problems):
        self.path, self.problems = path, problems
        self.constructor = yaml.SafeLoader("")
        self.stack: list[_Open] = []
        self.result: Any = None
        self.documents = 0

    def add(self, event: yaml.Event) -> bool:
        """Take one event; False when reading should stop (a problem that makes the rest moot)."""
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problems.add(self.path, line, "1つのファイルに書ける文書は1つです。「---」の行を削除してください。")
                return False
            return True
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()
            return True
        if not isinstance(event, yaml.NodeEvent):
            return True
        self.refuse(event, line)
        if isinstance(event, yaml.AliasEvent):
            value: Any = None
        elif isinstance(event, yaml.ScalarEvent):
            value = self.scalar(event, line)
        elif len(self.stack) >= MAX_DEPTH:
            self.problems.add(self.path, line, f"入れ子が深すぎます（{MAX_DEPTH} 段まで）。字下げを確かめてください。")
            return False
        elif isinstance(event, yaml.MappingStartEvent):
            value = LocatedDict()
            value.line, value.key_lines = line, {}
        else:
            value = LocatedList()
            value.line, value.item_lines = line, []
        self.place(value, line, event)
        if isinstance(event, yaml.CollectionStartEvent):
            self.stack.append(_Open(value, bool(event.flow_style)))
        return True

    def open_flow(self) -> LocatedDict | LocatedList | None:
        """The innermost ``[…]`` or ``{…}`` not closed yet."""
        return next((entry.value for entry in reversed(self.stack) if entry.flow), None)

    def refuse(self, event: yaml.NodeEvent, line: int) -> None:
        """Anchors, aliases and tags: each noted where it is written."""
        if event.anchor is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            self.problems.add(self.path, line, f"アンカー・エイリアス（{sign}{event.anchor}）は使えません。値をそのまま書いてください。")
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
            self.problems.add(self.path, line, f"タグ（{shown}）は使えません。値だけを書いてください"
                                               "（「!」で始まる文字列なら引用符で囲みます）。")

    def scalar(self, event: yaml.ScalarEvent, line: int) -> Any:
        if event.tag is not None or not event.implicit[0]:  # quoted (or tagged, refused already)
            return event.value
        tag = self.constructor.resolve(yaml.ScalarNode, event.value, event.implicit)
        construct = self.constructor.yaml_constructors.get(tag)
        if tag == _STR_TAG or construct is None:  # the merge key << has no constructor
            return event.value
        try:
            return construct(self.constructor, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark))
        except ValueError:
            if tag == _TIMESTAMP_TAG:
                message = f"日付「{event.value}」は存在しません。実在する日付を YYYY-MM-DD の形で書いてください。"
            else:
                message = f"値「{event.value[:40]}」を読めません。文字列なら引用符で囲んでください。"
            self.problems.add(self.path, line, message)
            return None

    def place(self, value: Any, line: int, event: yaml.NodeEvent) -> None:
        if not self.stack:
            self.result = value
            return
        top = self.stack[-1]
        container = top.value
        if isinstance(container, LocatedList):
            container.append(value)
            container.item_lines.append(line)
        elif top.key is _NOTHING:
            top.key, top.key_line = self.key(value, line, event, container), line
        else:
            if top.key is not _DROP:
                container[top.key] = value
                container.key_lines[top.key] = top.key_line
            top.key = _NOTHING

    def key(self, value: Any, line: int, event: yaml.NodeEvent, mapping: LocatedDict) -> Any:
        if isinstance(event, yaml.ScalarEvent) and event.implicit[0] and event.value == "<<":
            self.problems.add(self.path, line, "マージキー（<<）は使えません。値をそのまま書いてください。")
            return _DROP
        if not isinstance(event, yaml.ScalarEvent):
            self.problems.add(self.path, line, "項目名（キー）にリストやマッピングは使えません。「項目: 値」の形で書いてください。")
            return _DROP
        if not isinstance(value, str):
            self.problems.add(self.path, line, f"項目名（キー）「{event.value}」は文字列で書いてください（引用符で囲みます）。")
            return _DROP
        if value in mapping.key_lines:
            self.problems.add(self.path, line, f"キー「{value}」が重複しています（{mapping.key_lines[value]}行目にもあります）。")
            return _DROP
        return value

