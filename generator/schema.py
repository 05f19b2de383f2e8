"""JSON Schema for the YAML files, generated from the model classes and their field docstrings.

Each YAML file starts with ``# yaml-language-server: $schema=…`` pointing here, so an editor
(VS Code with the YAML extension) offers completion, descriptions and red squiggles.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import types
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from . import model
from .records import ISO_DATE, field_types, is_required, yaml_fields


@cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstring written under each field of a model class."""
    tree = ast.parse(inspect.getsource(cls))
    docs: dict[str, str] = {}
    body = tree.body[0].body
    for node, following in zip(body, body[1:]):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def type_schema(hint: Any) -> dict:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return {"anyOf": [type_schema(inner[0]), {"type": "null"}]}
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple:
        return {"type": "array", "items": type_schema(args[0])}
    if dataclasses.is_dataclass(hint):
        return record_schema(hint)
    return {str: {"type": "string", "maxLength": model.MAX_TEXT_LENGTH}, int: {"type": "integer"}, bool: {"type": "boolean"}}[hint]


def record_schema(cls: type) -> dict:
    docs, hints = field_docs(cls), field_types(cls)
    properties = {}
    for f in yaml_fields(cls):
        prop = type_schema(hints[f.name])
        if f.metadata.get("format") == "date":
            prop.update(format="date", pattern=ISO_DATE.pattern)
        if f.name in docs:
            prop["description"] = docs[f.name]
        properties[f.name] = prop
    schema = {
        "type": "object",
        "description": inspect.cleandoc(cls.__doc__ or ""),
        "properties": properties,
        "additionalProperties": False,
    }
    required = [f.name for f in yaml_fields(cls) if is_required(f)]
    if required:
        schema["required"] = required
    return schema


def _file_schema(title: str, properties: dict, required: list[str]) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def schemas() -> dict[str, dict]:
    """File name → schema, for every kind of YAML file."""
    def listed(cls: type) -> dict:
        return {"type": "array", "items": record_schema(cls)}

    policy = record_schema(model.Policy)
    policy["properties"].update(
        roles=listed(model.LocalRole), glossary=listed(model.GlossaryTerm),
        tables=listed(model.Table), gaps=listed(model.SourceGap),
    )
    policy["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    policy["title"] = "content/<policy>/policy.yaml"
    policy["required"] = policy.get("required", []) + ["roles"]
    chapter = record_schema(model.Chapter)
    chapter["properties"].update(obligations=listed(model.Obligation), not_obligations=listed(model.NotObligation))
    chapter["anyOf"] = [  # a chapter without either is content deleted by mistake (content.py refuses it)
        {"required": [key], "properties": {key: {"minItems": 1}}} for key in ("obligations", "not_obligations")
    ]
    chapter["$schema"] = policy["$schema"]
    chapter["title"] = "content/<policy>/obligations/*.yaml"
    return {
        "roles.schema.json": _file_schema("content/roles.yaml", {"roles": listed(model.Role)}, ["roles"]),
        "topics.schema.json": _file_schema("content/topics.yaml", {"topics": listed(model.Topic)}, ["topics"]),
        "policy.schema.json": policy,
        "obligations.schema.json": chapter,
        "questions.schema.json": _file_schema("quizzes/<policy>/*.yaml", {"questions": listed(model.Question)}, ["questions"]),
        "search.schema.json": _file_schema("content/search.yaml, content/<policy>/search.yaml",
                                           {"terms": listed(model.SearchTerm), "best_bets": listed(model.BestBet)}, []),
    }


def write_schemas(folder: Path, check: bool = False) -> list[str]:
    """Write the schemas (or, with ``check``, only list those that are out of date)."""
    stale = []
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        text = json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale
