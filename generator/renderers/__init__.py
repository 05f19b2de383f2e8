"""Renderers: each turns the validated model into files of the site.

They share one small interface. ``pages(content, settings)`` yields the files of one site
(Markdown pages with front matter, page data such as the quiz bank), placed and linked by the
site's :class:`~generator.layout.Layout`; ``downloads(content, policies)`` yields the files to
download (checklists, decks), which are the same in every site, so a build renders them once and
copies them into each. Nothing here writes to disk, so a failed build never leaves half a site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from ..layout import Layout
from ..model import Content


@dataclass(frozen=True)
class Settings:
    """What a build of one site is for."""

    policies: tuple[str, ...]
    """Policy ids to publish (the portal holds all of them; a municipality deploys one)."""
    quiz_questions: int = 20
    """Questions drawn for one exam (``quiz_questions`` in mkdocs.yml); fewer when the role has fewer."""
    quiz_pass_mark: int = 80
    """Percentage of right answers needed to pass the exam (``quiz_pass_mark`` in mkdocs.yml)."""
    kept_banks: tuple[bytes, ...] = ()
    """Question banks of earlier revisions the trainers keep (``bank-<revision>.json``), so the
    check page verifies records of those revisions too."""
    hosted: bool = True
    """Whether the policies' own pages are rendered into this site (off for the published portal,
    beside which each municipality's site is placed: :attr:`Layout.hosted`)."""

    @cached_property
    def layout(self) -> Layout:
        """Where every page of this site goes."""
        return Layout(self.policies, hosted=self.hosted)


@dataclass(frozen=True)
class Output:
    """One generated file of the site."""

    path: str
    """Path relative to the docs folder (``miyako/roles/staff.md``, ``downloads/miyako/…``)."""
    data: str | bytes
    """Markdown or text (str) or a binary file (bytes)."""


class Renderer(Protocol):
    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        """The files of one site."""

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        """The downloads of the policies, the same in every site (``downloads/<policy>/…``)."""


def renderers() -> list[Renderer]:
    """Every renderer, in the order their outputs are added."""
    from .checklists import ChecklistRenderer
    from .compare import CompareRenderer
    from .decks import DeckRenderer
    from .pages import PageRenderer
    from .quiz import QuizRenderer
    from .training import TrainingRenderer

    return [PageRenderer(), CompareRenderer(), ChecklistRenderer(), DeckRenderer(), QuizRenderer(), TrainingRenderer()]


def render_pages(content: Content, settings: Settings) -> list[Output]:
    return _unique([o for r in renderers() for o in r.pages(content, settings)])


def render_downloads(content: Content, policies: tuple[str, ...]) -> list[Output]:
    return _unique([o for r in renderers() for o in r.downloads(content, policies)])


def _unique(outputs: list[Output]) -> list[Output]:
    paths = [o.path for o in outputs]
    duplicates = {p for p in paths if paths.count(p) > 1}
    if duplicates:
        raise RuntimeError(f"two renderers wrote the same files: {sorted(duplicates)}")
    return outputs
