"""Quick polls at the service level, on both backends: creating, voting, tallying, closing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import OutboxMessage, Poll, PollCopy, PollVote
from bot.domain.deadlines import BusinessCalendar
from bot.services import polls
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.polls import CreateOutcome, PollRequest, VoteOutcome
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
GROUP = -100777
REQUEST = PollRequest(24, "내년 예산, 무엇이 먼저일까요?", ("가로등", "놀이터", "도서관"))


async def seed_residents(sessionmaker: Maker) -> list[int]:
    """Three opted-in residents (one blocked the bot) and one who did not opt in."""
    async with sessionmaker() as session, session.begin():
        ids = [(await make_user(session, 5001 + n, START, polls_opt_in=True)).id
               for n in range(3)]
        await make_user(session, 5010, START, polls_opt_in=True, unreachable=True)
        await make_user(session, 5011, START)
    return ids


async def create(sessionmaker: Maker, request: PollRequest = REQUEST) -> polls.CreateResult:
    async with sessionmaker() as session, session.begin():
        return await polls.create_poll(session, request, now=START, actor="test")


async def pretend_sent(sessionmaker: Maker, poll_id: int) -> dict[int, str]:
    """What the PollSender stores after sendPoll: chat id → Telegram poll id."""
    async with sessionmaker() as session, session.begin():
        copies = await polls.copies_to_send(session, START)
        for work in copies:
            await polls.record_sent(session, work.copy_id, now=START, message_id=work.copy_id,
                                    telegram_poll_id=f"tg-{work.copy_id}")
    return {w.chat_id: f"tg-{w.copy_id}" for w in copies if w.poll_id == poll_id}


async def vote(sessionmaker: Maker, telegram_poll_id: str, user_id: int, options: list[int]
               ) -> VoteOutcome:
    async with sessionmaker() as session, session.begin():
        return await polls.record_vote(session, telegram_poll_id=telegram_poll_id,
                                       user_id=user_id, option_ids=options, now=START)


@pytest.mark.parametrize(("request_", "outcome"), [
    (PollRequest(0, "질문", ("가", "나")), CreateOutcome.BAD_HOURS),
    (PollRequest(721, "질문", ("가", "나")), CreateOutcome.BAD_HOURS),
    (PollRequest(1, "  ", ("가", "나")), CreateOutcome.NO_QUESTION),
    (PollRequest(1, "가" * 301, ("가", "나")), CreateOutcome.QUESTION_TOO_LONG),
    (PollRequest(1, "질문", ("가",)), CreateOutcome.BAD_OPTION_COUNT),
    (PollRequest(1, "질문", tuple(str(n) for n in range(11))), CreateOutcome.BAD_OPTION_COUNT),
    (PollRequest(1, "질문", ("가", "나" * 101)), CreateOutcome.OPTION_TOO_LONG),
    (PollRequest(1, "질문", ("가", "가")), CreateOutcome.DUPLICATE_OPTIONS),
])
def test_a_bad_request_names_its_problem(request_: PollRequest, outcome: CreateOutcome) -> None:
    assert polls.check_request(request_) is outcome


async def test_a_poll_goes_to_opted_in_reachable_residents_and_the_group(
    sessionmaker: Maker,
) -> None:
    await seed_residents(sessionmaker)
    result = await create(sessionmaker, PollRequest(24, "질문", ("가", "나"), group_chat_id=GROUP))
    assert result.outcome is CreateOutcome.CREATED and result.copies == 4
    assert result.closes_at == START + timedelta(hours=24)
    async with sessionmaker() as session:
        chats = set(await session.scalars(select(PollCopy.chat_id)))
    assert chats == {5001, 5002, 5003, GROUP}
    assert not (await create(sessionmaker, PollRequest(24, "질문", ("가",)))).poll_id


async def test_opting_in_and_out(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        user = await make_user(session, 5020, START)
        assert not await polls.polls_opt_in(session, user.id)
        await polls.set_polls_opt_in(session, user.id, True)
        assert await polls.polls_opt_in(session, user.id)


async def test_votes_change_and_retract_and_add_up_across_copies(sessionmaker: Maker) -> None:
    users = await seed_residents(sessionmaker)
    result = await create(sessionmaker, PollRequest(24, "질문", ("가", "나", "다"),
                                                    group_chat_id=GROUP))
    assert result.poll_id is not None
    copies = await pretend_sent(sessionmaker, result.poll_id)
    assert await vote(sessionmaker, copies[5001], users[0], [0]) is VoteOutcome.RECORDED
    assert await vote(sessionmaker, copies[5001], users[0], [1]) is VoteOutcome.RECORDED
    assert await vote(sessionmaker, copies[5002], users[1], [1]) is VoteOutcome.RECORDED
    assert await vote(sessionmaker, copies[GROUP], users[2], [2]) is VoteOutcome.RECORDED
    assert await vote(sessionmaker, copies[5003], users[2], [0]) is VoteOutcome.RECORDED
    # withdrawing the (overwritten) group answer leaves the private one standing
    assert await vote(sessionmaker, copies[GROUP], users[2], []) is VoteOutcome.RETRACTED
    assert await vote(sessionmaker, copies[5002], users[1], []) is VoteOutcome.RETRACTED
    assert await vote(sessionmaker, copies[5002], users[1], [0, 1]) is VoteOutcome.INVALID
    assert await vote(sessionmaker, copies[5002], users[1], [7]) is VoteOutcome.INVALID
    assert await vote(sessionmaker, "nope", users[1], [0]) is VoteOutcome.UNKNOWN_POLL
    async with sessionmaker() as session:
        results = await polls.tally(session, result.poll_id)
    assert results is not None and results.voters == 2
    assert [(o.text, o.votes) for o in results.options] == [("가", 1), ("나", 1), ("다", 0)]


async def test_a_multiple_choice_poll_counts_every_choice(sessionmaker: Maker) -> None:
    users = await seed_residents(sessionmaker)
    result = await create(sessionmaker, PollRequest(2, "질문", ("가", "나", "다"), multiple=True))
    assert result.poll_id is not None
    copies = await pretend_sent(sessionmaker, result.poll_id)
    await vote(sessionmaker, copies[5001], users[0], [1, 2])
    await vote(sessionmaker, copies[5002], users[1], [2])
    async with sessionmaker() as session:
        results = await polls.tally(session, result.poll_id)
    assert results is not None and results.voters == 2
    assert [(o.text, o.votes) for o in results.options] == [("다", 2), ("나", 1), ("가", 0)]


def machine(sessionmaker: Maker, hours: int) -> DeadlineMachine:
    settings = Settings()
    return DeadlineMachine(sessionmaker, fake_clock(START + timedelta(hours=hours)),
                           DeadlineContext(settings.policy, BusinessCalendar(), settings.venues))


async def test_a_poll_closes_once_even_when_the_machine_runs_twice_or_concurrently(
    sessionmaker: Maker, backend: str,
) -> None:
    users = await seed_residents(sessionmaker)
    result = await create(sessionmaker)
    assert result.poll_id is not None
    copies = await pretend_sent(sessionmaker, result.poll_id)
    await vote(sessionmaker, copies[5001], users[0], [2])
    assert await machine(sessionmaker, 23).run_due() == 0  # not yet
    early = await machine(sessionmaker, 23).probe(START + timedelta(hours=23))
    assert early.next_at == result.closes_at and not early.due  # the alarm's next instant
    runs = [machine(sessionmaker, 25).run_due() for _ in range(3)]
    if backend == "sqlite":  # SQLite serialises writers; run them one after the other
        done = [await run for run in runs]
    else:
        done = list(await asyncio.gather(*runs))
    assert sum(done) == 1
    assert await machine(sessionmaker, 26).run_due() == 0
    # a late answer does not change the closed poll's results
    assert await vote(sessionmaker, copies[5002], users[1], [0]) is VoteOutcome.CLOSED


async def test_results_are_announced_once_to_every_chat_that_received_a_copy(
    sessionmaker: Maker,
) -> None:
    users = await seed_residents(sessionmaker)
    result = await create(sessionmaker, PollRequest(24, "질문", ("가", "나"), group_chat_id=GROUP))
    assert result.poll_id is not None
    copies = await pretend_sent(sessionmaker, result.poll_id)
    await vote(sessionmaker, copies[5001], users[0], [1])
    later = START + timedelta(hours=25)
    async with sessionmaker() as session, session.begin():
        assert await polls.close_poll(session, result.poll_id, later)
        # copies still running: not ready to announce
        assert await polls.polls_to_announce(session) == []
        for work in await polls.copies_to_stop(session):
            await polls.record_stopped(session, work.copy_id, later)
        assert await polls.polls_to_announce(session) == [result.poll_id]
        assert await polls.announce_results(session, result.poll_id, later)
        assert not await polls.announce_results(session, result.poll_id, later)
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "poll_results")))
        poll = await session.get(Poll, result.poll_id)
        votes = await session.scalar(select(func.count()).select_from(PollVote))
    assert poll is not None and poll.announced and votes == 1
    assert {r.chat_id for r in rows} == {5001, 5002, 5003, GROUP}
    assert rows[0].params["options"] == [["나", 1], ["가", 0]] and rows[0].params["voters"] == 1
