"""case list keyset paging: open stages by due date, a council's cases by reference

Revision ID: scale1_list_indexes
Revises: identity1
"""
from alembic import op
import sqlalchemy as sa

revision = "scale1_list_indexes"
down_revision = "identity1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_stage_entry_open_due", "stage_entry", ["due_on", "case_id"],
                    postgresql_where=sa.text("closed_at IS NULL"), sqlite_where=sa.text("closed_at IS NULL"))
    op.create_index("ix_case_council_reference", "case", ["council", "reference"])


def downgrade():
    op.drop_index("ix_case_council_reference", table_name="case")
    op.drop_index("ix_stage_entry_open_due", table_name="stage_entry")
