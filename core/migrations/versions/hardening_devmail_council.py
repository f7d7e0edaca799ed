"""development outbox messages belong to a council

Revision ID: hardening1
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "hardening1"
down_revision = "operations1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dev_mail") as batch:
        batch.add_column(sa.Column("council", sa.String(length=64), nullable=True))
        batch.create_index("ix_dev_mail_council", ["council"])


def downgrade():
    with op.batch_alter_table("dev_mail") as batch:
        batch.drop_index("ix_dev_mail_council")
        batch.drop_column("council")
