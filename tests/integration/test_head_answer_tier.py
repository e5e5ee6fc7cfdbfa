"""The tiers above the 공감 threshold on both backends: 공감 that keep counting after the review
started, the debate that opens on its own, the head's office routing (once, also when two
transactions race), its own reply link, answer, clock and push."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Answer, OutboxMessage, Proposal, ProposalEvent, WorkItem
from bot.domain.answers import AnswerForm, AnswerKind
from bot.domain.deadlines import BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.services import answers, departments, exports, head_answers, proposal_pages, stats
from bot.services.answers import AnswerOutcome
from bot.services.moderation import MergeOutcome, merge_proposals
from bot.services.proposals import EndorseOutcome, endorse
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import follow, make_proposal, make_user
from tests.support.service_settings import review_start

Maker = async_sessionmaker[AsyncSession]
CALENDAR = BusinessCalendar()
TIERS = Policy(endorsement_threshold=3, debate_auto_threshold=5, head_answer_threshold=6)
SETTINGS = Settings(secret_key="k" * 40, moderator_chat_id=-500, public_base_url="https://gg.kr",
                    policy=TIERS)
HEAD_FORM = AnswerForm(AnswerKind.FINAL, "구청장", "주민 여러분의 뜻에 따라 적극 추진하겠습니다.",
                       decision="accepted", expected_completion="2027-06-30", budget="3억")


async def seed(sessionmaker: Maker, residents: int = 8) -> tuple[int, list[int]]:
    """A COLLECTING proposal and residents who may endorse it (users' ids)."""
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 900, START)
        proposal = await make_proposal(session, author, START)
        await follow(session, author, proposal, START)
        people = [(await make_user(session, 901 + n, START)).id for n in range(residents)]
    return proposal.id, people


async def tap(sessionmaker: Maker, proposal_id: int, user_id: int, now: datetime = START,
              settings: Settings = SETTINGS) -> EndorseOutcome:
    async with sessionmaker() as session, session.begin():
        result = await endorse(session, proposal_id=proposal_id, user_id=user_id, now=now,
                               **review_start(settings), calendar=CALENDAR)
    return result.outcome


async def add_office(sessionmaker: Maker, chat_id: int = -900) -> int:
    async with sessionmaker() as session, session.begin():
        return await departments.create_department(session, name="구청장실", now=START,
                                                   chat_id=chat_id, head_office=True)


async def fresh(sessionmaker: Maker, proposal_id: int) -> Proposal:
    async with sessionmaker() as session:
        found = await session.get(Proposal, proposal_id)
    assert found is not None
    return found


async def sent(sessionmaker: Maker, kind: str) -> list[int]:
    async with sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage.chat_id)
                                          .where(OutboxMessage.kind == kind)
                                          .order_by(OutboxMessage.chat_id)))


async def head_token(sessionmaker: Maker) -> str:
    """The head's office link's token, from the message the office got."""
    async with sessionmaker() as session:
        params = await session.scalar(select(OutboxMessage.params).where(
            OutboxMessage.kind == "head_answer_requested"))
    assert params is not None
    return str(params["url"]).rsplit("/", 1)[-1]


async def submit(sessionmaker: Maker, token: str, form: AnswerForm, key: str,
                 now: datetime = START) -> answers.AnswerResult:
    async with sessionmaker() as session, session.begin():
        link = await answers.resolve_link(session, token, now, SETTINGS.secret_key)
        assert link is not None
        return await answers.submit_answer(session, link, form, idempotency_key=key, now=now,
                                           policy=TIERS, venues=SETTINGS.venues,
                                           calendar=CALENDAR)


async def test_late_endorsements_open_the_debate_then_route_to_the_head_once(
    sessionmaker: Maker,
) -> None:
    pid, people = await seed(sessionmaker)
    outcomes = [await tap(sessionmaker, pid, user) for user in people[:3]]
    assert outcomes[-1] is EndorseOutcome.THRESHOLD_REACHED
    reviewed = await fresh(sessionmaker, pid)
    assert reviewed.late_endorse_until == reviewed.collect_until
    assert await tap(sessionmaker, pid, people[3]) is EndorseOutcome.ENDORSED
    assert (await fresh(sessionmaker, pid)).status == ProposalStatus.UNDER_REVIEW
    assert await tap(sessionmaker, pid, people[4]) is EndorseOutcome.ENDORSED  # 5: the debate
    debating = await fresh(sessionmaker, pid)
    assert debating.status == ProposalStatus.IN_DEBATE and debating.head_routed_at is None
    assert await tap(sessionmaker, pid, people[5]) is EndorseOutcome.ENDORSED  # 6: the head
    assert await tap(sessionmaker, pid, people[6]) is EndorseOutcome.ENDORSED
    routed = await fresh(sessionmaker, pid)
    assert routed.head_routed_at == START and routed.head_answer_due is not None
    assert routed.endorsement_count == 7
    assert await sent(sessionmaker, "moderation_head_office") == [-500]  # no office: asked once
    async with sessionmaker() as session:
        items = await session.scalar(select(func.count()).where(WorkItem.kind == "head_office"))
    assert items == 1
    assert await tap(sessionmaker, pid, people[6]) is EndorseOutcome.ALREADY


async def test_adding_the_office_sends_the_links_that_waited(sessionmaker: Maker) -> None:
    pid, people = await seed(sessionmaker)
    for user in people[:6]:
        await tap(sessionmaker, pid, user)
    assert await sent(sessionmaker, "head_answer_requested") == []
    await add_office(sessionmaker)
    async with sessionmaker() as session, session.begin():
        routed = await head_answers.route_waiting_to_head(session, START, **review_start(SETTINGS))
    assert routed == 1 and await sent(sessionmaker, "head_answer_requested") == [-900]
    async with sessionmaker() as session, session.begin():  # twice: nothing more
        assert await head_answers.route_waiting_to_head(
            session, START, **review_start(SETTINGS)) == 0


async def test_the_head_answers_once_beside_the_department_and_followers_hear_it(
    sessionmaker: Maker,
) -> None:
    await add_office(sessionmaker)
    pid, people = await seed(sessionmaker)
    for user in people[:6]:
        await tap(sessionmaker, pid, user)
    token = await head_token(sessionmaker)
    async with sessionmaker() as session, session.begin():  # the department's new link
        department = await departments.create_department(session, name="도로과", now=START)
        await departments.assign_department(session, pid, department, now=START,
                                            **review_start(SETTINGS))
    async with sessionmaker() as session:
        link = await answers.resolve_link(session, token, START, SETTINGS.secret_key)
        assert link is not None and link.head  # not revoked by the department's link
        page = await proposal_pages.load_reply_page(session, link, START, TIERS, CALENDAR)
    assert page.allowed == {AnswerKind.FINAL} and page.head_due is not None
    interim = AnswerForm(AnswerKind.INTERIM, "구청장", "검토하고 있습니다. 곧 답변드릴게요.")
    assert (await submit(sessionmaker, token, interim, "h0")).outcome is AnswerOutcome.WRONG_STATE
    result = await submit(sessionmaker, token, HEAD_FORM, "h1")
    assert result.outcome is AnswerOutcome.PUBLISHED
    assert result.status is ProposalStatus.IN_DEBATE  # the head's answer moves nothing
    assert (await submit(sessionmaker, token, HEAD_FORM, "h1")).outcome is AnswerOutcome.DUPLICATE
    again = await submit(sessionmaker, token, replace(HEAD_FORM, decision="partial"), "h2")
    assert again.outcome is AnswerOutcome.WRONG_STATE
    told = await sent(sessionmaker, "head_answer_published")
    assert told == sorted([900, *range(901, 907)])
    answered = await fresh(sessionmaker, pid)
    assert answered.head_answered_at == START and answered.head_reminder_at is None
    async with sessionmaker() as session:
        public = await proposal_pages.load_public_page(session, pid, START, TIERS, CALENDAR)
        tracks = list(await session.scalars(select(Answer.track)))
    assert public is not None and public.answers == ()
    assert [a.decision for a in public.head_answers] == ["accepted"] and tracks == ["head"]
    async with sessionmaker() as session:  # the department has not answered: no statistic
        assert await stats.concluding_answers(session) == []
        records = await exports.answer_records(session)
    assert [(r["kind"], r["track"]) for r in records] == [("final", "head")]


async def test_the_head_clock_reminds_its_office_and_stops_with_the_answer(
    sessionmaker: Maker,
) -> None:
    await add_office(sessionmaker)
    pid, people = await seed(sessionmaker)
    for user in people[:6]:
        await tap(sessionmaker, pid, user)
    routed = await fresh(sessionmaker, pid)
    assert routed.head_reminder_at is not None and routed.head_answer_due is not None
    at = routed.head_reminder_at
    async with sessionmaker() as session:
        assert await head_answers.due_head_reminders(session, at - timedelta(seconds=1)) == []
        assert await head_answers.due_head_reminders(session, at) == [pid]
    async with sessionmaker() as session, session.begin():
        assert await head_answers.remind_head_office(session, pid, at, SETTINGS.venues, None)
    async with sessionmaker() as session, session.begin():  # the same alarm again: nothing
        assert not await head_answers.remind_head_office(session, pid, at, SETTINGS.venues, None)
    assert await sent(sessionmaker, "answer_reminder_d7") == [-900]
    await submit(sessionmaker, await head_token(sessionmaker), HEAD_FORM, "h1", at)
    async with sessionmaker() as session:
        assert await head_answers.due_head_reminders(session, at + timedelta(days=60)) == []


async def test_two_racing_transactions_route_to_the_head_once(sessionmaker: Maker) -> None:
    await add_office(sessionmaker)
    pid, _ = await seed(sessionmaker)

    async def route() -> bool:
        async with sessionmaker() as session, session.begin():
            return await head_answers.route_to_head(session, pid, START, **review_start(SETTINGS),
                                                    calendar=CALENDAR)

    results = await asyncio.gather(route(), route())
    assert sorted(results) == [False, True]
    assert await sent(sessionmaker, "head_answer_requested") == [-900]


async def test_without_a_higher_tier_or_after_the_window_no_late_endorsement(
    sessionmaker: Maker,
) -> None:
    plain = replace(SETTINGS, policy=Policy(endorsement_threshold=3))
    pid, people = await seed(sessionmaker)
    for user in people[:3]:
        await tap(sessionmaker, pid, user, settings=plain)
    assert (await fresh(sessionmaker, pid)).late_endorse_until is None
    assert await tap(sessionmaker, pid, people[3], settings=plain) is \
        EndorseOutcome.NOT_COLLECTING
    other, more = await seed_second(sessionmaker)
    for user in more[:3]:
        await tap(sessionmaker, other, user)
    ended = START + timedelta(days=31)
    assert await tap(sessionmaker, other, more[3], now=ended) is EndorseOutcome.NOT_COLLECTING


async def seed_second(sessionmaker: Maker) -> tuple[int, list[int]]:
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 950, START)
        proposal = await make_proposal(session, author, START)
        people = [(await make_user(session, 951 + n, START)).id for n in range(4)]
    return proposal.id, people


async def test_simultaneous_late_taps_open_one_debate_and_send_one_head_link(
    sessionmaker: Maker,
) -> None:
    await add_office(sessionmaker)
    pid, people = await seed(sessionmaker, residents=10)
    for user in people[:3]:
        await tap(sessionmaker, pid, user)
    outcomes = await asyncio.gather(*(tap(sessionmaker, pid, user) for user in people[3:]))
    assert outcomes.count(EndorseOutcome.ENDORSED) == 7
    assert await sent(sessionmaker, "head_answer_requested") == [-900]
    invited = await sent(sessionmaker, "debate_opened")  # the debate opened once
    assert 900 in invited and len(invited) == len(set(invited))
    settled = await fresh(sessionmaker, pid)
    assert settled.endorsement_count == 10 and settled.status == ProposalStatus.IN_DEBATE
    async with sessionmaker() as session:
        opened = await session.scalar(select(func.count()).where(
            ProposalEvent.proposal_id == pid, ProposalEvent.to_status == ProposalStatus.IN_DEBATE))
    assert opened == 1


async def test_a_fresh_head_link_needs_a_routed_unanswered_proposal_and_an_office(
    sessionmaker: Maker,
) -> None:
    pid, people = await seed(sessionmaker)

    async def reissue(proposal_id: int) -> head_answers.HeadLinkOutcome:
        async with sessionmaker() as session, session.begin():
            result = await head_answers.reissue_head_link(session, proposal_id, START,
                                                          **review_start(SETTINGS))
        return result.outcome

    assert await reissue(pid + 99) is head_answers.HeadLinkOutcome.NOT_FOUND
    assert await reissue(pid) is head_answers.HeadLinkOutcome.NOT_ROUTED
    for user in people[:6]:
        await tap(sessionmaker, pid, user)
    assert await reissue(pid) is head_answers.HeadLinkOutcome.NO_OFFICE
    await add_office(sessionmaker)
    assert await reissue(pid) is head_answers.HeadLinkOutcome.SENT
    assert await sent(sessionmaker, "head_answer_requested") == [-900]


async def test_an_overdue_head_answer_is_told_to_moderators_and_followers_once(
    sessionmaker: Maker,
) -> None:
    await add_office(sessionmaker)
    pid, people = await seed(sessionmaker)
    for user in people[:6]:
        await tap(sessionmaker, pid, user)
    for _ in range(4):  # D-7, D-1, the first overdue day, a week later
        at = (await fresh(sessionmaker, pid)).head_reminder_at
        assert at is not None
        async with sessionmaker() as session, session.begin():
            assert await head_answers.remind_head_office(session, pid, at, SETTINGS.venues, None)
    assert await sent(sessionmaker, "answer_reminder_overdue") == [-900, -900]
    assert await sent(sessionmaker, "moderation_head_overdue") == [-500]
    assert await sent(sessionmaker, "head_answer_overdue") == sorted([900, *range(901, 907)])


async def test_a_merge_that_brings_enough_공감_reaches_the_higher_tiers(
    sessionmaker: Maker,
) -> None:
    await add_office(sessionmaker)
    pid, people = await seed(sessionmaker)
    for user in people[:4]:  # the review starts at 3; 공감 still count
        await tap(sessionmaker, pid, user)
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 960, START)
        duplicate = await make_proposal(session, author, START, title="공원 가로등 추가")
    for user in people[4:6]:
        await tap(sessionmaker, duplicate.id, user)
    async with sessionmaker() as session, session.begin():
        merged = await merge_proposals(session, source_id=duplicate.id, target_id=pid,
                                       actor="운영자", actor_id=None, now=START,
                                       **review_start(SETTINGS), calendar=CALENDAR)
    assert merged.outcome is MergeOutcome.MERGED
    target = await fresh(sessionmaker, pid)
    assert target.endorsement_count == 6 and target.status == ProposalStatus.IN_DEBATE
    assert target.head_routed_at == START
    assert await sent(sessionmaker, "head_answer_requested") == [-900]
