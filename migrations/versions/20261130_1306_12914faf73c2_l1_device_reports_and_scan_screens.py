"""l1: device reports (what each handheld last said about itself) and the screen / expected code of a scan

For the live dashboard (issue 12): who is signed in where, offline queues, and error scans per person and flow.

Revision ID: 12914faf73c2
Revises: 85ef07ef3df7
Create Date: 2026-11-30 13:06:34.550858

"""
from alembic import op
import sqlalchemy as sa

import server.db  # noqa: F401  (custom column types such as UTCDateTime; keep `db` out of server/__init__)


# revision identifiers, used by Alembic.
revision = '12914faf73c2'
down_revision = '85ef07ef3df7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_reports',
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('screen', sa.String(length=24), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('oldest_queued_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('app_version', sa.String(length=32), nullable=True),
    sa.Column('reported_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_device_reports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_device_reports'))
    )
    with op.batch_alter_table('device_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_reports_reported_at'), ['reported_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_reports_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('scan_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('expected', sa.String(length=128), nullable=True))



def downgrade():
    with op.batch_alter_table('scan_logs', schema=None) as batch_op:
        batch_op.drop_column('expected')
        batch_op.drop_column('screen')

    with op.batch_alter_table('device_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_reports_user_id'))
        batch_op.drop_index(batch_op.f('ix_device_reports_reported_at'))

    op.drop_table('device_reports')
