"""kakao: the KakaoTalk channel's residents and the pushes held for them

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-09 00:00:00

``kakao_accounts``: a KakaoTalk channel user, their botUserKey only as a keyed hash, the 공감
user they are (a Kakao-only one has a synthetic ``users.telegram_id`` from 2**60 upwards, a
range Telegram never reaches), their turn counter and what the last answer showed them.
``kakao_held_notices``: pushes for a Kakao-only resident, shown with their next message.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kakao_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('turns', sa.BigInteger(), nullable=False),
        sa.Column('conversation', sa.JSON(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_kakao_accounts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kakao_accounts')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_kakao_accounts_key_hash')),
        sa.UniqueConstraint('user_id', name=op.f('uq_kakao_accounts_user_id')),
    )
    op.create_table(
        'kakao_held_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_kakao_held_notices_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kakao_held_notices')),
    )
    op.create_index('ix_kakao_held_notices_user_id', 'kakao_held_notices', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_kakao_held_notices_user_id', table_name='kakao_held_notices')
    op.drop_table('kakao_held_notices')
    op.drop_table('kakao_accounts')
