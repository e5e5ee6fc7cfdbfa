"""assemblies: the 주민총회 and votes counted over several channels

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 21:00:00

``assemblies``: a 동's 주민총회 (agenda, channels and weights, online window, on-site day and
polling places, the frozen result once counted). ``assembly_participations``: who took part
and how (online with a receipt, or checked in at a polling place); ``assembly_roll_keys``: the
keys (account, phone hash, verification code) that make one person count once across the
channels; ``assembly_ballots``: online ballots, unlinked from the voter;
``assembly_tallies``: paper totals per polling place (with the tally sheet's photo) and the
committee's scores, every entry kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assemblies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('picks', sa.Integer(), nullable=False),
        sa.Column('weights', sa.JSON(), nullable=False),
        sa.Column('online_opens_at', UTCDateTime(), nullable=True),
        sa.Column('online_closes_at', UTCDateTime(), nullable=True),
        sa.Column('onsite_day', sa.Date(), nullable=True),
        sa.Column('places', sa.JSON(), nullable=False),
        sa.Column('budget', sa.BigInteger(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('counted_at', UTCDateTime(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assemblies')),
    )
    op.create_index(op.f('ix_assemblies_area'), 'assemblies', ['area'])
    op.create_table(
        'assembly_participations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('place', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('receipt', sa.String(length=12), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['assembly_id'], ['assemblies.id'],
            name=op.f('fk_assembly_participations_assembly_id_assemblies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_assembly_participations_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_participations')),
    )
    op.create_index(op.f('ix_assembly_participations_assembly_id'),
                    'assembly_participations', ['assembly_id'])
    op.create_index(op.f('ix_assembly_participations_user_id'),
                    'assembly_participations', ['user_id'])
    op.create_table(
        'assembly_roll_keys',
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('participation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['assembly_id'], ['assemblies.id'],
            name=op.f('fk_assembly_roll_keys_assembly_id_assemblies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['participation_id'], ['assembly_participations.id'],
            name=op.f('fk_assembly_roll_keys_participation_id_assembly_participations'),
            ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('assembly_id', 'key', name=op.f('pk_assembly_roll_keys')),
    )
    op.create_index(op.f('ix_assembly_roll_keys_participation_id'),
                    'assembly_roll_keys', ['participation_id'])
    op.create_table(
        'assembly_ballots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ['assembly_id'], ['assemblies.id'],
            name=op.f('fk_assembly_ballots_assembly_id_assemblies'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_ballots')),
    )
    op.create_index(op.f('ix_assembly_ballots_assembly_id'), 'assembly_ballots',
                    ['assembly_id'])
    op.create_table(
        'assembly_tallies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assembly_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('place', sa.Integer(), nullable=True),
        sa.Column('totals', sa.JSON(), nullable=False),
        sa.Column('photo_file_id', sa.String(length=200), nullable=True),
        sa.Column('entered_by', sa.String(length=120), nullable=False),
        sa.Column('entered_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['assembly_id'], ['assemblies.id'],
            name=op.f('fk_assembly_tallies_assembly_id_assemblies'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assembly_tallies')),
    )
    op.create_index(op.f('ix_assembly_tallies_assembly_id'), 'assembly_tallies',
                    ['assembly_id'])


def downgrade() -> None:
    op.drop_table('assembly_tallies')
    op.drop_table('assembly_ballots')
    op.drop_table('assembly_roll_keys')
    op.drop_table('assembly_participations')
    op.drop_table('assemblies')
