"""council texts an admin may reword (immediate-risk guidance, signposts), with history

Revision ID: procedures1
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = "procedures1"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "council_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("council_text", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_council_text_council"), ["council"], unique=False)


def downgrade():
    with op.batch_alter_table("council_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_text_council"))
    op.drop_table("council_text")
