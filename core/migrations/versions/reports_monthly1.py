"""report_month: each council's figures per London month, kept current with each case; back-filled

Revision ID: reports_monthly1
Revises: forms2_drafts
"""
import sqlalchemy as sa
from alembic import op

revision = "reports_monthly1"
down_revision = "forms2_drafts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_month",
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("ladder", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=64), nullable=False),
        sa.Column("tenths", sa.Integer(), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("council", "figure", "month", "process", "ladder", "name", "outcome", "tenths"),
    )
    # Every case already there is counted, so an upgrade loses none from the reports.
    from core.engine.report_months import back_fill

    back_fill(op.get_bind())


def downgrade():
    op.drop_table("report_month")
