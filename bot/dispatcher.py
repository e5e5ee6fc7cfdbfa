"""The outbox dispatcher: delivers committed outbox rows to Telegram (or e-mail) within limits.

Delivery guarantee: at least once. Every row is marked sent exactly once; after a crash, at
most `concurrency` messages (those that were in flight) may be delivered twice; none is lost.

- A dispatcher claims at most `concurrency` due rows at a time, exactly the sends it can have
  in flight, with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two dispatchers never hold the
  same row; a row is marked only by the holder of its claim. As sends finish, the pass claims
  more into the free places (not for a chat it is still sending to), so one slow send does
  not leave the send budget idle.
- A claim token is `<worker key>:<random>`. The worker key is a short hash of the worker's
  stable id (`WORKER_ID`) and the dispatcher's channel, so the Telegram and the e-mail
  dispatcher of one process never touch each other's claims. A restarted worker first takes
  back every pending row that carries its own key: those are the claims its previous life
  left behind, whose sends may have been in flight at the kill (hence "at most
  `concurrency` twice").
- A claim holds for a short lease (30 s by default) that a heartbeat renews while the worker
  lives, so the rows of a worker that died for good go to the others within one lease.
- What happened to a sent message is stored before the next claim; while the database is
  unreachable that write is retried until it is back, so an outage repeats nothing.
- 「하루 한 번 모아 받기」: a resident who chose it gets non-urgent rows once a day, as one
  digest. Its rows are claimed together, sent as one message and marked in one transaction,
  so a crash leaves the whole digest to be sent again (it may repeat, like any claim in
  flight), never a part of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Executable, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.db.engine import UNREACHABLE_DATABASE
from bot.db.models import OutboxMessage, OutboxStatus, User
from bot.domain.digest import DIGEST_KIND, SENT_AT_ONCE, DailyDigest, digests
from bot.domain.pacing import SendPacer
from bot.domain.quiet_hours import QuietHours
from bot.metrics import Metrics
from bot.rendering import Rendered
from bot.send_budget import LocalBudget, SendBudget, booked_by_sender
from bot.services.sql import is_postgres, rows_affected
from bot.settings import Settings
from bot.telegram_errors import retry_after_seconds

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
DEFER_FOR = timedelta(minutes=1)  # how long a DEFER without `hold_until` waits
DEFAULT_CONCURRENCY = 8
DEFAULT_LEASE = timedelta(seconds=30)
WORKER_KEY_LENGTH = 12  # hex characters; with ":" and 16 random ones the token fits String(32)
STORE_RETRY_FIRST_SECONDS = 0.2
STORE_RETRY_MAX_SECONDS = 5.0


class Renderer(Protocol):
    """An outbox row's message from its kind, parameters and language; `bot_username`
    (None until the bot knows it) is for links into a private chat with the bot."""

    def __call__(self, kind: str, params: dict[str, Any], language: str,
                 bot_username: str | None) -> Rendered: ...


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
    created_at: datetime | None = None
    urgent: bool = False


AfterSent = Callable[["Claimed", int], Awaitable[None]]


class Result(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    PAUSE = "pause"
    DEFER = "defer"  # not now: the row waits until `hold_until`, its attempt not counted


FAILURE_REASONS = {
    Result.PAUSE: "retry_after",
    Result.RETRY: "network",
    Result.FAILED: "rejected",
    Result.UNREACHABLE: "forbidden",
    Result.DEFER: "deferred",
}


@dataclass(frozen=True)
class Delivery:
    """What happened to one message; the dispatcher turns it into the row's next state."""

    result: Result
    error: str | None = None
    message_id: int | None = None
    pause_seconds: float = 0.0
    hold_until: datetime | None = None


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
            rendered = self._render(row.kind, row.params, row.language, self._username())
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

    def _username(self) -> str | None:
        """The bot's username for deep links (t.me/<bot>?start=…), once the bot knows it."""
        try:
            return self._bot.username
        except RuntimeError:  # not initialised yet (get_me not called)
            return None

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

    def budget(self) -> LocalBudget:
        return LocalBudget(self.pacer, self.monotonic, self.sleep)


@dataclass(frozen=True)
class ClaimPolicy:
    """As whom a dispatcher claims rows, how many at once and for how long.

    `worker_id` must stay the same across restarts of one worker and differ between workers
    that live at the same time; None makes an anonymous dispatcher, whose claims left by a
    crash come back only when their lease runs out. `renew_every` is the heartbeat: how
    often, in real seconds, the leases of rows being sent are extended (a third of the lease
    unless given).
    """

    worker_id: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    lease: timedelta = DEFAULT_LEASE
    heartbeat_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.lease <= timedelta(0):
            raise ValueError("concurrency and lease must be positive")

    @classmethod
    def from_settings(cls, settings: Settings) -> ClaimPolicy:
        return cls(
            worker_id=settings.worker_id,
            concurrency=settings.outbox_concurrency,
            lease=timedelta(seconds=settings.outbox_lease_seconds),
        )

    @property
    def renew_every(self) -> float:
        return self.heartbeat_seconds or self.lease.total_seconds() / 3


def worker_key(worker_id: str, channel: str) -> str:
    """The prefix of every claim token of one dispatcher (a worker's channel), stable across
    restarts: a short hash, so any WORKER_ID fits the claim_token column."""
    digest = hashlib.sha256(f"{worker_id}\n{channel}".encode()).hexdigest()
    return digest[:WORKER_KEY_LENGTH]


class OutboxDispatcher(BackgroundLoop):
    """Claims due outbox rows, at most as many as it sends at once, and delivers them."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        transport: Transport,
        clock: Clock,
        metrics: Metrics,
        *,
        claims: ClaimPolicy | None = None,
        budget: SendBudget | None = None,
        pacer: SendPacer | None = None,
        quiet_hours: QuietHours | None = None,
        digest: DailyDigest | None = None,
        after_sent: AfterSent | None = None,
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
        self._claims = claims or ClaimPolicy()
        # without a budget, this process paces itself (`pacer`, `monotonic`, `sleep`)
        self._budget = budget or LocalBudget(pacer, monotonic, sleep)
        self._quiet_hours = quiet_hours
        self._digest = digest
        self._after_sent = after_sent
        self._max_attempts = max_attempts
        worker_id = self._claims.worker_id
        self._worker_key = (
            worker_key(worker_id, transport.channel)
            if worker_id is not None else secrets.token_hex(WORKER_KEY_LENGTH // 2)
        )
        # True when rows may carry this dispatcher's key without being held: at start (the
        # previous life's), and after a failed pass (a claim whose commit went unseen)
        self._may_have_orphans = worker_id is not None

    async def run_once(self) -> int:
        """Claim at most `concurrency` due rows and deliver them; returns how many it claimed.

        Each chat's rows go one after another, in order; different chats go concurrently.
        Daily digests that are due take the room the single rows leave (one digest is one
        send, whatever the number of its rows).
        """
        try:
            await self._take_back_orphans()
            token = f"{self._worker_key}:{secrets.token_hex(8)}"
            rows, bundles = await self._claim(token)
            claimed = len(rows) + sum(len(bundle) for bundle in bundles)
            if rows or bundles:
                async with self._lease_kept(token), asyncio.TaskGroup() as sends:
                    held = {sends.create_task(self._send_in_order(chat_rows)): chat_rows
                            for chat_rows in rows_by_chat(rows)}
                    for bundle in bundles:
                        held[sends.create_task(self._send_digest(bundle))] = bundle
                    claimed += await self._top_up(sends, held, token)
        except Exception:
            self._may_have_orphans = True
            raise
        return claimed

    async def _top_up(
        self, sends: asyncio.TaskGroup, held: dict[asyncio.Task[None], list[Claimed]],
        token: str,
    ) -> int:
        """As sends finish, claim more single rows with the same token and lease, so that the
        budget is not idle while the pass's slowest send finishes: at most `concurrency` rows
        are held at any moment (so a crash still repeats at most that many), and a chat with
        a send in flight is left out (its rows go in order). It claims only rows after the
        last it claimed: a row given back in this pass (a 429, a network error) waits for the
        next pass. Returns how many it claimed."""
        claimed = 0
        last = max((row.id for rows in held.values() for row in rows), default=0)
        while held and not self._stopping.is_set():
            done, _ = await asyncio.wait(held, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                del held[task]
            room = self._claims.concurrency - sum(len(rows) for rows in held.values())
            if room < 1 or self._stopping.is_set():
                continue
            busy = {row.chat_id for rows in held.values() for row in rows}
            try:
                more = await self._claim_more(token, room, busy, last)
            except UNREACHABLE_DATABASE as error:  # the sends in flight finish all the same
                log.warning("%s cannot claim more in this pass: %s", self.name,
                            type(error).__name__)
                return claimed
            claimed += len(more)
            last = max((row.id for row in more), default=last)
            for chat_rows in rows_by_chat(more):
                held[sends.create_task(self._send_in_order(chat_rows))] = chat_rows
        return claimed

    async def _claim_more(self, token: str, room: int, busy: set[int], after: int
                          ) -> list[Claimed]:
        now = self._clock.now()
        async with self._sessionmaker() as session, session.begin():
            return await self._claim_single(session, token, now, limit=room, skip_chats=busy,
                                            after=after)

    async def lag_seconds(self) -> float:
        """How long the oldest due, unsent row has been waiting (a row waiting for its daily
        digest is not late)."""
        now = self._clock.now()
        due = [OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now]
        if self._digest is not None:
            latest = self._digest.latest(now)
            due.append(or_(~_held_for_digest(), OutboxMessage.created_at <= latest))
        async with self._sessionmaker() as session:
            oldest = await session.scalar(select(func.min(OutboxMessage.not_before)).where(*due))
        return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0

    async def backlog(self) -> int:
        async with self._sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        return int(count or 0)

    async def _take_back_orphans(self) -> None:
        """Free the pending rows that carry this dispatcher's key but that it does not hold.

        Between passes it holds nothing, so such rows were left by its previous life (sends
        that may have been in flight at the crash: they go out again and may repeat) or by a
        failed pass (a claim committed while the connection was lost before the answer).
        """
        if not self._may_have_orphans:
            return
        async with self._sessionmaker() as session, session.begin():
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.claim_token.startswith(f"{self._worker_key}:"),
                )
                .values(claim_token=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
        taken_back = int(rows_affected(result) or 0)
        if taken_back:
            log.warning("%s took back %d rows it had claimed and not finished; they may "
                        "have been delivered already", self.name, taken_back)
        self._may_have_orphans = False

    def _due(self, now: datetime) -> list[ColumnElement[bool]]:
        """Rows of this channel waiting to be sent and held by nobody."""
        return [
            OutboxMessage.channel == self._transport.channel,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        ]

    def _quiet(self, now: datetime) -> bool:
        return self._quiet_hours is not None and self._quiet_hours.contains(now)

    async def _claim(self, token: str) -> tuple[list[Claimed], list[list[Claimed]]]:
        """The single rows and the daily digests this pass sends, claimed in one transaction
        (on SQLite one write lock a pass, not two)."""
        now = self._clock.now()
        async with self._sessionmaker() as session, session.begin():
            rows = await self._claim_single(session, token, now)
            room = self._claims.concurrency - len(rows)
            return rows, await self._claim_digests(session, token, now, room)

    async def _claim_single(self, session: AsyncSession, token: str, now: datetime, *,
                            limit: int | None = None, skip_chats: set[int] | None = None,
                            after: int = 0) -> list[Claimed]:
        """Single rows: urgent ones always, the others outside quiet hours unless they wait
        for their recipient's daily digest; none of `skip_chats`, only ids above `after`."""
        due = self._due(now)
        if skip_chats:
            due.append(OutboxMessage.chat_id.not_in(skip_chats))
        if after:
            due.append(OutboxMessage.id > after)
        if self._quiet(now):
            due.append(OutboxMessage.urgent.is_(True))
        if self._digest is not None:
            due.append(~_held_for_digest())
        query = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id)
        query = query.limit(limit or self._claims.concurrency)
        if is_postgres(session):
            query = query.with_for_update(skip_locked=True)
        return await self._take(session, list(await session.scalars(query)), due, token, now)

    async def _claim_digests(self, session: AsyncSession, token: str, now: datetime,
                             room: int) -> list[list[Claimed]]:
        """The due digests of at most `room` chats, each chat's waiting rows all together."""
        if self._digest is None or room < 1 or self._quiet(now):
            return []
        due = [*self._due(now), _held_for_digest(),
               OutboxMessage.created_at <= self._digest.latest(now)]
        chats = select(OutboxMessage.chat_id).where(*due).distinct().limit(room)
        query = select(OutboxMessage.id).where(*due, OutboxMessage.chat_id.in_(chats))
        if is_postgres(session):
            query = query.with_for_update(skip_locked=True)
        ids = list(await session.scalars(query.order_by(OutboxMessage.id)))
        return digests(await self._take(session, ids, due, token, now))

    async def _take(self, session: AsyncSession, ids: list[int], due: list[ColumnElement[bool]],
                    token: str, now: datetime) -> list[Claimed]:
        """Claim the rows `ids` that are still `due` with `token`; the claimed rows."""
        if not ids:
            return []
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), *due)
            .values(
                claim_token=token,
                claimed_until=now + self._claims.lease,
                attempts=OutboxMessage.attempts + 1,
            )
        )
        result = await session.execute(
            select(OutboxMessage, User.language)
            .outerjoin(User, User.id == OutboxMessage.user_id)
            .where(OutboxMessage.claim_token == token, OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        )
        return [
            Claimed(row.id, row.chat_id, row.address, row.kind, row.params,
                    language or "ko", row.attempts, token, row.created_at, row.urgent)
            for row, language in result
        ]

    @asynccontextmanager
    async def _lease_kept(self, token: str) -> AsyncIterator[None]:
        """Renew the lease of the rows claimed with `token` while the block runs."""
        done = asyncio.Event()
        heartbeat = asyncio.create_task(self._heartbeat(token, done), name=f"{self.name}-lease")
        try:
            yield
        finally:
            done.set()
            await heartbeat

    async def _heartbeat(self, token: str, done: asyncio.Event) -> None:
        while not await _set_within(done, self._claims.renew_every):
            try:
                await self._renew_lease(token)
            except UNREACHABLE_DATABASE as error:
                log.warning("%s cannot renew its lease: %s", self.name, type(error).__name__)

    async def _renew_lease(self, token: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.claim_token == token,
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
                .values(claimed_until=self._clock.now() + self._claims.lease)
            )

    async def _send_in_order(self, rows: list[Claimed]) -> None:
        """Deliver one chat's rows one after another; give back the rest when stopping."""
        for index, row in enumerate(rows):
            if not await self._wait_for_turn(row.chat_id):
                await self._release(rows[index:])
                return
            await self._deliver(row)

    async def _wait_for_turn(self, chat_id: int) -> bool:
        """Wait until the send budget lets a message go to `chat_id`; False when the
        dispatcher is stopping instead."""
        pause = STORE_RETRY_FIRST_SECONDS
        while not self._stopping.is_set():
            try:
                await self._budget.wait_for_turn(chat_id)
                return not self._stopping.is_set()
            except UNREACHABLE_DATABASE as error:  # the shared budget lives in the database
                log.warning("%s cannot book a send (%s); retrying in %.1f s",
                            self.name, type(error).__name__, pause)
            await _set_within(self._stopping, pause)
            pause = min(pause * 2, STORE_RETRY_MAX_SECONDS)
        return False

    async def _deliver(self, row: Claimed) -> None:
        with booked_by_sender():
            delivery = await self._transport.deliver(row)
        await self._count(delivery)
        await self._store(self._outcome(row, delivery))
        if delivery.result is Result.SENT and delivery.message_id is not None:
            await self._sent(row, delivery.message_id)

    async def _sent(self, row: Claimed, message_id: int) -> None:
        """Run the `after_sent` hook; its failure is logged, the send stays recorded."""
        if self._after_sent is None:
            return
        try:
            await self._after_sent(row, message_id)
        except Exception:
            log.exception("%s: the after-send step failed for row %s", self.name, row.id)

    async def _send_digest(self, rows: list[Claimed]) -> None:
        """One chat's digest: its rows as one message, and what happened to it recorded for
        every row in one transaction (all sent, or all still to send)."""
        if not await self._wait_for_turn(rows[0].chat_id):
            await self._release(rows)
            return
        with booked_by_sender():
            delivery = await self._transport.deliver(digest_row(rows))
        await self._count(delivery)
        await self._store([write for row in rows for write in self._outcome(row, delivery)])

    async def _count(self, delivery: Delivery) -> None:
        if delivery.result is Result.SENT:
            self._metrics.outbox_sent.inc()
        else:
            self._metrics.send_failures.labels(reason=FAILURE_REASONS[delivery.result]).inc()
        if delivery.result is Result.PAUSE:
            try:
                await self._budget.pause(delivery.pause_seconds)
            except UNREACHABLE_DATABASE as error:  # the row goes back all the same
                log.warning("%s cannot pause the send budget: %s", self.name,
                            type(error).__name__)

    def _outcome(self, row: Claimed, delivery: Delivery) -> list[Executable]:
        """The writes that record what happened to `row`."""
        if delivery.result is Result.SENT:
            return [self._finish(row, OutboxStatus.SENT, message_id=delivery.message_id)]
        if delivery.result is Result.PAUSE:
            return [self._give_back(row)]
        if delivery.result is Result.DEFER:  # not a failure: never the retry path
            return [self._defer(row, delivery.hold_until or self._clock.now() + DEFER_FOR)]
        if delivery.result is Result.UNREACHABLE:
            return [
                update(User).where(User.telegram_id == row.chat_id).values(unreachable=True),
                self._finish(row, OutboxStatus.DROPPED, error="bot blocked by the user"),
            ]
        if delivery.result is Result.FAILED:
            return [self._finish(row, OutboxStatus.FAILED, error=delivery.error)]
        error = delivery.error or "network error"
        if row.attempts >= self._max_attempts:
            log.error("outbox row %s failed %s times; giving up", row.id, row.attempts)
            return [self._finish(row, OutboxStatus.FAILED, error=error)]
        return [self._retry_later(row, error)]

    def _finish(
        self,
        row: Claimed,
        status: OutboxStatus,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> Executable:
        values: dict[str, Any] = {"status": status, "claimed_until": None}
        if status is OutboxStatus.SENT:
            values |= {"sent_at": self._clock.now(), "telegram_message_id": message_id}
        if error is not None:
            values["last_error"] = error[:300]
        return _held(row).values(**values)

    def _retry_later(self, row: Claimed, error: str) -> Executable:
        backoff = timedelta(seconds=min(2**row.attempts, MAX_BACKOFF_SECONDS))
        return _held(row).values(
            claimed_until=None,
            claim_token=None,
            not_before=self._clock.now() + backoff,
            last_error=error[:300],
        )

    @staticmethod
    def _give_back(row: Claimed) -> Executable:
        """Return a claimed row untouched (its attempt does not count)."""
        return _held(row).values(
            claimed_until=None, claim_token=None, attempts=OutboxMessage.attempts - 1
        )

    @staticmethod
    def _defer(row: Claimed, until: datetime) -> Executable:
        """Give a claimed row back to wait until `until` (its attempt does not count)."""
        return _held(row).values(claimed_until=None, claim_token=None, not_before=until,
                                 attempts=OutboxMessage.attempts - 1)

    async def _release(self, rows: Sequence[Claimed]) -> None:
        await self._store([self._give_back(row) for row in rows])

    async def _store(self, writes: Sequence[Executable]) -> None:
        """Run `writes` in one transaction, retrying while the database cannot be reached.

        They record what already happened to messages: given up, a sent message would go
        out again. Once the dispatcher is stopping, a failing write is given up (the rows
        keep this worker's claim and are taken back when it starts again).
        """
        pause = STORE_RETRY_FIRST_SECONDS
        while True:
            try:
                async with self._sessionmaker() as session, session.begin():
                    for write in writes:
                        await session.execute(write)
                return
            except UNREACHABLE_DATABASE as error:
                if self._stopping.is_set():
                    raise
                log.warning("%s cannot store a delivery outcome (%s); retrying in %.1f s",
                            self.name, type(error).__name__, pause)
            await _set_within(self._stopping, pause)
            pause = min(pause * 2, STORE_RETRY_MAX_SECONDS)


def _held(row: Claimed) -> Any:
    """An UPDATE of `row` that only the holder of its claim can make."""
    return update(OutboxMessage).where(
        OutboxMessage.id == row.id, OutboxMessage.claim_token == row.token
    )


def _held_for_digest() -> ColumnElement[bool]:
    """The row waits for its resident's daily digest: a non-urgent notice to someone who
    chose it, that is not time-bound, nor a staff work item (its copies are edited later),
    nor a broadcast (its text is the message, too long for a digest line)."""
    return and_(
        OutboxMessage.urgent.is_(False),
        OutboxMessage.work_item_id.is_(None),
        OutboxMessage.broadcast_id.is_(None),
        OutboxMessage.kind.not_in(SENT_AT_ONCE),
        exists().where(User.id == OutboxMessage.user_id, User.daily_digest.is_(True)),
    )


def digest_row(rows: Sequence[Claimed]) -> Claimed:
    """The claimed rows of one digest as the one message they are sent as: the items in
    order, each as its kind and parameters (rendered by the renderer's digest layout)."""
    first = rows[0]
    items = [{"kind": row.kind, "params": row.params} for row in rows]
    return Claimed(first.id, first.chat_id, None, DIGEST_KIND, {"items": items},
                   first.language, max(row.attempts for row in rows), first.token,
                   first.created_at)


def rows_by_chat(rows: Sequence[Claimed]) -> list[list[Claimed]]:
    """The rows grouped per chat, each group in claim (id) order."""
    groups: dict[int, list[Claimed]] = {}
    for row in rows:
        groups.setdefault(row.chat_id, []).append(row)
    return list(groups.values())


async def _set_within(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` (real time) for `event`; True if it is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)
    return event.is_set()
