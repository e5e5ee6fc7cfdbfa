"""the 주민자치회 members' recruitment: calls per 동 and residents' applications

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 17:00:00

``council_recruitments``: a 동's call for members (seats, reserves, the application window).
``council_applications``: one per resident and call (its id is the public number), the two
features the composition rules need (age band, sex), when the resident consented to their
use for this lottery, when they withdrew, and when staff recorded that they completed the
주민자치학교 (only completers enter the draw).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'council_recruitments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('seats', sa.Integer(), nullable=False),
        sa.Column('reserves', sa.Integer(), nullable=False),
        sa.Column('opens_at', UTCDateTime(), nullable=False),
        sa.Column('closes_at', UTCDateTime(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_recruitments')),
    )
    op.create_index(op.f('ix_council_recruitments_area'), 'council_recruitments', ['area'],
                    unique=False)
    op.create_table(
        'council_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recruitment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('age_band', sa.String(length=16), nullable=False),
        sa.Column('sex', sa.String(length=8), nullable=False),
        sa.Column('consented_at', UTCDateTime(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('withdrawn_at', UTCDateTime(), nullable=True),
        sa.Column('completed_at', UTCDateTime(), nullable=True),
        sa.Column('completed_by', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ['recruitment_id'], ['council_recruitments.id'],
            name=op.f('fk_council_applications_recruitment_id_council_recruitments'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_council_applications_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_council_applications')),
        sa.UniqueConstraint('user_id', 'recruitment_id',
                            name=op.f('uq_council_applications_user_id')),
    )
    op.create_index(op.f('ix_council_applications_recruitment_id'), 'council_applications',
                    ['recruitment_id'], unique=False)
    op.create_index(op.f('ix_council_applications_user_id'), 'council_applications',
                    ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_council_applications_user_id'), table_name='council_applications')
    op.drop_index(op.f('ix_council_applications_recruitment_id'),
                  table_name='council_applications')
    op.drop_table('council_applications')
    op.drop_index(op.f('ix_council_recruitments_area'), table_name='council_recruitments')
    op.drop_table('council_recruitments')
