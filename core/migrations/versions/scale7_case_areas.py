"""a case's areas in a column of their own, in the index of a council's cases by time raised

Revision ID: scale7_case_areas
Revises: scale6_case_search

The list's area filter (e.g. a learning community) compared one answer of each case: its count read up to
80,000 cases' answers at 1,000,000 cases (46 ms, answers of their real width). ``case.areas`` holds a case's
area answers (core/model/areas.py) and ``ix_case_council_raised`` carries it on PostgreSQL, so the count
reads that index alone (15 ms).

Which answers are areas is each council's data (``Council.areas``), known to the app, not to the schema: the
cases are filled in here from the installed councils, so the upgrade runs as the README says,
``flask --app wsgi db upgrade``. A case of a council no longer installed keeps no areas (no page lists it);
an erased case has none.
"""
import sqlalchemy as sa
from alembic import op

revision = "scale7_case_areas"
down_revision = "scale6_case_search"
branch_labels = None
depends_on = None

# core/model/areas.py as it stands at this revision: a migration keeps what it runs frozen.
SEPARATOR = "\x1f"
# ix_case_council_raised's included columns before this revision (the reports read them from it).
INCLUDED_BEFORE = ["id", "process", "ladder", "status", "outcome", "closed_at"]

case_table = sa.table("case", sa.column("id", sa.Integer), sa.column("council", sa.String),
                      sa.column("answers", sa.JSON), sa.column("areas", sa.Text), sa.column("erased_at", sa.DateTime))


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:  # rebuilt after the rows are written, rather than kept up to date row by row
        op.drop_index("ix_case_council_raised", table_name="case")
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(sa.Column("areas", sa.Text(), nullable=True))
    _fill(bind)
    if postgresql:
        op.create_index("ix_case_council_raised", "case", ["council", "raised_at"],
                        postgresql_include=[*INCLUDED_BEFORE, "areas"])


def _fill(bind) -> None:
    """Each case's areas, from its answers and its council's area names, in one UPDATE per council."""
    councils = bind.execute(sa.select(case_table.c.council).distinct()).scalars().all()
    if not councils:
        return
    areas_of = _installed_areas()
    for council in councils:
        names = sorted(areas_of.get(council, ()))
        if not names:
            continue
        answers = case_table.c.answers
        parts = [sa.case((sa.func.coalesce(answers[name].as_string(), "") != "",
                          sa.literal(f"{name}=") + sa.func.replace(answers[name].as_string(), SEPARATOR, "")
                          + SEPARATOR), else_="") for name in names]
        joined = sa.literal(SEPARATOR, sa.Text)
        for part in parts:
            joined = joined + part
        bind.execute(sa.update(case_table).where(case_table.c.council == council, case_table.c.erased_at.is_(None))
                     .values(areas=sa.func.nullif(joined, SEPARATOR)))


def _installed_areas() -> dict[str, tuple[str, ...]]:
    from flask import current_app, has_app_context

    if not has_app_context() or "concord" not in current_app.extensions:
        raise RuntimeError("This upgrade needs to know each council's areas: run it through the app, "
                           "`flask --app wsgi db upgrade`, as the README says.")
    return {slug: tuple(council.areas) for slug, council in current_app.extensions["concord"].councils.items()}


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_case_council_raised", table_name="case")
        op.create_index("ix_case_council_raised", "case", ["council", "raised_at"], postgresql_include=INCLUDED_BEFORE)
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("areas")
