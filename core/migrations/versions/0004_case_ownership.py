"""case ownership: users per council, bound contacts, stage assignees and offers, idempotent raising

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# SQLite's reflected constraints have no names; this gives the old one a name to drop.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _old_user_unique() -> str:
    return "user_issuer_subject_key" if op.get_bind().dialect.name == "postgresql" else "uq_user_issuer_subject"


def upgrade():
    with op.batch_alter_table('user', naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_old_user_unique(), type_='unique')
        batch_op.create_unique_constraint('uq_user_council_issuer_subject', ['council', 'issuer', 'subject'])
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('contact') as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_contact_user', 'user', ['user_id'], ['id'])

    with op.batch_alter_table('case') as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('opened_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_case_opened_from', 'case', ['opened_from_id'], ['id'])
        batch_op.create_unique_constraint('uq_case_idempotency', ['council', 'raised_by_id', 'idempotency_key'])

    with op.batch_alter_table('stage_entry') as batch_op:
        batch_op.add_column(sa.Column('assignee_email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('assignee_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('taken_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('to_lead', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('late_on_arrival', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_stage_entry_assignee', ['assignee_email'])

    op.create_table('stage_offer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stage_entry_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['stage_entry_id'], ['stage_entry.id']),
        sa.ForeignKeyConstraint(['contact_id'], ['contact.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('stage_entry_id', 'contact_id'),
    )
    op.create_index('ix_stage_offer_contact', 'stage_offer', ['contact_id'])
    unreported = sa.text("state = 'failed' AND reported_at IS NULL")
    op.create_index('ix_notification_unreported_failures', 'scheduled_notification', ['council'],
                    postgresql_where=unreported, sqlite_where=unreported)


def downgrade():
    op.drop_index('ix_notification_unreported_failures', table_name='scheduled_notification')
    op.drop_index('ix_stage_offer_contact', table_name='stage_offer')
    op.drop_table('stage_offer')
    with op.batch_alter_table('stage_entry') as batch_op:
        batch_op.drop_index('ix_stage_entry_assignee')
        for column in ('late_on_arrival', 'to_lead', 'taken_at', 'assignee_name', 'assignee_email'):
            batch_op.drop_column(column)
    with op.batch_alter_table('case') as batch_op:
        batch_op.drop_constraint('uq_case_idempotency', type_='unique')
        batch_op.drop_constraint('fk_case_opened_from', type_='foreignkey')
        batch_op.drop_column('opened_from_id')
        batch_op.drop_column('idempotency_key')
    with op.batch_alter_table('contact') as batch_op:
        batch_op.drop_constraint('fk_contact_user', type_='foreignkey')
        batch_op.drop_column('user_id')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('session_generation')
        batch_op.drop_constraint('uq_user_council_issuer_subject', type_='unique')
        batch_op.create_unique_constraint('uq_user_issuer_subject', ['issuer', 'subject'])
