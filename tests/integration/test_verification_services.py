"""Verification codes against both databases: issuing, redeeming once, races, the limit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import AuditEntry, User, VerificationCode, VerificationFailure
from bot.i18n import I18n
from bot.rendering.verification import redeem_reply
from bot.services.verification import (
    ALPHABET,
    BatchOutcome,
    BatchRequest,
    IssuedBatch,
    RedeemOutcome,
    RedeemResult,
    code_hash,
    create_batch,
    normalise_code,
    redeem_code,
)
from bot.services.wrong_codes import FAILURES_PER_HOUR
from tests.conftest import START
from tests.support.factories import make_user

SECRET = "s" * 64
AREAS = ("신도림동", "구로1동")


async def issue(maker: async_sessionmaker[AsyncSession], count: int = 3, days: int = 30,
                area: str = "신도림동") -> IssuedBatch:
    async with maker() as session, session.begin():
        result = await create_batch(session, BatchRequest(area, count, days), areas=AREAS,
                                    secret_key=SECRET, actor="telegram:1", now=START)
    assert result.batch is not None
    return result.batch


async def new_user(maker: async_sessionmaker[AsyncSession], telegram_id: int) -> int:
    async with maker() as session, session.begin():
        return (await make_user(session, telegram_id, START)).id


async def redeem(maker: async_sessionmaker[AsyncSession], user_id: int, typed: str,
                 after: timedelta = timedelta()) -> RedeemOutcome:
    async with maker() as session, session.begin():
        result = await redeem_code(session, user_id=user_id, typed=typed, secret_key=SECRET,
                                   now=START + after)
    return result.outcome


def test_codes_are_typed_leniently() -> None:
    assert normalise_code("k7qm-3xwd") == "K7QM3XWD"
    assert normalise_code(" K7QM 3XWD ") == "K7QM3XWD"
    assert normalise_code("Ｋ７ＱＭ－３ＸＷＤ") == "K7QM3XWD"  # full-width
    assert normalise_code("K7QM—3XWD") == "K7QM3XWD"
    assert normalise_code("K7QM-3XW") is None
    assert normalise_code("K0QM-3XWD") is None  # 0 is not in the alphabet
    assert not set("01IO") & set(ALPHABET)


async def test_a_batch_stores_only_hashes_and_is_audited(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    batch = await issue(sessionmaker, count=5)
    assert len(set(batch.codes)) == 5
    assert all(len(code) == 9 and code[4] == "-" for code in batch.codes)
    async with sessionmaker() as session:
        hashes = set(await session.scalars(select(VerificationCode.code_hash)))
        audit = (await session.scalars(select(AuditEntry))).one()
    assert hashes == {code_hash(normalise_code(c) or "", SECRET) for c in batch.codes}
    assert not any(code.replace("-", "") in h for code in batch.codes for h in hashes)
    assert audit.action == "verification.codes_created"
    assert audit.after is not None and audit.after["count"] == 5
    # the batch ends at 24:00 KST of its 30th day (15:00 KST on 11-24 → 12-24 midnight)
    assert batch.expires_at.isoformat() == "2026-12-24T15:00:00+00:00"


@pytest.mark.parametrize(("request_", "outcome"), [
    (BatchRequest("없는동", 5, 30), BatchOutcome.UNKNOWN_AREA),
    (BatchRequest("신도림동", 0, 30), BatchOutcome.BAD_COUNT),
    (BatchRequest("신도림동", 501, 30), BatchOutcome.BAD_COUNT),
    (BatchRequest("신도림동", 5, 0), BatchOutcome.BAD_DAYS),
])
async def test_bad_batches_are_refused(
    sessionmaker: async_sessionmaker[AsyncSession], request_: BatchRequest, outcome: BatchOutcome,
) -> None:
    async with sessionmaker() as session, session.begin():
        result = await create_batch(session, request_, areas=AREAS, secret_key=SECRET,
                                    actor="telegram:1", now=START)
    assert result.outcome is outcome and result.batch is None
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(VerificationCode)) == 0


async def test_a_code_verifies_once_and_then_is_used(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    batch = await issue(sessionmaker)
    minji, yeongsu = await new_user(sessionmaker, 1), await new_user(sessionmaker, 2)
    assert await redeem(sessionmaker, minji, batch.codes[0].lower()) is RedeemOutcome.VERIFIED
    assert await redeem(sessionmaker, minji, batch.codes[0]) is RedeemOutcome.ALREADY_YOURS
    assert await redeem(sessionmaker, yeongsu, batch.codes[0]) is RedeemOutcome.USED
    async with sessionmaker() as session:
        user = await session.get(User, minji)
        assert user is not None and user.verified_area == "신도림동"
        assert user.verified_at == START


async def test_an_expired_code_is_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    batch = await issue(sessionmaker, days=1)
    minji = await new_user(sessionmaker, 1)
    outcome = await redeem(sessionmaker, minji, batch.codes[0], after=timedelta(days=2))
    assert outcome is RedeemOutcome.EXPIRED
    async with sessionmaker() as session:
        user = await session.get(User, minji)
        assert user is not None and user.verified_area is None


async def test_wrong_codes_are_limited_per_hour_and_the_limit_is_stored(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    batch = await issue(sessionmaker)
    minji, other = await new_user(sessionmaker, 1), await new_user(sessionmaker, 2)
    outcomes = [await redeem(sessionmaker, minji, "ABCD-EFGH", after=timedelta(minutes=n))
                for n in range(FAILURES_PER_HOUR)]
    assert outcomes[:-1] == [RedeemOutcome.UNKNOWN] * (FAILURES_PER_HOUR - 1)
    assert outcomes[-1] is RedeemOutcome.RATE_LIMITED
    # even the right code waits until the oldest failure is an hour old
    late = timedelta(minutes=30)
    assert await redeem(sessionmaker, minji, batch.codes[0], late) is RedeemOutcome.RATE_LIMITED
    async with sessionmaker() as session, session.begin():
        result = await redeem_code(session, user_id=minji, typed=batch.codes[0],
                                   secret_key=SECRET, now=START + late)
    assert result.retry_at == START + timedelta(hours=1)
    # somebody else is not affected
    assert await redeem(sessionmaker, other, batch.codes[1]) is RedeemOutcome.VERIFIED
    after_an_hour = timedelta(hours=1, minutes=1)
    outcome = await redeem(sessionmaker, minji, batch.codes[0], after_an_hour)
    assert outcome is RedeemOutcome.VERIFIED
    async with sessionmaker() as session:
        stored = await session.scalar(select(func.count()).select_from(VerificationFailure))
    assert stored == FAILURES_PER_HOUR


async def test_two_residents_racing_for_one_code_only_one_wins(
    sessionmaker: async_sessionmaker[AsyncSession], backend: str,
) -> None:
    batch = await issue(sessionmaker, count=1)
    users = [await new_user(sessionmaker, n) for n in (1, 2)]

    async def attempt(user_id: int) -> RedeemOutcome | str:
        try:
            return await redeem(sessionmaker, user_id, batch.codes[0])
        except DBAPIError:  # SQLite: "database is locked" for the loser is also a loss
            return "locked"

    outcomes = await asyncio.gather(*(attempt(u) for u in users))
    assert outcomes.count(RedeemOutcome.VERIFIED) == 1
    async with sessionmaker() as session:
        verified = await session.scalar(
            select(func.count()).select_from(User).where(User.verified_area.is_not(None)))
        code = (await session.scalars(select(VerificationCode))).one()
    assert verified == 1 and code.used_by in users


async def test_a_wrong_code_says_how_many_tries_are_left_within_the_hour(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    minji = await new_user(sessionmaker, 1)
    left = []
    for minute in (0, 10, 20):
        async with sessionmaker() as session, session.begin():
            result = await redeem_code(session, user_id=minji, typed="ABCD-EFGH",
                                       secret_key=SECRET, now=START + timedelta(minutes=minute))
        left.append(result.tries_left)
    assert left == [FAILURES_PER_HOUR - 1, FAILURES_PER_HOUR - 2, FAILURES_PER_HOUR - 3]
    # an hour after the first failure it no longer counts
    async with sessionmaker() as session, session.begin():
        result = await redeem_code(session, user_id=minji, typed="ABCD-EFGH", secret_key=SECRET,
                                   now=START + timedelta(minutes=65))
    assert result.outcome is RedeemOutcome.UNKNOWN and result.tries_left == FAILURES_PER_HOUR - 3


def test_the_replies_say_the_tries_left_and_what_verification_unlocks() -> None:
    ko = I18n().get("ko")
    wrong = redeem_reply(ko, RedeemResult(RedeemOutcome.UNKNOWN, tries_left=2))
    assert wrong.endswith("\n2번 더 틀리면 1시간 동안 입력할 수 없어요.")
    assert "틀리면" not in redeem_reply(ko, RedeemResult(RedeemOutcome.UNKNOWN))
    done = redeem_reply(ko, RedeemResult(RedeemOutcome.VERIFIED, area="신도림동"))
    assert done == "✅ 완료! 이제 신도림동 주민으로 주민참여예산 투표에 참여할 수 있어요."
    en = redeem_reply(I18n().get("en"), RedeemResult(RedeemOutcome.UNKNOWN, tries_left=1))
    assert en.endswith("After 1 more wrong code you cannot enter codes for an hour.")


async def test_codes_issued_before_a_key_rotation_are_redeemed_and_rehashed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """SECRET moves to SECRET_KEY_PREVIOUS; codes of the older batch keep working."""
    new_key = "n" * 64
    batch = await issue(sessionmaker, count=2)
    minji, jisu = await new_user(sessionmaker, 9101), await new_user(sessionmaker, 9102)

    async def redeem_rotated(user_id: int, code: str, previous: str | None) -> RedeemOutcome:
        async with sessionmaker() as session, session.begin():
            result = await redeem_code(session, user_id=user_id, typed=code, secret_key=new_key,
                                       now=START, previous_key=previous)
        return result.outcome

    assert await redeem_rotated(minji, batch.codes[0], None) is RedeemOutcome.UNKNOWN
    assert await redeem_rotated(minji, batch.codes[0], SECRET) is RedeemOutcome.VERIFIED
    async with sessionmaker() as session:
        stored = set(await session.scalars(select(VerificationCode.code_hash)))
    first, second = (normalise_code(code) or "" for code in batch.codes)
    assert code_hash(first, new_key) in stored and code_hash(second, SECRET) in stored
    # once re-hashed, the code is known under the new key alone (here: as already used)
    assert await redeem_rotated(jisu, batch.codes[0], None) is RedeemOutcome.USED
    assert await redeem_rotated(jisu, batch.codes[1], SECRET) is RedeemOutcome.VERIFIED
