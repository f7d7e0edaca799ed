"""drafts: a raise form's answers saved to finish later, one per person per process, with an expiry

Revision ID: forms2_drafts
Revises: scale1_list_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = "forms2_drafts"
down_revision = "scale1_list_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("process", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "process", name="uq_draft_user_process"),
    )
    op.create_index("ix_draft_council_expires", "draft", ["council", "expires_at"])


def downgrade():
    op.drop_index("ix_draft_council_expires", table_name="draft")
    op.drop_table("draft")
