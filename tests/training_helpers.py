"""Test helpers of the training ledger: databases, exam records, and a deterministic fixture
municipality of 1,000 staff."""

from __future__ import annotations

import datetime
import hashlib
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from generator.completion import CompletionRecord
from generator.training.bank import ExamBank

PG_URL = "postgresql+psycopg://handbook:handbook@127.0.0.1:5432/handbook_test"
"""The PostgreSQL test database (.ci/run creates it). Unreachable: the PostgreSQL tests fail."""
JST = datetime.timezone(datetime.timedelta(hours=9))
HEADER = "職員番号,氏名,所属,役割,採用日,雇用区分"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """Every ledger test runs on a fresh SQLite file and on a fresh PostgreSQL schema (its own
    per test process, so ``pytest -n`` and two checkouts can share the test database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'training' / 'ledger.sqlite'}"
        return
    schema = f"test_{os.getpid()}"  # one schema per test process, so parallel runs never meet
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    engine.dispose()


def record(bank: ExamBank, staff: str, day: datetime.date, right: int | None = None, role: str = "staff",
           attempt: str | None = None, name: str = "試験 太郎", unit: str = "総務課") -> CompletionRecord:
    """A true record of an exam on the role's whole pool with ``right`` right answers (all when None)."""
    pool = bank.pool(role)
    right = len(pool) if right is None else right
    answers = tuple((q.id, q.answer if i < right else (q.answer + 1) % q.choices) for i, q in enumerate(pool))
    when = datetime.datetime.combine(day, datetime.time(10, 0), JST)
    attempt = attempt or hashlib.md5(f"{staff}|{day}|{role}|{right}".encode()).hexdigest()
    return CompletionRecord(attempt, staff, name, unit, bank.policy, bank.revision, role, when,
                            when + datetime.timedelta(minutes=12), answers, right, len(pool))


UNITS = ("総務課", "財政課", "税務課", "市民課", "福祉課", "健康推進課", "環境課", "農林課", "商工観光課", "建設課",
         "上下水道課", "教育総務課", "生涯学習課", "会計課", "議会事務局", "情報政策課", "危機管理課", "子育て支援課",
         "高齢介護課", "消防本部")


@dataclass(frozen=True)
class Municipality:
    """A generated roster with the attempts its staff made and the statuses they must end in."""

    roster_csv: str
    records: tuple[CompletionRecord, ...]
    expected: dict[str, str]
    """Staff number → status on the report date."""


def municipality(bank: ExamBank, staff: int = 1000, year: int = 2026,
                 as_of: datetime.date = datetime.date(2027, 1, 15)) -> Municipality:
    """A fixture municipality: 20 units, a security manager per unit, 5% hired during the year (30
    days to pass), year deadline 12-31; 80% pass, 8% fail, the rest never take the exam."""
    rng = random.Random(year)
    lines, records, expected = [HEADER], [], {}
    for n in range(staff):
        number = f"M{n:05d}"
        unit = UNITS[n % len(UNITS)]
        manager = n < len(UNITS)
        new_hire = rng.random() < 0.05
        hired = datetime.date(year, 4, 1) + datetime.timedelta(days=rng.randrange(0, 300)) if new_hire \
            else datetime.date(2000 + rng.randrange(0, 26), 4, 1)
        deadline = hired + datetime.timedelta(days=30) if new_hire else datetime.date(year, 12, 31)
        lines.append(f"{number},職員 {n:04d},{unit},{'情報セキュリティ管理者' if manager else ''},{hired.isoformat()},"
                     f"{'正規職員' if rng.random() < 0.8 else '会計年度任用職員'}")
        fate = rng.random()
        roles = ["staff"] + (["security-manager"] if manager else [])
        passed_all = True
        took_any = False
        for role in roles:
            start = max(hired, datetime.date(year, 4, 1))
            day = start + datetime.timedelta(days=rng.randrange(0, 25))
            if fate < 0.80 and day <= as_of:
                records.append(record(bank, number, day, None, role))
                took_any = True
            elif fate < 0.88 and day <= as_of:
                records.append(record(bank, number, day, 0, role))
                took_any, passed_all = True, False
            else:
                passed_all = False
        if passed_all:
            expected[number] = "修了"
        elif as_of > deadline:
            expected[number] = "期限超過"
        else:
            expected[number] = "不合格" if took_any else "未受講"
    return Municipality("\n".join(lines) + "\n", tuple(records), expected)


QUIZ = """\
questions:
  - id: miyako.q-leak
    question: 同僚にパスワードを見られたかもしれません。どうしますか。
    choices: [そのまま使う, 情報セキュリティ管理者に速やかに報告する, 翌年度に報告する]
    answer: 1
    explanation: 流出のおそれがあれば速やかに報告します。
    cites: [miyako.password-report-leak]
  - id: miyako.q-memo
    question: パスワードを付箋に書いて画面に貼ってよいですか。
    choices: [よい, よくない]
    answer: 1
    explanation: 他者に知られないように管理します。
    cites: [miyako.password-keep-secret]
  - id: miyako.q-manager-report
    question: 職員からパスワード流出の報告を受けた管理者が確かめることは。
    choices: [何もしない, 報告の内容を確かめる, 翌月に考える]
    answer: 1
    explanation: 報告を受けたら内容を確かめます。
    cites: [miyako.password-report-leak]
    roles: [security-manager]
"""
"""Authored questions for the fixture project, so that each exam has a pool to draw from."""
