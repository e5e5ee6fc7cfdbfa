"""알림톡/SMS through the outbox on both backends: who gets texts, quiet hours, the daily cost
cap, a refused number, retries without a second text, final reports, and an offline
proposer's number kept encrypted, used for texts and erased once the proposal is closed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.db.engine import FastLane
from bot.db.models import (
    AuditEntry,
    Base,
    CallbackItem,
    KakaoHeldNotice,
    OutboxMessage,
    OutboxStatus,
    Proposal,
    TextContact,
    TextDelivery,
    User,
)
from bot.dispatcher import DEFER_FOR, Claimed, Delivery, OutboxDispatcher, Result
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar
from bot.domain.digest import DIGEST_KIND, DailyDigest
from bot.domain.events import StatusChanged
from bot.domain.kakao import KAKAO_ID_BASE
from bot.domain.lifecycle import ProposalStatus as S
from bot.domain.policy import Policy
from bot.domain.quiet_hours import QuietHours
from bot.domain.text_messages import DailyCap, TextChannel, offline_proposer_chat
from bot.i18n import I18n
from bot.kakao.notices import KakaoAwareBudget, KakaoNotices
from bot.metrics import Metrics
from bot.rendering.callbacks import waiting
from bot.send_budget import LocalBudget
from bot.services import answers, callbacks, departments, hiding, moderation
from bot.services.lifecycle import transition
from bot.services.moderation import OfflineForm
from bot.services.outbox import enqueue_for_users
from bot.services.text_contacts import (
    give_number,
    remove_number,
    spent_since,
    unreachable_numbers,
)
from bot.settings import Settings
from bot.texting.nhn import NhnAlimtalk, NhnCredentials
from bot.texting.provider import SendResult, TextProvider, TextRequest
from bot.texting.sandbox import SandboxTexts
from bot.texting.transport import TextMessageTransport, TextSettings
from tests.conftest import START
from tests.support.factories import make_user
from tests.support.nhn_fake import APPKEY, SECRET, SENDER_KEY, FakeNhn
from tests.support.service_settings import review_start

Maker = async_sessionmaker[AsyncSession]
M = TypeVar("M", bound=Base)
KEY = "c" * 40
HASH_KEY = "k" * 40
RESIDENT_CHAT = KAKAO_ID_BASE + 7
NUMBER = "01012345678"
BASE_URL = "https://gonggam.example"


class NoTelegram:
    """Telegram must never be asked: every row here is for a chat it cannot see."""

    channel = "telegram"

    async def deliver(self, row: Claimed) -> Delivery:
        raise AssertionError(f"Telegram was asked to send row {row.id}")


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Rig:
    sessionmaker: Maker
    dispatcher: OutboxDispatcher
    transport: TextMessageTransport
    clock: ShiftableClock


def rig_for(database_url: str, engine: AsyncEngine, sessionmaker: Maker, clock: ShiftableClock,
            provider: TextProvider, *, cap: int | None = None) -> Rig:
    fast_lane = FastLane(database_url, engine)
    transport = TextMessageTransport(
        provider, fast_lane, sessionmaker, clock, I18n().get("ko"),
        TextSettings(KEY, BASE_URL, cap=DailyCap(cap)))
    notices = KakaoNotices(NoTelegram(), fast_lane, clock, transport)
    time = VirtualTime()
    dispatcher = OutboxDispatcher(
        sessionmaker, notices, clock, Metrics(), quiet_hours=QuietHours(),
        budget=KakaoAwareBudget(LocalBudget(None, time, time.sleep)))
    return Rig(sessionmaker, dispatcher, transport, clock)


@pytest.fixture
async def texts() -> SandboxTexts:
    return SandboxTexts()


@pytest.fixture
async def rig(database_url: str, engine: AsyncEngine, sessionmaker: Maker,
              clock: ShiftableClock, texts: SandboxTexts) -> Rig:
    return rig_for(database_url, engine, sessionmaker, clock, texts)


async def resident(rig: Rig, *, number: str | None = NUMBER) -> int:
    async with rig.sessionmaker() as session, session.begin():
        user = await make_user(session, RESIDENT_CHAT, START)
    if number is not None:
        await rig.transport.fast_lane.run(partial(
            give_number, user_id=user.id, number=number, contact_key=KEY, secret_key=HASH_KEY,
            now=START))
    return user.id


async def notify(rig: Rig, user_id: int, key: str = "1", *, urgent: bool = False) -> None:
    notice = StatusChanged(1, "공원 산책로 가로등 설치", "under_review", key=key, urgent=urgent)
    async with rig.sessionmaker() as session, session.begin():
        await enqueue_for_users(session, [user_id], notice, rig.clock.now())


async def rows(rig: Rig, model: type[M]) -> list[M]:
    async with rig.sessionmaker() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def until(rig: Rig, moment: datetime) -> None:
    await rig.clock.advance(moment - rig.clock.now())


async def test_a_resident_who_gave_a_number_gets_the_notice_as_alimtalk_once(
    rig: Rig, texts: SandboxTexts,
) -> None:
    user_id = await resident(rig)
    await notify(rig, user_id)
    assert await rig.dispatcher.run_once() == 1
    assert await rig.dispatcher.run_once() == 0
    (text,) = texts.sent
    assert (text.to, text.template, text.channel) == ("010-****-5678", "GG_STATUS_01",
                                                     TextChannel.ALIMTALK)
    assert "공원 산책로 가로등 설치" in text.text and f"{BASE_URL}/p/1" in text.text
    (report,) = await rows(rig, TextDelivery)
    assert (report.status, report.channel, report.fallback, report.cost_won) == (
        "accepted", "alimtalk", "lms", 50)  # booked at its dearest until the final report
    (row,) = await rows(rig, OutboxMessage)
    assert row.status == OutboxStatus.SENT and report.outbox_id == row.id
    assert await rows(rig, KakaoHeldNotice) == []


async def test_without_a_number_or_after_taking_it_back_the_notice_waits_for_kakao(
    rig: Rig, texts: SandboxTexts,
) -> None:
    user_id = await resident(rig)
    assert await rig.transport.fast_lane.run(partial(remove_number, user_id=user_id))
    await notify(rig, user_id)
    await rig.dispatcher.run_once()
    assert texts.sent == [] and len(await rows(rig, KakaoHeldNotice)) == 1
    assert await rows(rig, TextContact) == []


async def test_the_number_is_kept_encrypted_and_hashed_never_in_the_clear(rig: Rig) -> None:
    await resident(rig)
    (contact,) = await rows(rig, TextContact)
    assert NUMBER not in contact.number_secret and contact.masked == "010-****-5678"
    assert len(contact.number_hash) == 64 and NUMBER not in contact.number_hash


async def test_quiet_hours_hold_a_text_until_morning_but_not_an_urgent_one(
    rig: Rig, texts: SandboxTexts,
) -> None:
    user_id = await resident(rig)
    await until(rig, datetime(2026, 11, 24, 14, 0, tzinfo=UTC))  # 23:00 KST
    await notify(rig, user_id, "quiet")
    await notify(rig, user_id, "urgent", urgent=True)
    await rig.dispatcher.run_once()
    assert [text.text.count("가로등") for text in texts.sent] == [1]
    await until(rig, datetime(2026, 11, 24, 23, 0, tzinfo=UTC))  # 08:00 KST
    await rig.dispatcher.run_once()
    assert len(texts.sent) == 2


async def test_the_daily_cap_holds_non_urgent_texts_until_the_next_korean_day(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, texts: SandboxTexts,
) -> None:
    rig = rig_for(database_url, engine, sessionmaker, clock, texts, cap=50)
    user_id = await resident(rig)
    await notify(rig, user_id, "first")  # an 알림톡 with an LMS fallback: 50 won at most
    await rig.dispatcher.run_once()
    await notify(rig, user_id, "second")
    await notify(rig, user_id, "urgent", urgent=True)
    await rig.dispatcher.run_once()
    assert len(texts.sent) == 2  # the first, and the urgent one despite the cap
    held = [row for row in await rows(rig, OutboxMessage) if row.status == OutboxStatus.PENDING]
    assert [(row.not_before, row.attempts) for row in held] == [
        (datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 0)]  # 00:00 KST on the 25th
    await until(rig, datetime(2026, 11, 24, 23, 0, tzinfo=UTC))  # the 25th, 08:00 KST
    await rig.dispatcher.run_once()
    assert len(texts.sent) == 3


async def test_a_refused_number_is_marked_and_the_notice_waits_for_kakao_instead(
    rig: Rig, texts: SandboxTexts,
) -> None:
    texts.refused.add(NUMBER)
    user_id = await resident(rig)
    await notify(rig, user_id, "a")
    await rig.dispatcher.run_once()
    await notify(rig, user_id, "b")
    await rig.dispatcher.run_once()
    (contact,) = await rows(rig, TextContact)
    assert contact.refused_at is not None and contact.refused_code == "-4019"
    assert len(await rows(rig, KakaoHeldNotice)) == 2  # neither notice is lost
    assert [report.status for report in await rows(rig, TextDelivery)] == ["rejected"]


@pytest.fixture
async def fake_nhn() -> AsyncIterator[FakeNhn]:
    fake = FakeNhn()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def nhn(fake: FakeNhn) -> NhnAlimtalk:
    return NhnAlimtalk(NhnCredentials(APPKEY, SECRET, SENDER_KEY, "0226000000", fake.base_url))


async def test_a_provider_error_is_retried_with_backoff_and_sent_once(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, fake_nhn: FakeNhn,
) -> None:
    provider = nhn(fake_nhn)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    user_id = await resident(rig)
    await notify(rig, user_id)
    fake_nhn.fail_next("5xx", "429")
    await rig.dispatcher.run_once()
    (row,) = await rows(rig, OutboxMessage)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.not_before == START + timedelta(seconds=2)
    await rig.clock.advance(timedelta(seconds=2))
    await rig.dispatcher.run_once()
    (row,) = await rows(rig, OutboxMessage)
    assert row.not_before == START + timedelta(seconds=2 + 4)
    await rig.clock.advance(timedelta(seconds=4))
    await rig.dispatcher.run_once()
    await provider.close()
    (row,) = await rows(rig, OutboxMessage)
    assert row.status == OutboxStatus.SENT and len(fake_nhn.accepted) == 1
    assert [report.status for report in await rows(rig, TextDelivery)] == [
        "not_taken", "retry", "accepted"]  # the 503 might have gone; the take says it had not


async def test_the_final_report_records_the_sms_fallback_and_its_price(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, fake_nhn: FakeNhn,
) -> None:
    provider = nhn(fake_nhn)
    fake_nhn.not_on_kakao.add(NUMBER)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    await notify(rig, await resident(rig))
    await rig.dispatcher.run_once()
    assert await rig.transport.refresh_reports() == 0  # too early: not asked yet
    await rig.clock.advance(timedelta(minutes=1))
    assert await rig.transport.refresh_reports() == 1
    await provider.close()
    (report,) = await rows(rig, TextDelivery)
    assert (report.status, report.channel, report.cost_won) == ("delivered", "lms", 50)
    assert report.reported_at == START + timedelta(minutes=1)


def nhn_answering_within(fake: FakeNhn, seconds: float) -> NhnAlimtalk:
    credentials = NhnCredentials(APPKEY, SECRET, SENDER_KEY, "0226000000", fake.base_url)
    return NhnAlimtalk(credentials, timeout=seconds)


@pytest.fixture
async def impatient(database_url: str, engine: AsyncEngine, sessionmaker: Maker,
                    clock: ShiftableClock, fake_nhn: FakeNhn) -> AsyncIterator[Rig]:
    """A rig on the fake NHN, waiting 0.2 s for its answers, with a resident who gave a
    number and one notice for them in the outbox."""
    provider = nhn_answering_within(fake_nhn, 0.2)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    await notify(rig, await resident(rig))
    yield rig
    await provider.close()


async def test_a_text_whose_answer_never_came_is_not_sent_again_after_quiet_hours(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, fake_nhn: FakeNhn,
) -> None:
    provider = nhn_answering_within(fake_nhn, 0.2)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    user_id = await resident(rig)
    await until(rig, datetime(2026, 11, 24, 12, 59, tzinfo=UTC))  # 21:59 KST
    await notify(rig, user_id)
    fake_nhn.fail_next("lost-answer")  # NHN takes it; its answer never comes
    await rig.dispatcher.run_once()
    (attempt,) = await rows(rig, TextDelivery)
    assert (attempt.status, attempt.cost_won) == ("unknown", 50)  # counted, to be safe
    await until(rig, datetime(2026, 11, 24, 23, 0, tzinfo=UTC))  # 08:00 KST, quiet hours over
    fake_nhn.forget_keys()  # NHN forgot the idempotency key long ago
    await rig.dispatcher.run_once()
    await provider.close()
    assert len(fake_nhn.accepted) == 1
    (attempt,) = await rows(rig, TextDelivery)
    assert (attempt.status, attempt.message_id) == ("accepted", "202612070000000001/1")
    (row,) = await rows(rig, OutboxMessage)
    assert row.status == OutboxStatus.SENT


async def test_an_unanswered_text_that_never_went_is_sent_once_the_key_is_forgotten(
    impatient: Rig, fake_nhn: FakeNhn,
) -> None:
    rig = impatient
    fake_nhn.fail_next("timeout")  # never taken, never answered
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(minutes=15))
    fake_nhn.forget_keys()
    await rig.dispatcher.run_once()
    assert len(fake_nhn.accepted) == 1
    assert [(d.status, d.cost_won) for d in await rows(rig, TextDelivery)] == [
        ("not_taken", 0), ("accepted", 50)]


async def test_an_unanswered_text_sent_again_within_the_window_is_a_duplicate_not_two(
    impatient: Rig, fake_nhn: FakeNhn,
) -> None:
    rig = impatient
    fake_nhn.fail_next("lost-answer")
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(seconds=2))  # the outbox's first backoff
    await rig.dispatcher.run_once()
    assert len(fake_nhn.accepted) == 1
    assert [(d.status, d.cost_won) for d in await rows(rig, TextDelivery)] == [
        ("accepted", 50), ("duplicate", 0)]  # the first is the text: its report will come
    assert (await rows(rig, TextDelivery))[0].message_id == "202612070000000001/1"
    (row,) = await rows(rig, OutboxMessage)
    assert row.status == OutboxStatus.SENT


async def test_an_unanswered_text_then_a_rate_limit_is_still_not_sent_twice_later(
    impatient: Rig, fake_nhn: FakeNhn,
) -> None:
    rig = impatient
    fake_nhn.fail_next("lost-answer", "429")  # taken, no answer; then a refused repeat
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(seconds=2))
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(hours=1))  # NHN forgot the key long ago
    fake_nhn.forget_keys()
    await rig.dispatcher.run_once()
    assert len(fake_nhn.accepted) == 1
    assert [d.status for d in await rows(rig, TextDelivery)] == ["accepted", "retry"]
    (row,) = await rows(rig, OutboxMessage)
    assert row.status == OutboxStatus.SENT


async def test_a_final_report_stored_by_two_replicas_sends_the_notice_the_old_way_once(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, fake_nhn: FakeNhn,
) -> None:
    provider = nhn(fake_nhn)
    fake_nhn.unreachable.add(NUMBER)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    other_replica = rig_for(database_url, engine, sessionmaker, clock, provider)
    await notify(rig, await resident(rig))
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(minutes=1))
    await asyncio.gather(rig.transport.refresh_reports(),
                         other_replica.transport.refresh_reports())
    await provider.close()
    assert len(await rows(rig, KakaoHeldNotice)) == 1


class SlowSandbox(SandboxTexts):
    """The sandbox provider taking a moment per text, so concurrent sends overlap."""

    async def send(self, request: TextRequest) -> SendResult:
        await asyncio.sleep(0)
        return await super().send(request)


async def test_concurrent_sends_cannot_pass_the_daily_cap_together(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker, clock: ShiftableClock,
) -> None:
    texts = SlowSandbox()
    rig = rig_for(database_url, engine, sessionmaker, clock, texts, cap=100)
    user_id = await resident(rig)
    for n in range(6):
        await notify(rig, user_id, f"burst-{n}")
    await rig.dispatcher.run_once()  # the dispatcher's slots send them side by side
    assert len(texts.sent) == 2  # 2 × 50 won (LMS fallbacks, booked at their price)
    async with rig.sessionmaker() as session:
        spent = await session.run_sync(lambda sync: spent_since(
            sync.connection(), since=START - timedelta(days=1)))
    assert spent == 100
    held = [row for row in await rows(rig, OutboxMessage) if row.status == OutboxStatus.PENDING]
    assert len(held) == 4 and {row.attempts for row in held} == {0}


async def test_a_text_that_reached_nobody_marks_the_number_and_waits_for_kakao(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, fake_nhn: FakeNhn,
) -> None:
    provider = nhn(fake_nhn)
    fake_nhn.unreachable.add(NUMBER)  # 알림톡 failed, and the SMS fallback too (RSC05)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    user_id = await resident(rig)
    await notify(rig, user_id, "a")
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(minutes=1))
    assert await rig.transport.refresh_reports() == 1
    await notify(rig, user_id, "b")  # the number is known unreachable now: no text tried
    await rig.dispatcher.run_once()
    await provider.close()
    assert len(fake_nhn.accepted) == 1
    (contact,) = await rows(rig, TextContact)
    assert contact.refused_at is not None and contact.refused_code == "3015"
    held = await rows(rig, KakaoHeldNotice)
    assert [notice.kind for notice in held] == ["status_changed"] * 2  # neither is lost
    (report,) = await rows(rig, TextDelivery)
    assert (report.status, report.channel) == ("undelivered", "lms")
    async with rig.sessionmaker() as session:
        count, numbers = await session.run_sync(
            lambda sync: unreachable_numbers(sync.connection()))
    assert count == 1 and [(n.masked, n.code) for n in numbers] == [("010-****-5678", "3015")]
    shown = waiting(I18n().get("ko"), 0, count, numbers)
    assert "010-****-5678" in shown.text and "5678" in shown.text and "3015" in shown.text
    assert NUMBER not in shown.text


async def test_an_offline_proposers_undelivered_text_goes_on_the_call_back_list(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker,
    clock: ShiftableClock, fake_nhn: FakeNhn,
) -> None:
    provider = nhn(fake_nhn)
    fake_nhn.unreachable.add(NUMBER)
    rig = rig_for(database_url, engine, sessionmaker, clock, provider)
    proposal_id, _ = await offline_proposal(rig)
    await expire(rig, proposal_id)
    while await rig.dispatcher.run_once():
        pass
    assert (await proposal(rig, proposal_id)).offline_text_secret is not None  # report due
    await rig.clock.advance(timedelta(minutes=1))
    await rig.transport.refresh_reports()
    await provider.close()
    closed = await proposal(rig, proposal_id)
    assert closed.offline_text_refused_at is not None
    assert closed.offline_text_secret is not None  # kept: staff must phone, and see it
    items = await rows(rig, CallbackItem)
    assert items and {item.proposal_id for item in items} == {proposal_id}


# ----- offline proposers ----------------------------------------------------------------------


async def offline_proposal(rig: Rig, *, texts: bool = True) -> tuple[int, User]:
    async with rig.sessionmaker() as session, session.begin():
        mod = await make_user(session, 900, START, role="moderator")
    form = OfflineForm("phone", "경로당 난방비 지원", "겨울마다 경로당 난방비가 부족해요.",
                       "구로1동", None, "김민수", "010-1234-5678", texts=texts)
    async with rig.sessionmaker() as session, session.begin():
        proposal_id = await moderation.enter_offline_proposal(
            session, form=form, moderator_id=mod.id, actor="telegram:900", now=START,
            policy=Policy(endorsement_threshold=3), secret_key=HASH_KEY, contact_key=KEY)
    return proposal_id, mod


async def expire(rig: Rig, proposal_id: int) -> None:
    """Close the proposal (its followers, the author of record among them, are told)."""
    async with rig.sessionmaker() as session, session.begin():
        assert await transition(session, proposal_id, expected=S.COLLECTING, new=S.EXPIRED,
                                now=rig.clock.now())


async def proposal(rig: Rig, proposal_id: int) -> Proposal:
    async with rig.sessionmaker() as session:
        found = await session.get(Proposal, proposal_id)
        assert found is not None
        return found


async def test_an_offline_proposer_hears_by_text_and_the_number_goes_once_closed(
    rig: Rig, texts: SandboxTexts,
) -> None:
    proposal_id, _ = await offline_proposal(rig)
    kept = await proposal(rig, proposal_id)
    assert kept.offline_text_secret and "1234" not in kept.offline_text_secret
    assert kept.offline_contact_secret is None  # no consent to be phoned
    await expire(rig, proposal_id)
    outbox = await rows(rig, OutboxMessage)
    assert {row.chat_id for row in outbox} == {offline_proposer_chat(proposal_id)}
    assert (await proposal(rig, proposal_id)).offline_text_secret is not None  # news waits
    while await rig.dispatcher.run_once():
        pass
    assert texts.sent and all(text.to == "010-****-5678" for text in texts.sent)
    assert (await proposal(rig, proposal_id)).offline_text_secret is not None  # report due
    await rig.clock.advance(timedelta(minutes=1))
    assert await rig.transport.refresh_reports() == len(texts.sent)
    closed = await proposal(rig, proposal_id)
    assert (closed.offline_text_secret, closed.offline_contact_secret) == (None, None)
    async with rig.sessionmaker() as session:
        erased = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "proposal.contact_erased")))
    assert [entry.subject for entry in erased] == [f"proposal:{proposal_id}"]


async def test_an_offline_proposers_refused_number_goes_on_the_call_back_list(
    rig: Rig, texts: SandboxTexts,
) -> None:
    texts.refused.add(NUMBER)
    proposal_id, _ = await offline_proposal(rig)
    await expire(rig, proposal_id)
    while await rig.dispatcher.run_once():
        pass
    refused = await proposal(rig, proposal_id)
    assert refused.offline_text_refused_at is not None
    items = await rows(rig, CallbackItem)
    assert items and {item.proposal_id for item in items} == {proposal_id}
    assert refused.offline_text_secret is not None  # kept while a call waits (staff see it)


async def test_without_consent_to_texts_nothing_is_kept_for_them(rig: Rig) -> None:
    proposal_id, _ = await offline_proposal(rig, texts=False)
    kept = await proposal(rig, proposal_id)
    assert kept.offline_text_secret is None and await rows(rig, OutboxMessage) == []


class RecordingTelegram:
    """Telegram for the Telegram chats: records what it sent (slowly, so a failure next to
    it in the same pass would cancel it)."""

    channel = "telegram"

    def __init__(self) -> None:
        self.sent: list[int] = []

    async def deliver(self, row: Claimed) -> Delivery:
        await asyncio.sleep(0.05)
        self.sent.append(row.id)
        return Delivery(Result.SENT, message_id=1)


async def test_a_texted_residents_daily_digest_is_held_and_telegram_goes_on(
    database_url: str, engine: AsyncEngine, sessionmaker: Maker, clock: ShiftableClock,
    texts: SandboxTexts,
) -> None:
    rig = rig_for(database_url, engine, sessionmaker, clock, texts)
    telegram = RecordingTelegram()
    fast_lane = FastLane(database_url, engine)
    time = VirtualTime()
    dispatcher = OutboxDispatcher(
        sessionmaker, KakaoNotices(telegram, fast_lane, clock, rig.transport), clock,
        Metrics(), quiet_hours=QuietHours(), digest=DailyDigest(),
        budget=KakaoAwareBudget(LocalBudget(None, time, time.sleep)))
    user_id = await resident(rig)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(daily_digest=True))
        on_telegram = await make_user(session, 4242, START)
    await notify(rig, user_id, "d1")
    await until(rig, START + timedelta(days=1))  # the digest is due
    await notify(rig, on_telegram.id, "tg")
    await dispatcher.run_once()
    statuses = {row.chat_id: row.status for row in await rows(rig, OutboxMessage)}
    assert statuses == {RESIDENT_CHAT: OutboxStatus.SENT, 4242: OutboxStatus.SENT}
    assert len(telegram.sent) == 1 and texts.sent == []
    (held,) = await rows(rig, KakaoHeldNotice)
    assert held.kind == DIGEST_KIND


async def test_a_notice_that_cannot_be_made_a_text_fails_alone(rig: Rig, texts: SandboxTexts
                                                               ) -> None:
    await resident(rig)
    row = Claimed(1, RESIDENT_CHAT, None, "no_such_kind", {}, "ko", 1, "t")
    delivery = await rig.transport.deliver(row)
    assert delivery is not None and delivery.result is Result.FAILED and texts.sent == []


async def test_a_row_claimed_again_after_its_text_was_taken_is_not_sent_twice(
    rig: Rig, texts: SandboxTexts,
) -> None:
    await notify(rig, await resident(rig))
    (row,) = await rows(rig, OutboxMessage)
    claimed = Claimed(row.id, row.chat_id, None, row.kind, row.params, "ko", 1, "t")
    first = await rig.transport.deliver(claimed)  # taken and recorded; then a crash
    assert first is not None and first.result is Result.SENT
    await rig.clock.advance(timedelta(minutes=15))
    texts._keys.clear()  # the provider remembers an idempotency key for 10 minutes only
    await rig.dispatcher.run_once()  # the row, never marked, is claimed again
    assert len(texts.sent) == 1
    assert [report.status for report in await rows(rig, TextDelivery)] == ["accepted"]
    (row,) = await rows(rig, OutboxMessage)
    assert row.status == OutboxStatus.SENT


async def test_reports_that_never_become_final_do_not_hold_back_a_newer_one(
    rig: Rig, texts: SandboxTexts,
) -> None:
    async with rig.sessionmaker() as session, session.begin():
        for n in range(50):  # taken by an earlier process: the sandbox never heard of them
            session.add(TextDelivery(
                outbox_id=None, provider="sandbox", message_id=f"sandbox-old-{n}",
                channel="alimtalk", fallback="sms", status="accepted", cost_won=8,
                created_at=START - timedelta(days=1)))
        session.add(TextDelivery(
            outbox_id=None, provider="sandbox", message_id="sandbox-ancient", channel="alimtalk",
            fallback="sms", status="accepted", cost_won=8, created_at=START - timedelta(days=3)))
    await notify(rig, await resident(rig))
    await rig.dispatcher.run_once()
    await rig.clock.advance(timedelta(minutes=5))
    assert await rig.transport.refresh_reports() == 50
    newest = max(await rows(rig, TextDelivery), key=lambda delivery: delivery.id)
    assert (newest.message_id, newest.status) == ("sandbox-1", "delivered")
    assert await rig.transport.refresh_reports() == 1
    statuses = {d.message_id: d.status for d in await rows(rig, TextDelivery)}
    assert statuses["sandbox-ancient"] == "unreported"  # too old to ask about: given up
    assert {statuses[f"sandbox-old-{n}"] for n in range(50)} == {"unreported"}
    assert await rig.transport.refresh_reports() == 0


async def test_an_offline_proposers_number_goes_once_staff_hid_the_proposal(
    rig: Rig, texts: SandboxTexts,
) -> None:
    proposal_id, mod = await offline_proposal(rig)
    async with rig.sessionmaker() as session, session.begin():
        assert await hiding.hide_content(
            session, kind=hiding.PROPOSAL, content_id=proposal_id, reason="spam",
            actor=f"user:{mod.id}", now=rig.clock.now()) is hiding.HideOutcome.DONE
    while await rig.dispatcher.run_once():
        pass
    for item in await rows(rig, CallbackItem):  # the author's notice, phoned by staff
        async with rig.sessionmaker() as session, session.begin():
            await callbacks.mark_done(session, item.id, user_id=mod.id,
                                      actor=f"user:{mod.id}", now=rig.clock.now())
    await rig.clock.advance(timedelta(minutes=1))
    await rig.transport.refresh_reports()  # the last texts' final word
    hidden = await proposal(rig, proposal_id)
    assert (hidden.offline_text_secret, hidden.offline_contact_secret) == (None, None)


async def test_an_offline_proposers_number_goes_once_the_final_answer_is_not_accepted(
    rig: Rig, texts: SandboxTexts,
) -> None:
    settings = Settings(secret_key=HASH_KEY, moderator_chat_id=-500, public_base_url=BASE_URL)
    proposal_id, _ = await offline_proposal(rig)
    async with rig.sessionmaker() as session, session.begin():
        await session.execute(update(Proposal).where(Proposal.id == proposal_id)
                              .values(status=S.AWAITING_ANSWER))
        department = await departments.create_department(session, name="복지과", now=START)
        link = await departments.assign_department(session, proposal_id, department, now=START,
                                                   **review_start(settings))
    async with rig.sessionmaker() as session, session.begin():
        view = await answers.resolve_link(session, link.token or "", START, HASH_KEY)
        assert view is not None
        form = AnswerForm(AnswerKind.FINAL, "김주무관",
                          "올해 예산으로는 지원이 어려워 수용하지 못해요.", decision="rejected")
        result = await answers.submit_answer(
            session, view, form, idempotency_key="final", now=START, policy=settings.policy,
            venues=settings.venues, calendar=BusinessCalendar())
    assert result.status is S.ANSWERED
    assert (await proposal(rig, proposal_id)).offline_text_secret is not None  # news waits
    async with rig.sessionmaker() as session, session.begin():  # staff's Telegram rows aside
        await session.execute(delete(OutboxMessage).where(
            OutboxMessage.chat_id != offline_proposer_chat(proposal_id)))
    while await rig.dispatcher.run_once():
        pass
    assert any(text.template == "GG_ANSWER_01" for text in texts.sent)
    await rig.clock.advance(timedelta(minutes=1))
    await rig.transport.refresh_reports()
    answered = await proposal(rig, proposal_id)
    assert (answered.offline_text_secret, answered.offline_contact_secret) == (None, None)


class Deferring:
    channel = "telegram"

    async def deliver(self, row: Claimed) -> Delivery:
        return Delivery(Result.DEFER, "not now")  # no `hold_until`


async def test_a_deferral_without_a_time_waits_a_minute_and_is_not_a_retry(
    sessionmaker: Maker, clock: ShiftableClock,
) -> None:
    time = VirtualTime()
    dispatcher = OutboxDispatcher(sessionmaker, Deferring(), clock, Metrics(),
                                  budget=LocalBudget(None, time, time.sleep))
    async with sessionmaker() as session, session.begin():
        user = await make_user(session, 4242, START)
        notice = StatusChanged(1, "공원 산책로 가로등 설치", "under_review", key="d")
        await enqueue_for_users(session, [user.id], notice, START)
    for _ in range(10):
        await dispatcher.run_once()
    async with sessionmaker() as session:
        (row,) = await session.scalars(select(OutboxMessage))
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert row.not_before == START + DEFER_FOR
