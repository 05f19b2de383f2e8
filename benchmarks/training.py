"""Benchmark of the training ledger: import 100,000 exam records and report on 10,000 staff, on
SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/training.py
    .venv/bin/python benchmarks/training.py --postgresql postgresql+psycopg://user:pass@host/db
    .venv/bin/python benchmarks/training.py --databases sqlite --staff 2000 --records 20000

The records are true records of the real 宮古市 bank (20 questions each, re-graded on import),
in files of 10,000 lines; the roster is a CSV saved as Shift_JIS. The PostgreSQL database given is
emptied first (schema ``public`` dropped and created), so point it at a scratch database (the
default is the test database that ``.ci/run`` creates). Prints one line per database and step.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.completion import CompletionRecord  # noqa: E402
from generator.content import load_content  # noqa: E402
from generator.training.bank import Banks  # noqa: E402
from generator.training.ledger import open_ledger  # noqa: E402
from generator.training.report import build_report, write_report  # noqa: E402
from generator.training.results import Source, import_results  # noqa: E402
from generator.training.roster import import_roster, read_roster  # noqa: E402
from generator.training.settings import TrainingSettings, YearRules  # noqa: E402

PG_URL = "postgresql+psycopg://handbook:handbook@127.0.0.1:5432/handbook_test"
JST = datetime.timezone(datetime.timedelta(hours=9))
UNITS = [f"第{n:02d}課" for n in range(60)]


def make_inputs(bank, staff: int, records: int, folder: Path) -> tuple[Path, list[Source]]:
    rng = random.Random(16)
    pool = bank.pool("staff")
    roster = ["職員番号,氏名,所属,役割,採用日,雇用区分"]
    for n in range(staff):
        roster.append(f"S{n:06d},職員 {n},{UNITS[n % len(UNITS)]},,{2000 + n % 26}/4/1,正規職員")
    path = folder / "roster.csv"
    path.write_bytes(("\r\n".join(roster) + "\r\n").encode("cp932"))
    lines = []
    for i in range(records):
        person = i % staff
        day = datetime.date(2026, 4, 1) + datetime.timedelta(days=rng.randrange(0, 360))
        drawn = rng.sample(pool, 20)
        right = rng.randrange(10, 21)
        answers = tuple((q.id, q.answer if k < right else (q.answer + 1) % q.choices) for k, q in enumerate(drawn))
        when = datetime.datetime.combine(day, datetime.time(9 + i % 8, i % 60), JST)
        attempt = hashlib.md5(str(i).encode()).hexdigest()
        lines.append(CompletionRecord(attempt, f"S{person:06d}", f"職員 {person}", UNITS[person % len(UNITS)], bank.policy,
                                      bank.revision, "staff", when, when + datetime.timedelta(minutes=15), answers,
                                      right, 20).line())
    sources = [Source(f"records-{k // 10000:02d}.txt", ("\r\n".join(lines[k:k + 10000]) + "\r\n").encode())
               for k in range(0, len(lines), 10000)]
    return path, sources


def run(name: str, url: str, content, policy, banks, roster_path: Path, sources: list[Source], out: Path) -> None:
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    rules = YearRules(deadline="12-31")
    settings = TrainingSettings(ROOT, policy.id, url, defaults=rules)
    engine = open_ledger(url)
    start = time.perf_counter()
    roster = read_roster(roster_path, policy)
    import_roster(engine, roster, policy.id, 2026, "roster.csv")
    roster_time = time.perf_counter() - start
    start = time.perf_counter()
    summary = import_results(engine, policy, banks, settings, sources)
    import_time = time.perf_counter() - start
    start = time.perf_counter()
    with engine.connect() as conn:
        report = build_report(conn, policy, rules, 2026, datetime.date(2027, 3, 31))
    write_report(report, out / name, out)
    report_time = time.perf_counter() - start
    engine.dispose()
    print(f"{name:10} roster {len(roster.entries):,} staff {roster_time:6.2f} s | import {summary.added:,} records "
          f"{import_time:6.2f} s ({summary.added / import_time:,.0f}/s) | report {report.total.people:,} staff "
          f"({report.total.done:,} 修了) {report_time:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--postgresql", default=PG_URL, help="a scratch PostgreSQL database (emptied first)")
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    content = load_content(ROOT)
    policy = content.policy("miyako")
    banks = Banks.load(content, None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        roster_path, sources = make_inputs(banks.get("miyako", policy.revision), args.staff, args.records, folder)
        size = sum(len(s.raw) for s in sources)
        print(f"inputs: {args.staff:,} staff, {args.records:,} records in {len(sources)} files ({size / 1e6:.0f} MB), "
              f"made in {time.perf_counter() - start:.1f} s")
        for name in args.databases:
            url = f"sqlite:///{folder / 'ledger.sqlite'}" if name == "sqlite" else args.postgresql
            run(name, url, content, policy, banks, roster_path, sources, folder)


if __name__ == "__main__":
    main()
