"""stage entries: no meeting scheduled flag and long-overdue day

Revision ID: deadlines1
Revises: operations1
"""
from alembic import op
import sqlalchemy as sa

revision = "deadlines1"
down_revision = "hardening1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stage_entry") as batch:
        batch.add_column(sa.Column("no_meeting", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("long_overdue_on", sa.Date(), nullable=True))
        batch.create_index("ix_stage_entry_long_overdue_on", ["long_overdue_on"])


def downgrade():
    with op.batch_alter_table("stage_entry") as batch:
        batch.drop_index("ix_stage_entry_long_overdue_on")
        batch.drop_column("long_overdue_on")
        batch.drop_column("no_meeting")
