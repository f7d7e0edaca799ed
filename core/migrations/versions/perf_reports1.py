"""reports: a council's open cases by id, for the "open now" figures

Revision ID: perf_reports1
Revises: workspace1
"""
from alembic import op
import sqlalchemy as sa

revision = "perf_reports1"
down_revision = "workspace1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_case_council_open", "case", ["council", "id"], postgresql_include=["process"],
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_index("ix_case_council_open", table_name="case")
