"""The first ledger: imports, rosters with their entries, and exam attempts.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.UniqueConstraint("kind", "sha256", name="uq_imports_kind_sha256"),
    )
    op.create_table(
        "rosters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("policy", sa.String(40), nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    )
    op.create_index("ix_rosters_policy_year", "rosters", ["policy", "fiscal_year"])
    op.create_table(
        "roster_entries",
        sa.Column("roster_id", sa.Integer, sa.ForeignKey("rosters.id"), primary_key=True),
        sa.Column("staff_number", sa.String(16), primary_key=True),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(100), nullable=False),
        sa.Column("roles", sa.String(1000), nullable=False),
        sa.Column("hired_on", sa.Date, nullable=True),
        sa.Column("employment", sa.String(100), nullable=False),
    )
    op.create_table(
        "attempts",
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
    op.create_index("ix_attempts_policy_staff", "attempts", ["policy", "staff_number"])
    op.create_index("ix_attempts_attempt", "attempts", ["attempt"])


def downgrade() -> None:
    for table in ("attempts", "roster_entries", "rosters", "imports"):
        op.drop_table(table)
