"""a KakaoTalk resident's turn is held by one process at a time

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-08 00:00:00

``kakao_accounts.turn_token`` and ``turn_until``: the process (replica) running the account's
current turn and until when it holds it, so that two replicas never run one resident's turns
side by side (each would read the same conversation and the same held pushes).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kakao_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('turn_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('turn_until', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kakao_accounts', schema=None) as batch_op:
        batch_op.drop_column('turn_until')
        batch_op.drop_column('turn_token')
