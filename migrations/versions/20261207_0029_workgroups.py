"""workgroups: residents attached to an accepted proposal, and the updates they post

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 00:00:00

``workgroup_members``: the residents staff attached to a proposal being carried out (a
워킹그룹). ``workgroup_updates``: what they report on the work, published to the followers and
the public page once staff approve it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'workgroup_members',
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.String(length=120), nullable=False),
        sa.Column('added_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_workgroup_members_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_workgroup_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('proposal_id', 'user_id', name=op.f('pk_workgroup_members')),
    )
    op.create_table(
        'workgroup_updates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('photo_file_id', sa.String(length=200), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_workgroup_updates_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_workgroup_updates_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_workgroup_updates')),
    )
    op.create_index('ix_workgroup_updates_proposal_id', 'workgroup_updates',
                    ['proposal_id', 'status'])


def downgrade() -> None:
    op.drop_index('ix_workgroup_updates_proposal_id', table_name='workgroup_updates')
    op.drop_table('workgroup_updates')
    op.drop_table('workgroup_members')
