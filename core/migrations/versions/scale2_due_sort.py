"""case list: a council's cases of one process and route by time raised, for the due-date sort's closed cases

Revision ID: scale2_due_sort
Revises: reports_monthly1
"""
from alembic import op

revision = "scale2_due_sort"
down_revision = "reports_monthly1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_case_council_process_ladder_raised", "case", ["council", "process", "ladder", "raised_at", "id"])


def downgrade():
    op.drop_index("ix_case_council_process_ladder_raised", table_name="case")
