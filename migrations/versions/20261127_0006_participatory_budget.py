"""participatory budget rounds, projects, ballots, results

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 08:24:05.365262
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('budget_krw', sa.BigInteger(), nullable=False),
    sa.Column('ballot_type', sa.String(length=24), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('points_total', sa.Integer(), nullable=True),
    sa.Column('points_per_project', sa.Integer(), nullable=True),
    sa.Column('eligibility', sa.String(length=16), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=True),
    sa.Column('rule', sa.String(length=24), nullable=False),
    sa.Column('tie_break', sa.String(length=16), nullable=False),
    sa.Column('min_support_percent', sa.Integer(), nullable=True),
    sa.Column('changeable', sa.Boolean(), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('opens_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_rounds'))
    )
    with op.batch_alter_table('budget_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_rounds_phase'), ['phase'], unique=False)

    op.create_table('budget_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=True),
    sa.Column('draft_page', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=16), nullable=True),
    sa.Column('submitted_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_48h_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_6h_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['budget_rounds.id'], name=op.f('fk_budget_ballots_round_id_budget_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_budget_ballots_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ballots')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_budget_ballots_round_id'))
    )
    with op.batch_alter_table('budget_ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_ballots_round_id'), ['round_id'], unique=False)

    op.create_table('budget_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cost_krw', sa.BigInteger(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_budget_projects_proposal_id_proposals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['budget_rounds.id'], name=op.f('fk_budget_projects_round_id_budget_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_projects')),
    sa.UniqueConstraint('round_id', 'proposal_id', name=op.f('uq_budget_projects_round_id'))
    )
    with op.batch_alter_table('budget_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_projects_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('budget_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_projects_round_id'))

    op.drop_table('budget_projects')
    with op.batch_alter_table('budget_ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_ballots_round_id'))

    op.drop_table('budget_ballots')
    with op.batch_alter_table('budget_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_rounds_phase'))

    op.drop_table('budget_rounds')
