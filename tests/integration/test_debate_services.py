"""Debates on both backends: opening, stances, opinions, moderation, extension, D-3, closing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import (
    DebateForumTopic,
    DebateSummaryRow,
    Endorsement,
    Opinion,
    OutboxMessage,
    Proposal,
    Subscription,
)
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar, resident_deadline
from bot.domain.debate import Stance
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.services import answers, debates, departments, proposal_pages
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.debates import (
    ExtendOutcome,
    LikeOutcome,
    OpenOutcome,
    OpinionOutcome,
    StanceOutcome,
)
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.service_settings import review_start

Maker = async_sessionmaker[AsyncSession]
CALENDAR = BusinessCalendar()
SETTINGS = Settings(secret_key="k" * 40, moderator_chat_id=-500, public_channel_id=-600,
                    debate_forum_chat_id=-800, policy=Policy(endorsement_threshold=3))
CLOSES = resident_deadline(START, 30)
OPINION = "공원 가로등 설치에 찬성합니다. 밤길이 너무 어두워요."


async def seed(sessionmaker: Maker, *, endorsers: int = 3,
               status: ProposalStatus = ProposalStatus.IN_DEBATE) -> tuple[int, list[int]]:
    """A proposal (author 100) with endorsers 101…; in debate unless told otherwise."""
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 100, START)
        fields: dict[str, object] = {}
        if status is ProposalStatus.IN_DEBATE:
            fields = {"debate_closes_at": CLOSES, "debate_reminder_at": CLOSES - timedelta(days=4)}
        proposal = await make_proposal(session, author, START, status=status, **fields)
        await follow(session, author, proposal, START)
        users = [author.id]
        for n in range(endorsers):
            user = await make_user(session, 101 + n, START)
            session.add(Endorsement(proposal_id=proposal.id, user_id=user.id, created_at=START))
            await follow(session, user, proposal, START)
            users.append(user.id)
    return proposal.id, users


async def outbox(sessionmaker: Maker, kind: str) -> list[int]:
    async with sessionmaker() as session:
        return sorted(await session.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.kind == kind)))


async def stance(sessionmaker: Maker, pid: int, user: int, choice: Stance,
                 now: datetime = START) -> StanceOutcome:
    async with sessionmaker() as session, session.begin():
        result = await debates.choose_stance(session, proposal_id=pid, user_id=user,
                                             stance=choice, now=now)
    return result.outcome


async def write(sessionmaker: Maker, pid: int, user: int, text: str = OPINION,
                now: datetime = START) -> debates.OpinionResult:
    async with sessionmaker() as session, session.begin():
        return await debates.write_opinion(session, proposal_id=pid, user_id=user, text=text,
                                           now=now, venues=SETTINGS.venues)


def machine(sessionmaker: Maker, now: datetime) -> DeadlineMachine:
    from bot.clock import fake_clock

    return DeadlineMachine(sessionmaker, fake_clock(now),
                           DeadlineContext(SETTINGS.policy, CALENDAR, SETTINGS.venues))


async def test_feasibility_opens_the_debate_and_invites_followers_channel_and_forum(
    sessionmaker: Maker,
) -> None:
    pid, users = await seed(sessionmaker, status=ProposalStatus.UNDER_REVIEW)
    async with sessionmaker() as session, session.begin():
        department = await departments.create_department(session, name="도로과", now=START)
        link = await departments.assign_department(session, pid, department, now=START,
                                                   **review_start(SETTINGS))
    async with sessionmaker() as session, session.begin():
        view = await answers.resolve_link(session, link.token or "", START, SETTINGS.secret_key)
        assert view is not None
        form = AnswerForm(AnswerKind.FEASIBILITY, "김담당",
                          "예산 확보가 가능해 보입니다. 의견을 듣겠습니다.", decision="feasible")
        result = await answers.submit_answer(session, view, form, idempotency_key="f",
                                             now=START, policy=SETTINGS.policy,
                                             venues=SETTINGS.venues, calendar=CALENDAR)
    assert result.status is ProposalStatus.IN_DEBATE
    assert await outbox(sessionmaker, "debate_opened") == sorted([-600, 100, 101, 102, 103])
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
        topic = await session.get(DebateForumTopic, pid)
        params = await session.scalar(select(OutboxMessage.params).where(
            OutboxMessage.kind == "debate_opened", OutboxMessage.chat_id == -600))
    assert proposal is not None and proposal.debate_closes_at == CLOSES
    assert proposal.debate_reminder_at == CLOSES - timedelta(days=4)
    assert topic is not None and topic.chat_id == -800 and topic.thread_id is None
    assert "예산 확보" in params["note"]


async def test_a_moderator_opens_a_debate_only_from_review(sessionmaker: Maker) -> None:
    pid, _ = await seed(sessionmaker, status=ProposalStatus.UNDER_REVIEW)
    async with sessionmaker() as session, session.begin():
        assert await debates.open_debate(
            session, pid, now=START, policy=SETTINGS.policy, venues=SETTINGS.venues,
            actor="운영자") is OpenOutcome.OPENED
    async with sessionmaker() as session, session.begin():
        assert await debates.open_debate(
            session, pid, now=START, policy=SETTINGS.policy, venues=SETTINGS.venues,
            actor="운영자") is OpenOutcome.NOT_UNDER_REVIEW
        assert await debates.open_debate(
            session, 999, now=START, policy=SETTINGS.policy, venues=SETTINGS.venues,
            actor="운영자") is OpenOutcome.NOT_FOUND
    assert len(await outbox(sessionmaker, "debate_opened")) == 5


async def test_the_latest_stance_counts_and_none_after_the_close(sessionmaker: Maker) -> None:
    pid, users = await seed(sessionmaker)
    assert await stance(sessionmaker, pid, users[1], Stance.FOR) is StanceOutcome.CHOSEN
    assert await stance(sessionmaker, pid, users[1], Stance.FOR) is StanceOutcome.UNCHANGED
    assert await stance(sessionmaker, pid, users[1], Stance.AGAINST) is StanceOutcome.CHOSEN
    assert await stance(sessionmaker, pid, users[2], Stance.NEUTRAL) is StanceOutcome.CHOSEN
    assert await stance(sessionmaker, pid, users[3], Stance.FOR, CLOSES) is StanceOutcome.CLOSED
    assert await stance(sessionmaker, 999, users[3], Stance.FOR) is StanceOutcome.NOT_FOUND
    async with sessionmaker() as session:
        tally = await debates.load_tally(session, pid, users[1], START)
    assert tally is not None and tally.open
    assert tally.counts == {Stance.FOR: 0, Stance.AGAINST: 1, Stance.NEUTRAL: 1}
    assert tally.viewer_stance is Stance.AGAINST


async def test_opinion_checks_duplicates_and_the_closed_debate(sessionmaker: Maker) -> None:
    pid, users = await seed(sessionmaker)
    await stance(sessionmaker, pid, users[1], Stance.FOR)
    first = await write(sessionmaker, pid, users[1])
    assert first.outcome is OpinionOutcome.POSTED
    again = await write(sessionmaker, pid, users[1], now=START + timedelta(seconds=30))
    assert again.outcome is OpinionOutcome.DUPLICATE
    later = await write(sessionmaker, pid, users[1], now=START + timedelta(minutes=2))
    assert later.outcome is OpinionOutcome.POSTED
    assert (await write(sessionmaker, pid, users[2], "짧아요")).outcome is OpinionOutcome.TOO_SHORT
    too_long = await write(sessionmaker, pid, users[2], "가" * 1001)
    assert too_long.outcome is OpinionOutcome.TOO_LONG
    assert (await write(sessionmaker, pid, users[2], " \u200b ")).outcome is OpinionOutcome.EMPTY
    closed = await write(sessionmaker, pid, users[2], now=CLOSES + timedelta(hours=1))
    assert closed.outcome is OpinionOutcome.CLOSED and closed.closes_at == CLOSES
    async with sessionmaker() as session:
        rows = list(await session.scalars(select(Opinion).order_by(Opinion.id)))
    assert [(o.user_id, o.stance) for o in rows] == [(users[1], "for")] * 2


async def test_an_abusive_opinion_is_held_hidden_and_moderators_are_told(
    sessionmaker: Maker,
) -> None:
    pid, users = await seed(sessionmaker)
    held = await write(sessionmaker, pid, users[1], "아 시발 또 공사야 이런 건 필요 없어요")
    assert held.outcome is OpinionOutcome.HELD
    assert await outbox(sessionmaker, "moderation_opinion") == [-500]
    async with sessionmaker() as session:
        tally = await debates.load_tally(session, pid, users[2], START)
    assert tally is not None and tally.opinions == 0 and tally.participants == 0
    async with sessionmaker() as session, session.begin():
        assert await debates.restore_opinion(session, opinion_id=held.opinion_id or 0,
                                             moderator="운영자", now=START)
    async with sessionmaker() as session:
        tally = await debates.load_tally(session, pid, users[2], START)
    assert tally is not None and tally.opinions == 1


async def test_likes_once_reports_once_and_hiding(sessionmaker: Maker) -> None:
    pid, users = await seed(sessionmaker)
    oid = (await write(sessionmaker, pid, users[1])).opinion_id or 0
    async with sessionmaker() as session, session.begin():
        assert (await debates.like_opinion(session, opinion_id=oid, user_id=users[2],
                                           now=START)).outcome is LikeOutcome.LIKED
        again = await debates.like_opinion(session, opinion_id=oid, user_id=users[2], now=START)
        own = await debates.like_opinion(session, opinion_id=oid, user_id=users[1], now=START)
    assert again.outcome is LikeOutcome.ALREADY and again.count == 1
    assert own.outcome is LikeOutcome.OWN
    async with sessionmaker() as session, session.begin():
        assert await debates.report_opinion(session, opinion_id=oid, user_id=users[2],
                                            reason="abuse", now=START, policy=SETTINGS.policy,
                                            venues=SETTINGS.venues)
        assert not await debates.report_opinion(session, opinion_id=oid, user_id=users[2],
                                                reason="abuse", now=START,
                                                policy=SETTINGS.policy, venues=SETTINGS.venues)
        assert not await debates.report_opinion(session, opinion_id=oid, user_id=users[3],
                                                reason="nonsense", now=START,
                                                policy=SETTINGS.policy, venues=SETTINGS.venues)
    assert await outbox(sessionmaker, "moderation_opinion_reported") == [-500]
    async with sessionmaker() as session, session.begin():
        assert await debates.hide_opinion(session, opinion_id=oid, moderator="운영자", now=START)
        assert not await debates.hide_opinion(session, opinion_id=oid, moderator="운영자",
                                              now=START)
    async with sessionmaker() as session, session.begin():
        hidden_like = await debates.like_opinion(session, opinion_id=oid, user_id=users[3],
                                                 now=START)
        page = await debates.list_opinions(session, pid, sort=debates.OpinionSort.NEWEST,
                                           page=0, viewer_id=users[3], now=START)
    assert hidden_like.outcome is LikeOutcome.NOT_FOUND
    assert page is not None and page.items == ()


async def test_one_extension_moves_the_close_and_the_reminder(sessionmaker: Maker) -> None:
    pid, users = await seed(sessionmaker)
    await stance(sessionmaker, pid, users[1], Stance.FOR)

    async def extend(days: int, reason: str = "참여가 더 필요합니다") -> debates.ExtendResult:
        async with sessionmaker() as session, session.begin():
            return await debates.extend_debate(session, pid, days=days, reason=reason,
                                               moderator="운영자", now=START)

    assert (await extend(15)).outcome is ExtendOutcome.INVALID_DAYS
    assert (await extend(7, " ")).outcome is ExtendOutcome.NO_REASON
    done = await extend(7)
    assert done.outcome is ExtendOutcome.EXTENDED and done.closes_at == CLOSES + timedelta(days=7)
    assert (await extend(3)).outcome is ExtendOutcome.ALREADY_EXTENDED
    assert await outbox(sessionmaker, "debate_extended") == [100, 101, 102, 103]
    reminder_at = CLOSES + timedelta(days=3)  # D-3 of the extended close
    assert (await machine(sessionmaker, START).probe(START)).next_at == reminder_at
    after_reminder = await machine(sessionmaker, reminder_at).probe(reminder_at)
    assert after_reminder.next_at == CLOSES + timedelta(days=7)
    # the old close time passes: nothing happens
    assert await machine(sessionmaker, CLOSES + timedelta(hours=1)).run_due() == 0


async def test_d3_reminds_endorsers_who_have_not_taken_part_once(sessionmaker: Maker) -> None:
    pid, users = await seed(sessionmaker, endorsers=4)
    await stance(sessionmaker, pid, users[1], Stance.FOR)
    await write(sessionmaker, pid, users[2])
    async with sessionmaker() as session, session.begin():
        await session.execute(Subscription.__table__.update().where(
            Subscription.user_id == users[3]).values(muted=True))
    d3 = CLOSES - timedelta(days=4)
    assert await machine(sessionmaker, d3 - timedelta(minutes=1)).run_due() == 0
    assert await machine(sessionmaker, d3).run_due() == 1
    assert await machine(sessionmaker, d3 + timedelta(hours=1)).run_due() == 0
    assert await outbox(sessionmaker, "debate_reminder") == [104]  # not the author, not muted


async def test_the_close_stores_one_summary_and_tells_the_author_and_every_follower_once(
    sessionmaker: Maker,
) -> None:
    pid, users = await seed(sessionmaker)
    await stance(sessionmaker, pid, users[1], Stance.FOR)
    await stance(sessionmaker, pid, users[2], Stance.AGAINST)
    await write(sessionmaker, pid, users[1])
    await write(sessionmaker, pid, users[2], "예산 낭비입니다. 공원 가로등보다 다른 곳이 급해요")
    assert await machine(sessionmaker, CLOSES).run_due() == 1
    assert await machine(sessionmaker, CLOSES + timedelta(minutes=5)).run_due() == 0
    # 100: the author; 101 and 102 took part; 103 only follows it
    assert await outbox(sessionmaker, "debate_summary") == [100, 101, 102, 103]
    assert await outbox(sessionmaker, "debate_closed") == []
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, pid)
        summaries = await session.scalar(select(func.count()).select_from(DebateSummaryRow))
        page = await proposal_pages.load_public_page(session, pid, CLOSES, SETTINGS.policy,
                                                     CALENDAR)
    assert proposal is not None and proposal.status == ProposalStatus.AWAITING_ANSWER
    assert proposal.debate_reminder_at is None and proposal.answer_due is not None
    assert summaries == 1
    assert page is not None and page.debate_summary is not None
    assert "찬성 1명(50%)" in page.debate_summary and "공원" in page.debate_summary
    assert "결과: 찬성·반대 동률(각 1명)" in page.debate_summary


async def test_forum_topic_bookkeeping(sessionmaker: Maker) -> None:
    pid, users = await seed(sessionmaker)
    async with sessionmaker() as session, session.begin():
        session.add(DebateForumTopic(proposal_id=pid, chat_id=-800, requested_at=START))
    async with sessionmaker() as session, session.begin():
        work = await debates.claim_topics_to_open(session, START)
        assert [w.proposal_id for w in work] == [pid]
        assert await debates.claim_topics_to_open(session, START) == []  # leased
        await debates.record_forum_thread(session, pid, 77)
    async with sessionmaker() as session, session.begin():
        assert await debates.debate_for_thread(session, -800, 77) == pid
        assert await debates.topics_to_close(session) == []
    await machine(sessionmaker, CLOSES).run_due()
    async with sessionmaker() as session, session.begin():
        closing = await debates.topics_to_close(session)
        assert [(w.thread_id, w.summary is not None) for w in closing] == [(77, True)]
        assert await debates.mark_forum_closed(session, pid, CLOSES)
        assert not await debates.mark_forum_closed(session, pid, CLOSES)


async def test_without_forum_or_channel_only_followers_are_invited(sessionmaker: Maker) -> None:
    pid, _ = await seed(sessionmaker, status=ProposalStatus.UNDER_REVIEW)
    plain = replace(SETTINGS, public_channel_id=None, debate_forum_chat_id=None)
    async with sessionmaker() as session, session.begin():
        assert await debates.open_debate(session, pid, now=START, policy=plain.policy,
                                         venues=plain.venues, actor="운영자") is OpenOutcome.OPENED
    assert await outbox(sessionmaker, "debate_opened") == [100, 101, 102, 103]
    async with sessionmaker() as session:
        assert await session.get(DebateForumTopic, pid) is None
