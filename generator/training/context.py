"""What every ``handbook training`` command starts from: the content, the settings, the policy
whose staff are tracked, the question banks and the ledger."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from ..content import load_content
from ..errors import HandbookError
from ..model import Content, Policy
from .bank import Banks
from .ledger import open_ledger
from .settings import TrainingSettings, load_settings


@dataclass(frozen=True)
class TrainingContext:
    """The opened ledger and what it is checked against."""

    content: Content
    """The validated content."""
    settings: TrainingSettings
    """The training settings."""
    policy: Policy
    """The municipality's policy."""
    banks: Banks
    """The current banks and those kept in the banks folder."""
    engine: Engine
    """The ledger, migrated."""


def open_context(root: Path, settings_path: Path | None = None, database: str | None = None,
                 policy_id: str | None = None) -> TrainingContext:
    """Load and check everything; ``database`` and ``policy_id`` override the settings file."""
    settings = load_settings(root, settings_path, database)
    if policy_id:
        settings = dataclasses.replace(settings, policy=policy_id)
    content = load_content(root)
    ids = [p.id for p in content.policies]
    if settings.policy and settings.policy not in ids:
        raise HandbookError(f"規程「{settings.policy}」はありません（{', '.join(ids)} から選んでください）。")
    if not settings.policy and len(ids) != 1:
        raise HandbookError(f"規程が {len(ids)} 件あります。--policy {ids[0]} のように指定するか、"
                            f"training/settings.toml に policy = \"{ids[0]}\" と書いてください。")
    policy = content.policy(settings.policy or ids[0])
    return TrainingContext(content, settings, policy, Banks.load(content, settings.banks_folder),
                           open_ledger(settings.database_url))
