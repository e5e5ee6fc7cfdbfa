"""The deadline machine.

Columns hold the truth, the scheduler only rings, transitions happen once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock, fake_clock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import BudgetRound, OutboxMessage, Proposal, ProposalEvent, RoundPhase
from bot.db.write_watch import call_after_commits_writing
from bot.domain.deadlines import BusinessCalendar, resident_deadline
from bot.domain.kakao import KAKAO_ID_BASE
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.kakao.capture import Capture, capturing, current_capture
from bot.scheduler import LOOK_AGAIN_AFTER, DeadlineScheduler
from bot.services.deadlines import (
    DeadlineContext,
    DeadlineKind,
    DeadlineMachine,
    expire_collection,
)
from bot.services.wakes import Wake
from sandbox import SandboxClient, SandboxServer
from tests.conftest import START
from tests.support.budget_rounds import make_round
from tests.support.factories import follow, make_proposal, make_user
from tests.support.harness import running_bot, settings_for


def machine_for(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock, **kwargs: object
) -> DeadlineMachine:
    return DeadlineMachine(
        sessionmaker, clock, DeadlineContext(Policy(), BusinessCalendar()), **kwargs  # type: ignore[arg-type]
    )


async def seed_collecting(
    sessionmaker: async_sessionmaker[AsyncSession],
    collect_until: datetime,
    *,
    author_tid: int = 2001,
    endorser_tid: int = 2002,
    count: int = 1,
) -> list[int]:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, author_tid, START)
        endorser = await make_user(session, endorser_tid, START)
        ids = []
        for n in range(count):
            proposal = await make_proposal(
                session, author, START, title=f"제안 {n}", collect_until=collect_until,
                endorsement_count=1,
            )
            await follow(session, author, proposal, START)
            await follow(session, endorser, proposal, START)
            ids.append(proposal.id)
        return ids


async def counts(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessionmaker() as session:
        events = await session.scalar(select(func.count()).select_from(ProposalEvent))
        outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
    return int(events or 0), int(outbox or 0)


async def status_of(sessionmaker: async_sessionmaker[AsyncSession], proposal_id: int) -> str:
    async with sessionmaker() as session:
        return str(await session.scalar(select(Proposal.status).where(Proposal.id == proposal_id)))


async def test_restart_after_a_missed_deadline_expires_exactly_once(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient,
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    author, endorser = residents.resident(2001, "작성자"), residents.resident(2002, "공감자")
    [proposal_id] = await seed_collecting(sessionmaker, START - timedelta(hours=3))
    settings = settings_for(database_url, sandbox)

    async with running_bot(settings, clock):
        await author.wait_for_message("공감 기간이 끝났어요")
        await endorser.wait_for_message("필요한 공감 50개 중 1개만 모여 마감되었어요")
    assert await status_of(sessionmaker, proposal_id) == ProposalStatus.EXPIRED
    assert await counts(sessionmaker) == (1, 2)

    async with running_bot(settings, clock) as again:
        await again.scheduler.sweep()
        await again.dispatcher.run_once()
    assert await counts(sessionmaker) == (1, 2)
    assert len([m for m in author.inbox() if "공감 기간이 끝났어요" in m.text]) == 1


async def test_the_window_closes_when_the_fake_clock_passes_its_last_day(
    database_url: str, sandbox: SandboxServer, residents: SandboxClient,
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    author = residents.resident(2001, "작성자")
    residents.resident(2002, "공감자")
    deadline = resident_deadline(START, 30)
    assert deadline == datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # 12월 24일 24:00 KST
    [proposal_id] = await seed_collecting(sessionmaker, deadline)

    async with running_bot(settings_for(database_url, sandbox), clock) as runtime:
        await clock.advance(deadline - START - timedelta(seconds=1))
        assert await status_of(sessionmaker, proposal_id) == ProposalStatus.COLLECTING
        await clock.advance(timedelta(seconds=1))
        assert await status_of(sessionmaker, proposal_id) == ProposalStatus.EXPIRED
        # It is midnight in Seoul: quiet hours hold the notice until 08:00.
        assert await runtime.dispatcher.run_once() == 0
        assert await runtime.dispatcher.backlog() == 2
        await clock.advance(timedelta(hours=8))
        runtime.dispatcher.wake()
        await author.wait_for_message("공감 기간이 끝났어요")


async def test_two_workers_racing_perform_each_transition_once(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    ids = await seed_collecting(sessionmaker, START - timedelta(minutes=1), count=12)
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        machines = [machine_for(create_sessionmaker(e), clock) for e in engines]
        results = await asyncio.gather(*(m.run_due() for m in machines))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(results) == len(ids)
    assert await counts(sessionmaker) == (len(ids), 2 * len(ids))
    for proposal_id in ids:
        assert await status_of(sessionmaker, proposal_id) == ProposalStatus.EXPIRED


async def test_running_the_machine_again_changes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    await seed_collecting(sessionmaker, START - timedelta(minutes=1), count=3)
    machine = machine_for(sessionmaker, clock)
    assert await machine.run_due() == 3
    assert await machine.run_due() == 0
    assert await counts(sessionmaker) == (3, 6)


async def test_closing_a_debate_starts_a_holiday_aware_answer_clock(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    closes = datetime(2026, 12, 24, 15, 0, tzinfo=UTC)  # 12월 24일 24:00 KST
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 2001, START)
        proposal = await make_proposal(
            session, author, START, status=ProposalStatus.IN_DEBATE, debate_closes_at=closes
        )
    clock = fake_clock(closes)
    assert await machine_for(sessionmaker, clock).run_due() == 1
    async with sessionmaker() as session:
        closed = await session.get(Proposal, proposal.id)
    assert closed is not None and closed.status == ProposalStatus.AWAITING_ANSWER
    # 30 days from 12-25 00:00 (the first day counts) end on Sat 2027-01-23 → Mon 01-25 24:00.
    assert closed.answer_due == datetime(2027, 1, 25, 15, 0, tzinfo=UTC)


async def test_one_alarm_rings_for_the_earliest_of_many_deadlines_and_it_fires(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = ShiftableClock(START)  # flowing time, as in the sandbox
    soon = clock.now() + timedelta(milliseconds=300)
    soon_id = (await seed_collecting(sessionmaker, soon, author_tid=3001, endorser_tid=3002))[0]
    later_ids = await seed_collecting(sessionmaker, clock.now() + timedelta(days=10),
                                      author_tid=3003, endorser_tid=3004, count=25)
    fired = asyncio.Event()
    machine = machine_for(sessionmaker, clock, on_transition=lambda _kind: fired.set())
    scheduler = DeadlineScheduler(machine, clock)
    await scheduler.start()
    try:
        await scheduler.settled()
        # 26 deadlines (and their halfway and closing-soon reminders), one alarm and the sweep
        assert {job.id for job in scheduler.scheduler.get_jobs()} <= {"next-deadline", "sweep"}
        await asyncio.wait_for(fired.wait(), timeout=30)  # liveness bound for a loaded machine
        await scheduler.settled()
        alarm = scheduler.alarm_at
        assert alarm is not None and alarm > clock.wall_time_for(clock.now())  # re-armed ahead
    finally:
        await scheduler.shutdown()
    assert await status_of(sessionmaker, soon_id) == ProposalStatus.EXPIRED
    for proposal_id in later_ids:
        assert await status_of(sessionmaker, proposal_id) == ProposalStatus.COLLECTING


async def test_a_commit_that_creates_an_earlier_deadline_moves_the_alarm_at_once(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Nothing is armed per deadline and no sweep is awaited: the commit that writes a budget
    round's `opens_at` wakes the scheduler, whose alarm moves to it and rings; the round opens
    within its second, not at the next five-minute sweep."""
    clock = ShiftableClock(START)
    await seed_collecting(sessionmaker, clock.now() + timedelta(days=10),
                          author_tid=3201, endorser_tid=3202)
    engine = create_engine(database_url)
    opened = asyncio.Event()
    try:
        watched = create_sessionmaker(engine)
        machine = machine_for(watched, clock, on_transition=lambda kind: (
            opened.set() if kind == "budget_open" else None))
        scheduler = DeadlineScheduler(machine, clock, sweep_every=timedelta(days=1))
        stop_watching = call_after_commits_writing(engine, machine.watched_columns(),
                                                   scheduler.wake)
        await scheduler.start()
        await scheduler.settled()
        first_alarm = scheduler.alarm_at
        opens = clock.now() + timedelta(milliseconds=400)
        async with watched() as session, session.begin():
            round_id = (await make_round(session, START, opens_at=opens,
                                         closes_at=opens + timedelta(days=7))).id
        await scheduler.settled()
        assert first_alarm is not None and scheduler.alarm_at == clock.wall_time_for(opens)
        await asyncio.wait_for(opened.wait(), timeout=30)  # liveness bound for a loaded machine
        await scheduler.shutdown()
        stop_watching()
    finally:
        await engine.dispose()
    async with sessionmaker() as session:
        assert await session.scalar(
            select(BudgetRound.phase).where(BudgetRound.id == round_id)) == RoundPhase.VOTING


async def test_a_commit_that_writes_no_deadline_wakes_nothing(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    (proposal_id,) = await seed_collecting(sessionmaker, START + timedelta(days=10),
                                           author_tid=3301, endorser_tid=3302)
    engine = create_engine(database_url)
    wakes: list[str] = []
    stop = call_after_commits_writing(
        engine, machine_for(sessionmaker, fake_clock(START)).watched_columns(),
        lambda: wakes.append("wake"))
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            proposal = await session.get(Proposal, proposal_id)
            assert proposal is not None
            proposal.endorsement_count += 1  # a 공감: no deadline moves
        assert wakes == []
        async with create_sessionmaker(engine)() as session, session.begin():
            proposal = await session.get(Proposal, proposal_id)
            assert proposal is not None
            proposal.collect_until = START + timedelta(days=1)
        assert wakes == ["wake"]
        async with create_sessionmaker(engine)() as session:
            await session.execute(
                update(Proposal).where(Proposal.id == proposal_id)
                .values(collect_until=START + timedelta(days=2)))
            await session.rollback()
        assert wakes == ["wake"]  # rolled back: nothing moved
    finally:
        stop()
        await engine.dispose()


async def test_due_items_run_in_batches_and_one_left_due_is_not_read_again(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    """Twelve overdue proposals with a batch of five: three batches, each transition once; a
    kind whose item stays due (its handler declines) does not loop within the sweep."""
    ids = await seed_collecting(sessionmaker, START - timedelta(minutes=1), count=12)
    machine = machine_for(sessionmaker, clock, batch_size=5)
    result = await machine.sweep()
    assert result.done == 12 and await counts(sessionmaker) == (12, 24)
    for proposal_id in ids:
        assert await status_of(sessionmaker, proposal_id) == ProposalStatus.EXPIRED
    declined: list[int] = []

    async def decline(session: AsyncSession, item: int, now: datetime,
                      context: DeadlineContext) -> bool:
        declined.append(item)
        return False

    stuck = await seed_collecting(sessionmaker, START - timedelta(minutes=1), count=7,
                                  author_tid=2101, endorser_tid=2102)
    refusing = machine_for(sessionmaker, clock, batch_size=5, checks=(), kinds=(
        DeadlineKind("collect", ProposalStatus.COLLECTING, Proposal.collect_until, decline),))
    assert (await refusing.sweep()).done == 0
    assert declined == stuck  # each read once, in deadline order


async def test_a_deadline_passing_during_the_sweep_is_armed_and_fires(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The sweep handles what is due, then arms the next deadline: one that passes between
    the two (a slow database, a loaded machine) must not fall between them and wait for the
    next periodic sweep. Here time jumps past it exactly there, while the overdue one is
    handled."""
    clock = ShiftableClock(START)
    (overdue_id,) = await seed_collecting(sessionmaker, clock.now() - timedelta(minutes=1),
                                          author_tid=3101, endorser_tid=3102)
    (next_id,) = await seed_collecting(sessionmaker, clock.now() + timedelta(hours=1),
                                       author_tid=3103, endorser_tid=3104)

    async def expire_while_time_passes(session: AsyncSession, item: int, now: datetime,
                                       context: DeadlineContext) -> bool:
        if item == overdue_id:
            await clock.advance(timedelta(hours=2))
        return await expire_collection(session, item, clock.now(), context)

    expired: list[int] = []
    both = asyncio.Event()

    def count(_kind: str) -> None:
        expired.append(1)
        if len(expired) == 2:
            both.set()

    machine = machine_for(sessionmaker, clock, checks=(), kinds=(
        DeadlineKind("collect", ProposalStatus.COLLECTING, Proposal.collect_until,
                     expire_while_time_passes),), on_transition=count)
    scheduler = DeadlineScheduler(machine, clock, sweep_every=timedelta(days=1))
    await scheduler.start()
    try:
        await asyncio.wait_for(both.wait(), timeout=30)  # liveness bound for a loaded machine
    finally:
        await scheduler.shutdown()
    assert await status_of(sessionmaker, next_id) == ProposalStatus.EXPIRED


async def test_an_item_another_transaction_holds_is_skipped_and_looked_at_again(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], backend: str,
) -> None:
    """PostgreSQL: a replica (or any writer) holding the proposal's row makes this machine
    skip it instead of waiting, and the scheduler arms its alarm to look again in seconds,
    not at the next periodic sweep."""
    if backend != "postgres":
        pytest.skip("SQLite has no row locks: the write lock already serialises the machines")
    clock = ShiftableClock(START)  # flowing, so that alarms are armed
    ids = await seed_collecting(sessionmaker, clock.now() - timedelta(minutes=1), count=2)
    engine = create_engine(database_url)
    scheduler = DeadlineScheduler(machine_for(sessionmaker, clock), clock,
                                  sweep_every=timedelta(days=1))
    try:
        async with create_sessionmaker(engine)() as holder, holder.begin():
            await holder.execute(select(Proposal.id).where(Proposal.id == ids[0])
                                 .with_for_update())
            first = await machine_for(sessionmaker, clock).sweep()
            await scheduler.start()
            await scheduler.settled()
            alarm = scheduler.alarm_at
            await scheduler.shutdown()
        second = await machine_for(sessionmaker, clock).sweep()
    finally:
        await engine.dispose()
    assert first.done == 1 and first.skipped >= 1 and first.next_at is None
    assert alarm is not None and alarm <= clock.wall_time_for(clock.now() + LOOK_AGAIN_AFTER)
    assert (second.done, second.skipped) == (1, 0)
    assert await counts(sessionmaker) == (2, 4)  # each transition once


async def test_each_item_wakes_the_workers_it_left_work_for_as_it_commits(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    """A long catch-up must not hold its first notices until it ends: every expiry's commit
    names the Telegram outbox (its followers' notices), before the next item runs."""
    ids = await seed_collecting(sessionmaker, START - timedelta(minutes=1), count=3)
    woken_before_next: list[tuple[int, frozenset[Wake]]] = []
    done: list[str] = []
    machine = machine_for(sessionmaker, clock, on_transition=done.append,
                          wake=lambda *targets: woken_before_next.append(
                              (len(done), frozenset(targets))))
    assert await machine.run_due() == len(ids)
    assert woken_before_next == [(n, frozenset({Wake.TELEGRAM_OUTBOX})) for n in range(3)]


async def test_a_wake_from_inside_a_kakao_turn_sweeps_outside_its_capture(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    """A commit during a Kakao turn wakes the sweep; the sweep must not run in the turn's
    context, or every push it sends would be taken for part of that resident's answer."""
    scheduler = DeadlineScheduler(machine_for(sessionmaker, clock), clock,
                                  sweep_every=timedelta(days=1))
    seen: list[object] = []

    async def sweep() -> None:
        seen.append(current_capture())

    await scheduler.start()
    try:
        await scheduler.settled()
        scheduler.sweep = sweep  # type: ignore[method-assign]
        turn = Capture({"id": KAKAO_ID_BASE + 1, "type": "private"}, {}, 0, 1)
        with capturing(turn):
            assert current_capture() is turn
            scheduler.wake()
        await scheduler.settled()
    finally:
        await scheduler.shutdown()
    assert seen == [None]
