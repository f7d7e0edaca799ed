"""reports and learning: themes and learning of closed cases, council settings, audit of non-case events

Revision ID: reports1
Revises: deadlines1
"""
from alembic import op
import sqlalchemy as sa

revision = "reports1"
down_revision = "deadlines1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "council_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["added_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council", "label"),
    )
    op.create_table(
        "case_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=120), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "theme"),
    )
    op.create_index("ix_case_theme_closed", "case_theme", ["council", "closed_at"],
                    postgresql_include=["theme", "process"])
    op.create_index("ix_case_council_raised", "case", ["council", "raised_at"],
                    postgresql_include=["id", "process", "ladder", "status", "outcome", "closed_at"])
    op.create_index("ix_case_council_closed", "case", ["council", "closed_at"],
                    postgresql_include=["process", "raised_at"])
    op.create_index("ix_stage_entry_open", "stage_entry", ["case_id"], postgresql_where=sa.text("closed_at IS NULL"),
                    sqlite_where=sa.text("closed_at IS NULL"), postgresql_include=["due_on", "late_on_arrival"])
    op.create_table(
        "case_learning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_learning_council", "case_learning", ["council"])
    op.create_index("ix_case_learning_case_id", "case_learning", ["case_id"])
    op.create_table(
        "council_setting",
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("share_aggregates", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["changed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("council"),
    )
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("detail", sa.String(length=400), nullable=True))
        batch_op.create_index("ix_audit_event_council_at", ["council", "at"])


def downgrade():
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_index("ix_audit_event_council_at")
        batch_op.drop_column("detail")
    op.execute("DELETE FROM audit_event WHERE case_id IS NULL")
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("council_setting")
    op.drop_index("ix_case_learning_case_id", table_name="case_learning")
    op.drop_index("ix_case_learning_council", table_name="case_learning")
    op.drop_table("case_learning")
    op.drop_index("ix_stage_entry_open", table_name="stage_entry")
    op.drop_index("ix_case_council_closed", table_name="case")
    op.drop_index("ix_case_council_raised", table_name="case")
    op.drop_index("ix_case_theme_closed", table_name="case_theme")
    op.drop_table("case_theme")
    op.drop_table("council_theme")
