"""The outbox dispatcher: delivers committed outbox rows to Telegram within its limits.

Rows are claimed with a lease and a random claim token (`FOR UPDATE SKIP LOCKED` on
PostgreSQL), so two dispatchers never hold the same row; a row is marked sent only by the
holder of its claim. If a process dies between sending and marking, the lease expires and
the row goes out again: delivery is at-least-once across crashes, exactly once otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.db.models import OutboxMessage, OutboxStatus, User
from bot.domain.pacing import SendPacer
from bot.domain.quiet_hours import QuietHours
from bot.metrics import Metrics
from bot.rendering import Rendered
from bot.services.sql import is_postgres

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300


Renderer = Callable[[str, dict[str, Any], str], Rendered]


@dataclass(frozen=True)
class Claimed:
    id: int
    chat_id: int
    address: str | None
    kind: str
    params: dict[str, Any]
    language: str
    attempts: int
    token: str


class Result(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    PAUSE = "pause"


FAILURE_REASONS = {
    Result.PAUSE: "retry_after",
    Result.RETRY: "network",
    Result.FAILED: "rejected",
    Result.UNREACHABLE: "forbidden",
}


@dataclass(frozen=True)
class Delivery:
    """What happened to one message; the dispatcher turns it into the row's next state."""

    result: Result
    error: str | None = None
    message_id: int | None = None
    pause_seconds: float = 0.0


class Transport(Protocol):
    """One way of delivering outbox rows (Telegram, e-mail)."""

    channel: str

    async def deliver(self, row: Claimed) -> Delivery: ...


class TelegramTransport:
    """Sends rendered notices through the Bot API and maps its errors to outcomes."""

    channel = "telegram"

    def __init__(self, bot: Bot, render: Renderer) -> None:
        self._bot = bot
        self._render = render

    async def deliver(self, row: Claimed) -> Delivery:
        try:
            rendered = self._render(row.kind, self._with_bot(row.params), row.language)
        except Exception:
            log.exception("outbox row %s (%s) cannot be rendered", row.id, row.kind)
            return Delivery(Result.FAILED, f"cannot render {row.kind}")
        try:
            message = await self._send(row, rendered)
        except RetryAfter as error:
            return Delivery(Result.PAUSE, "retry_after", pause_seconds=retry_after_seconds(error))
        except Forbidden:
            return Delivery(Result.UNREACHABLE, "bot blocked by the user")
        except BadRequest as error:
            log.warning("outbox row %s rejected by Telegram: %s", row.id, error.message)
            return Delivery(Result.FAILED, error.message)
        except (NetworkError, TelegramError, OSError) as error:
            return Delivery(Result.RETRY, str(error))
        return Delivery(Result.SENT, message_id=message.message_id)

    def _with_bot(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot's username for deep links (t.me/<bot>?start=…), once the bot knows it."""
        try:
            username = self._bot.username
        except RuntimeError:  # not initialised yet (get_me not called)
            return params
        return {"bot_username": username, **params}

    async def _send(self, row: Claimed, rendered: Rendered) -> Message:
        """The text, or a photo with the text as its caption (budget results with their chart).

        Telegram fetches a photo URL itself; when it cannot (a PUBLIC_BASE_URL it does not
        reach, an image it refuses) the text still goes out alone.
        """
        if rendered.photo:
            try:
                return await self._bot.send_photo(
                    row.chat_id, rendered.photo, caption=rendered.text,
                    parse_mode=ParseMode.HTML, reply_markup=rendered.reply_markup,
                )
            except BadRequest as error:
                log.warning("outbox row %s: photo refused (%s); sending the text alone",
                            row.id, error.message)
        return await self._bot.send_message(
            row.chat_id, rendered.text, parse_mode=ParseMode.HTML,
            reply_markup=rendered.reply_markup,
        )


@dataclass(frozen=True)
class Pacing:
    """How the dispatcher keeps Telegram's rate: the pacer, and the monotonic clock and the
    sleep it measures and waits with (tests pass virtual ones, so pacing needs no wall time)."""

    pacer: SendPacer = field(default_factory=SendPacer)
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep


class OutboxDispatcher(BackgroundLoop):
    """Claims due outbox rows in batches and sends them, one loop per process."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        transport: Transport,
        clock: Clock,
        metrics: Metrics,
        *,
        pacer: SendPacer | None = None,
        quiet_hours: QuietHours | None = None,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 8,
        idle_wait: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        super().__init__(idle_wait)
        self.name = f"outbox-{transport.channel}"
        self._sessionmaker = sessionmaker
        self._transport = transport
        self._clock = clock
        self._metrics = metrics
        self._pacer = pacer or SendPacer()
        self._quiet_hours = quiet_hours
        self._batch_size = batch_size
        self._lease = lease
        self._max_attempts = max_attempts
        self._monotonic = monotonic
        self._sleep = sleep

    async def run_once(self) -> int:
        """Claim one batch of due rows and deliver it; returns the number of rows handled."""
        rows = await self._claim()
        pending = list(rows)
        while pending and not self._stopping.is_set():
            pending = await self._send_ready(pending)
        if pending:  # stopped between claiming and sending: give the rows back (no lease left)
            await self._release(pending)
        return len(rows)

    async def lag_seconds(self) -> float:
        """How long the oldest due, unsent row has been waiting."""
        now = self._clock.now()
        async with self._sessionmaker() as session:
            oldest = await session.scalar(
                select(func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
                )
            )
        return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0

    async def backlog(self) -> int:
        async with self._sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        return int(count or 0)

    async def _claim(self) -> list[Claimed]:
        now = self._clock.now()
        token = secrets.token_hex(8)
        free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
        due = [
            OutboxMessage.channel == self._transport.channel,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before <= now,
            free,
        ]
        if self._quiet_hours is not None and self._quiet_hours.contains(now):
            due.append(OutboxMessage.urgent.is_(True))
        async with self._sessionmaker() as session, session.begin():
            query = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id)
            query = query.limit(self._batch_size)
            if is_postgres(session):
                query = query.with_for_update(skip_locked=True)
            ids = list(await session.scalars(query))
            if not ids:
                return []
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), *due)
                .values(
                    claim_token=token,
                    claimed_until=now + self._lease,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            result = await session.execute(
                select(OutboxMessage, User.language)
                .outerjoin(User, User.id == OutboxMessage.user_id)
                .where(OutboxMessage.claim_token == token)
                .order_by(OutboxMessage.id)
            )
            return [
                Claimed(row.id, row.chat_id, row.address, row.kind, row.params,
                        language or "ko", row.attempts, token)
                for row, language in result
            ]

    async def _send_ready(self, rows: list[Claimed]) -> list[Claimed]:
        """Send the rows whose chat may receive now; return the ones that must wait."""
        waiting: list[Claimed] = []
        for row in rows:
            if self._stopping.is_set() or self._pacer.delay_for(row.chat_id, self._monotonic()):
                waiting.append(row)
            else:
                await self._deliver(row)
        if waiting and self._stopping.is_set():
            await self._release(waiting)
            return []
        if waiting:
            now = self._monotonic()
            await self._sleep(min(self._pacer.delay_for(r.chat_id, now) for r in waiting))
        return waiting

    async def _deliver(self, row: Claimed) -> None:
        self._pacer.record(row.chat_id, self._monotonic())
        delivery = await self._transport.deliver(row)
        if delivery.result is Result.SENT:
            self._metrics.outbox_sent.inc()
            await self._finish(row, OutboxStatus.SENT, message_id=delivery.message_id)
            return
        self._metrics.send_failures.labels(reason=FAILURE_REASONS[delivery.result]).inc()
        if delivery.result is Result.PAUSE:
            self._pacer.pause_all(self._monotonic() + delivery.pause_seconds)
            await self._release([row])
        elif delivery.result is Result.UNREACHABLE:
            await self._mark_unreachable(row)
        elif delivery.result is Result.FAILED:
            await self._finish(row, OutboxStatus.FAILED, error=delivery.error)
        else:
            await self._retry_later(row, delivery.error or "network error")

    async def _finish(
        self,
        row: Claimed,
        status: OutboxStatus,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "claimed_until": None}
        if status is OutboxStatus.SENT:
            values |= {"sent_at": self._clock.now(), "telegram_message_id": message_id}
        if error is not None:
            values["last_error"] = error[:300]
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == row.token)
                .values(**values)
            )

    async def _mark_unreachable(self, row: Claimed) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(User).where(User.telegram_id == row.chat_id).values(unreachable=True)
            )
        await self._finish(row, OutboxStatus.DROPPED, error="bot blocked by the user")

    async def _retry_later(self, row: Claimed, error: str) -> None:
        if row.attempts >= self._max_attempts:
            log.error("outbox row %s failed %s times; giving up", row.id, row.attempts)
            await self._finish(row, OutboxStatus.FAILED, error=error)
            return
        backoff = timedelta(seconds=min(2**row.attempts, MAX_BACKOFF_SECONDS))
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == row.token)
                .values(
                    claimed_until=None,
                    claim_token=None,
                    not_before=self._clock.now() + backoff,
                    last_error=error[:300],
                )
            )

    async def _release(self, rows: list[Claimed]) -> None:
        """Give claimed rows back untouched (their attempt does not count)."""
        async with self._sessionmaker() as session, session.begin():
            for row in rows:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.claim_token == row.token)
                    .values(
                        claimed_until=None, claim_token=None, attempts=OutboxMessage.attempts - 1
                    )
                )


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds to wait; PTB 22 warns that the attribute will become a timedelta, so accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
