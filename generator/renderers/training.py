"""The trainer's page in every site that verifies completion records against the question banks
(``generator/training/checkpage.py``); its banks include the revisions the project keeps."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Content
from ..training.checkpage import check_page_outputs
from . import Output, Settings


class TrainingRenderer:
    def pages(self, content: Content, settings: Settings) -> Iterable[Output]:
        if not settings.policies:
            return
        for path, data in check_page_outputs(content, settings.policies, settings.kept_banks,
                                             settings.quiz_questions, settings.quiz_pass_mark, settings.layout):
            yield Output(path, data)

    def downloads(self, content: Content, policies: tuple[str, ...]) -> Iterable[Output]:
        return ()
