"""milestones: the plan an accepting answer promises, and progress requests

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 23:00:00

``milestones``: the steps of a department's plan (day, words, when reached, and the deadline
machine's reminder and overdue instants). ``proposals.progress_due_at``: when the department
is next asked for a progress update, until the work is complete.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'milestones',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('remind_at', UTCDateTime(), nullable=True),
        sa.Column('overdue_at', UTCDateTime(), nullable=True),
        sa.Column('flagged_at', UTCDateTime(), nullable=True),
        sa.Column('reached_at', UTCDateTime(), nullable=True),
        sa.Column('reached_answer_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_milestones_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'],
                                name=op.f('fk_milestones_answer_id_answers'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['reached_answer_id'], ['answers.id'],
                                name=op.f('fk_milestones_reached_answer_id_answers'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
        sa.UniqueConstraint('proposal_id', 'position', name=op.f('uq_milestones_proposal_id')),
    )
    op.create_index('ix_milestones_remind_at', 'milestones', ['remind_at'])
    op.create_index('ix_milestones_overdue_at', 'milestones', ['overdue_at'])
    with op.batch_alter_table('proposals') as batch:
        batch.add_column(sa.Column('progress_due_at', UTCDateTime(), nullable=True))
        batch.create_index('ix_proposals_status_progress_due_at', ['status', 'progress_due_at'])


def downgrade() -> None:
    with op.batch_alter_table('proposals') as batch:
        batch.drop_index('ix_proposals_status_progress_due_at')
        batch.drop_column('progress_due_at')
    op.drop_index('ix_milestones_overdue_at', table_name='milestones')
    op.drop_index('ix_milestones_remind_at', table_name='milestones')
    op.drop_table('milestones')
