"""case search at scale: references by trigram, the child's record number by its own index (PostgreSQL)

Revision ID: scale6_case_search
Revises: scale5_offer_entry_index

The list's search (``core/reads/caselist.py``) finds a case by any part of its reference, or by the
child's record number exactly. No index served either, so each search read every case of the council,
answers and all: about 1.1 s at 1,000,000 cases, whether it found one case or none.

* ``ix_case_reference_trgm``: a trigram index of ``lower(reference)``, which serves ``LIKE '%…%'``
  (three letters or more). It needs the ``pg_trgm`` extension, part of PostgreSQL's contrib and trusted
  since PostgreSQL 13, so the database's owner may create it. Where it is missing, the upgrade stops and
  says what to install, rather than leave every search reading every case.
* ``ix_case_child_reference``: ``(council, lower(answers ->> 'child_reference'))``, the expression the
  search compares.

SQLite (the embedded database, a council's own scale) has neither operator class nor the need.
"""
from alembic import op

revision = "scale6_case_search"
down_revision = "scale5_offer_entry_index"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first()
    if available is None:
        raise RuntimeError(
            "PostgreSQL's pg_trgm extension is not installed on the database server. It is part of PostgreSQL's "
            "contrib modules (Debian and Ubuntu ship it with the server; elsewhere install the "
            "postgresql-contrib package), then run the upgrade again.")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute('CREATE INDEX ix_case_reference_trgm ON "case" USING gin (lower(reference) gin_trgm_ops)')
    op.execute("CREATE INDEX ix_case_child_reference ON \"case\" (council, lower(answers ->> 'child_reference'))")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # The extension stays: dropping it could break what else the database uses it for.
    op.execute("DROP INDEX IF EXISTS ix_case_child_reference")
    op.execute("DROP INDEX IF EXISTS ix_case_reference_trgm")
