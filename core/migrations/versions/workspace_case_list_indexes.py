"""case list indexes: newest first per council (and process), current stage per case

Revision ID: workspace1
Revises: reports1 (which made ix_case_council_raised)
"""
from alembic import op
import sqlalchemy as sa

revision = "workspace1"
down_revision = "reports1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_case_council_process_raised", "case", ["council", "process", "raised_at"])
    op.create_index("ix_stage_entry_current", "stage_entry", ["case_id", "due_on"],
                    postgresql_where=sa.text("closed_at IS NULL"), sqlite_where=sa.text("closed_at IS NULL"))


def downgrade():
    op.drop_index("ix_stage_entry_current", table_name="stage_entry")
    op.drop_index("ix_case_council_process_raised", table_name="case")
