"""authority by identity: the identity holding a stage, and identities an admin set aside

Revision ID: identity1
Revises: upgrades1
"""
from alembic import op
import sqlalchemy as sa

revision = "identity1"
down_revision = "upgrades1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("set_aside_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("stage_entry") as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_stage_entry_assignee", "user", ["assignee_id"], ["id"])
        batch_op.create_index("ix_stage_entry_assignee_id", ["assignee_id"])
    # A stage already held by email goes to the council's one identity with that email. Where two
    # identities share it, nobody holds it until an admin chooses on the directory page.
    op.execute(sa.text("""
        UPDATE stage_entry SET assignee_id = (
            SELECT u.id FROM "user" u JOIN "case" c ON c.council = u.council
            WHERE c.id = stage_entry.case_id AND u.email = stage_entry.assignee_email)
        WHERE assignee_email IS NOT NULL AND (
            SELECT count(*) FROM "user" u JOIN "case" c ON c.council = u.council
            WHERE c.id = stage_entry.case_id AND u.email = stage_entry.assignee_email) = 1
    """))


def downgrade():
    with op.batch_alter_table("stage_entry") as batch_op:
        batch_op.drop_index("ix_stage_entry_assignee_id")
        batch_op.drop_constraint("fk_stage_entry_assignee", type_="foreignkey")
        batch_op.drop_column("assignee_id")
    with op.batch_alter_table("user") as batch_op:
        batch_op.drop_column("set_aside_at")
