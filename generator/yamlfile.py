"""Reading YAML files with line numbers, refusing the traps YAML sets for hand editors.

Every mapping and sequence comes back as :class:`Located` values that remember the line of
each key and item, so validation can point at ``path:line``. Problems are collected, not raised
one by one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problems


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
    """Read a UTF-8 file; a Shift_JIS/cp932 file or broken bytes get a message of their own."""
    data = path.read_bytes()
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
    """Load one YAML file into located values; on any problem, record it and return None."""
    text = read_text(path, problems)
    if text is None:
        return None
    before = len(problems.items)
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line:
            problems.add(path, number, "タブ文字が使われています。YAML の字下げには半角スペースを使ってください。")
    if len(problems.items) > before:
        return None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, (yaml.AliasToken, yaml.AnchorToken)):
                problems.add(
                    path, token.start_mark.line + 1,
                    f"アンカー・エイリアス（{'&' if isinstance(token, yaml.AnchorToken) else '*'}{token.value}）は使えません。"
                    "値をそのまま書いてください。",
                )
        if len(problems.items) > before:
            return None
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problems.add(path, mark.line + 1 if mark else 0, f"YAML の書式が正しくありません（{err.problem}）。")
        return None
    if node is None:
        return None
    return _Converter(path, problems).convert(node)


class _Converter:
    """Turns a composed YAML node tree into located values, noting duplicate keys."""

    def __init__(self, path: Path, problems: Problems):
        self.path, self.problems = path, problems
        self.constructor = yaml.SafeLoader("")

    def convert(self, node: yaml.Node) -> Any:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, line)
        if isinstance(node, yaml.SequenceNode):
            result = LocatedList(self.convert(item) for item in node.value)
            result.line, result.item_lines = line, [item.start_mark.line + 1 for item in node.value]
            return result
        return self.constructor.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, line: int) -> LocatedDict:
        result = LocatedDict()
        result.line, result.key_lines = line, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.add(self.path, key_line, "マージキー（<<）は使えません。値をそのまま書いてください。")
                continue
            key = self.convert(key_node)
            if not isinstance(key, str):
                self.problems.add(self.path, key_line, f"キー {key!r} は文字列で書いてください。")
                continue
            if key in result:
                self.problems.add(
                    self.path, key_line, f"キー「{key}」が重複しています（{result.key_lines[key]}行目にもあります）。"
                )
                continue
            result[key] = self.convert(value_node)
            result.key_lines[key] = key_line
        return result
