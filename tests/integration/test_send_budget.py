"""The shared send budget on PostgreSQL: bookings of concurrent takers, on explicit instants.

Every booking names its instant (`now`, microseconds since the epoch), so these tests never
read the wall clock: they check the slots the budget hands out, not how fast anything ran.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import SendBudgetChat
from bot.domain.pacing import MICROSECONDS, SendLimits, next_slot
from bot.send_budget import (
    KEEP_CHATS_MICROSECONDS,
    LATE_LIMIT_SECONDS,
    SharedBudget,
    book_reply,
    book_send,
    forget_idle_chats,
    pause_sends,
)

pytestmark = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

T0 = 1_796_000_000 * MICROSECONDS  # an instant in 2026, in microseconds since the epoch
SECOND = MICROSECONDS
LIMITS = SendLimits()  # Telegram's: 30 a second, 1 a second a private chat, 20 a minute a group
PRIVATE, GROUP = 9_001, -1_009_001
Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[tuple[Maker, Maker]]:
    """Two engines on one database, as two replicas have: separate pools, separate locks."""
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        yield create_sessionmaker(engines[0]), create_sessionmaker(engines[1])
    finally:
        for engine in engines:
            await engine.dispose()


async def book(maker: Maker, chat_id: int, now: int, limits: SendLimits = LIMITS) -> int:
    """The slot booked for a send asked for at `now`; when the chat is not free yet, asked
    again at the instant the budget names (as the dispatcher does after sleeping)."""
    while True:
        async with maker() as session, session.begin():
            booking = await book_send(session, chat_id, limits, now)
        if booking.booked:
            return booking.slot
        assert booking.slot > now
        now = booking.slot


async def pause(maker: Maker, seconds: float, now: int) -> int:
    async with maker() as session, session.begin():
        return await pause_sends(session, seconds, now)


async def take_many(maker: Maker, chats: Sequence[int], now: int, at_once: int = 4) -> list[int]:
    """One replica's dispatcher: `at_once` sends booking concurrently, each on its own
    connection, until every chat has its slot."""
    slots: list[int] = []
    queue = list(chats)

    async def sender() -> None:
        while queue:
            slots.append(await book(maker, queue.pop(), now))

    await asyncio.gather(*(sender() for _ in range(at_once)))
    return slots


def busiest_window(slots: Sequence[int], window: int) -> int:
    """The most slots in any half-open window [s, s + window) that starts at a slot."""
    ordered = sorted(slots)
    return max(sum(1 for other in ordered if start <= other < start + window) for start in ordered)


async def reply(maker: Maker, chat_id: int, now: int) -> int:
    async with maker() as session, session.begin():
        return (await book_reply(session, chat_id, LIMITS, now)).slot


async def test_two_replicas_booking_at_once_never_exceed_the_rate_in_any_second(
    replicas: tuple[Maker, Maker],
) -> None:
    first, second = replicas
    chats = list(range(10_000, 10_150))
    slots_a, slots_b = await asyncio.gather(
        take_many(first, chats[::2], T0), take_many(second, chats[1::2], T0)
    )
    slots = slots_a + slots_b
    assert len(set(slots)) == len(slots) == 150 and slots_a and slots_b
    # Booked at one instant, the 150 sends get the grid's first 150 slots from then on:
    # 30 in each second, in its first 80 %.
    assert sorted(slots) == [T0 + n // 30 * SECOND + n % 30 * LIMITS.pitch for n in range(150)]
    assert busiest_window(slots, SECOND) == 30
    assert max(slot % SECOND for slot in slots) < SECOND * 8 // 10


@pytest.mark.parametrize("rate", [30.0, 7.0, 2.5])
async def test_the_database_hands_out_the_slots_of_the_domain_grid(
    sessionmaker: Maker, rate: float
) -> None:
    """The booking statement computes in SQL what `bot.domain.pacing.next_slot` does."""
    limits, bot_next = SendLimits(global_per_second=rate), 0
    asks = [T0 + 3, T0 + 10, T0 + 790_000, T0 + 790_001, T0 + 2 * SECOND + 5, T0 + 2 * SECOND + 6]
    for n, now in enumerate(asks):
        expected = next_slot(now, bot_next=bot_next, paused_until=0, limits=limits)
        assert await book(sessionmaker, 30_000 + n, now, limits) == expected
        bot_next = expected + limits.pitch


async def test_bookings_at_later_instants_start_from_the_later_instant_or_the_next_free_slot(
    replicas: tuple[Maker, Maker],
) -> None:
    first, second = replicas
    assert await book(first, 1, T0) == T0
    assert await book(second, 2, T0 + 1) == T0 + LIMITS.pitch  # still taken
    assert await book(first, 3, T0 + 5 * SECOND) == T0 + 5 * SECOND  # the budget was idle


async def test_a_private_chat_gets_one_message_a_second_whichever_replica_sends(
    replicas: tuple[Maker, Maker],
) -> None:
    first, second = replicas
    assert await book(first, PRIVATE, T0) == T0
    async with second() as session, session.begin():
        refused = await book_send(session, PRIVATE, LIMITS, T0 + 1)
    assert not refused.booked and refused.slot == T0 + SECOND
    # The chat's wait holds no other chat back.
    assert await book(second, PRIVATE + 1, T0 + 1) == T0 + LIMITS.pitch
    assert await book(first, PRIVATE, T0 + SECOND) == T0 + SECOND
    assert await book(second, PRIVATE, T0 + SECOND) == T0 + 2 * SECOND


async def waiting_for_a_lock(maker: Maker) -> None:
    """Until some statement waits for a row lock (the condition, not a guessed delay)."""
    while True:
        async with maker() as session:
            if await session.scalar(select(func.count()).select_from(text("pg_locks")).where(
                    text("NOT granted AND pid IN (SELECT pid FROM pg_stat_activity "
                         "WHERE datname = current_database())"))):  # this test's database
                return
        await asyncio.sleep(0.01)


async def test_a_chat_booked_by_another_replica_a_moment_before_is_not_booked_twice(
    replicas: tuple[Maker, Maker],
) -> None:
    """The second booking reads the chat before the first commits, then waits for the bot's
    row: the chat's own lock still refuses it, and it asks again when the chat is free."""
    first, second = replicas
    async with first() as session, session.begin():
        assert (await book_send(session, PRIVATE, LIMITS, T0)).slot == T0
        other = asyncio.create_task(book(second, PRIVATE, T0 + 1))
        await asyncio.wait_for(waiting_for_a_lock(first), 30)
    assert await other == T0 + SECOND


async def test_a_group_gets_at_most_twenty_messages_in_any_minute(
    replicas: tuple[Maker, Maker],
) -> None:
    first, second = replicas
    slots = [await book((first, second)[n % 2], GROUP, T0) for n in range(45)]
    assert busiest_window(slots, 60 * SECOND) == 20
    assert slots[:20] == [T0 + n * SECOND for n in range(20)]  # a burst, a second apart
    assert slots[20] == T0 + 60 * SECOND  # then the minute of the first must pass


async def test_a_group_booked_by_two_replicas_at_once_still_gets_twenty_in_a_minute(
    replicas: tuple[Maker, Maker],
) -> None:
    """The second booking reads the group's minute before the first (its 20th) commits, then
    waits for the bot's row; the first also pauses the budget past the group's spacing, so
    only the minute can refuse the second. It must, though it read 19 sends: the group's
    own row, locked, decides."""
    first, second = replicas
    slots = [await book(first, GROUP, T0) for _ in range(19)]
    async with first() as session, session.begin():
        twentieth = await book_send(session, GROUP, LIMITS, T0 + 19 * SECOND)
        await pause_sends(session, 5, T0 + 19 * SECOND)
        other = asyncio.create_task(book(second, GROUP, T0 + 19 * SECOND + 1))
        await asyncio.wait_for(waiting_for_a_lock(first), 30)
    slots += [twentieth.slot, await other]
    assert busiest_window(slots, 60 * SECOND) == 20
    assert slots[-1] == T0 + 60 * SECOND


async def test_a_reply_to_a_private_chat_takes_only_a_slot_of_the_bots_rate(
    replicas: tuple[Maker, Maker],
) -> None:
    """A resident's second tap is answered at the bot's next slot, not a second after the
    first answer; a notice to that chat still waits its second after the last reply. Replies
    and notices of both replicas share the 30 a second."""
    first, second = replicas
    async with first() as session, session.begin():
        assert (await book_send(session, PRIVATE, LIMITS, T0)).slot == T0
        assert (await book_reply(session, PRIVATE, LIMITS, T0)).slot == T0 + LIMITS.pitch
        assert (await book_reply(session, PRIVATE, LIMITS, T0)).slot == T0 + 2 * LIMITS.pitch
    assert await book(second, PRIVATE, T0) == T0 + 2 * LIMITS.pitch + SECOND
    slots = []
    for n in range(70):
        maker = (first, second)[n % 2]
        slots.append(await reply(maker, 50_000 + n, T0) if n % 3 else
                     await book(maker, 60_000 + n, T0))
    assert busiest_window(slots, SECOND) == LIMITS.capacity


async def test_limits_come_from_the_settings(replicas: tuple[Maker, Maker]) -> None:
    first, _ = replicas
    slow = SendLimits(global_per_second=4, private_interval=2.0, group_per_minute=6)
    slots = [await book(first, 20_000 + n, T0, slow) for n in range(9)]
    assert busiest_window(slots, SECOND) == 4 and slots[4] == T0 + SECOND
    below_one = SendLimits(global_per_second=0.5)
    assert (below_one.capacity, below_one.period) == (1, 2 * SECOND)
    assert slow.chat_spacing == 2 * SECOND
    assert (slow.chat_burst(PRIVATE), slow.chat_burst(GROUP)) == (0, 6)


async def test_a_429_pauses_every_replica_until_its_retry_after(
    replicas: tuple[Maker, Maker],
) -> None:
    first, second = replicas
    assert await book(first, 1, T0) == T0
    assert await pause(second, 3, T0) == T0 + 3 * SECOND
    assert await pause(first, 1, T0) == T0 + 3 * SECOND  # a shorter pause does not shorten it
    assert await book(first, 2, T0 + 1) == T0 + 3 * SECOND
    assert await book(second, 3, T0 + 2) == T0 + 3 * SECOND + LIMITS.pitch
    assert await book(second, 4, T0 + 10 * SECOND) == T0 + 10 * SECOND  # the pause is over


async def test_the_budget_row_is_created_on_first_use(sessionmaker: Maker) -> None:
    """Also a pause may come first (a 429 to the very first send)."""
    assert await pause(sessionmaker, 0.25, T0) == T0 + SECOND // 4
    assert await book(sessionmaker, PRIVATE, T0) == T0 + 10 * LIMITS.pitch  # the first after


async def test_chats_long_past_their_slot_are_forgotten(sessionmaker: Maker) -> None:
    await book(sessionmaker, PRIVATE, T0)
    await book(sessionmaker, PRIVATE + 1, T0 + KEEP_CHATS_MICROSECONDS)
    async with sessionmaker() as session, session.begin():
        forgotten = await forget_idle_chats(session, T0 + KEEP_CHATS_MICROSECONDS + 2 * SECOND)
        kept = await session.scalars(select(SendBudgetChat.chat_id))
        assert forgotten == 1 and list(kept) == [PRIVATE + 1]
    # A forgotten chat may be written to at once, as before it was ever booked.
    later = T0 + KEEP_CHATS_MICROSECONDS + 5 * SECOND
    assert await book(sessionmaker, PRIVATE, later) == later


async def test_the_database_clock_is_used_when_no_instant_is_given(sessionmaker: Maker) -> None:
    async with sessionmaker() as session, session.begin():
        booking = await book_send(session, PRIVATE, LIMITS)
        assert booking.booked and 0 <= booking.wait_seconds <= 1  # the next slot of the grid
        database_time = await session.scalar(select(func.extract("epoch", func.now())))
    assert abs(booking.booked_at / MICROSECONDS - float(database_time or 0)) < 60


class Stall:
    """The process's monotonic clock, moved only by sleeps: the first one overruns by `late`
    seconds (the process was starved). The sleeps are real, so that the database's clock,
    which the slots follow, moves on."""

    def __init__(self, late: float) -> None:
        self.late, self.offset, self.sleeps = late, 0.0, []

    def monotonic(self) -> float:
        return 1000.0 + self.offset

    async def sleep(self, seconds: float) -> None:
        self.offset += seconds + (0.0 if self.sleeps else self.late)
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)


@pytest.mark.parametrize("late", [0.0, 2 * LATE_LIMIT_SECONDS])
async def test_a_send_that_wakes_too_late_for_its_slot_books_another(
    sessionmaker: Maker, late: float
) -> None:
    """Late, it could land in the next second: it books again, and its chat's own spacing
    makes it wait for a later slot (a second sleep); on time, it goes after one."""
    async with sessionmaker() as session, session.begin():
        # the first slot lies ahead, so the send sleeps for it: without the pause a slow
        # booking (a loaded machine) could find its slot passed already and not sleep at all
        await pause_sends(session, 0.2)
    stall = Stall(late)
    budget = SharedBudget(sessionmaker, LIMITS, monotonic=stall.monotonic, sleep=stall.sleep)
    await budget.wait_for_turn(PRIVATE)
    assert (len(stall.sleeps) >= 2) == (late > 0), stall.sleeps
