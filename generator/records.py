"""Building the model's records from located YAML values, with a message for every mistake.

The model classes are the only description of the YAML format: this module reads their type
hints to check each value, and ``schema.py`` reads the same hints to write the JSON Schema.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from .errors import Problems
from .model import MAX_TEXT_LENGTH, Location
from .yamlfile import LocatedDict, LocatedList


@cache
def yaml_fields(cls: type) -> tuple[dataclasses.Field, ...]:
    """The fields of a model class that are written in YAML (not filled in by the loader)."""
    return tuple(f for f in dataclasses.fields(cls) if not f.metadata.get("derived"))


@cache
def field_types(cls: type) -> dict[str, Any]:
    """The resolved type hints of a model class (resolved once: the loader asks for every record)."""
    return typing.get_type_hints(cls)


ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
"""A date as fields with the ``DATE`` metadata write it (the JSON Schema states the same pattern)."""


def is_date(value: str) -> bool:
    """Whether the string is a real date written ``YYYY-MM-DD``."""
    if not ISO_DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


class RecordBuilder:
    """Builds records from one file, adding a problem for each value that does not fit."""

    def __init__(self, path: Path, problems: Problems, display: str):
        self.path, self.problems, self.display = path, problems, display

    def build(self, cls: type, data: Any, line: int, **derived: Any) -> Any | None:
        """A record of ``cls`` from a YAML mapping, or None when it had problems."""
        if not isinstance(data, LocatedDict):
            self.problems.add(self.path, line, f"{_kind(cls)}は「項目: 値」の形（マッピング）で書いてください。")
            return None
        hints = field_types(cls)
        fields = yaml_fields(cls)
        names = [f.name for f in fields]
        for key in data:  # reported, but the record is still built so its other checks run
            if key not in names:
                near = difflib.get_close_matches(key, names, n=1)
                hint = f"「{near[0]}」の書き間違いではありませんか。" if near else f"使える項目: {', '.join(names)}"
                self.problems.add(self.path, data.line_of(key), f"不明な項目「{key}」があります（{hint}）。")
        values: dict[str, Any] = {}
        before = len(self.problems.items)
        for f in fields:
            if f.name not in data:
                if is_required(f):
                    self.problems.add(self.path, data.line, f"必須の項目「{f.name}」がありません。")
                continue
            line = data.line_of(f.name)
            value = self.convert(hints[f.name], data[f.name], line, f.name)
            if value is not _INVALID and f.metadata.get("format") == "date" and not is_date(value):
                self.problems.add(self.path, line, f"「{f.name}」は実在する日付を YYYY-MM-DD の形で書いてください（「{value}」は日付ではありません）。")
            elif value is not _INVALID:
                values[f.name] = value
        if len(self.problems.items) > before:
            return None
        if "location" in {f.name for f in dataclasses.fields(cls)}:
            derived.setdefault("location", Location(self.display, data.line, tuple(data.key_lines.items())))
        return cls(**values, **derived)

    def convert(self, hint: Any, value: Any, line: int, name: str) -> Any:
        origin, args = get_origin(hint), get_args(hint)
        if origin in (Union, types.UnionType):
            if value is None and type(None) in args:
                return None
            return self.convert(next(a for a in args if a is not type(None)), value, line, name)
        if origin is Literal:
            if value not in args:
                self.problems.add(
                    self.path, line, f"「{name}」の値「{value}」は使えません（使える値: {', '.join(args)}）。"
                )
                return _INVALID
            return value
        if origin is tuple:
            item_hint = args[0]
            if not isinstance(value, list):
                self.problems.add(self.path, line, f"「{name}」はリスト（- で始まる行）で書いてください。")
                return _INVALID
            items = []
            for index, item in enumerate(value):
                item_line = value.line_of(index) if isinstance(value, LocatedList) else line
                if dataclasses.is_dataclass(item_hint):
                    converted = self.build(item_hint, item, item_line)
                    converted = _INVALID if converted is None else converted
                else:
                    converted = self.convert(item_hint, item, item_line, name)
                if converted is not _INVALID:
                    items.append(converted)
            return tuple(items) if len(items) == len(value) else _INVALID
        if hint is str:
            if isinstance(value, datetime.date):
                return value.isoformat()
            if not isinstance(value, str):
                self.problems.add(self.path, line, f"「{name}」は文字列で書いてください（数字だけの値は引用符で囲みます）。")
                return _INVALID
            if len(value) > MAX_TEXT_LENGTH:
                self.problems.add(self.path, line, f"「{name}」が長すぎます（{len(value):,} 文字。上限は {MAX_TEXT_LENGTH:,} 文字）。")
                return _INVALID
            return value.strip()
        if hint is bool:
            if not isinstance(value, bool):
                self.problems.add(self.path, line, f"「{name}」は true か false で書いてください。")
                return _INVALID
            return value
        if hint is int:
            if not isinstance(value, int) or isinstance(value, bool):
                self.problems.add(self.path, line, f"「{name}」は整数で書いてください。")
                return _INVALID
            return value
        if dataclasses.is_dataclass(hint):
            built = self.build(hint, value, line)
            return _INVALID if built is None else built
        raise TypeError(f"unsupported type {hint!r} for {name}")


_INVALID = object()


def _kind(cls: type) -> str:
    return {"Obligation": "義務", "NotObligation": "除外文", "LocalRole": "役割", "Question": "問題"}.get(
        cls.__name__, "この項目"
    )
