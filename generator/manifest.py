"""What a published build contained, so that content which disappears since is noticed.

``build_info(content)`` is written by the build as ``dist/build-info.json``; validation compares
the content with it (``check_published``): fewer obligations in a policy than were published is
an error unless the policy sets ``allow_fewer_obligations: true`` (see ``model.Policy``).
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import Problems
from .model import Content, Policy

BUILD_INFO = Path("dist") / "build-info.json"
"""Where the build records what it published, relative to the project root."""


def build_info(content: Content) -> bytes:
    """Deterministic JSON: per policy, its revision, its obligations (retired ones included) and
    its authored questions."""
    policies = {
        p.id: {
            "revision": p.revision,
            "obligations": len(p.obligations),
            "questions": sum(1 for q in content.questions if q.policy == p.id),
        }
        for p in content.policies
    }
    return (json.dumps({"policies": policies}, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def check_published(root: Path, policies: list[Policy], problems: Problems) -> None:
    """Note each policy with fewer obligations than the last published build, and each policy
    published then that is gone now. Nothing to compare before the first build."""
    path = root / BUILD_INFO
    if not path.is_file():
        return
    try:
        published = json.loads(path.read_bytes())["policies"]
        counts = {pid: int(entry["obligations"]) for pid, entry in published.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        problems.add(path, 0, "前回の公開の記録を読めません。handbook build で作り直すか、このファイルを削除してください。")
        return
    present = {p.id: p for p in policies}
    for pid, count in sorted(counts.items()):
        policy = present.get(pid)
        policy_path = root / "content" / pid / "policy.yaml"
        if policy is None:
            if not policy_path.is_file():
                problems.add(policy_path, 0, f"前回の公開（{BUILD_INFO.as_posix()}）にあった規程「{pid}」がありません。"
                                             f"規程を外すのなら {BUILD_INFO.as_posix()} を削除してください。")
        elif len(policy.obligations) < count and not policy.allow_fewer_obligations:
            problems.add(policy_path, 0, f"義務が {len(policy.obligations)} 件に減っています（前回の公開では {count} 件）。"
                                         "規程からなくなった義務は削除せず retired: true にしてください。"
                                         "意図して減らすときは policy.yaml に allow_fewer_obligations: true と書いてください。")
