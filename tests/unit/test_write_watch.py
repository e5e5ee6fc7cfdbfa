"""Which statements move a deadline: the text SQLAlchemy sends, as both databases get it."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg

from bot.clock import fake_clock
from bot.db.models import BudgetRound, Poll, Proposal
from bot.db.write_watch import WrittenColumns
from bot.domain.deadlines import BusinessCalendar
from bot.domain.policy import Policy
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from tests.conftest import START

DIALECTS = [sqlite.dialect(), asyncpg.dialect()]  # as the app's drivers get them


@pytest.fixture(scope="module")
def watched() -> WrittenColumns:
    machine = DeadlineMachine(None, fake_clock(START),  # type: ignore[arg-type]
                              DeadlineContext(Policy(), BusinessCalendar()))
    return WrittenColumns(machine.watched_columns())


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_writing_a_deadline_or_the_status_it_hangs_on_is_seen(
    watched: WrittenColumns, dialect: object
) -> None:
    for statement in (
        insert(Proposal).values(title="제안"),
        insert(BudgetRound).values(name="2027"),
        insert(Poll).values([{"question": "가"}, {"question": "나"}]),
        update(Proposal).where(Proposal.id == 1).values(collect_until=START),
        update(Proposal).where(Proposal.id == 1).values(status="in_debate",
                                                        debate_closes_at=START),
        update(Proposal).values(head_reminder_at=None).where(Proposal.id == 1),
        update(BudgetRound).where(BudgetRound.id == 1).values(phase="counting"),
    ):
        assert watched.written_by(str(statement.compile(dialect=dialect))), statement


@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.name)
def test_a_write_that_only_reads_a_deadline_in_its_where_is_not(
    watched: WrittenColumns, dialect: object
) -> None:
    for statement in (
        update(Proposal).where(Proposal.id == 1, Proposal.collect_until > START)
        .values(endorsement_count=Proposal.endorsement_count + 1),
        update(Proposal).where(Proposal.status == "collecting").values(flagged=True),
        update(BudgetRound).where(BudgetRound.closes_at > START).values(name="새 이름"),
    ):
        assert not watched.written_by(str(statement.compile(dialect=dialect))), statement
    assert not watched.written_by("SELECT collect_until FROM proposals")
    assert not watched.written_by("DELETE FROM proposals WHERE id = 1")
