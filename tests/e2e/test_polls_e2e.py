"""Quick polls through the real bot and the sandbox: opting in, a moderator's poll, native
poll answers (changed and retracted), the close by the fake clock, stopPoll and the results.

Texts are matched on language-neutral marks (📊, ▰▱, numbers) so that the checks hold before
and after the Korean catalogue has them.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import Poll, PollCopy, PollVote
from sandbox import SandboxClient, SandboxServer, SandboxState
from sandbox.client import Resident, SentMessage
from tests.support.harness import running_bot, settings_for

ADMIN, GROUP = 9001, -100500
BAR = "▱"


async def opt_in(resident: Resident) -> None:
    await resident.say("/polls")
    view = await resident.wait_for_message("📊")
    await resident.press_data(view, "po:1:1")
    await resident.wait_for_edit(view)


async def native_poll(resident: Resident) -> SentMessage:
    return await resident.wait_for_message(predicate=lambda m: m.poll is not None, after=0)


async def round_trip(resident: Resident) -> None:
    """Updates are handled in order: once /polls is answered, earlier answers are recorded."""
    await resident.say("/polls")
    await resident.wait_for_message("📊")


def results_in(messages: list[SentMessage]) -> list[SentMessage]:
    return [m for m in messages if BAR in (m.text or "")]


async def test_a_moderator_polls_residents_and_a_group_and_the_results_come_once(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient, clock: ShiftableClock,
) -> None:
    admin = residents.resident(ADMIN, "관리자")
    minji, yeongsu, haneul = (residents.resident(9002, "민지"), residents.resident(9003, "영수"),
                              residents.resident(9004, "하늘"))
    group = residents.group(GROUP, "공감 주민 모임")
    settings = settings_for(database_url, sandbox, admin_telegram_ids=frozenset({ADMIN}))
    async with running_bot(settings, clock) as runtime:
        await opt_in(minji)
        await opt_in(yeongsu)
        # a resident cannot create polls
        await haneul.say("/poll_new 24 | 질문 | 가 | 나")
        await haneul.wait_for_message()
        assert await poll_count(runtime) == 0
        # a bad command gets the usage
        await admin.say("/poll_new 24 | 질문 | 하나뿐")
        assert "/poll_new" in (await admin.wait_for_message()).text
        await admin.say(
            f"/poll_new 24 | 내년에 먼저 할 사업은? | 가로등 | 놀이터 | 도서관 | group={GROUP}"
        )
        assert "3" in (await admin.wait_for_message("📊")).text  # three copies

        mine, his = await native_poll(minji), await native_poll(yeongsu)
        in_group = await group.wait_for_message(predicate=lambda m: m.poll is not None, after=0)
        await copies_recorded(runtime, 3)
        assert mine.poll is not None and not mine.poll.is_anonymous
        assert mine.poll.option_texts == ["가로등", "놀이터", "도서관"]
        assert not admin.inbox()[-1].poll  # the admin did not opt in
        await minji.answer_poll(mine, [0])
        await minji.answer_poll(mine, [1])  # changed
        await yeongsu.answer_poll(his, [2])
        await yeongsu.answer_poll(his, [])  # retracted
        await haneul.answer_poll(in_group, [1])
        for voter in (minji, yeongsu, haneul):
            await round_trip(voter)
        async with runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(PollVote)) == 2

        await clock.advance(timedelta(hours=25))
        for chat in (minji, yeongsu, group):
            await chat.wait_for_message(BAR, after=0)
        assert len(sandbox_state.calls_to("stopPoll")) == 3
        text = results_in(minji.inbox())[0].text or ""
        assert "놀이터 — 2 (100%)" in text and "가로등 — 0 (0%)" in text
        assert text.index("놀이터") < text.index("가로등")
        # another sweep changes nothing: the results came once
        await clock.advance(timedelta(hours=1))
        await round_trip(minji)
        for chat in (minji, yeongsu):
            assert len(results_in(chat.inbox())) == 1
        assert len(results_in(group.bot_messages())) == 1
        assert len(sandbox_state.calls_to("stopPoll")) == 3
        assert all(m.poll is not None and m.poll.is_closed
                   for m in (minji.message(mine.message_id), group.message(in_group.message_id)))
        async with runtime.sessionmaker() as session:
            poll = (await session.scalars(select(Poll))).one()
        assert poll.closed_at is not None and poll.announced


async def copies_recorded(runtime: Runtime, count: int) -> None:
    """The poll sender stores each copy's Telegram poll id right after sendPoll returns; no
    person answers faster than that, so the test waits for it too (an answer to a poll id not
    stored yet could not be matched to its poll)."""
    recorded = select(func.count()).select_from(PollCopy).where(
        PollCopy.telegram_poll_id.is_not(None))
    for _ in range(1000):
        async with runtime.sessionmaker() as session:
            if await session.scalar(recorded) == count:
                return
        await asyncio.sleep(0.005)
    raise AssertionError(f"the poll sender did not record {count} copies")


async def poll_count(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Poll)) or 0)
