"""Who has completed what in a fiscal year: the requirements applied to a roster and its attempts.

Pure functions on values, so the report and the tests see the same numbers whatever the database.
A fiscal year ``Y`` runs from 1 April ``Y`` to 31 March ``Y + 1``. Everyone must pass the all-staff
exam, every role holder the role's exam; the deadline is the year's (``deadline`` in the settings),
or ``new_hire_days`` after 採用日 for a person hired during the year. The best passing attempt of
the year counts; an attempt whose id is claimed by two staff numbers counts for no one.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from ..model import Policy
from .roster import RosterEntry
from .settings import YearRules

DONE, FAILED, NOT_TAKEN, OVERDUE = "修了", "不合格", "未受講", "期限超過"
"""A person's status, as the reports write it."""
STATUSES = (DONE, FAILED, NOT_TAKEN, OVERDUE)


@dataclass(frozen=True)
class Attempt:
    """One exam attempt as the status needs it."""

    staff_number: str
    """Who took it."""
    role: str
    """The role whose exam it was."""
    day: datetime.date
    """The day it finished (the learner's or the LMS's local date)."""
    correct: int
    """Right answers (or score points)."""
    total: int
    """Questions (or maximum points)."""
    disputed: bool = False
    """Its attempt id is claimed by another staff number as well."""

    def passed(self, pass_mark: int) -> bool:
        return self.correct * 100 >= pass_mark * self.total


@dataclass(frozen=True)
class ExamStatus:
    """One required exam of one person."""

    role: str
    """The role whose exam is required."""
    status: str
    """修了, 不合格, 未受講 or 期限超過."""
    passed_on: datetime.date | None
    """Day of the best passing attempt (None when not passed)."""
    score: str
    """Best passing score (or best failing one) as ``18/20``; empty when not taken."""


@dataclass(frozen=True)
class PersonStatus:
    """A person of the roster with the status of every exam they must pass."""

    entry: RosterEntry
    """The roster entry."""
    new_hire: bool
    """Hired during the fiscal year."""
    deadline: datetime.date
    """The day by which the exams must be passed."""
    exams: tuple[ExamStatus, ...]
    """The all-staff exam first, then each role's."""
    disputed: bool
    """Some attempt of this person is claimed by another staff number as well (要確認)."""

    @cached_property
    def status(self) -> str:
        """修了 when every exam is passed, else the most urgent exam's status."""
        states = {e.status for e in self.exams}
        return next(s for s in (OVERDUE, FAILED, NOT_TAKEN, DONE) if s in states)

    @cached_property
    def completed_on(self) -> datetime.date | None:
        """The day the last required exam was passed; None while not complete."""
        days = [e.passed_on for e in self.exams]
        return None if None in days else max(days)


def fiscal_year(day: datetime.date) -> int:
    """The fiscal year a day belongs to (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_start(year: int) -> datetime.date:
    return datetime.date(year, 4, 1)


def fiscal_end(year: int) -> datetime.date:
    return datetime.date(year + 1, 3, 31)


def all_staff_role(policy: Policy) -> str:
    """The role whose exam everyone takes: the one mapped to the canonical ``all-staff``."""
    return next((r.id for r in policy.roles if r.canonical == "all-staff"), policy.roles[0].id)


def evaluate(policy: Policy, entries: Iterable[RosterEntry], attempts: Iterable[Attempt], rules: YearRules,
             year: int, as_of: datetime.date) -> list[PersonStatus]:
    """The status of every person of the roster on ``as_of``."""
    everyone = all_staff_role(policy)
    by_person: dict[str, list[Attempt]] = defaultdict(list)
    for a in attempts:
        by_person[a.staff_number].append(a)
    start, end, year_deadline = fiscal_start(year), fiscal_end(year), rules.deadline_in(year)
    result = []
    for entry in entries:
        new_hire = entry.hired_on is not None and start <= entry.hired_on <= end
        deadline = entry.hired_on + datetime.timedelta(days=rules.new_hire_days) if new_hire else year_deadline
        window_end = max(end, deadline)
        mine = [a for a in by_person.get(entry.staff_number, ()) if start <= a.day <= window_end and a.day <= as_of]
        exams = []
        for role in dict.fromkeys((everyone, *entry.roles)):
            tries = [a for a in mine if a.role == role and not a.disputed]
            passed = [a for a in tries if a.passed(rules.pass_mark)]
            if passed:
                best = max(passed, key=lambda a: (a.correct * 10_000 // a.total, -a.day.toordinal()))
                exams.append(ExamStatus(role, DONE, best.day, f"{best.correct}/{best.total}"))
                continue
            best = max(tries, key=lambda a: a.correct * 10_000 // a.total, default=None)
            score = f"{best.correct}/{best.total}" if best else ""
            status = OVERDUE if as_of > deadline else FAILED if tries else NOT_TAKEN
            exams.append(ExamStatus(role, status, None, score))
        result.append(PersonStatus(entry, new_hire, deadline, tuple(exams), any(a.disputed for a in mine)))
    return result
