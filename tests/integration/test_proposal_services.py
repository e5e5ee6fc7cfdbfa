"""Proposal services on both backends: publishing, 공감, the threshold, reminders, withdrawal."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Endorsement, OutboxMessage, Proposal, ProposalEvent, User
from bot.domain.deadlines import BusinessCalendar, resident_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Role
from bot.domain.places import GeoPoint
from bot.domain.policy import Policy
from bot.domain.proposals import Origin
from bot.services import drafts
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.lifecycle import transition
from bot.services.proposals import (
    EndorseOutcome,
    SubmitOutcome,
    WithdrawOutcome,
    approve_pending,
    endorse,
    record_phone,
    report_proposal,
    set_muted,
    submit_draft,
    withdraw_endorsement,
    withdraw_proposal,
)
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_user
from tests.support.service_settings import review_start

CALENDAR = BusinessCalendar()
SETTINGS = Settings(secret_key="k" * 40, moderator_chat_id=-100500)
SMALL = replace(SETTINGS, policy=Policy(endorsement_threshold=10))
GOOD_DRAFT = {
    "title": "공원 산책로에 가로등을 설치해 주세요",
    "problem": "밤에 공원 산책로가 너무 어두워서 산책하기 무서워요.",
    "solution": "산책로를 따라 가로등을 설치해 주세요.",
    "effect": "밤에도 안전하게 산책할 수 있어요.",
}

Maker = async_sessionmaker[AsyncSession]


async def users(sessionmaker: Maker, count: int, first: int = 100) -> list[int]:
    async with sessionmaker() as session, session.begin():
        return [(await make_user(session, first + n, START)).id for n in range(count)]


async def publish_draft(
    sessionmaker: Maker, author: int, settings: Settings = SETTINGS, now: datetime = START,
    **overrides: str,
) -> tuple[SubmitOutcome, int | None]:
    async with sessionmaker() as session, session.begin():
        await drafts.save_step(session, author, now, step="preview", **(GOOD_DRAFT | overrides))
        result = await submit_draft(session, author, now, settings.policy, settings.venues)
    return result.outcome, result.proposal_id


async def tap(sessionmaker: Maker, proposal_id: int, user_id: int, settings: Settings = SMALL,
              now: datetime = START) -> EndorseOutcome:
    async with sessionmaker() as session, session.begin():
        result = await endorse(session, proposal_id=proposal_id, user_id=user_id, now=now,
                               **review_start(settings), calendar=CALENDAR)
    return result.outcome


async def proposal(sessionmaker: Maker, proposal_id: int) -> Proposal:
    async with sessionmaker() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found


async def outbox_kinds(sessionmaker: Maker) -> list[tuple[str, int]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(OutboxMessage.kind, OutboxMessage.chat_id).order_by(OutboxMessage.id)
        )
        return [(kind, chat) for kind, chat in rows]


async def test_publishing_opens_a_30_day_window_and_subscribes_the_author(
    sessionmaker: Maker,
) -> None:
    [author] = await users(sessionmaker, 1)
    outcome, proposal_id = await publish_draft(sessionmaker, author)
    assert outcome is SubmitOutcome.PUBLISHED and proposal_id is not None
    published = await proposal(sessionmaker, proposal_id)
    assert published.status == ProposalStatus.COLLECTING
    assert published.collect_until == resident_deadline(START, 30)
    assert published.halfway_at is not None and published.closing_soon_at is not None
    async with sessionmaker() as session:
        assert await drafts.load_draft(session, author) is None


async def origin_of_draft(sessionmaker: Maker, writer: int) -> Origin | None:
    async with sessionmaker() as session:
        draft = await drafts.load_draft(session, writer)
    return draft.origin if draft is not None else None


async def test_a_district_draft_is_a_district_proposal_only_while_its_writer_is_staff(
    sessionmaker: Maker,
) -> None:
    staff, resident = await users(sessionmaker, 2)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == staff).values(role=Role.MODERATOR))
        for writer in (staff, resident):  # a resident's forged draft, as if the role went
            await drafts.choose_origin(session, writer, Origin.DISTRICT, START)
            await drafts.start_draft(session, writer, START)  # a restart keeps the origin
    assert [await origin_of_draft(sessionmaker, w) for w in (staff, resident)] == [
        Origin.DISTRICT, Origin.DISTRICT]
    origins = []
    for writer in (staff, resident):
        outcome, proposal_id = await publish_draft(sessionmaker, writer)
        assert outcome is SubmitOutcome.PUBLISHED and proposal_id is not None
        origins.append((await proposal(sessionmaker, proposal_id)).origin)
    assert origins == [Origin.DISTRICT, Origin.RESIDENT]
    async with sessionmaker() as session, session.begin():
        await drafts.choose_origin(session, staff, Origin.RESIDENT, START)
    assert await origin_of_draft(sessionmaker, staff) is Origin.RESIDENT


async def test_pre_moderation_and_the_abuse_check_hold_a_proposal(sessionmaker: Maker) -> None:
    [author, other] = await users(sessionmaker, 2)
    moderated = replace(SETTINGS, policy=replace(SETTINGS.policy, pre_moderation=True))
    outcome, held = await publish_draft(sessionmaker, author, moderated)
    assert outcome is SubmitOutcome.AWAITING_MODERATION
    assert (await proposal(sessionmaker, held)).status == ProposalStatus.PENDING_MODERATION  # type: ignore[arg-type]
    outcome, flagged = await publish_draft(
        sessionmaker, other, problem="구청 담당자 이 개새끼들 밤길이 어두워요 진짜로요."
    )
    assert outcome is SubmitOutcome.AWAITING_MODERATION
    assert (await proposal(sessionmaker, flagged)).flagged  # type: ignore[arg-type]
    assert ("moderation_pending", -100500) in await outbox_kinds(sessionmaker)
    async with sessionmaker() as session, session.begin():
        assert await approve_pending(session, held, START, SETTINGS.policy, moderator_id=other)  # type: ignore[arg-type]
    assert (await proposal(sessionmaker, held)).status == ProposalStatus.COLLECTING  # type: ignore[arg-type]
    assert ("proposal_approved", 100) in await outbox_kinds(sessionmaker)


async def test_three_proposals_a_day_then_tomorrow_again(sessionmaker: Maker) -> None:
    [author] = await users(sessionmaker, 1)
    for n in range(3):
        outcome, _ = await publish_draft(sessionmaker, author, title=f"제안 번호 {n} 입니다")
        assert outcome is SubmitOutcome.PUBLISHED
    outcome, _ = await publish_draft(sessionmaker, author)
    assert outcome is SubmitOutcome.RATE_LIMITED
    async with sessionmaker() as session:
        assert await drafts.load_draft(session, author) is not None  # nothing lost
    tomorrow = datetime(2026, 11, 24, 15, 1, tzinfo=UTC)  # 00:01 KST on the 25th
    outcome, _ = await publish_draft(sessionmaker, author, now=tomorrow)
    assert outcome is SubmitOutcome.PUBLISHED


async def test_incomplete_drafts_are_not_published(sessionmaker: Maker) -> None:
    [author] = await users(sessionmaker, 1)
    async with sessionmaker() as session, session.begin():
        await drafts.save_step(session, author, START, step="effect", title="제목만 있는 제안")
        result = await submit_draft(session, author, START, SETTINGS.policy, SETTINGS.venues)
    assert result.outcome is SubmitOutcome.INCOMPLETE


async def test_a_place_is_kept_to_ten_metres_can_be_removed_and_is_published(
    sessionmaker: Maker,
) -> None:
    [author, other] = await users(sessionmaker, 2)
    async with sessionmaker() as session, session.begin():
        assert await drafts.save_place(session, author, START, GeoPoint(37.5, 126.9)) is None
        await drafts.save_step(session, author, START, step="area", **GOOD_DRAFT)
        kept = await drafts.save_place(session, author, START, GeoPoint(37.48412345, 126.8962))
        assert kept is not None and kept.place == GeoPoint(37.4841, 126.8962)
        await drafts.save_step(session, other, START, step="area", **GOOD_DRAFT)
        await drafts.save_place(session, other, START, GeoPoint(37.48, 126.89))
        removed = await drafts.save_place(session, other, START, None)
        assert removed is not None and removed.place is None
    _, with_place = await publish_draft(sessionmaker, author)
    _, without = await publish_draft(sessionmaker, other)
    assert with_place is not None and without is not None
    published = await proposal(sessionmaker, with_place)
    assert (published.latitude, published.longitude) == (37.4841, 126.8962)
    assert (await proposal(sessionmaker, without)).latitude is None


async def test_one_endorsement_per_person_and_not_ones_own(sessionmaker: Maker) -> None:
    [author, resident] = await users(sessionmaker, 2)
    _, pid = await publish_draft(sessionmaker, author)
    assert await tap(sessionmaker, pid, author) is EndorseOutcome.OWN_PROPOSAL  # type: ignore[arg-type]
    assert await tap(sessionmaker, pid, resident) is EndorseOutcome.ENDORSED  # type: ignore[arg-type]
    assert await tap(sessionmaker, pid, resident) is EndorseOutcome.ALREADY  # type: ignore[arg-type]
    assert (await proposal(sessionmaker, pid)).endorsement_count == 1  # type: ignore[arg-type]
    async with sessionmaker() as session, session.begin():
        result = await withdraw_endorsement(session, proposal_id=pid, user_id=resident)  # type: ignore[arg-type]
    assert result.outcome is EndorseOutcome.WITHDRAWN and result.count == 0
    async with sessionmaker() as session, session.begin():
        result = await withdraw_endorsement(session, proposal_id=pid, user_id=resident)  # type: ignore[arg-type]
    assert result.outcome is EndorseOutcome.NOT_ENDORSED


async def test_reaching_the_threshold_starts_the_review_and_tells_everyone(
    sessionmaker: Maker,
) -> None:
    [author, *residents] = await users(sessionmaker, 11)
    _, pid = await publish_draft(sessionmaker, author)
    outcomes = [await tap(sessionmaker, pid, r) for r in residents]  # type: ignore[arg-type]
    assert outcomes[-1] is EndorseOutcome.THRESHOLD_REACHED
    assert outcomes.count(EndorseOutcome.ENDORSED) == 9
    moved = await proposal(sessionmaker, pid)  # type: ignore[arg-type]
    assert moved.status == ProposalStatus.UNDER_REVIEW and moved.review_due is not None
    kinds = await outbox_kinds(sessionmaker)
    told = [chat for kind, chat in kinds if kind == "threshold_reached"]
    assert sorted(told) == list(range(100, 111))
    assert ("moderation_threshold", -100500) in kinds
    assert [chat for kind, chat in kinds if kind == "almost_there"] == list(range(100, 110))
    assert await tap(sessionmaker, pid, residents[0]) is EndorseOutcome.NOT_COLLECTING  # type: ignore[arg-type]


async def test_muted_followers_are_skipped(sessionmaker: Maker) -> None:
    [author, quiet, *others] = await users(sessionmaker, 11)
    _, pid = await publish_draft(sessionmaker, author)
    await tap(sessionmaker, pid, quiet)  # type: ignore[arg-type]
    async with sessionmaker() as session, session.begin():
        await set_muted(session, proposal_id=pid, user_id=quiet, muted=True, now=START)  # type: ignore[arg-type]
    for resident in others:
        await tap(sessionmaker, pid, resident)  # type: ignore[arg-type]
    told = [chat for kind, chat in await outbox_kinds(sessionmaker) if kind == "threshold_reached"]
    assert 101 not in told and 100 in told


@pytest.mark.postgres
async def test_a_hundred_simultaneous_taps_move_the_proposal_exactly_once(
    request: pytest.FixtureRequest,
) -> None:
    url = request.getfixturevalue("postgres_database")
    from tests.support.databases import migrate_url, truncate_all

    await migrate_url(url)
    engine = create_engine(url, pool_size=10, max_overflow=15)
    await truncate_all(engine)
    sessionmaker = create_sessionmaker(engine)
    try:
        [author, *residents] = await users(sessionmaker, 101)
        _, pid = await publish_draft(sessionmaker, author)
        settings = replace(SETTINGS, policy=Policy(endorsement_threshold=50))
        outcomes = await asyncio.gather(*(tap(sessionmaker, pid, r, settings) for r in residents))  # type: ignore[arg-type]
        async with sessionmaker() as session:
            events = await session.scalar(
                select(func.count()).where(
                    ProposalEvent.proposal_id == pid,
                    ProposalEvent.to_status == ProposalStatus.UNDER_REVIEW,
                )
            )
            endorsements = await session.scalar(
                select(func.count()).where(Endorsement.proposal_id == pid)
            )
        moved = await proposal(sessionmaker, pid)  # type: ignore[arg-type]
    finally:
        await engine.dispose()
    assert outcomes.count(EndorseOutcome.THRESHOLD_REACHED) == 1
    assert outcomes.count(EndorseOutcome.ENDORSED) == 49
    assert outcomes.count(EndorseOutcome.NOT_COLLECTING) == 50
    assert events == 1 and endorsements == moved.endorsement_count == 50
    assert moved.status == ProposalStatus.UNDER_REVIEW


async def test_reminders_at_half_time_and_three_days_before_the_end(sessionmaker: Maker) -> None:
    [author, resident] = await users(sessionmaker, 2)
    _, pid = await publish_draft(sessionmaker, author)
    await tap(sessionmaker, pid, resident, SETTINGS)  # type: ignore[arg-type]
    clock = fake_clock(START)
    machine = DeadlineMachine(sessionmaker, clock, DeadlineContext(SETTINGS.policy, CALENDAR))
    await clock.advance(timedelta(days=15, hours=6))
    await machine.run_due()
    await machine.run_due()
    kinds = await outbox_kinds(sessionmaker)
    assert sorted(chat for kind, chat in kinds if kind == "halfway") == [100, 101]
    await clock.advance(timedelta(days=12))
    await machine.run_due()
    kinds = await outbox_kinds(sessionmaker)
    assert sorted(chat for kind, chat in kinds if kind == "closing_soon") == [100, 101]
    await clock.advance(timedelta(days=4))
    await machine.run_due()
    assert (await proposal(sessionmaker, pid)).status == ProposalStatus.EXPIRED  # type: ignore[arg-type]
    assert len([k for k, _ in await outbox_kinds(sessionmaker) if k == "proposal_expired"]) == 2


async def test_no_closing_reminder_when_the_proposal_is_nearly_there(sessionmaker: Maker) -> None:
    [author, *residents] = await users(sessionmaker, 9)
    _, pid = await publish_draft(sessionmaker, author)
    for resident in residents:
        await tap(sessionmaker, pid, resident)  # type: ignore[arg-type]
    clock = fake_clock(START + timedelta(days=28))
    await DeadlineMachine(sessionmaker, clock, DeadlineContext(SMALL.policy, CALENDAR)).run_due()
    assert "closing_soon" not in [kind for kind, _ in await outbox_kinds(sessionmaker)]


async def test_withdrawing_tells_the_endorsers_and_only_the_author_may(
    sessionmaker: Maker,
) -> None:
    [author, resident, stranger] = await users(sessionmaker, 3)
    _, pid = await publish_draft(sessionmaker, author)
    await tap(sessionmaker, pid, resident)  # type: ignore[arg-type]
    async with sessionmaker() as session, session.begin():
        outcome = await withdraw_proposal(
            session, proposal_id=pid, user_id=stranger, now=START  # type: ignore[arg-type]
        )
        assert outcome is WithdrawOutcome.NOT_AUTHOR
    async with sessionmaker() as session, session.begin():
        outcome = await withdraw_proposal(
            session, proposal_id=pid, user_id=author, now=START  # type: ignore[arg-type]
        )
        assert outcome is WithdrawOutcome.WITHDRAWN
    async with sessionmaker() as session, session.begin():
        outcome = await withdraw_proposal(
            session, proposal_id=pid, user_id=author, now=START  # type: ignore[arg-type]
        )
        assert outcome is WithdrawOutcome.NOT_COLLECTING
    withdrawn = [(k, c) for k, c in await outbox_kinds(sessionmaker) if k == "proposal_withdrawn"]
    assert withdrawn == [("proposal_withdrawn", 101)]


async def test_contact_is_required_once_and_stored_only_as_a_keyed_hash(
    sessionmaker: Maker,
) -> None:
    [author, resident] = await users(sessionmaker, 2)
    _, pid = await publish_draft(sessionmaker, author)
    strict = replace(SMALL, policy=replace(SMALL.policy, endorsement_requires_contact=True))
    outcome = await tap(sessionmaker, pid, resident, strict)  # type: ignore[arg-type]
    assert outcome is EndorseOutcome.NEEDS_CONTACT
    async with sessionmaker() as session, session.begin():
        await record_phone(session, user_id=resident, phone="+82 10-1234-5678",
                           secret_key=strict.secret_key)
    assert await tap(sessionmaker, pid, resident, strict) is EndorseOutcome.ENDORSED  # type: ignore[arg-type]
    async with sessionmaker() as session:
        stored = await session.scalar(select(User.phone_hash).where(User.id == resident))
    assert stored is not None and len(stored) == 64 and "5678" not in stored


async def test_reports_are_counted_once_per_person(sessionmaker: Maker) -> None:
    [author, resident] = await users(sessionmaker, 2)
    _, pid = await publish_draft(sessionmaker, author)
    async with sessionmaker() as session, session.begin():
        assert await report_proposal(
            session, proposal_id=pid, user_id=resident, reason="spam", now=START  # type: ignore[arg-type]
        )
        assert not await report_proposal(
            session, proposal_id=pid, user_id=resident, reason="abuse", now=START  # type: ignore[arg-type]
        )
        assert not await report_proposal(
            session, proposal_id=pid, user_id=resident, reason="bogus", now=START  # type: ignore[arg-type]
        )


async def test_every_later_state_change_is_pushed_to_followers_who_want_it(
    sessionmaker: Maker,
) -> None:
    [author, fan, quiet, silent] = await users(sessionmaker, 4)
    _, pid = await publish_draft(sessionmaker, author)
    for resident in (fan, quiet, silent):
        await tap(sessionmaker, pid, resident, SETTINGS)  # type: ignore[arg-type]
    async with sessionmaker() as session, session.begin():
        await set_muted(session, proposal_id=pid, user_id=quiet, muted=True, now=START)  # type: ignore[arg-type]
        await session.execute(update(User).where(User.id == silent).values(muted_all=True))
        for old, new in ((ProposalStatus.COLLECTING, ProposalStatus.UNDER_REVIEW),
                         (ProposalStatus.UNDER_REVIEW, ProposalStatus.IN_DEBATE)):
            assert await transition(session, pid, expected=old, new=new, now=START)  # type: ignore[arg-type]
    pushed = [chat for kind, chat in await outbox_kinds(sessionmaker) if kind == "status_changed"]
    assert sorted(pushed) == [100, 100, 101, 101]
