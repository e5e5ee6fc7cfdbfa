"""The 협치회의's services on SQLite and PostgreSQL: one 위원장 at a time; requests for an
extraordinary meeting reaching a third of the members tell the staff once and are closed by
the meeting; 상정 of feasible public proposals only, recorded and told to the followers; a
second vote refused; a decision without quorum refused with the number missing; an item
decided once; the 권고's reminder and overdue notice happening once however often the deadline
machine runs; the response stopping the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import fake_clock
from bot.db.models import (
    AuditEntry,
    GovernanceItem,
    GovernanceRecommendation,
    GovernanceRequest,
    OutboxMessage,
    User,
)
from bot.domain.deadlines import SEOUL, BusinessCalendar
from bot.domain.governance import Choice, Convening, MeetingKind, Outcome, Role
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.timeline import DECIDED, PLACED
from bot.domain.timeline import Actor as TimelineActor
from bot.domain.venues import Venues
from bot.services import governance, proposal_pages
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.services.departments import create_department
from bot.services.governance import (
    AppointOutcome,
    Clockwork,
    DecideOutcome,
    PlaceOutcome,
    RecommendOutcome,
    RequestOutcome,
    RespondOutcome,
    VoteOutcome,
)
from tests.support.factories import follow, make_proposal, make_user

Maker = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Mon 10:00 KST
VENUES = Venues(public_base_url="http://gonggam.test")
CALENDAR = BusinessCalendar()
CONTEXT = DeadlineContext(Policy(), CALENDAR, VENUES)
MEMBERS = range(7001, 7010)  # nine members: quorum 5, a third 3


async def board(maker: Maker) -> None:
    """Nine members (the first the 위원장), an admin, a proposal in debate with a follower."""
    async with maker() as session, session.begin():
        for telegram_id in MEMBERS:
            await make_user(session, telegram_id, NOW)
        await make_user(session, 9000, NOW, role="admin")
        author = await make_user(session, 8000, NOW)
        follower = await make_user(session, 8001, NOW)
        proposal = await make_proposal(session, author, NOW, status=ProposalStatus.IN_DEBATE)
        await make_proposal(session, author, NOW)  # #2: still gathering 공감
        await follow(session, follower, proposal, NOW)
        for index, telegram_id in enumerate(MEMBERS):
            role = Role.CHAIR if index == 0 else Role.MEMBER
            result = await governance.appoint(session, telegram_id=telegram_id, word=role,
                                              name=f"위원{index + 1}", venues=VENUES,
                                              actor="admin", now=NOW)
            assert result.outcome is AppointOutcome.APPOINTED


async def user_id(maker: Maker, telegram_id: int) -> int:
    async with maker() as session:
        found = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    assert found is not None
    return found


async def convene(maker: Maker, kind: MeetingKind = MeetingKind.REGULAR) -> int:
    async with maker() as session, session.begin():
        result = await governance.convene(
            session, Convening(kind, NOW + timedelta(days=3), "구청 3층"), venues=VENUES,
            actor="admin", now=NOW)
    return result.meeting.id


async def outbox(maker: Maker, kind: str) -> list[OutboxMessage]:
    async with maker() as session:
        return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


async def test_one_chair_at_a_time_and_only_people_who_started_the_bot(
    sessionmaker: Maker,
) -> None:
    await board(sessionmaker)
    async with sessionmaker() as session, session.begin():
        taken = await governance.appoint(session, telegram_id=7002, word=Role.CHAIR, name="",
                                         venues=VENUES, actor="admin", now=NOW)
        stranger = await governance.appoint(session, telegram_id=123, word=Role.MEMBER,
                                            name="누구", venues=VENUES, actor="admin", now=NOW)
        again = await governance.appoint(session, telegram_id=7002, word=Role.MEMBER, name="",
                                         venues=VENUES, actor="admin", now=NOW)
    assert taken.outcome is AppointOutcome.CHAIR_TAKEN and taken.chair is not None
    assert taken.chair.name == "위원1"
    assert stranger.outcome is AppointOutcome.NO_USER
    assert again.outcome is AppointOutcome.UNCHANGED
    assert len(await outbox(sessionmaker, "governance_appointed")) == 9


async def test_a_third_of_the_members_asking_tells_the_staff_once(sessionmaker: Maker) -> None:
    await board(sessionmaker)
    results = []
    for telegram_id in (7002, 7003, 7003, 7004, 7005):
        member = await user_id(sessionmaker, telegram_id)
        async with sessionmaker() as session, session.begin():
            results.append(await governance.request_meeting(
                session, user_id=member, reason="예산 협의",
                venues=VENUES, now=NOW))
    assert [r.outcome for r in results] == [
        RequestOutcome.REQUESTED, RequestOutcome.REQUESTED, RequestOutcome.ALREADY,
        RequestOutcome.REACHED, RequestOutcome.REACHED]
    assert results[3].open_requests == 3 and results[3].needed == 3
    reached = await outbox(sessionmaker, "governance_requests_reached")
    assert len(reached) == 1  # to the admin's private chat (no moderators' group); once
    author = await user_id(sessionmaker, 8000)
    async with sessionmaker() as session, session.begin():
        outsider = await governance.request_meeting(
            session, user_id=author, reason="x", venues=VENUES,
            now=NOW)
    assert outsider.outcome is RequestOutcome.NOT_MEMBER
    meeting_id = await convene(sessionmaker, MeetingKind.EXTRAORDINARY)
    async with sessionmaker() as session:
        still_open = await session.scalar(select(func.count()).select_from(GovernanceRequest)
                                          .where(GovernanceRequest.closed_at.is_(None)))
        closed_by = set(await session.scalars(select(GovernanceRequest.meeting_id)))
    assert still_open == 0 and closed_by == {meeting_id}


async def test_only_feasible_public_proposals_are_placed_and_followers_hear(
    sessionmaker: Maker,
) -> None:
    await board(sessionmaker)
    meeting_id = await convene(sessionmaker)
    async with sessionmaker() as session, session.begin():
        placed = await governance.place_on_agenda(session, meeting_id=meeting_id, proposal_id=1,
                                                  venues=VENUES, actor="admin", now=NOW)
        twice = await governance.place_on_agenda(session, meeting_id=meeting_id, proposal_id=1,
                                                 venues=VENUES, actor="admin", now=NOW)
        early = await governance.place_on_agenda(session, meeting_id=meeting_id, proposal_id=2,
                                                 venues=VENUES, actor="admin", now=NOW)
        nowhere = await governance.place_on_agenda(session, meeting_id=99, proposal_id=1,
                                                   venues=VENUES, actor="admin", now=NOW)
    assert (placed.outcome, placed.number, placed.told) == (PlaceOutcome.PLACED, 1, 1)
    assert twice.outcome is PlaceOutcome.ALREADY
    assert early.outcome is PlaceOutcome.NOT_PLACEABLE
    assert early.status is ProposalStatus.COLLECTING
    assert nowhere.outcome is PlaceOutcome.NO_MEETING
    async with sessionmaker() as session:
        history = list(await session.scalars(select(AuditEntry.action).where(
            AuditEntry.subject == "proposal:1")))
    assert history == ["governance_placed"]
    assert len(await outbox(sessionmaker, "governance_placed")) == 1


async def test_a_closed_consultation_goes_on_the_agenda_and_a_complaint_never_does(
    sessionmaker: Maker,
) -> None:
    await board(sessionmaker)
    meeting_id = await convene(sessionmaker)
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 8100, NOW)
        asked = await make_proposal(session, author, NOW, kind="consultation", published_at=None,
                                    status=ProposalStatus.AWAITING_ANSWER)
        private = await make_proposal(session, author, NOW, kind="complaint", published_at=None,
                                      status=ProposalStatus.AWAITING_ANSWER)
        results = [await governance.place_on_agenda(
            session, meeting_id=meeting_id, proposal_id=row.id, venues=VENUES, actor="admin",
            now=NOW) for row in (asked, private)]
        kinds = list(await session.scalars(select(GovernanceItem.item_kind)))
    assert [r.outcome for r in results] == [PlaceOutcome.PLACED, PlaceOutcome.NO_PROPOSAL]
    assert kinds == ["consultation"]


async def test_the_public_timeline_shows_the_agenda_and_the_decision(sessionmaker: Maker) -> None:
    await board(sessionmaker)
    meeting_id = await seated(sessionmaker, MEMBERS[:5])
    for telegram_id in MEMBERS[:5]:
        await cast(sessionmaker, meeting_id, telegram_id, Choice.YES)
    assert (await decide(sessionmaker, meeting_id)).outcome is DecideOutcome.DECIDED
    async with sessionmaker() as session:
        page = await proposal_pages.load_public_page(session, 1, NOW, Policy(), CALENDAR)
    assert page is not None
    assert [(e.what, e.actor, e.decision) for e in page.timeline
            if e.actor is TimelineActor.GOVERNANCE] == [
        (PLACED, TimelineActor.GOVERNANCE, None),
        (DECIDED, TimelineActor.GOVERNANCE, "passed")]


async def seated(maker: Maker, present: range) -> int:
    """A meeting with proposal #1 as item 1 and the members `present` recorded."""
    meeting_id = await convene(maker)
    chair = await user_id(maker, 7001)
    async with maker() as session, session.begin():
        await governance.place_on_agenda(session, meeting_id=meeting_id, proposal_id=1,
                                         venues=VENUES, actor="admin", now=NOW)
        result = await governance.record_attendance(
            session, meeting_id=meeting_id, telegram_ids=list(present), by_user=chair,
            is_admin=False, actor="chair", now=NOW)
    assert result.present == len(present)
    return meeting_id


async def cast(maker: Maker, meeting_id: int, telegram_id: int, choice: Choice) -> VoteOutcome:
    voter = await user_id(maker, telegram_id)
    async with maker() as session, session.begin():
        return (await governance.vote(session, meeting_id=meeting_id, number=1,
                                      user_id=voter, choice=choice, now=NOW)).outcome


async def decide(maker: Maker, meeting_id: int) -> governance.DecideResult:
    chair = await user_id(maker, 7001)
    async with maker() as session, session.begin():
        return await governance.decide(session, meeting_id=meeting_id, number=1,
                                       by_user=chair, is_admin=False,
                                       venues=VENUES, actor="chair", now=NOW)


async def test_a_member_votes_once_and_without_quorum_nothing_is_decided(
    sessionmaker: Maker,
) -> None:
    await board(sessionmaker)
    meeting_id = await seated(sessionmaker, range(7001, 7005))  # 4 of 9: quorum is 5
    assert await cast(sessionmaker, meeting_id, 7001, Choice.YES) is VoteOutcome.VOTED
    assert await cast(sessionmaker, meeting_id, 7001, Choice.NO) is VoteOutcome.ALREADY
    assert await cast(sessionmaker, meeting_id, 7009, Choice.YES) is VoteOutcome.NOT_PRESENT
    refused = await decide(sessionmaker, meeting_id)
    assert refused.outcome is DecideOutcome.NO_QUORUM
    assert (refused.present, refused.members, refused.missing) == (4, 9, 1)
    member = await user_id(sessionmaker, 7002)
    async with sessionmaker() as session, session.begin():
        not_chair = await governance.decide(
            session, meeting_id=meeting_id, number=1, by_user=member,
            is_admin=False, venues=VENUES, actor="x", now=NOW)
    assert not_chair.outcome is DecideOutcome.NOT_ALLOWED


async def test_an_item_is_decided_once_by_a_majority_of_those_present(
    sessionmaker: Maker,
) -> None:
    await board(sessionmaker)
    meeting_id = await seated(sessionmaker, range(7001, 7007))  # 6 present
    for telegram_id, choice in ((7001, Choice.YES), (7002, Choice.YES), (7003, Choice.YES),
                                (7004, Choice.YES), (7005, Choice.NO), (7006, Choice.ABSTAIN)):
        assert await cast(sessionmaker, meeting_id, telegram_id, choice) is VoteOutcome.VOTED
    first = await decide(sessionmaker, meeting_id)
    assert first.outcome is DecideOutcome.DECIDED and first.result is Outcome.PASSED
    assert (first.tally.yes, first.tally.no, first.tally.abstain, first.present) == (4, 1, 1, 6)
    assert first.told == 1
    again = await decide(sessionmaker, meeting_id)
    assert again.outcome is DecideOutcome.ALREADY and again.result is Outcome.PASSED
    assert await cast(sessionmaker, meeting_id, 7006, Choice.NO) is VoteOutcome.DECIDED
    async with sessionmaker() as session:
        page = await governance.meeting_page(session, meeting_id)
    assert page is not None and page.quorate
    assert ("위원5", Choice.NO) in page.items[0].votes  # votes are public, by name
    assert len(await outbox(sessionmaker, "governance_decided")) == 1


async def recommended(maker: Maker, office: str | None, days: int = 10) -> int:
    meeting_id = await seated(maker, range(7001, 7006))
    for telegram_id in range(7001, 7004):
        await cast(maker, meeting_id, telegram_id, Choice.YES)
    assert (await decide(maker, meeting_id)).result is Outcome.PASSED
    async with maker() as session, session.begin():
        result = await governance.recommend(
            session, meeting_id=meeting_id, number=1, text="내년 예산에 반영해 주세요.",
            clockwork=Clockwork(days, CALENDAR, SEOUL), venues=VENUES, actor="admin", now=NOW)
        again = await governance.recommend(
            session, meeting_id=meeting_id, number=1, text="다시", venues=VENUES, actor="admin",
            clockwork=Clockwork(days, CALENDAR, SEOUL), now=NOW)
    assert result.outcome is RecommendOutcome.MADE and result.office == office
    assert again.outcome is RecommendOutcome.ALREADY
    assert result.recommendation_id is not None
    return result.recommendation_id


async def test_the_recommendation_reminder_and_overdue_notice_happen_once(
    sessionmaker: Maker,
) -> None:
    await board(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await create_department(session, name="구청장실", now=NOW, chat_id=-100500,
                                head_office=True)
    recommendation_id = await recommended(sessionmaker, "구청장실")  # 10 business days: 12-21
    async with sessionmaker() as session:
        row = await session.get(GovernanceRecommendation, recommendation_id)
    assert row is not None and row.due_at == datetime(2026, 12, 21, 15, 0, tzinfo=UTC)
    clock = fake_clock(NOW)
    machine = DeadlineMachine(sessionmaker, clock, CONTEXT)
    for moment in (datetime(2026, 12, 14, 0, 0, tzinfo=UTC),  # Mon 09:00 KST: 5 days before
                   datetime(2026, 12, 14, 1, 0, tzinfo=UTC),
                   datetime(2026, 12, 22, 0, 0, tzinfo=UTC),  # the day after the due day
                   datetime(2026, 12, 23, 0, 0, tzinfo=UTC)):
        await clock.advance(moment - clock.now())
        await machine.run_due()
        await machine.run_due()
    reminders = await outbox(sessionmaker, "governance_recommendation_reminder")
    assert sorted(r.params["overdue"] for r in reminders) == [False, True]
    assert {r.chat_id for r in reminders} == {-100500}
    assert len(await outbox(sessionmaker, "governance_recommendation_overdue")) == 1
    async with sessionmaker() as session, session.begin():
        answered = await governance.respond(session, recommendation_id=recommendation_id,
                                            text="반영하겠습니다.", venues=VENUES,
                                            actor="office", now=clock.now())
        twice = await governance.respond(session, recommendation_id=recommendation_id,
                                         text="또", venues=VENUES, actor="office",
                                         now=clock.now())
    assert (answered, twice) == (RespondOutcome.RECORDED, RespondOutcome.ALREADY)
    assert len(await outbox(sessionmaker, "governance_recommendation_answered")) == 1
    async with sessionmaker() as session:
        found = await governance.overview(session)
    assert found.recommendations[0].response == "반영하겠습니다."


async def test_a_response_before_the_reminder_stops_the_clock(sessionmaker: Maker) -> None:
    await board(sessionmaker)
    recommendation_id = await recommended(sessionmaker, None)  # no head's office: staff
    assert len(await outbox(sessionmaker, "governance_recommended")) == 2  # follower, admin
    async with sessionmaker() as session, session.begin():
        await governance.respond(session, recommendation_id=recommendation_id, text="검토 중",
                                 venues=VENUES, actor="office", now=NOW)
    machine = DeadlineMachine(sessionmaker, fake_clock(NOW), CONTEXT)
    await machine.run_due(NOW + timedelta(days=40))  # (proposal #2's window expires)
    assert await outbox(sessionmaker, "governance_recommendation_reminder") == []
