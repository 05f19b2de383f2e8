"""Renderers: each turns the validated model into files of the site (pages and downloads).

They share one small interface: ``render(content, settings)`` yields :class:`Output` values
with a path relative to the site root. The MkDocs plugin adds them to the build; nothing here
writes to disk, so a failed build never leaves half a site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ..model import Content


@dataclass(frozen=True)
class Settings:
    """What a build of the site is for."""

    policies: tuple[str, ...]
    """Policy ids to publish (the portal holds all three; a municipality deploys one)."""
    quiz_questions: int = 20
    """Questions drawn for one exam (``quiz_questions`` in mkdocs.yml); fewer when the role has fewer."""
    quiz_pass_mark: int = 80
    """Percentage of right answers needed to pass the exam (``quiz_pass_mark`` in mkdocs.yml)."""


@dataclass(frozen=True)
class Output:
    """One generated file of the site."""

    path: str
    """Path relative to the site root (``miyako/roles/staff.md``, ``downloads/miyako/…``)."""
    data: str | bytes
    """Markdown or text (str) or a binary file (bytes)."""


class Renderer(Protocol):
    def render(self, content: Content, settings: Settings) -> Iterable[Output]: ...


def renderers() -> list[Renderer]:
    """Every renderer, in the order their outputs are added."""
    from .checklists import ChecklistRenderer
    from .decks import DeckRenderer
    from .pages import PageRenderer
    from .quiz import QuizRenderer

    return [PageRenderer(), ChecklistRenderer(), DeckRenderer(), QuizRenderer()]


def render_all(content: Content, settings: Settings) -> list[Output]:
    outputs = [o for r in renderers() for o in r.render(content, settings)]
    paths = [o.path for o in outputs]
    duplicates = {p for p in paths if paths.count(p) > 1}
    if duplicates:
        raise RuntimeError(f"two renderers wrote the same files: {sorted(duplicates)}")
    return outputs
