"""account links: one-time codes that join a KakaoTalk account to a Telegram one

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-10 00:00:00

``account_link_codes``: a six-digit code one account shows (``/link`` in Telegram, ``연결`` in
KakaoTalk) and the other enters, kept only as a keyed hash; valid ten minutes, used once.
``account_link_failures``: a wrong code entered, so that the hourly limit survives a restart.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'account_link_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_link_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_link_codes')),
    )
    op.create_index('ix_account_link_codes_user_id', 'account_link_codes', ['user_id'])
    op.create_index('ix_account_link_codes_code_hash', 'account_link_codes', ['code_hash'])
    op.create_table(
        'account_link_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_link_failures_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_link_failures')),
    )
    op.create_index('ix_account_link_failures_user_id_at', 'account_link_failures',
                    ['user_id', 'at'])


def downgrade() -> None:
    op.drop_index('ix_account_link_failures_user_id_at', table_name='account_link_failures')
    op.drop_table('account_link_failures')
    op.drop_index('ix_account_link_codes_code_hash', table_name='account_link_codes')
    op.drop_index('ix_account_link_codes_user_id', table_name='account_link_codes')
    op.drop_table('account_link_codes')
