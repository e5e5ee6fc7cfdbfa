"""council rules: each call's composition rules, as data

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 20:00:00

``council_recruitments.rules``: the call's composition rules (a feature, its categories, at
least, at most or under a count or a percent of the seats), set by an admin until the draw
is prepared; NULL means Seoul's (40대 이하 15 % 이상, 특정 성 60 % 미만).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('council_recruitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rules', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('council_recruitments', schema=None) as batch_op:
        batch_op.drop_column('rules')
