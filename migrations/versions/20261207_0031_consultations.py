"""consultations: 「구가 묻습니다」, the district's own questions to residents

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08 00:30:00

``consultations``: a question with its options, the main argument for each, a window and an
audience, tied to a proposal row of kind ``consultation`` (its title and background, and,
after the close, the department's reply link, answers and clock). ``consultation_votes``: one
changeable vote per resident; ``consultation_opinions``: opinions under the choice made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consultations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.String(length=200), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('opens_at', UTCDateTime(), nullable=False),
        sa.Column('closes_at', UTCDateTime(), nullable=False),
        sa.Column('audience', sa.String(length=12), nullable=False),
        sa.Column('audience_value', sa.String(length=40), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('photo_file_id', sa.String(length=200), nullable=True),
        sa.Column('document_file_id', sa.String(length=200), nullable=True),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_consultations_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_consultations_department_id_departments'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
        sa.UniqueConstraint('proposal_id', name=op.f('uq_consultations_proposal_id')),
    )
    op.create_index('ix_consultations_state_opens_at', 'consultations', ['state', 'opens_at'])
    op.create_index('ix_consultations_state_closes_at', 'consultations', ['state', 'closes_at'])
    op.create_table(
        'consultation_votes',
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.Integer(), nullable=False),
        sa.Column('voted_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_consultation_votes_consultation_id_consultations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_consultation_votes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('consultation_id', 'user_id',
                                name=op.f('pk_consultation_votes')),
    )
    op.create_table(
        'consultation_opinions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('choice', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'],
                                name=op.f('fk_consultation_opinions_consultation_id_'
                                          'consultations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_consultation_opinions_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_opinions')),
    )
    op.create_index('ix_consultation_opinions_consultation_id', 'consultation_opinions',
                    ['consultation_id'])


def downgrade() -> None:
    op.drop_index('ix_consultation_opinions_consultation_id',
                  table_name='consultation_opinions')
    op.drop_table('consultation_opinions')
    op.drop_table('consultation_votes')
    op.drop_index('ix_consultations_state_closes_at', table_name='consultations')
    op.drop_index('ix_consultations_state_opens_at', table_name='consultations')
    op.drop_table('consultations')
