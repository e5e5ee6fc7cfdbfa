"""The bot's send budget: how the outbox dispatchers keep Telegram's limits together.

Telegram's limits hold for the bot, not for each process: two replicas that each paced
themselves sent twice the allowed rate. `SendBudget` is what a dispatcher asks before every
send, with one implementation per database (`send_budget_for`):

- `LocalBudget` (SQLite): one process is the only writer there, so it paces itself with the
  pure `SendPacer`, in memory, on monotonic time.
- `SharedBudget` (PostgreSQL): every replica books each send from the `send_budget` rows.
  One short transaction per send takes the bot's row lock (so bookings are serialised across
  processes), reads the chat's next free slot and moves both past the slot it hands out
  (`book_send`). The slots lie on the bot's grid (`bot.domain.pacing.bot_slot`: 30 in each
  second of the clock, in its first 80 %) and a chat's are its spacing apart (1 s); a group
  also has at most 20 in any minute, counted from its latest slots, kept on its row
  (`recent_slots`), so it may get them as a burst, as the in-memory pacer lets it.
  No window ever holds more than its limit, whichever processes booked them. The time is the
  database's, so replicas on hosts whose clocks differ still share one time line.

A slot may lie a little ahead (at most one per send in flight): the dispatcher sleeps until
it. A send whose chat is not free by the bot's next slot books nothing and asks again when
the chat is free, so a busy chat never holds the others back. Why slots and not a token
bucket: a bucket of 30 tokens refilled at 30/s lets 60 messages through in one second after
an idle spell; the grid never puts more than 30 in any second.

A 429 with retry_after pauses the whole budget: no slot is handed out before the pause ends.
A send of this process that booked its slot before the 429 books again; one of another
replica, booked just before, may still go (Telegram then answers it 429 too, and its row is
given back untouched), so at most the sends in flight are refused, none is lost.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import BigInteger, ColumnElement, cast, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from bot.db.models import SendBudget as SendBudgetRow
from bot.db.models import SendBudgetChat
from bot.domain.pacing import GROUP_WINDOW, MICROSECONDS, SendLimits, SendPacer, is_group_chat
from bot.services.sql import rows_affected
from bot.settings import Settings

BOT_ROW = "bot"
TIDY_EVERY_SECONDS = 60.0
LATE_LIMIT_SECONDS = 0.1  # a send this late for its slot books a new one
# A chat's row is kept this long past its slot (a missing row means "free now" anyway).
KEEP_CHATS_MICROSECONDS = 600 * MICROSECONDS

Sleep = Callable[[float], Awaitable[Any]]
# Set while a sender sends what it booked itself (the dispatcher); task-local.
_BOOKED_BY_SENDER: ContextVar[bool] = ContextVar("send_budget_booked_by_sender", default=False)


class SendBudget(Protocol):
    """What every sender asks before each send so that the bot keeps Telegram's limits: the
    dispatcher for notices, the Bot API request layer for everything else (replies, polls,
    forum posts: `bot.telegram_bot.BudgetLimiter`)."""

    async def wait_for_turn(self, chat_id: int, *, reply: bool = False) -> None:
        """Return when a message may go to `chat_id`; that send is counted from then on.
        A `reply` to a private chat waits only for the bot's rate (`SendPacer.delay_for`)."""

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429 with retry_after: hold every send of the bot `seconds`."""


@contextmanager
def booked_by_sender() -> Iterator[None]:
    """Inside, this task's sends have their slot booked already (the dispatcher books before
    it delivers), so the request layer does not book them again."""
    token = _BOOKED_BY_SENDER.set(True)
    try:
        yield
    finally:
        _BOOKED_BY_SENDER.reset(token)


def is_booked_by_sender() -> bool:
    return _BOOKED_BY_SENDER.get()


class LocalBudget:
    """One process's budget (SQLite): the in-memory `SendPacer` on monotonic time."""

    def __init__(
        self,
        pacer: SendPacer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._pacer = pacer or SendPacer()
        self._monotonic = monotonic
        self._sleep = sleep

    async def wait_for_turn(self, chat_id: int, *, reply: bool = False) -> None:
        while (delay := self._pacer.delay_for(chat_id, self._monotonic(), reply=reply)) > 0:
            await self._sleep(delay)
        self._pacer.record(chat_id, self._monotonic())

    async def pause(self, seconds: float) -> None:
        self._pacer.pause_all(self._monotonic() + seconds)


@dataclass(frozen=True)
class Booking:
    """A send's slot and the instant it was asked at, in microseconds since the epoch; not
    `booked` when the chat is not free by the bot's next slot: then `slot` is when to ask
    again (booking so far ahead would hold every other chat's sends behind it)."""

    slot: int
    booked_at: int
    booked: bool = True

    @property
    def wait_seconds(self) -> float:
        return max(0, self.slot - self.booked_at) / MICROSECONDS


class SharedBudget:
    """Every replica's budget (PostgreSQL): each send books its slot in the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        limits: SendLimits,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._limits = limits
        self._monotonic = monotonic
        self._sleep = sleep
        self._last_pause = -math.inf  # when this process last heard a 429 (monotonic)
        self._last_tidy = monotonic()

    async def wait_for_turn(self, chat_id: int, *, reply: bool = False) -> None:
        """Book a slot and sleep until it; book again if the slot is void: this process
        heard a 429 after booking it, or woke too late for it."""
        private_reply = reply and not is_group_chat(chat_id)
        while not await self._booked_slot_reached(chat_id, private_reply):
            pass
        await self._tidy_now_and_then()

    async def _booked_slot_reached(self, chat_id: int, private_reply: bool) -> bool:
        """Book and sleep until the slot; True if the send may go now.

        A send that leaves more than `LATE_LIMIT_SECONDS` after its slot (the process was
        starved, a stall) could land in the next second and push that second past the rate
        (the grid leaves only the last fifth of each second as room): it books again.
        """
        asked = self._monotonic()
        book = book_reply if private_reply else book_send
        async with self._autocommit() as connection:
            booking = await book(connection, chat_id, self._limits)
        due = self._monotonic() + booking.wait_seconds
        if booking.wait_seconds > 0:
            await self._sleep(booking.wait_seconds)
        if not booking.booked or self._last_pause >= asked:
            return False
        return self._monotonic() - due <= LATE_LIMIT_SECONDS

    async def pause(self, seconds: float) -> None:
        self._last_pause = self._monotonic()
        async with self._autocommit() as connection:
            await pause_sends(connection, seconds)

    @asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose every statement commits at once: a booking holds the bot's row
        lock only while its one statement runs."""
        async with self._sessionmaker() as session:
            yield await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    async def _tidy_now_and_then(self) -> None:
        """Forget the chats whose slots are long past, once a minute."""
        if self._monotonic() - self._last_tidy < TIDY_EVERY_SECONDS:
            return
        self._last_tidy = self._monotonic()
        async with self._autocommit() as connection:
            await forget_idle_chats(connection)


def send_budget_for(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> SendBudget:
    """The shared budget on PostgreSQL (replicas), the in-process one on SQLite."""
    if settings.is_sqlite:
        return LocalBudget(settings.send_limits.pacer())
    return SharedBudget(sessionmaker, settings.send_limits)


# ----- the PostgreSQL statements (instants may be passed in; by default the database's) -----


def database_now() -> ColumnElement[int]:
    """The database's wall clock in microseconds since the epoch (`clock_timestamp`, not the
    transaction's start, which may lie behind a wait for the lock)."""
    return cast(func.extract("epoch", func.clock_timestamp()) * MICROSECONDS, BigInteger)


async def book_send(
    executor: AsyncSession | AsyncConnection, chat_id: int, limits: SendLimits,
    now: int | None = None,
) -> Booking:
    """Book the next slot for a message to `chat_id`, or tell when to ask again if the chat is
    not free by the bot's next slot. `now` defaults to the database's clock.

    One statement (`BOOKING`): the bot's row is updated in place, so concurrent bookings of
    every process queue on its row lock and each computes its slot from the latest row; run
    in autocommit, the lock is held only while the statement runs (a transaction of several
    round trips held it long enough to cap a replica at half the rate). The chat's row is
    then taken only if it is still free at that slot, which its own lock decides; when
    another replica booked the same chat a moment before, the bot's slot goes unused.
    """
    while True:
        values = {"chat": chat_id, "now": now, "pitch": limits.pitch, "period": limits.period,
                  "capacity": limits.capacity, "spacing": limits.chat_spacing,
                  "burst": limits.chat_burst(chat_id), "window": GROUP_WINDOW}
        answer = (await executor.execute(BOOKING, values)).one()
        if answer.booked is not None:
            return Booking(int(answer.booked), int(answer.now))
        if answer.bot is None and answer.free_at <= answer.now:  # no budget row yet
            await executor.execute(insert(SendBudgetRow).values(
                name=BOT_ROW, next_slot=0, paused_until=0).on_conflict_do_nothing())
        elif answer.bot is None:
            return Booking(int(answer.free_at), int(answer.now), booked=False)


async def book_reply(
    executor: AsyncSession | AsyncConnection, chat_id: int, limits: SendLimits,
    now: int | None = None,
) -> Booking:
    """Book the bot's next slot for a reply to the private chat `chat_id`, whatever the
    chat's own spacing (`SendPacer.delay_for`); the chat's next notice still waits its
    spacing after the reply. `now` defaults to the database's clock."""
    while True:
        values = {"chat": chat_id, "now": now, "pitch": limits.pitch, "period": limits.period,
                  "capacity": limits.capacity, "spacing": limits.chat_spacing}
        answer = (await executor.execute(REPLY_BOOKING, values)).one()
        if answer.booked is not None:
            return Booking(int(answer.booked), int(answer.now))
        await executor.execute(insert(SendBudgetRow).values(
            name=BOT_ROW, next_slot=0, paused_until=0).on_conflict_do_nothing())


def _grid_slot(earliest: str) -> str:
    """SQL for `bot.domain.pacing.bot_slot(earliest)`: the first slot of the grid from then."""
    start = f"({earliest} - {earliest} % :period)"
    index = f"(({earliest} % :period + :pitch - 1) / :pitch)"
    return (f"CASE WHEN {index} >= :capacity THEN {start} + :period "
            f"ELSE {start} + {index} * :pitch END")


# The instant given (`:now`), else the database's wall clock as the statement reaches it.
_NOW = (f"COALESCE(CAST(:now AS BIGINT), "
        f"CAST(EXTRACT(EPOCH FROM clock_timestamp()) * {MICROSECONDS} AS BIGINT))")
_EARLIEST = "GREATEST(send_budget.next_slot, send_budget.paused_until, t.now)"


def _group_free_at(recent: str) -> str:
    """SQL for the first instant a group with the slots `recent` (oldest first) may have
    another: a minute after the first of its last `burst` slots, or at once with fewer."""
    count = f"COALESCE(cardinality({recent}), 0)"
    return (f"CASE WHEN CAST(:burst AS INTEGER) > 0 AND {count} >= CAST(:burst AS INTEGER) "
            f"THEN {recent}[{count} - CAST(:burst AS INTEGER) + 1] + CAST(:window AS BIGINT) "
            f"ELSE 0 END")


def _with_slot(recent: str, slot: str) -> str:
    """SQL for `recent` with `slot` added, trimmed to the last `burst` (NULL for a private
    chat, which has no minute to count)."""
    grown = f"(COALESCE({recent}, CAST('{{}}' AS BIGINT[])) || CAST({slot} AS BIGINT))"
    return (f"CASE WHEN CAST(:burst AS INTEGER) > 0 THEN "
            f"{grown}[GREATEST(cardinality({grown}) - CAST(:burst AS INTEGER) + 1, 1):] "
            f"END")


# The chat's row as read before the bot's row lock is a first guess (`chat`); the one that
# counts is its latest version, which ON CONFLICT locks and checks (`booked`): the spacing
# from its last slot, and for a group its minute.
BOOKING = text(f"""
WITH t AS (
    SELECT {_NOW} AS now
), chat AS (
    SELECT GREATEST(COALESCE(c.next_slot, 0), {_group_free_at("c.recent_slots")}) AS free_at
    FROM (SELECT 1) AS one LEFT JOIN send_budget_chats AS c ON c.chat_id = :chat
), bot AS (
    UPDATE send_budget SET next_slot = {_grid_slot(_EARLIEST)} + :pitch
    FROM t, chat
    WHERE send_budget.name = '{BOT_ROW}' AND {_grid_slot(_EARLIEST)} >= chat.free_at
    RETURNING send_budget.next_slot - :pitch AS slot
), booked AS (
    INSERT INTO send_budget_chats AS c (chat_id, next_slot, recent_slots)
    SELECT :chat, slot + :spacing, {_with_slot("NULL", "slot")} FROM bot
    ON CONFLICT (chat_id) DO UPDATE SET
        next_slot = excluded.next_slot,
        recent_slots = {_with_slot("c.recent_slots", "excluded.next_slot - :spacing")}
    WHERE c.next_slot <= excluded.next_slot - :spacing
      AND {_group_free_at("c.recent_slots")} <= excluded.next_slot - :spacing
    RETURNING c.next_slot - :spacing AS slot
)
SELECT (SELECT slot FROM booked) AS booked, (SELECT slot FROM bot) AS bot,
       (SELECT free_at FROM chat) AS free_at, {_NOW} AS now
""")

# A reply to a private chat: the bot's next slot, and the chat's next notice after it.
REPLY_BOOKING = text(f"""
WITH t AS (
    SELECT {_NOW} AS now
), bot AS (
    UPDATE send_budget SET next_slot = {_grid_slot(_EARLIEST)} + :pitch
    FROM t WHERE send_budget.name = '{BOT_ROW}'
    RETURNING send_budget.next_slot - :pitch AS slot
), chat AS (
    INSERT INTO send_budget_chats AS c (chat_id, next_slot)
    SELECT :chat, slot + :spacing FROM bot
    ON CONFLICT (chat_id) DO UPDATE SET next_slot = GREATEST(c.next_slot, excluded.next_slot)
)
SELECT (SELECT slot FROM bot) AS booked, {_NOW} AS now
""")


async def pause_sends(
    session: AsyncSession | AsyncConnection, seconds: float, now: int | None = None
) -> int:
    """Hold every send of the bot until `seconds` after `now` (default: the database's time),
    unless it is held longer already; returns the end of the pause."""
    if now is None:
        now = int(await session.scalar(select(database_now())) or 0)
    until = now + math.ceil(seconds * MICROSECONDS)
    row = insert(SendBudgetRow).values(name=BOT_ROW, next_slot=0, paused_until=until)
    result = await session.execute(
        row.on_conflict_do_update(
            index_elements=[SendBudgetRow.name],
            set_={"paused_until": func.greatest(SendBudgetRow.paused_until, until)},
        ).returning(SendBudgetRow.paused_until)
    )
    return int(result.scalar_one())


async def forget_idle_chats(
    session: AsyncSession | AsyncConnection, now: int | None = None
) -> int:
    """Delete the chats whose next slot lies long past (ten minutes: a group's minute with
    them); how many were deleted."""
    clock: ColumnElement[int] | int = database_now() if now is None else now
    result = await session.execute(
        delete(SendBudgetChat).where(SendBudgetChat.next_slot < clock - KEEP_CHATS_MICROSECONDS)
    )
    return rows_affected(result)
