"""case list plans at scale: answers as JSONB, and the planner told that a case's route names its process

Revision ID: scale4_list_plans
Revises: scale3_offer_case

* ``case.answers`` becomes JSONB on PostgreSQL (the table is rewritten once). The list's area filter reads
  one answer of every case it counts: as JSON text each was parsed whole (46 ms a count at 1,000,000
  cases), as JSONB the answer is looked up (17 ms).

  JSONB refuses two things JSON text kept: ``\\u0000`` and a lone surrogate, which answers stored before
  Concord refused them (core/http/hygiene.py) may hold. Pages already show each as U+FFFD; it is stored
  so first, on both databases, so that every case, open or closed, comes through the upgrade.
* ``st_case_route``: the ladder of a case decides its process, and PostgreSQL assumes columns are
  independent, so it took the Education route of the escalation process for a tenth of its true size and
  hashed all 200,000 of its cases to count the 2,400 at one stage, rather than look up those 2,400.
  Dependency statistics on (council, process, ladder) give it the true size; ANALYZE fills them (here,
  unless the table is empty).
"""
import json
import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "scale4_list_plans"
down_revision = "scale3_offer_case"
branch_labels = None
depends_on = None

# A NUL or a surrogate written as an escape (json.dumps escapes every character outside ASCII). A superset:
# a surrogate of a valid pair matches too, and is left as it is by ``_replaced``.
ESCAPED_REFUSED = r"\\u(0000|[dD][89a-fA-F])"
REFUSED = re.compile("[\x00\ud800-\udfff]")  # after json.loads, a valid pair is one character, not two


def _replaced(value):
    if isinstance(value, str):
        return REFUSED.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replaced(v) for v in value]
    if isinstance(value, dict):
        return {_replaced(k): _replaced(v) for k, v in value.items()}
    return value


def _store_refused_text_as_shown(bind) -> None:
    case = sa.table("case", sa.column("id", sa.Integer), sa.column("answers", sa.JSON))
    as_text = sa.cast(case.c.answers, sa.Text)
    found = bind.execute(sa.select(case.c.id, as_text).where(as_text.regexp_match(ESCAPED_REFUSED))).all()
    for id_, text in found:
        answers = json.loads(text)
        if _replaced(answers) != answers:
            bind.execute(case.update().where(case.c.id == id_).values(answers=_replaced(answers)))


def upgrade():
    bind = op.get_bind()
    _store_refused_text_as_shown(bind)
    if bind.dialect.name != "postgresql":
        return
    op.alter_column("case", "answers", type_=postgresql.JSONB(), existing_type=sa.JSON(),
                    existing_nullable=False, postgresql_using="answers::jsonb")
    op.execute('CREATE STATISTICS st_case_route (dependencies) ON council, process, ladder FROM "case"')
    # Filled now where there are cases; a new database's are filled by autovacuum as cases arrive. Analysed
    # empty, the table's statistics said "no cases", and the plans workers prepared then kept scanning it
    # (the submission bench's PostgreSQL CPU a request rose from 1.0 to 3.7 ms within seconds).
    if bind.scalar(sa.text('SELECT EXISTS (SELECT 1 FROM "case")')):
        op.execute('ANALYZE "case"')


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_case_route")
    op.alter_column("case", "answers", type_=sa.JSON(), existing_type=postgresql.JSONB(),
                    existing_nullable=False, postgresql_using="answers::json")
