"""The outbox and its dispatcher, against real databases and the sandbox Bot API."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ExtBot

from bot.clock import ShiftableClock, fake_clock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import OutboxMessage, OutboxStatus, User
from bot.dispatcher import (
    DEFAULT_LEASE,
    Claimed,
    ClaimPolicy,
    Delivery,
    OutboxDispatcher,
    Result,
    TelegramTransport,
    worker_key,
)
from bot.domain.events import ProposalExpired
from bot.domain.pacing import SendPacer
from bot.domain.quiet_hours import QuietHours
from bot.i18n import I18n
from bot.metrics import Metrics
from bot.rendering.notifications import NotificationRenderer
from bot.services.outbox import enqueue, enqueue_email, enqueue_for_users
from bot.settings import SettingsError, load_settings
from sandbox import SandboxClient, SandboxServer, SandboxState
from tests.conftest import START
from tests.support.factories import make_user

EXPIRED = {"proposal_id": 1, "title": "공원 가로등 설치", "count": 12, "threshold": 50}


def expired(key: str = "1", *, urgent: bool = False) -> ProposalExpired:
    return ProposalExpired(**EXPIRED, key=key, urgent=urgent)


class FakeMonotonic:
    """Monotonic seconds that move only when the dispatcher 'sleeps'."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
async def bot(sandbox: SandboxServer, sandbox_state: SandboxState) -> AsyncIterator[ExtBot[None]]:
    async with ExtBot(sandbox_state.token, base_url=sandbox.base_url) as ptb_bot:
        yield ptb_bot


def make_dispatcher(
    sessionmaker: async_sessionmaker[AsyncSession],
    bot: ExtBot[None],
    clock: ShiftableClock,
    monotonic: FakeMonotonic | None = None,
    **kwargs: object,
) -> tuple[OutboxDispatcher, Metrics]:
    metrics = Metrics()
    monotonic = monotonic or FakeMonotonic()
    dispatcher = OutboxDispatcher(
        sessionmaker, TelegramTransport(bot, NotificationRenderer(I18n())), clock, metrics,
        quiet_hours=QuietHours(), monotonic=monotonic, sleep=monotonic.sleep,
        **kwargs,  # type: ignore[arg-type]
    )
    return dispatcher, metrics


async def add_user(sessionmaker: async_sessionmaker[AsyncSession], tid: int, **kw: object) -> int:
    async with sessionmaker() as session, session.begin():
        return (await make_user(session, tid, START, **kw)).id


async def notify(
    sessionmaker: async_sessionmaker[AsyncSession], chat_id: int, key: str = "1", *,
    urgent: bool = False, now: datetime = START,
) -> None:
    async with sessionmaker() as session, session.begin():
        await enqueue(session, chat_id=chat_id, notice=expired(key, urgent=urgent), now=now)


async def notify_of_unknown_kind(
    sessionmaker: async_sessionmaker[AsyncSession], chat_id: int, key: str
) -> None:
    """A row of a kind no event has (written by some other version of the bot)."""
    await notify(sessionmaker, chat_id, key)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(OutboxMessage).where(
            OutboxMessage.dedupe_key == f"{ProposalExpired.kind}:{key}:{chat_id}"
        ).values(kind="no_such_template"))


async def statuses(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


async def test_rows_exist_only_if_the_change_commits(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        await enqueue(session, chat_id=5, notice=expired(), now=START)
        await session.rollback()
    assert await statuses(sessionmaker) == []


async def test_the_same_notice_is_queued_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await notify(sessionmaker, 5)
    await notify(sessionmaker, 5)
    await notify(sessionmaker, 6)
    assert await statuses(sessionmaker) == ["pending", "pending"]


async def test_delivers_each_row_once_in_the_users_language(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
    clock: ShiftableClock,
) -> None:
    minji, john = residents.resident(7001, "민지"), residents.resident(7002, "John", "en")
    ids = [await add_user(sessionmaker, 7001), await add_user(sessionmaker, 7002, language="en")]
    notice = expired()
    async with sessionmaker() as session, session.begin():
        assert await enqueue_for_users(session, ids, notice, START) == 2
    dispatcher, metrics = make_dispatcher(sessionmaker, bot, clock)
    assert await dispatcher.run_once() == 2
    assert await dispatcher.run_once() == 0
    assert "필요한 공감 50개 중 12개만 모여 마감되었어요" in minji.last_message().text
    assert "with 12 of 50 endorsements" in john.last_message().text
    assert len(minji.inbox()) == len(john.inbox()) == 1
    assert await statuses(sessionmaker) == ["sent", "sent"]
    assert metrics.outbox_sent._value.get() == 2


async def test_retry_after_pauses_everything_and_the_row_goes_out_once(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
    sandbox_state: SandboxState, clock: ShiftableClock,
) -> None:
    minji = residents.resident(7001, "민지")
    await notify(sessionmaker, 7001)
    sandbox_state.fail_next("sendMessage", error_code=429,
                            description="Too Many Requests: retry after 5", retry_after=5)
    monotonic = FakeMonotonic()
    dispatcher, metrics = make_dispatcher(sessionmaker, bot, clock, monotonic)
    await dispatcher.run_once()
    assert minji.inbox() == [] and await statuses(sessionmaker) == ["pending"]
    await dispatcher.run_once()
    assert max(monotonic.slept) >= 5
    assert len(minji.inbox()) == 1 and await statuses(sessionmaker) == ["sent"]
    assert metrics.send_failures.labels(reason="retry_after")._value.get() == 1


async def test_a_blocked_bot_marks_the_user_unreachable_and_drops_the_row(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
    clock: ShiftableClock,
) -> None:
    residents.resident(7001, "민지").block_bot()
    user_id = await add_user(sessionmaker, 7001)
    await notify(sessionmaker, 7001)
    dispatcher, _ = make_dispatcher(sessionmaker, bot, clock)
    await dispatcher.run_once()
    assert await statuses(sessionmaker) == ["dropped"]
    async with sessionmaker() as session:
        assert (await session.get(User, user_id)).unreachable is True  # type: ignore[union-attr]
    async with sessionmaker() as session, session.begin():
        later = expired("2")
        assert await enqueue_for_users(session, [user_id], later, START) == 0


async def test_network_errors_back_off_and_retry(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
    sandbox_state: SandboxState, clock: ShiftableClock,
) -> None:
    minji = residents.resident(7001, "민지")
    await notify(sessionmaker, 7001)
    sandbox_state.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=2)
    dispatcher, metrics = make_dispatcher(sessionmaker, bot, clock)
    await dispatcher.run_once()
    await dispatcher.run_once()  # backing off: nothing is due yet
    assert minji.inbox() == []
    await clock.advance(timedelta(seconds=2))
    await dispatcher.run_once()
    assert minji.inbox() == []
    await clock.advance(timedelta(seconds=4))
    await dispatcher.run_once()
    assert len(minji.inbox()) == 1 and await statuses(sessionmaker) == ["sent"]
    assert metrics.send_failures.labels(reason="network")._value.get() == 2


async def test_a_rejected_message_fails_without_retrying(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
    sandbox_state: SandboxState, clock: ShiftableClock,
) -> None:
    residents.resident(7001, "민지")
    await notify(sessionmaker, 7001)
    await notify_of_unknown_kind(sessionmaker, 7001, key="2")
    sandbox_state.fail_next("sendMessage", error_code=400,
                            description="Bad Request: chat not found")
    dispatcher, _ = make_dispatcher(sessionmaker, bot, clock)
    await dispatcher.run_once()
    await clock.advance(timedelta(hours=1))
    assert await dispatcher.run_once() == 0
    assert await statuses(sessionmaker) == ["failed", "failed"]


async def test_quiet_hours_hold_ordinary_notices_but_not_urgent_ones(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
) -> None:
    minji = residents.resident(7001, "민지")
    night = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 23:00 KST
    clock = fake_clock(night)
    await notify(sessionmaker, 7001, key="ordinary", now=night)
    await notify(sessionmaker, 7001, key="urgent", urgent=True, now=night)
    dispatcher, _ = make_dispatcher(sessionmaker, bot, clock)
    assert await dispatcher.run_once() == 1
    assert await statuses(sessionmaker) == ["pending", "sent"]
    await clock.advance(timedelta(hours=9))  # 08:00 KST
    assert await dispatcher.run_once() == 1
    assert len(minji.inbox()) == 2


async def test_muted_users_miss_ordinary_notices_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user_id = await add_user(sessionmaker, 7001, muted_all=True)
    async with sessionmaker() as session, session.begin():
        ordinary = expired("1")
        urgent = expired("2", urgent=True)
        assert await enqueue_for_users(session, [user_id], ordinary, START) == 0
        assert await enqueue_for_users(session, [user_id], urgent, START) == 1


async def test_messages_to_one_chat_are_paced_one_per_second(
    sessionmaker: async_sessionmaker[AsyncSession], bot: ExtBot[None], residents: SandboxClient,
    clock: ShiftableClock,
) -> None:
    minji = residents.resident(7001, "민지")
    for key in "abc":
        await notify(sessionmaker, 7001, key=key)
    monotonic = FakeMonotonic()
    dispatcher, _ = make_dispatcher(sessionmaker, bot, clock, monotonic)
    start = monotonic.now
    assert await dispatcher.run_once() == 3
    assert len(minji.inbox()) == 3
    assert monotonic.now - start >= 2.0


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_send_every_row_exactly_once(
    request: pytest.FixtureRequest, sandbox: SandboxServer, sandbox_state: SandboxState,
    residents: SandboxClient,
) -> None:
    url = request.getfixturevalue("postgres_database")
    from tests.support.databases import migrate_url, truncate_all

    await migrate_url(url)
    engines = [create_engine(url) for _ in range(2)]
    await truncate_all(engines[0])
    clock = fake_clock(START)
    chats = [8000 + n for n in range(60)]
    for chat in chats:
        residents.resident(chat, f"주민{chat}")
    makers = [create_sessionmaker(engine) for engine in engines]
    for chat in chats:
        for key in ("a", "b", "c"):
            await notify(makers[0], chat, key=key)
    fast = {"global_per_second": 10_000, "private_interval": 0.0001, "group_per_minute": 10_000}
    try:
        async with ExtBot(sandbox_state.token, base_url=sandbox.base_url) as bot:
            dispatchers = [
                make_dispatcher(maker, bot, clock, pacer=SendPacer(**fast),
                                claims=ClaimPolicy(f"replica-{n}", concurrency=7))[0]
                for n, maker in enumerate(makers)
            ]

            async def drain(dispatcher: OutboxDispatcher) -> int:
                handled = 0
                while (count := await dispatcher.run_once()) > 0:
                    handled += count
                return handled

            handled = await asyncio.gather(*(drain(d) for d in dispatchers))
        async with makers[0]() as session:
            sent = await session.scalar(
                select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT)
            )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(handled) == sent == 3 * len(chats)
    assert all(h > 0 for h in handled), "both dispatchers should have taken a share"
    delivered = Counter(
        (call.params["chat_id"], call.params["text"])
        for call in sandbox_state.calls_to("sendMessage")
    )
    assert len(delivered) == len(chats)  # the same text per chat, three keys each
    assert set(delivered.values()) == {3}


# ----- claims: as many as in flight, taken back after a restart, kept alive by a heartbeat ----


class HeldTransport:
    """Sends that stay in flight until the test releases them."""

    def __init__(self, channel: str = "telegram") -> None:
        self.channel = channel
        self.started: list[int] = []
        self.finished: list[int] = []
        self._changed = asyncio.Condition()
        self._released = asyncio.Event()

    async def deliver(self, row: Claimed) -> Delivery:
        async with self._changed:
            self.started.append(row.chat_id)
            self._changed.notify_all()
        await self._released.wait()
        self.finished.append(row.chat_id)
        return Delivery(Result.SENT, message_id=row.id)

    async def wait_in_flight(self, count: int) -> None:
        async with asyncio.timeout(10), self._changed:
            await self._changed.wait_for(lambda: len(self.started) >= count)

    def release(self) -> None:
        self._released.set()


class RecordingTransport:
    """Sends that succeed at once, remembered by chat."""

    channel = "telegram"

    def __init__(self) -> None:
        self.chats: list[int] = []

    async def deliver(self, row: Claimed) -> Delivery:
        self.chats.append(row.chat_id)
        return Delivery(Result.SENT, message_id=row.id)


def fake_dispatcher(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: HeldTransport | RecordingTransport | MeetingTransport,
    clock: ShiftableClock,
    claims: ClaimPolicy,
) -> OutboxDispatcher:
    monotonic = FakeMonotonic()
    return OutboxDispatcher(sessionmaker, transport, clock, Metrics(), claims=claims,
                            monotonic=monotonic, sleep=monotonic.sleep)


async def crash_with_sends_in_flight(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock, worker_id: str,
    sends: int, channel: str = "telegram",
) -> None:
    """A worker dies while `sends` messages are in flight: its pass is cancelled mid-send, so
    nothing gives its claims back (the kill test in test_push_crash.py kills a real process)."""
    held = HeldTransport(channel)
    dispatcher = fake_dispatcher(
        sessionmaker, held, clock, ClaimPolicy(worker_id, concurrency=sends)
    )
    passing = asyncio.create_task(dispatcher.run_once())
    await held.wait_in_flight(sends)
    passing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await passing


async def claim_tokens(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[int, str | None]:
    async with sessionmaker() as session:
        rows = await session.execute(select(OutboxMessage.chat_id, OutboxMessage.claim_token))
        return {chat_id: token for chat_id, token in rows}


async def test_a_restarted_worker_takes_back_its_own_claims_at_once_and_nobody_elses(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    for chat in range(9001, 9007):
        await notify(sessionmaker, chat)
    async with sessionmaker() as session, session.begin():
        await enqueue_email(session, address="road@gu.example", now=START,
                            notice=expired())
    await crash_with_sends_in_flight(sessionmaker, clock, "host-a", 2)  # chats 9001, 9002
    await crash_with_sends_in_flight(sessionmaker, clock, "host-b", 2)  # chats 9003, 9004
    await crash_with_sends_in_flight(sessionmaker, clock, "host-a", 1, channel="email")
    before = await claim_tokens(sessionmaker)

    transport = RecordingTransport()
    restarted = fake_dispatcher(sessionmaker, transport, clock, ClaimPolicy("host-a"))
    assert await restarted.run_once() == 4  # no lease has run out: the clock has not moved
    assert sorted(transport.chats) == [9001, 9002, 9005, 9006]
    after = await claim_tokens(sessionmaker)
    assert [after[chat] for chat in (9003, 9004, 0)] == [before[chat] for chat in (9003, 9004, 0)]

    await clock.advance(DEFAULT_LEASE + timedelta(seconds=1))  # host-b never came back
    assert await restarted.run_once() == 2
    assert sorted(transport.chats) == [9001, 9002, 9003, 9004, 9005, 9006]
    assert await statuses(sessionmaker) == ["sent"] * 6 + ["pending"]  # the e-mail waits


class MeetingTransport:
    """Each send waits until `size` sends are in flight together, and notes how many rows the
    database shows as claimed at that moment."""

    channel = "telegram"

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], size: int) -> None:
        self._sessionmaker = sessionmaker
        self._barrier = asyncio.Barrier(size)
        self.claimed_seen: list[int] = []
        self.chats: list[int] = []

    async def deliver(self, row: Claimed) -> Delivery:
        async with self._sessionmaker() as session:
            claimed = await session.scalar(select(func.count()).where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.claim_token.is_not(None),
            ))
        self.claimed_seen.append(int(claimed or 0))
        async with asyncio.timeout(10):
            await self._barrier.wait()
        self.chats.append(row.chat_id)
        return Delivery(Result.SENT, message_id=row.id)


async def test_a_dispatcher_claims_only_the_rows_it_sends_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    chats = list(range(9101, 9122))
    for chat in chats:
        await notify(sessionmaker, chat)
    transport = MeetingTransport(sessionmaker, size=3)
    dispatcher = fake_dispatcher(sessionmaker, transport, clock, ClaimPolicy("host-a", 3))
    passes = 0
    while await dispatcher.run_once():
        passes += 1
    assert passes == 1  # as sends finish the pass claims more: 21 rows, three at a time
    assert max(transport.claimed_seen) == 3  # never more held than it sends at once
    assert sorted(transport.chats) == chats
    assert await statuses(sessionmaker) == ["sent"] * 21


async def claimed_until(sessionmaker: async_sessionmaker[AsyncSession]) -> datetime | None:
    async with sessionmaker() as session:
        return await session.scalar(select(OutboxMessage.claimed_until))


async def test_a_living_worker_keeps_its_claim_beyond_the_lease(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    await notify(sessionmaker, 9201)
    held = HeldTransport()
    claims = ClaimPolicy("host-a", lease=timedelta(seconds=30), heartbeat_seconds=0.01)
    sending = asyncio.create_task(fake_dispatcher(sessionmaker, held, clock, claims).run_once())
    await held.wait_in_flight(1)
    assert await claimed_until(sessionmaker) == START + timedelta(seconds=30)

    await clock.advance(timedelta(seconds=20))
    renewed = START + timedelta(seconds=50)
    async with asyncio.timeout(10):  # the heartbeat extends the lease from the new now
        while await claimed_until(sessionmaker) != renewed:  # noqa: ASYNC110 (a row sets no Event)
            await asyncio.sleep(0.01)
    await clock.advance(timedelta(seconds=20))  # past the first lease, within the renewed one
    other = RecordingTransport()
    assert await fake_dispatcher(sessionmaker, other, clock, ClaimPolicy("host-b")).run_once() == 0

    held.release()
    assert await sending == 1
    assert held.finished == [9201] and other.chats == []
    assert await statuses(sessionmaker) == ["sent"]


def test_claim_settings_are_read_and_each_channel_has_its_own_worker_key() -> None:
    settings = load_settings(
        {"WORKER_ID": "web-1", "OUTBOX_CONCURRENCY": "4", "OUTBOX_LEASE_SECONDS": "20"},
        env_file=None,
    )
    claims = ClaimPolicy.from_settings(settings)
    assert (claims.worker_id, claims.concurrency, claims.lease) == (
        "web-1", 4, timedelta(seconds=20)
    )
    assert claims.renew_every == pytest.approx(20 / 3)
    keys = {worker_key(w, c) for w in ("web-1", "web-2") for c in ("telegram", "email")}
    assert len(keys) == 4 and worker_key("web-1", "email") in keys
    assert all(len(key) == 12 for key in keys)
    for name, raw in (("OUTBOX_CONCURRENCY", "0"), ("OUTBOX_LEASE_SECONDS", "2")):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: raw}, env_file=None)


class OneSlowChat(HeldTransport):
    """Sends to `slow` stay in flight until released; the others go at once."""

    def __init__(self, slow: int) -> None:
        super().__init__()
        self._slow = slow

    async def deliver(self, row: Claimed) -> Delivery:
        if row.chat_id == self._slow:
            return await super().deliver(row)
        self.finished.append(row.chat_id)
        return Delivery(Result.SENT, message_id=row.id)


async def test_a_slow_send_does_not_hold_the_pass_the_others_go_on(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock,
) -> None:
    """Two in flight at a time: while the first chat's send hangs, the pass keeps claiming
    and sending the others, one free place at a time, instead of waiting for it."""
    for chat in (9301, 9302, 9303, 9304, 9305):
        await notify(sessionmaker, chat)
    transport = OneSlowChat(9301)
    dispatcher = fake_dispatcher(sessionmaker, transport, clock, ClaimPolicy("host-a", 2))
    sending = asyncio.create_task(dispatcher.run_once())
    await transport.wait_in_flight(1)
    async with asyncio.timeout(10):
        while await statuses(sessionmaker) != ["pending", "sent", "sent", "sent", "sent"]:  # noqa: ASYNC110 (rows set no Event)
            await asyncio.sleep(0.01)
    transport.release()
    assert await sending == 5
    assert await statuses(sessionmaker) == ["sent"] * 5
