"""The poll sender: sends pending poll copies as native polls, stops them after the close,
then has the results announced.

Why a reconciling component and not an outbox kind: the outbox sends text messages, while a
poll copy needs `sendPoll` (whose answer carries the poll id that `poll_answer` updates refer
to) and, at the end, `stopPoll`. Services only write `polls`/`poll_copies` rows and the
deadline machine sets `closed_at`; this component, started by the runtime like the forum
mirror, makes Telegram match, idempotently:

- a pending copy of an open poll → `sendPoll` (non-anonymous), store message and poll ids;
  a chat that refuses (blocked bot, unknown chat) is marked attempted without a message;
- a sent copy of a closed poll → `stopPoll`; a refusal (already closed, message gone) counts
  as stopped, a network error is retried on the next pass;
- a closed poll with no running copy → `announce_results` (once, guarded) and wake the
  dispatcher, which delivers the results to every chat that received a copy.

Known window: a crash between `sendPoll` and storing the ids sends that chat a second copy
on the retry, and one worker per database is assumed (copies are not leased).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from bot.background import ChatSyncLoop
from bot.clock import Clock
from bot.services.polls import (
    CopyWork,
    announce_results,
    copies_to_send,
    copies_to_stop,
    polls_to_announce,
    record_sent,
    record_stopped,
)

log = logging.getLogger(__name__)

# Telegram said no for good: retrying the same request cannot help.
REFUSALS = (BadRequest, Forbidden, InvalidToken, EndPointNotFound)
# Worth another try on the next pass (BadRequest is a NetworkError too: caught before).
TRANSIENT = (NetworkError, RetryAfter)


class PollSender(ChatSyncLoop):
    """Keeps the native poll messages in step with the polls in the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        *,
        on_announced: Callable[[], None] | None = None,
        idle_wait: float = 5.0,
    ) -> None:
        super().__init__(sessionmaker, bot, clock, idle_wait=idle_wait)
        self.name = "poll-sender"
        self._on_announced = on_announced

    async def run_once(self) -> int:
        return await self.reconcile()

    async def reconcile(self) -> int:
        """Send, stop and announce what is due; returns how many steps were taken."""
        async with self._sessionmaker() as session:
            sending = await copies_to_send(session, self._clock.now())
            stopping = await copies_to_stop(session)
        done = 0
        for work in sending:
            done += await self._send(work)
        for work in stopping:
            done += await self._stop(work)
        return done + await self._announce()

    async def _send(self, work: CopyWork) -> int:
        try:
            message = await self._bot.send_poll(
                work.chat_id, work.question, list(work.options), is_anonymous=False,
                allows_multiple_answers=work.multiple,
            )
        except REFUSALS as error:
            log.info("poll %s not sent to chat %s: %s", work.poll_id, work.chat_id, error.message)
            message = None
        except TRANSIENT as error:
            log.warning("poll %s to chat %s will be retried: %s", work.poll_id, work.chat_id,
                        error.message)
            return 0
        async with self._sessionmaker() as session, session.begin():
            await record_sent(
                session, work.copy_id, now=self._clock.now(),
                message_id=message.message_id if message else None,
                telegram_poll_id=message.poll.id if message and message.poll else None,
            )
        return 1

    async def _stop(self, work: CopyWork) -> int:
        assert work.message_id is not None
        try:
            await self._bot.stop_poll(work.chat_id, work.message_id)
        except REFUSALS as error:
            log.info("poll %s in chat %s not stopped: %s", work.poll_id, work.chat_id,
                     error.message)
        except TRANSIENT as error:
            log.warning("stopping poll %s in chat %s will be retried: %s", work.poll_id,
                        work.chat_id, error.message)
            return 0
        async with self._sessionmaker() as session, session.begin():
            await record_stopped(session, work.copy_id, self._clock.now())
        return 1

    async def _announce(self) -> int:
        async with self._sessionmaker() as session:
            ready = await polls_to_announce(session)
        announced = 0
        for poll_id in ready:
            async with self._sessionmaker() as session, session.begin():
                announced += await announce_results(session, poll_id, self._clock.now())
        if announced and self._on_announced is not None:
            self._on_announced()
        return announced
