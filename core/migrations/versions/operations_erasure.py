"""erasure: cases erased under retention; audit events by the retention job (no user)

Revision ID: operations1
Revises: procedures1
"""
from alembic import op
import sqlalchemy as sa

revision = "operations1"
down_revision = "procedures1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("case") as batch:
        batch.drop_column("erased_at")
