"""``dist/build-info.json``: what the last published build held, per policy."""

from __future__ import annotations

import json

from .model import Content


def build_info(content: Content) -> bytes:
    """Deterministic JSON: per policy its revision, obligations (retired included) and authored questions."""
    policies = {
        p.id: {"revision": p.revision, "obligations": len(p.obligations),
               "questions": sum(1 for q in content.questions if q.policy == p.id)}
        for p in content.policies
    }
    return (json.dumps({"policies": policies}, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
