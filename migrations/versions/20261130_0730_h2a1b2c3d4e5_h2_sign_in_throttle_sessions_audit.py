"""h2: login throttle by source and account, server-side web sessions, user audit log

Revision ID: h2a1b2c3d4e5
Revises: 35b722ec647f
Create Date: 2026-11-30 07:30:00

The throttle's counters are short-lived (forgotten after 30 quiet minutes), so its table is recreated
with the new key scheme instead of converted.
"""
from alembic import op
import sqlalchemy as sa

import server.db  # noqa: F401  (custom column types such as UTCDateTime)

revision = 'h2a1b2c3d4e5'
down_revision = '35b722ec647f'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('login_throttles')
    op.create_table('login_throttles',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('account', sa.String(length=80), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_login_throttles'))
    )
    op.create_index(op.f('ix_login_throttles_account'), 'login_throttles', ['account'], unique=False)
    op.create_table('web_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions'))
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_table('user_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', server.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_user_audit_actor_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_audit_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_audit'))
    )
    op.create_index(op.f('ix_user_audit_user_id'), 'user_audit', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_user_audit_user_id'), table_name='user_audit')
    op.drop_table('user_audit')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_index(op.f('ix_login_throttles_account'), table_name='login_throttles')
    op.drop_table('login_throttles')
    op.create_table('login_throttles',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', server.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_login_throttles'))
    )
