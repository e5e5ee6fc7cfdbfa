"""council draws: the members' lottery drawn in the bot, and what it made of each application

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 18:00:00

``council_draws``: one per call. Prepared: the inputs published with the commitment (applicant
numbers with age band and sex, the rules, seats and reserves), the secret kept until the draw,
the distribution over panels that `sortition-algorithms` found and its version. Drawn: the
record with the room's randomness, which anyone re-runs (`python -m bot sortition verify`).
``council_applications.outcome`` (selected, reserve, not drawn) and ``reserve_rank``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'council_draws',
        sa.Column('recruitment_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('inputs', sa.JSON(), nullable=False),
        sa.Column('commitment', sa.String(length=64), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('distribution', sa.JSON(), nullable=False),
        sa.Column('library', sa.String(length=64), nullable=False),
        sa.Column('prepared_at', UTCDateTime(), nullable=False),
        sa.Column('prepared_by', sa.String(length=120), nullable=False),
        sa.Column('record', sa.JSON(), nullable=True),
        sa.Column('drawn_at', UTCDateTime(), nullable=True),
        sa.Column('drawn_by', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ['recruitment_id'], ['council_recruitments.id'],
            name=op.f('fk_council_draws_recruitment_id_council_recruitments'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('recruitment_id', name=op.f('pk_council_draws')),
    )
    with op.batch_alter_table('council_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('reserve_rank', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('council_applications', schema=None) as batch_op:
        batch_op.drop_column('reserve_rank')
        batch_op.drop_column('outcome')
    op.drop_table('council_draws')
