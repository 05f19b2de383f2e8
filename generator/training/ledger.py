"""The training ledger: rosters and exam attempts in SQLite (default) or PostgreSQL, through
SQLAlchemy Core. Migrations (Alembic) run when the ledger is opened; every import runs in one
transaction that first takes the ledger's write lock, so two imports at once never lose rows and
a rejected file changes nothing. Nothing is ever deleted: a new roster is added beside the old one
and the latest of a fiscal year is the one in force.
"""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from ..errors import HandbookError

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_ID = 1_662_016
"""PostgreSQL advisory lock key of ledger writes."""

metadata = sa.MetaData()
"""The tables as the latest migration leaves them (queries use these; migrations do not)."""

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source", sa.String(400), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("added", sa.Integer, nullable=False),
    sa.UniqueConstraint("kind", "sha256", name="uq_imports_kind_sha256"),
)
rosters = sa.Table(
    "rosters", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("policy", sa.String(40), nullable=False),
    sa.Column("fiscal_year", sa.Integer, nullable=False),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
)
roster_entries = sa.Table(
    "roster_entries", metadata,
    sa.Column("roster_id", sa.Integer, sa.ForeignKey("rosters.id"), primary_key=True),
    sa.Column("staff_number", sa.String(16), primary_key=True),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("unit", sa.String(100), nullable=False),
    sa.Column("roles", sa.String(1000), nullable=False),
    sa.Column("hired_on", sa.Date, nullable=True),
    sa.Column("employment", sa.String(100), nullable=False),
)
attempts = sa.Table(
    "attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("attempt", sa.String(64), nullable=True),
    sa.Column("staff_number", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("unit", sa.String(100), nullable=False),
    sa.Column("policy", sa.String(40), nullable=False),
    sa.Column("revision", sa.String(10), nullable=False),
    sa.Column("role", sa.String(80), nullable=False),
    sa.Column("finished_at", sa.String(32), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("correct", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
)


def open_ledger(url: str) -> Engine:
    """An engine on the ledger at ``url``, migrated to the latest version."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 120})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    else:
        engine = sa.create_engine(url)
    try:
        with writing(engine) as conn:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except sa.exc.OperationalError as err:
        engine.dispose()
        raise HandbookError(f"研修台帳（{_shown(url)}）を開けません。ファイルの場所、またはデータベースのサーバが"
                            f"動いているかと URL を確かめてください（詳細: {str(err.orig).splitlines()[0]}）。") from None
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the ledger's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
    advisory lock), committed when the block ends without an exception."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_ID})
        yield conn


def insert_ignoring_duplicates(conn: Connection, table: sa.Table, rows: list[dict], key: str) -> int:
    """Insert ``rows`` except those whose ``key`` is already there; return how many were added.
    Call it inside :func:`writing`: the count is exact because no one else writes meanwhile."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    count = sa.select(sa.func.count()).select_from(table)
    before = conn.execute(count).scalar()
    statement = insert(table).on_conflict_do_nothing(index_elements=[key])
    for start in range(0, len(rows), 5000):
        conn.execute(statement, rows[start:start + 5000])
    return conn.execute(count).scalar() - before


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _sqlite_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN IMMEDIATE
    dbapi_connection.execute("PRAGMA foreign_keys = ON")  # the default rollback journal: safe on a file share too


def _shown(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)
