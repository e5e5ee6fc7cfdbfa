"""The 주민총회's services on SQLite and PostgreSQL: one person counts once even when two
desks check them in at the same moment; the keys of a person (account, phone, code) join
up; online ballots cannot be traced to their voter; entries are kept, the latest counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AssemblyBallot, AssemblyParticipation, AssemblyTally
from bot.domain.assembly import parse_agenda
from bot.domain.deadlines import SEOUL
from bot.domain.text import phone_hash
from bot.services import assembly
from bot.services.assembly import CheckInOutcome, CheckInResult, TallyOutcome, VoteOutcome
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
KEY = "k" * 64
AREAS = ("신도림동", "구로1동")
ONSITE = datetime(2027, 3, 20, 1, 0, tzinfo=UTC)  # 10:00 KST on the on-site day
ONLINE = datetime(2027, 3, 10, 1, 0, tzinfo=UTC)
AGENDA = """/assembly_new 신도림동 총회
온라인 2027-03-02 2027-03-20
현장 2027-03-20 주민센터, 초등학교
선택 2
안건 자치계획 화단
안건 자치계획 쉼터
안건 자치계획 조명"""


async def created(maker: Maker) -> int:
    agenda = parse_agenda(AGENDA, AREAS, datetime(2027, 3, 1).date())
    async with maker() as session, session.begin():
        result = await assembly.create(session, agenda, tz=SEOUL, actor="admin", now=ONLINE)
    assert result.assembly is not None
    return result.assembly.id


async def check(maker: Maker, assembly_id: int, place: int, typed: str) -> CheckInResult:
    async with maker() as session, session.begin():
        return await assembly.check_in(session, assembly_id=assembly_id, place=place,
                                       typed=typed, secret_key=KEY, tz=SEOUL, actor="desk",
                                       now=ONSITE)


async def blocked_or_done(maker: Maker, task: asyncio.Task[CheckInResult]) -> None:
    """Wait until `task` finished or one of this database's sessions waits on a lock."""
    waiting = text("SELECT count(*) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND wait_event_type = 'Lock'")
    for _ in range(2000):
        if task.done():
            return
        async with maker() as session:
            if await session.scalar(waiting):
                return
        await asyncio.sleep(0.005)
    raise AssertionError("the second desk neither finished nor waited for a lock")


async def test_two_desks_checking_one_person_at_once_let_them_vote_once(
    sessionmaker: Maker, backend: str,
) -> None:
    if backend != "postgres":
        pytest.skip("SQLite takes one writer at a time: the desks cannot overlap there")
    assembly_id = await created(sessionmaker)
    async with sessionmaker() as first, first.begin():
        held = await assembly.check_in(first, assembly_id=assembly_id, place=0,
                                       typed="010-1111-2222", secret_key=KEY, tz=SEOUL,
                                       actor="desk 1", now=ONSITE)
        second = asyncio.create_task(check(sessionmaker, assembly_id, 1, "01011112222"))
        await blocked_or_done(sessionmaker, second)
        assert not second.done(), "the second desk must wait for the first one's keys"
    assert held.outcome is CheckInOutcome.CHECKED_IN
    late = await second
    assert late.outcome is CheckInOutcome.ALREADY and late.participation is not None
    assert late.participation.place == 0 and late.roll == 0
    async with sessionmaker() as session:
        people = await session.scalar(select(func.count()).select_from(AssemblyParticipation))
    assert people == 1  # the loser's row is gone with its keys


async def test_a_persons_account_phone_and_code_are_one_person(sessionmaker: Maker) -> None:
    assembly_id = await created(sessionmaker)
    async with sessionmaker() as session, session.begin():
        minji = await make_user(session, 7001, ONLINE, verified_area="신도림동",
                                phone_hash=phone_hash("010-3333-4444", KEY))
        other = await make_user(session, 7002, ONLINE, verified_area="구로1동")
    async with sessionmaker() as session, session.begin():
        voted = await assembly.vote_online(session, assembly_id=assembly_id, user_id=minji.id,
                                           chosen=[3, 1], now=ONLINE)
        stranger = await assembly.vote_online(session, assembly_id=assembly_id,
                                              user_id=other.id, chosen=[1], now=ONLINE)
        too_many = await assembly.vote_online(session, assembly_id=assembly_id,
                                              user_id=minji.id, chosen=[1, 2, 3], now=ONLINE)
    assert voted.outcome is VoteOutcome.VOTED and voted.chosen == (1, 3)
    assert stranger.outcome is VoteOutcome.OTHER_AREA
    assert too_many.outcome is VoteOutcome.BAD_CHOICE
    at_desk = await check(sessionmaker, assembly_id, 0, "+82 10-3333-4444")
    assert at_desk.outcome is CheckInOutcome.ALREADY
    assert at_desk.participation is not None and at_desk.participation.receipt == (
        voted.participation.receipt if voted.participation else None)
    async with sessionmaker() as session:
        ballots = list(await session.scalars(select(AssemblyBallot.choices)))
        columns = set(AssemblyBallot.__table__.columns.keys())
    assert ballots == [[1, 3]] and columns == {"id", "assembly_id", "choices"}


async def test_paper_entries_are_kept_and_the_latest_counts(sessionmaker: Maker) -> None:
    assembly_id = await created(sessionmaker)
    for phone in ("010-1000-0001", "010-1000-0002"):
        assert (await check(sessionmaker, assembly_id, 0, phone)).roll > 0
    for totals in ({1: 2, 2: 1, 3: 0}, {1: 1, 2: 2, 3: 0}):
        async with sessionmaker() as session, session.begin():
            entered = await assembly.enter_paper(
                session, assembly_id=assembly_id, place=0, totals=totals,
                photo_file_id="sheet", actor="desk", now=ONSITE)
        assert entered.outcome is TallyOutcome.ENTERED and entered.roll == 2
    async with sessionmaker() as session, session.begin():
        wrong = await assembly.enter_paper(session, assembly_id=assembly_id, place=0,
                                           totals={1: 3}, photo_file_id="sheet",
                                           actor="desk", now=ONSITE)
        missing = await assembly.enter_paper(session, assembly_id=assembly_id, place=5,
                                             totals={1: 1}, photo_file_id="sheet",
                                             actor="desk", now=ONSITE)
    assert wrong.outcome is TallyOutcome.WRONG and missing.outcome is TallyOutcome.UNKNOWN_PLACE
    async with sessionmaker() as session:
        kept = await session.scalar(select(func.count()).select_from(AssemblyTally))
        found = await assembly.assembly(session, assembly_id)
        assert found is not None
        turnout = await assembly.turnout(session, found)
    assert kept == 2 and turnout.paper_by_place == (2, 0) and turnout.papers_entered == {0}
