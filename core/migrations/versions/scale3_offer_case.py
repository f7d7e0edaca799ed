"""stage offers carry their entry's case: the cases offered to someone's contacts read from one index

Revision ID: scale3_offer_case
Revises: scale2_due_sort
"""
import sqlalchemy as sa
from alembic import op

revision = "scale3_offer_case"
down_revision = "scale2_due_sort"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stage_offer") as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
    # Every offer stored so far: its stage entry's case (one statement, on SQLite and PostgreSQL alike).
    op.execute("UPDATE stage_offer SET case_id = "
               "(SELECT stage_entry.case_id FROM stage_entry WHERE stage_entry.id = stage_offer.stage_entry_id)")
    with op.batch_alter_table("stage_offer") as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_stage_offer_case", "case", ["case_id"], ["id"])
        batch_op.drop_index("ix_stage_offer_contact")
        batch_op.create_index("ix_stage_offer_contact_case", ["contact_id", "case_id"])


def downgrade():
    with op.batch_alter_table("stage_offer") as batch_op:
        batch_op.drop_index("ix_stage_offer_contact_case")
        batch_op.create_index("ix_stage_offer_contact", ["contact_id"])
        batch_op.drop_column("case_id")  # and with it its foreign key
