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
  second of the clock, in its first 80 %) and a chat's are its spacing apart, so no window
  ever holds more than its limit, whichever processes booked them. The time is the
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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import BigInteger, ColumnElement, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import SendBudget as SendBudgetRow
from bot.db.models import SendBudgetChat
from bot.domain.pacing import MICROSECONDS, SendLimits, SendPacer, next_slot
from bot.services.sql import rows_affected
from bot.settings import Settings

BOT_ROW = "bot"
TIDY_EVERY_SECONDS = 60.0
# A chat's row is kept this long past its slot (a missing row means "free now" anyway).
KEEP_CHATS_MICROSECONDS = 600 * MICROSECONDS

Sleep = Callable[[float], Awaitable[Any]]


class SendBudget(Protocol):
    """What a dispatcher asks before each send so that the bot keeps Telegram's limits."""

    async def wait_for_turn(self, chat_id: int) -> None:
        """Return when a message may go to `chat_id`; that send is counted from then on."""

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429 with retry_after: hold every send of the bot `seconds`."""


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

    async def wait_for_turn(self, chat_id: int) -> None:
        while (delay := self._pacer.delay_for(chat_id, self._monotonic())) > 0:
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

    async def wait_for_turn(self, chat_id: int) -> None:
        """Book a slot and sleep until it; book again if this process heard a 429 meanwhile
        (the pause voids the slots booked before it)."""
        while True:
            asked = self._monotonic()
            async with self._sessionmaker() as session, session.begin():
                booking = await book_send(session, chat_id, self._limits)
            if booking.wait_seconds > 0:
                await self._sleep(booking.wait_seconds)
            if booking.booked and self._last_pause < asked:
                break
        await self._tidy_now_and_then()

    async def pause(self, seconds: float) -> None:
        self._last_pause = self._monotonic()
        async with self._sessionmaker() as session, session.begin():
            await pause_sends(session, seconds)

    async def _tidy_now_and_then(self) -> None:
        """Forget the chats whose slots are long past, once a minute."""
        if self._monotonic() - self._last_tidy < TIDY_EVERY_SECONDS:
            return
        self._last_tidy = self._monotonic()
        async with self._sessionmaker() as session, session.begin():
            await forget_idle_chats(session)


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
    session: AsyncSession, chat_id: int, limits: SendLimits, now: int | None = None
) -> Booking:
    """Book the next slot for a message to `chat_id` (in the session's transaction), or
    tell when to ask again if the chat is not free by then.

    The bot's row is locked first, so concurrent bookings of every process are serialised and
    each one reads what the one before it wrote. `now` defaults to the database's clock.
    """
    bot_next, paused_until, database_time = await _lock_bot_row(session)
    now = database_time if now is None else now
    chat_next = await session.scalar(
        select(SendBudgetChat.next_slot).where(SendBudgetChat.chat_id == chat_id)
    )
    slot = next_slot(now, bot_next=bot_next, paused_until=paused_until, limits=limits)
    if chat_next is not None and chat_next > slot:
        return Booking(chat_next, now, booked=False)
    await session.execute(
        update(SendBudgetRow).where(SendBudgetRow.name == BOT_ROW)
        .values(next_slot=slot + limits.pitch)
    )
    chat = insert(SendBudgetChat).values(
        chat_id=chat_id, next_slot=slot + limits.chat_spacing(chat_id)
    )
    await session.execute(chat.on_conflict_do_update(
        index_elements=[SendBudgetChat.chat_id], set_={"next_slot": chat.excluded.next_slot}
    ))
    return Booking(slot, now)


async def _lock_bot_row(session: AsyncSession) -> tuple[int, int, int]:
    """The bot's next slot and pause end, locked for this transaction (the row is created
    on first use), and the database's time once the lock is held."""
    row = insert(SendBudgetRow).values(name=BOT_ROW, next_slot=0, paused_until=0)
    result = await session.execute(
        row.on_conflict_do_update(index_elements=[SendBudgetRow.name],
                                  set_={"name": row.excluded.name})
        .returning(SendBudgetRow.next_slot, SendBudgetRow.paused_until, database_now())
    )
    bot_next, paused_until, database_time = result.one()
    return int(bot_next), int(paused_until), int(database_time)


async def pause_sends(session: AsyncSession, seconds: float, now: int | None = None) -> int:
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


async def forget_idle_chats(session: AsyncSession, now: int | None = None) -> int:
    """Delete the chats whose next slot lies long past; how many were deleted."""
    clock: ColumnElement[int] | int = database_now() if now is None else now
    result = await session.execute(
        delete(SendBudgetChat).where(SendBudgetChat.next_slot < clock - KEEP_CHATS_MICROSECONDS)
    )
    return rows_affected(result)
