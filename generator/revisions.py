"""Comparing two revisions of a policy (``handbook diff OLD NEW``): the obligations added, removed
and changed, matched by id (ids stay when clause numbers shift, so a renumbered clause is a change
of its ``clause``, not a removal and an addition).

OLD and NEW are project folders (or their ``content/`` folders) or git revisions of the
repository; a git revision is extracted into a temporary folder with ``git archive`` and loaded
and validated like any project.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .content import load_content
from .errors import HandbookError
from .model import MODALITY_LABELS, Content, Obligation, Policy

COMPARED = {
    "clause": "条項",
    "lead_in": "柱書き",
    "text": "本文",
    "summary": "要約",
    "actors": "義務を負う役割",
    "modality": "義務の種類",
    "topic": "トピック",
    "when": "条件",
    "deadline": "期限",
    "frequency": "頻度",
    "approver": "承認・許可",
    "report_to": "報告先",
    "applies_to": "対象",
    "exception": "例外",
    "forms": "様式",
}
"""The obligation fields a revision can change, in the order a change lists them, with their labels."""

ROLE_FIELDS = ("actors", "approver", "report_to", "applies_to")
"""Fields holding local role ids, shown as the roles' names."""

WORDING = ("lead_in", "text")
"""Quoted wording: the terminal shows it once, with the words taken out and put in marked."""


@dataclass(frozen=True)
class FieldChange:
    """One field of one obligation that differs between the revisions."""

    field: str
    """The field's name in the YAML (``deadline``)."""
    label: str
    """Its Japanese label (「期限」)."""
    old: str
    """The old value as staff read it (role names, 「しなければならない」); empty when it was not set."""
    new: str
    """The new value, the same way."""


@dataclass(frozen=True)
class Removal:
    """An obligation no longer in force in the new revision."""

    obligation: Obligation
    """The obligation as the old revision had it."""
    deleted: bool
    """True when it was deleted from the YAML; False when it is kept as ``retired: true``."""


@dataclass(frozen=True)
class Change:
    """An obligation in force in both revisions whose wording or structure changed."""

    old: Obligation
    """The obligation in the old revision."""
    new: Obligation
    """The obligation in the new revision."""
    fields: tuple[FieldChange, ...]
    """What changed, in the order of :data:`COMPARED`."""

    @property
    def renumbered(self) -> bool:
        """Whether the clause number changed (the clause was renamed or moved)."""
        return self.old.clause != self.new.clause


@dataclass(frozen=True)
class PolicyDiff:
    """What a revision of one policy changed."""

    old: Policy
    """The policy in the old revision."""
    new: Policy
    """The policy in the new revision."""
    added: tuple[Obligation, ...]
    """Obligations in force in the new revision only (new ones and retired ones brought back), in source order."""
    removed: tuple[Removal, ...]
    """Obligations in force in the old revision only, in the old source order."""
    changed: tuple[Change, ...]
    """Obligations in force in both with some field changed, in the new source order."""

    @property
    def changed_ids(self) -> tuple[str, ...]:
        """Every obligation the revision added, changed or retired: the ``changes`` of its history entry."""
        ids = [o.id for o in self.added] + [r.obligation.id for r in self.removed] + [c.new.id for c in self.changed]
        return tuple(sorted(ids))


def diff_policies(old: Content, new: Content, policy: str) -> PolicyDiff:
    """Compare a policy in two revisions of the content, matching obligations by id."""
    old_policy, new_policy = old.policy(policy), new.policy(policy)
    before = {o.id: o for o in old_policy.live_obligations}
    after = {o.id: o for o in new_policy.live_obligations}
    kept = {o.id for o in new_policy.obligations}
    added = tuple(o for o in new_policy.live_obligations if o.id not in before)
    removed = tuple(Removal(o, o.id not in kept) for o in old_policy.live_obligations if o.id not in after)
    changed = []
    for o in new_policy.live_obligations:
        if o.id in before:
            fields = tuple(
                FieldChange(name, label, readable(before[o.id], name, old), readable(o, name, new))
                for name, label in COMPARED.items() if getattr(before[o.id], name) != getattr(o, name)
            )
            if fields:
                changed.append(Change(before[o.id], o, fields))
    return PolicyDiff(old_policy, new_policy, added, removed, tuple(changed))


def readable(o: Obligation, name: str, content: Content) -> str:
    """A field's value as staff read it: role and topic names rather than ids, the modality in words."""
    value = getattr(o, name)
    if name in ROLE_FIELDS:
        return "、".join(content.policy(o.policy).role(r).name for r in value)
    if name == "modality":
        return MODALITY_LABELS[value]
    if name == "topic":
        return next((t.name for t in content.topics if t.id == value), value)
    return "、".join(value) if isinstance(value, tuple) else value


def marked(old: str, new: str) -> str:
    """The new wording with the words taken out and put in marked: 「…に［-速やかに-］［+直ちに+］報告…」."""
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(old[a1:a2])
            continue
        if a2 > a1:
            parts.append(f"［-{old[a1:a2]}-］")
        if b2 > b1:
            parts.append(f"［+{new[b1:b2]}+］")
    return "".join(parts)


# --- loading two revisions ------------------------------------------------------------------------

@contextlib.contextmanager
def revision_content(root: Path, spec: str) -> Iterator[Content]:
    """The content of ``spec``: a project folder, a ``content/`` folder, or a git revision of the
    repository at ``root`` (extracted into a temporary folder for the time of the ``with``)."""
    folder = Path(spec)
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    if (folder / "content").is_dir():
        yield load_content(folder)
    elif (folder / "roles.yaml").is_file():
        yield load_content(folder.parent)
    else:
        with tempfile.TemporaryDirectory(prefix="handbook-diff-") as temp:
            extract_revision(root, spec, Path(temp))
            yield load_content(Path(temp))


def extract_revision(root: Path, revision: str, target: Path) -> None:
    """Write ``content/`` and ``quizzes/`` as they are in a git revision into ``target``."""
    top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    if top.returncode != 0:
        raise HandbookError(f"「{revision}」はフォルダではなく、{root} は Git のリポジトリではありません。"
                            "比べる2つのフォルダか、Git の版（コミット・タグ・ブランチ）を指定してください。")
    git = ["git", "-C", top.stdout.strip()]
    prefix = Path(root).resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    present = [name for name in ("content", "quizzes")
               if subprocess.run([*git, "cat-file", "-e", f"{revision}:{prefix}{name}"], capture_output=True).returncode == 0]
    if "content" not in present:
        raise HandbookError(f"「{revision}」はフォルダでも、content/ を含む Git の版でもありません。")
    for name in present:
        archive = subprocess.run([*git, "archive", "--format=tar", f"{revision}:{prefix}{name}"],
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target / name, filter="data")


# --- output ----------------------------------------------------------------------------------------

def diff_text(diff: PolicyDiff) -> str:
    """The comparison for the terminal, in Japanese."""
    old, new = diff.old, diff.new
    renumbered = sum(c.renumbered for c in diff.changed)
    lines = [f"{new.municipality}（{new.id}）: 版 {old.revision} → {new.revision}",
             f"追加 {len(diff.added)} 件・廃止 {len(diff.removed)} 件・変更 {len(diff.changed)} 件"
             f"（うち条項番号の変更 {renumbered} 件）"]
    if diff.added:
        lines += ["", f"■ 追加（{len(diff.added)} 件）"]
        lines += [f"  + {o.id}［{o.clause}］{o.summary}" for o in diff.added]
    if diff.removed:
        lines += ["", f"■ 廃止（{len(diff.removed)} 件）"]
        lines += [f"  - {r.obligation.id}［{r.obligation.clause}］{r.obligation.summary}"
                  f"（{'YAML から削除' if r.deleted else 'retired: true'}）" for r in diff.removed]
    if diff.changed:
        lines += ["", f"■ 変更（{len(diff.changed)} 件）"]
        for c in diff.changed:
            clause = f"{c.old.clause} → {c.new.clause}（条項番号の変更）" if c.renumbered else c.new.clause
            lines.append(f"  ~ {c.new.id}［{clause}］{c.new.summary}")
            for f in c.fields:
                if f.field in WORDING:
                    lines.append(f"      {f.label}: {marked(f.old, f.new)}")
                elif f.field != "clause":
                    lines.append(f"      {f.label}: {f.old or '（なし）'}")
                    lines.append(f"      {'　' * len(f.label)}→ {f.new or '（なし）'}")
    if diff.changed_ids:
        lines += ["", f"policy.yaml の revisions に書く changes: [{', '.join(diff.changed_ids)}]"]
    else:
        lines += ["", "義務に違いはありません。"]
    return "\n".join(lines) + "\n"


def diff_json(diff: PolicyDiff) -> dict:
    """The comparison as data (``handbook diff --json``)."""
    def brief(o: Obligation) -> dict:
        return {"id": o.id, "clause": o.clause, "summary": o.summary}

    return {
        "policy": diff.new.id,
        "old_revision": diff.old.revision,
        "new_revision": diff.new.revision,
        "added": [brief(o) for o in diff.added],
        "removed": [{**brief(r.obligation), "deleted": r.deleted} for r in diff.removed],
        "changed": [
            {**brief(c.new), "old_clause": c.old.clause, "renumbered": c.renumbered,
             "fields": [{"field": f.field, "label": f.label, "old": f.old, "new": f.new} for f in c.fields]}
            for c in diff.changed
        ],
        "changes": list(diff.changed_ids),
    }
