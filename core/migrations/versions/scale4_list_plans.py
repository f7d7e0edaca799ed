"""case list plans at scale: answers as JSONB, and the planner told that a case's route names its process

Revision ID: scale4_list_plans
Revises: scale3_offer_case

Both are PostgreSQL's alone; SQLite keeps JSON as text and has no such statistics.

* ``case.answers`` becomes JSONB (the table is rewritten once). The list's area filter reads one answer
  of every case it counts: as JSON text each was parsed whole (46 ms a count at 1,000,000 cases), as
  JSONB the answer is looked up (17 ms).
* ``st_case_route``: the ladder of a case decides its process, and PostgreSQL assumes columns are
  independent, so it took the Education route of the escalation process for a tenth of its true size and
  hashed all 200,000 of its cases to count the 2,400 at one stage, rather than look up those 2,400.
  Dependency statistics on (council, process, ladder) give it the true size; ANALYZE fills them.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "scale4_list_plans"
down_revision = "scale3_offer_case"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column("case", "answers", type_=postgresql.JSONB(), existing_type=sa.JSON(),
                    existing_nullable=False, postgresql_using="answers::jsonb")
    op.execute('CREATE STATISTICS st_case_route (dependencies) ON council, process, ladder FROM "case"')
    op.execute('ANALYZE "case"')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_case_route")
    op.alter_column("case", "answers", type_=sa.JSON(), existing_type=postgresql.JSONB(),
                    existing_nullable=False, postgresql_using="answers::json")
