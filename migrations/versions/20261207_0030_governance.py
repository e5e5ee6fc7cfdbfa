"""governance: the 협치회의 as a body

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 23:00:00

``governance_members``: 위원장 and 위원, appointed and dismissed by admins;
``governance_meetings``: regular and extraordinary meetings with their minutes;
``governance_requests``: members' requests for an extraordinary meeting;
``governance_items``: the agenda (상정 of proposals) and each item's decision;
``governance_attendance`` and ``governance_votes``: who was present, who voted how (one vote
each); ``governance_recommendations``: 권고 to the 구청장 with their response clock.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'governance_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('role', sa.String(length=12), nullable=False),
        sa.Column('appointed_at', UTCDateTime(), nullable=False),
        sa.Column('appointed_by', sa.String(length=64), nullable=False),
        sa.Column('dismissed_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_governance_members_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_members')),
    )
    op.create_index(op.f('ix_governance_members_user_id'), 'governance_members', ['user_id'])
    op.create_table(
        'governance_meetings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('starts_at', UTCDateTime(), nullable=False),
        sa.Column('place', sa.String(length=80), nullable=False),
        sa.Column('convened_at', UTCDateTime(), nullable=False),
        sa.Column('convened_by', sa.String(length=64), nullable=False),
        sa.Column('minutes', sa.Text(), nullable=True),
        sa.Column('minutes_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_meetings')),
    )
    op.create_index(op.f('ix_governance_meetings_starts_at'), 'governance_meetings',
                    ['starts_at'])
    op.create_table(
        'governance_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('requested_at', UTCDateTime(), nullable=False),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['member_id'], ['governance_members.id'],
            name=op.f('fk_governance_requests_member_id_governance_members'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['meeting_id'], ['governance_meetings.id'],
            name=op.f('fk_governance_requests_meeting_id_governance_meetings'),
            ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_requests')),
    )
    op.create_index(op.f('ix_governance_requests_member_id'), 'governance_requests',
                    ['member_id'])
    op.create_table(
        'governance_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('item_kind', sa.String(length=16), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=150), nullable=False),
        sa.Column('placed_at', UTCDateTime(), nullable=False),
        sa.Column('placed_by', sa.String(length=64), nullable=False),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=12), nullable=True),
        sa.Column('members', sa.Integer(), nullable=True),
        sa.Column('present', sa.Integer(), nullable=True),
        sa.Column('yes', sa.Integer(), nullable=True),
        sa.Column('no', sa.Integer(), nullable=True),
        sa.Column('abstain', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['meeting_id'], ['governance_meetings.id'],
            name=op.f('fk_governance_items_meeting_id_governance_meetings'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['proposal_id'], ['proposals.id'],
            name=op.f('fk_governance_items_proposal_id_proposals'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_items')),
        sa.UniqueConstraint('meeting_id', 'number',
                            name=op.f('uq_governance_items_meeting_id')),
        sa.UniqueConstraint('meeting_id', 'item_kind', 'proposal_id',
                            name=op.f('uq_governance_items_subject')),
    )
    op.create_index(op.f('ix_governance_items_proposal_id'), 'governance_items',
                    ['proposal_id'])
    op.create_table(
        'governance_attendance',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', UTCDateTime(), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['meeting_id'], ['governance_meetings.id'],
            name=op.f('fk_governance_attendance_meeting_id_governance_meetings'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['member_id'], ['governance_members.id'],
            name=op.f('fk_governance_attendance_member_id_governance_members'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('meeting_id', 'member_id',
                                name=op.f('pk_governance_attendance')),
    )
    op.create_table(
        'governance_votes',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('choice', sa.String(length=12), nullable=False),
        sa.Column('cast_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['item_id'], ['governance_items.id'],
            name=op.f('fk_governance_votes_item_id_governance_items'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['member_id'], ['governance_members.id'],
            name=op.f('fk_governance_votes_member_id_governance_members'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id', 'member_id', name=op.f('pk_governance_votes')),
    )
    op.create_table(
        'governance_recommendations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('made_at', UTCDateTime(), nullable=False),
        sa.Column('made_by', sa.String(length=64), nullable=False),
        sa.Column('due_at', UTCDateTime(), nullable=False),
        sa.Column('alarm_at', UTCDateTime(), nullable=True),
        sa.Column('reminded_at', UTCDateTime(), nullable=True),
        sa.Column('overdue_at', UTCDateTime(), nullable=True),
        sa.Column('response', sa.Text(), nullable=True),
        sa.Column('responded_at', UTCDateTime(), nullable=True),
        sa.Column('responded_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ['item_id'], ['governance_items.id'],
            name=op.f('fk_governance_recommendations_item_id_governance_items'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_recommendations')),
        sa.UniqueConstraint('item_id', name=op.f('uq_governance_recommendations_item_id')),
    )
    op.create_index(op.f('ix_governance_recommendations_alarm_at'),
                    'governance_recommendations', ['alarm_at'])


def downgrade() -> None:
    op.drop_table('governance_recommendations')
    op.drop_table('governance_votes')
    op.drop_table('governance_attendance')
    op.drop_table('governance_items')
    op.drop_table('governance_requests')
    op.drop_table('governance_meetings')
    op.drop_table('governance_members')
