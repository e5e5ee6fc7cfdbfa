"""complaints: 민원 that a department answers without 공감 first

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 23:45:00

``proposals.kind``: ``proposal`` (every row so far) or ``complaint``; ``complaint_kind``: the
kind of 민원 staff triaged it into (its 처리기간 follows); ``complaint_public``: the resident
agreed to a public page. ``ix_proposals_created_at``: the yearly 이행상황 report reads a year
of proposals by when they were received.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=12), nullable=False,
                                   server_default='proposal'))
        batch.add_column(sa.Column('complaint_kind', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('complaint_public', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_index('ix_proposals_created_at', ['created_at'])


def downgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.drop_index('ix_proposals_created_at')
        batch.drop_column('complaint_public')
        batch.drop_column('complaint_kind')
        batch.drop_column('kind')
