"""Problems found in the content, and the one exception the CLI understands."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, reported as ``path:line: message``."""

    path: str
    """Path of the file, relative to the project root where possible."""
    line: int
    """1-based line number; 0 when the problem concerns the whole file."""
    message: str
    """What is wrong, in Japanese, addressed to the handbook editor."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class HandbookError(Exception):
    """Raised with every problem found; the CLI prints them and exits with status 2."""

    exit_status = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem("handbook", 0, p) for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems:
    """Collects problems so that every one is reported at once, not just the first."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.items: list[Problem] = []

    def add(self, path: Path | str, line: int, message: str) -> None:
        self.items.append(Problem(display_path(path, self.root), line, message))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise HandbookError(sorted(set(self.items), key=_order))


def _order(p: Problem) -> tuple:
    return (p.path, p.line, p.message)


def display_path(path: Path | str, root: Path | None = None) -> str:
    """Show ``path`` relative to ``root`` (or the working directory) with forward slashes."""
    p = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        for candidate in (p.absolute(), p.resolve()):  # a symlink is shown where it is written
            try:
                return candidate.relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
    return p.as_posix()
