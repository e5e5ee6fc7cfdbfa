"""The 협치회의: members appointed by admins, meetings convened (members may ask for an
extraordinary one), proposals put on the agenda (상정), attendance, one vote per member,
decisions that need a quorum, minutes, and 권고 to the 구청장 with a response clock.

Everything here is public except the reasons members give for an extraordinary meeting,
which go to the staff only. Individual members' votes are public: a 회의록 names who voted
how, and the 조례 asks for openness.

Outcomes: `appoint` APPOINTED, CHANGED, DISMISSED, UNCHANGED, NO_USER, NOT_MEMBER,
CHAIR_TAKEN, NO_NAME. `convene` CONVENED. `request_meeting` REQUESTED (REACHED when it makes
a third), ALREADY, NOT_MEMBER. `place_on_agenda` PLACED, NO_MEETING, NO_PROPOSAL,
NOT_PLACEABLE, ALREADY. `record_attendance` RECORDED, NOT_ALLOWED, NO_MEETING. `vote`
VOTED, ALREADY, NOT_MEMBER, NOT_PRESENT, NO_ITEM, DECIDED. `decide` DECIDED, ALREADY,
NO_QUORUM, NOT_ALLOWED, NO_ITEM. `write_minutes` WRITTEN, NO_MEETING. `recommend` MADE,
ALREADY, NOT_PASSED, NO_ITEM. `respond` RECORDED, ALREADY, NOT_FOUND.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    GovernanceAttendance,
    GovernanceItem,
    GovernanceMeeting,
    GovernanceMember,
    GovernanceRecommendation,
    GovernanceRequest,
    GovernanceVote,
    Proposal,
    User,
)
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import (
    Event,
    GovernanceAppointed,
    GovernanceConvened,
    GovernanceDecided,
    GovernancePlaced,
    GovernanceRecommended,
    GovernanceRequestsReached,
    RecommendationAnswered,
    RecommendationOverdue,
    RecommendationReminder,
)
from bot.domain.governance import (
    DISMISS,
    PLACEABLE,
    Choice,
    Convening,
    ItemKind,
    MeetingKind,
    Outcome,
    Role,
    Tally,
    missing_for_quorum,
    quorum,
    response_clock,
    tally,
    third_of,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.departments import head_office, notify_department
from bot.services.due import Pending
from bot.services.outbox import enqueue, enqueue_for_followers, enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.work_items import queue_chats

if TYPE_CHECKING:
    from bot.services.deadlines import DeadlineContext

ACTIVE = GovernanceMember.dismissed_at.is_(None)
NOT_ANSWERED = GovernanceRecommendation.responded_at.is_(None)
ALARMS = Pending(GovernanceRecommendation.alarm_at, NOT_ANSWERED)


def page_url(venues: Venues, meeting_id: int | None = None) -> str:
    base = f"{venues.public_base_url.rstrip('/')}/hyeopchi"
    return base if meeting_id is None else f"{base}/{meeting_id}"


# ----- views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    id: int
    user_id: int
    name: str
    role: Role


@dataclass(frozen=True)
class MeetingView:
    id: int
    kind: MeetingKind
    starts_at: datetime
    place: str
    minutes: str | None = None
    minutes_at: datetime | None = None


@dataclass(frozen=True)
class RecommendationView:
    id: int
    meeting_id: int
    item_number: int
    proposal_id: int | None
    title: str
    text: str
    made_at: datetime
    due_at: datetime
    overdue_at: datetime | None
    response: str | None
    responded_at: datetime | None

    def late(self, now: datetime) -> bool:
        return self.responded_at is None and self.due_at <= now


@dataclass(frozen=True)
class ItemView:
    id: int
    number: int
    kind: ItemKind
    proposal_id: int | None
    title: str
    outcome: Outcome | None
    members: int | None
    present: int | None
    tally: Tally
    votes: tuple[tuple[str, Choice], ...] = ()
    recommendation: RecommendationView | None = None


@dataclass(frozen=True)
class Overview:
    members: tuple[MemberView, ...]
    meetings: tuple[MeetingView, ...]
    recommendations: tuple[RecommendationView, ...]
    open_requests: int
    needed: int


@dataclass(frozen=True)
class MeetingPage:
    meeting: MeetingView
    items: tuple[ItemView, ...]
    attendees: tuple[str, ...]
    members: int

    @property
    def quorum(self) -> int:
        return quorum(self.members)

    @property
    def quorate(self) -> bool:
        return missing_for_quorum(self.members, len(self.attendees)) == 0


def _member(row: GovernanceMember) -> MemberView:
    return MemberView(row.id, row.user_id, row.name, Role(row.role))


def _meeting(row: GovernanceMeeting) -> MeetingView:
    return MeetingView(row.id, MeetingKind(row.kind), row.starts_at, row.place, row.minutes,
                       row.minutes_at)


async def members(session: AsyncSession) -> tuple[MemberView, ...]:
    """The members now, the 위원장 first."""
    rows = await session.scalars(select(GovernanceMember).where(ACTIVE).order_by(
        GovernanceMember.role != Role.CHAIR.value, GovernanceMember.name, GovernanceMember.id))
    return tuple(_member(row) for row in rows)


async def _member_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(GovernanceMember)
                                .where(ACTIVE)) or 0


async def _member_of(session: AsyncSession, user_id: int) -> GovernanceMember | None:
    return await session.scalar(select(GovernanceMember).where(
        GovernanceMember.user_id == user_id, ACTIVE).limit(1))


async def may_chair(session: AsyncSession, user_id: int, *, is_admin: bool) -> bool:
    """Admins, and the 위원장, run a meeting's attendance and decisions."""
    if is_admin:
        return True
    member = await _member_of(session, user_id)
    return member is not None and member.role == Role.CHAIR.value


# ----- members ----------------------------------------------------------------------------


class AppointOutcome(StrEnum):
    APPOINTED = "appointed"
    CHANGED = "changed"
    DISMISSED = "dismissed"
    UNCHANGED = "unchanged"
    NO_USER = "no_user"
    NOT_MEMBER = "not_member"
    CHAIR_TAKEN = "chair_taken"
    NO_NAME = "no_name"


@dataclass(frozen=True)
class AppointResult:
    outcome: AppointOutcome
    member: MemberView | None = None
    chair: MemberView | None = None  # CHAIR_TAKEN: who holds the chair


async def appoint(session: AsyncSession, *, telegram_id: int, word: Role | str, name: str,
                  venues: Venues, actor: str, now: datetime) -> AppointResult:
    """Appoint a person who has started the bot as 위원장 or 위원, change their role, or
    dismiss them (`word` DISMISS). One 위원장 at a time: the chair is freed first."""
    user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    if user_id is None:
        return AppointResult(AppointOutcome.NO_USER)
    current = await _member_of(session, user_id)
    if word == DISMISS:
        return await _dismiss(session, current, venues, actor, now)
    role = Role(word)
    if role is Role.CHAIR:
        chair = await session.scalar(select(GovernanceMember).where(
            ACTIVE, GovernanceMember.role == Role.CHAIR.value).with_for_update())
        if chair is not None and chair.user_id != user_id:
            return AppointResult(AppointOutcome.CHAIR_TAKEN, chair=_member(chair))
    if current is not None:
        return _change(session, current, role, name, actor, now)
    if not name:
        return AppointResult(AppointOutcome.NO_NAME)
    row = GovernanceMember(user_id=user_id, name=name, role=role.value, appointed_at=now,
                           appointed_by=actor)
    session.add(row)
    await session.flush()
    record_audit(session, now, actor, "governance_member_appointed",
                 f"governance_member:{row.id}", after={"role": role.value, "name": row.name})
    await _tell_user(session, user_id, GovernanceAppointed(
        role.value, page_url(venues), key=f"{row.id}:{role.value}"), now)
    return AppointResult(AppointOutcome.APPOINTED, _member(row))


def _change(session: AsyncSession, current: GovernanceMember, role: Role, name: str,
            actor: str, now: datetime) -> AppointResult:
    if current.role == role.value and (not name or name == current.name):
        return AppointResult(AppointOutcome.UNCHANGED, _member(current))
    before: dict[str, object] = {"role": current.role, "name": current.name}
    current.role, current.name = role.value, name or current.name
    record_audit(session, now, actor, "governance_member_changed",
                 f"governance_member:{current.id}", before=before,
                 after={"role": role.value, "name": current.name})
    return AppointResult(AppointOutcome.CHANGED, _member(current))


async def _dismiss(session: AsyncSession, current: GovernanceMember | None, venues: Venues,
                   actor: str, now: datetime) -> AppointResult:
    if current is None:
        return AppointResult(AppointOutcome.NOT_MEMBER)
    current.dismissed_at = now
    await session.execute(update(GovernanceRequest).where(
        GovernanceRequest.member_id == current.id, GovernanceRequest.closed_at.is_(None))
        .values(closed_at=now).execution_options(synchronize_session=False))
    record_audit(session, now, actor, "governance_member_dismissed",
                 f"governance_member:{current.id}", before={"role": current.role})
    await _tell_user(session, current.user_id, GovernanceAppointed(
        DISMISS, page_url(venues), key=f"{current.id}:dismiss"), now)
    return AppointResult(AppointOutcome.DISMISSED, _member(current))


async def _tell_user(session: AsyncSession, user_id: int, notice: Event, now: datetime) -> None:
    await enqueue_for_users(session, [user_id], notice, now)


# ----- meetings and requests --------------------------------------------------------------


@dataclass(frozen=True)
class ConveneResult:
    meeting: MeetingView
    told: int
    requests_closed: int


async def convene(session: AsyncSession, convening: Convening, *, venues: Venues, actor: str,
                  now: datetime) -> ConveneResult:
    """A meeting, told to every member; an extraordinary one answers the open requests."""
    row = GovernanceMeeting(kind=convening.kind.value, starts_at=convening.starts_at,
                            place=convening.place, convened_at=now, convened_by=actor)
    session.add(row)
    await session.flush()
    closed = 0
    if convening.kind is MeetingKind.EXTRAORDINARY:
        closed = rows_affected(await session.execute(
            update(GovernanceRequest).where(GovernanceRequest.closed_at.is_(None))
            .values(closed_at=now, meeting_id=row.id)
            .execution_options(synchronize_session=False)))
    record_audit(session, now, actor, "governance_meeting_convened",
                 f"governance_meeting:{row.id}",
                 after={"kind": row.kind, "starts_at": row.starts_at.isoformat(),
                        "place": row.place, "requests_closed": closed})
    notice = GovernanceConvened(row.id, row.kind, row.starts_at, row.place,
                                page_url(venues, row.id), key=str(row.id))
    user_ids = list(await session.scalars(select(GovernanceMember.user_id).where(ACTIVE)))
    told = await enqueue_for_users(session, user_ids, notice, now)
    return ConveneResult(_meeting(row), told, closed)


class RequestOutcome(StrEnum):
    REQUESTED = "requested"
    REACHED = "reached"
    ALREADY = "already"
    NOT_MEMBER = "not_member"


@dataclass(frozen=True)
class RequestResult:
    outcome: RequestOutcome
    open_requests: int = 0
    needed: int = 0


async def request_meeting(session: AsyncSession, *, user_id: int, reason: str, venues: Venues,
                          now: datetime) -> RequestResult:
    """A member asks for an extraordinary meeting; the request that makes a third of the
    members tells the staff (once: the notice's key is the first open request)."""
    member = await _member_of(session, user_id)
    if member is None:
        return RequestResult(RequestOutcome.NOT_MEMBER)
    needed = third_of(await _member_count(session))
    open_ids = select(GovernanceRequest.id).where(GovernanceRequest.closed_at.is_(None))
    mine = await session.scalar(open_ids.where(GovernanceRequest.member_id == member.id))
    if mine is not None:
        return RequestResult(RequestOutcome.ALREADY, await _open_requests(session), needed)
    session.add(GovernanceRequest(member_id=member.id, reason=reason, requested_at=now))
    await session.flush()
    count = await _open_requests(session)
    if count < needed:
        return RequestResult(RequestOutcome.REQUESTED, count, needed)
    reasons = list(await session.scalars(
        select(GovernanceRequest.reason).where(GovernanceRequest.closed_at.is_(None))
        .order_by(GovernanceRequest.id)))
    first = await session.scalar(open_ids.order_by(GovernanceRequest.id).limit(1))
    notice = GovernanceRequestsReached(count, await _member_count(session), reasons,
                                       key=str(first), urgent=True)
    for chat_id, staff_id in await queue_chats(session, venues):
        await enqueue(session, chat_id=chat_id, notice=notice, now=now, user_id=staff_id)
    return RequestResult(RequestOutcome.REACHED, count, needed)


async def _open_requests(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(GovernanceRequest)
                                .join(GovernanceMember,
                                      GovernanceMember.id == GovernanceRequest.member_id)
                                .where(GovernanceRequest.closed_at.is_(None), ACTIVE)) or 0


# ----- the agenda (상정) ------------------------------------------------------------------


class PlaceOutcome(StrEnum):
    PLACED = "placed"
    NO_MEETING = "no_meeting"
    NO_PROPOSAL = "no_proposal"
    NOT_PLACEABLE = "not_placeable"
    ALREADY = "already"


@dataclass(frozen=True)
class PlaceResult:
    outcome: PlaceOutcome
    number: int = 0
    title: str = ""
    status: ProposalStatus | None = None
    told: int = 0


def _public_subject(proposal: Proposal) -> bool:
    """A published proposal, or a consultation once closed (a 민원 is nobody's agenda)."""
    if proposal.kind == "consultation":
        return True  # PLACEABLE's states come only after its close
    return proposal.kind == "proposal" and proposal.published_at is not None


async def place_on_agenda(session: AsyncSession, *, meeting_id: int, proposal_id: int,
                          venues: Venues, actor: str, now: datetime) -> PlaceResult:
    """상정: a public proposal found feasible (`PLACEABLE`) goes on the meeting's agenda;
    its history (the audit log) and its followers hear of it."""
    meeting = await session.get(GovernanceMeeting, meeting_id, with_for_update=True)
    if meeting is None:
        return PlaceResult(PlaceOutcome.NO_MEETING)
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.hidden or not _public_subject(proposal):
        return PlaceResult(PlaceOutcome.NO_PROPOSAL)
    status = ProposalStatus(proposal.status)
    if status not in PLACEABLE:
        return PlaceResult(PlaceOutcome.NOT_PLACEABLE, title=proposal.title, status=status)
    kind = ItemKind.CONSULTATION if proposal.kind == "consultation" else ItemKind.PROPOSAL
    existing = await session.scalar(select(GovernanceItem.number).where(
        GovernanceItem.meeting_id == meeting_id, GovernanceItem.proposal_id == proposal_id,
        GovernanceItem.item_kind == kind.value))
    if existing is not None:
        return PlaceResult(PlaceOutcome.ALREADY, existing, proposal.title, status)
    number = (await session.scalar(select(func.max(GovernanceItem.number))
                                   .where(GovernanceItem.meeting_id == meeting_id)) or 0) + 1
    session.add(GovernanceItem(meeting_id=meeting_id, number=number,
                               item_kind=kind.value, proposal_id=proposal_id,
                               title=proposal.title, placed_at=now, placed_by=actor))
    record_audit(session, now, actor, "governance_placed", f"proposal:{proposal_id}",
                 after={"meeting": meeting_id, "item": number})
    told = await enqueue_for_followers(session, proposal_id, GovernancePlaced(
        proposal_id, proposal.title, meeting_id, meeting.starts_at,
        page_url(venues, meeting_id), key=f"{meeting_id}:{proposal_id}"), now)
    return PlaceResult(PlaceOutcome.PLACED, number, proposal.title, status, told)


# ----- attendance, votes, decisions -------------------------------------------------------


class AttendOutcome(StrEnum):
    RECORDED = "recorded"
    NOT_ALLOWED = "not_allowed"
    NO_MEETING = "no_meeting"


@dataclass(frozen=True)
class AttendResult:
    outcome: AttendOutcome
    added: tuple[str, ...] = ()
    unknown: tuple[int, ...] = ()  # telegram ids that are not members
    present: int = 0
    members: int = 0

    @property
    def missing(self) -> int:
        return missing_for_quorum(self.members, self.present)


async def record_attendance(session: AsyncSession, *, meeting_id: int,
                            telegram_ids: Sequence[int], by_user: int, is_admin: bool,
                            actor: str, now: datetime) -> AttendResult:
    """The members present (recording one twice is harmless); who is not a member is named."""
    if not await may_chair(session, by_user, is_admin=is_admin):
        return AttendResult(AttendOutcome.NOT_ALLOWED)
    if await session.get(GovernanceMeeting, meeting_id) is None:
        return AttendResult(AttendOutcome.NO_MEETING)
    rows = (await session.execute(
        select(User.telegram_id, GovernanceMember.id, GovernanceMember.name)
        .join(GovernanceMember, GovernanceMember.user_id == User.id)
        .where(User.telegram_id.in_(set(telegram_ids)), ACTIVE))).all()
    added = []
    for _, member_id, name in rows:
        result = await session.execute(insert_ignoring_conflicts(
            session, GovernanceAttendance, meeting_id=meeting_id, member_id=member_id,
            recorded_at=now, recorded_by=actor))
        if rows_affected(result):
            added.append(name)
    found = {int(telegram_id) for telegram_id, _, _ in rows}
    record_audit(session, now, actor, "governance_attendance",
                 f"governance_meeting:{meeting_id}", after={"added": added})
    return AttendResult(AttendOutcome.RECORDED, tuple(added),
                        tuple(i for i in dict.fromkeys(telegram_ids) if i not in found),
                        await _present(session, meeting_id), await _member_count(session))


async def _present(session: AsyncSession, meeting_id: int) -> int:
    """Members present who are members still."""
    return await session.scalar(
        select(func.count()).select_from(GovernanceAttendance)
        .join(GovernanceMember, GovernanceMember.id == GovernanceAttendance.member_id)
        .where(GovernanceAttendance.meeting_id == meeting_id, ACTIVE)) or 0


async def _item(session: AsyncSession, meeting_id: int, number: int, *,
                lock: bool = False) -> GovernanceItem | None:
    query = select(GovernanceItem).where(GovernanceItem.meeting_id == meeting_id,
                                         GovernanceItem.number == number)
    return await session.scalar(query.with_for_update() if lock else query)


class VoteOutcome(StrEnum):
    VOTED = "voted"
    ALREADY = "already"
    NOT_MEMBER = "not_member"
    NOT_PRESENT = "not_present"
    NO_ITEM = "no_item"
    DECIDED = "decided"


@dataclass(frozen=True)
class VoteResult:
    outcome: VoteOutcome
    choice: Choice | None = None  # VOTED: this vote; ALREADY: the earlier one
    title: str = ""


async def vote(session: AsyncSession, *, meeting_id: int, number: int, user_id: int,
               choice: Choice, now: datetime) -> VoteResult:
    """A member present votes once on an item not yet decided; a second vote changes
    nothing and says what the first was."""
    member = await _member_of(session, user_id)
    if member is None:
        return VoteResult(VoteOutcome.NOT_MEMBER)
    item = await _item(session, meeting_id, number)
    if item is None:
        return VoteResult(VoteOutcome.NO_ITEM)
    if item.decided_at is not None:
        return VoteResult(VoteOutcome.DECIDED, title=item.title)
    present = await session.scalar(select(GovernanceAttendance.member_id).where(
        GovernanceAttendance.meeting_id == meeting_id,
        GovernanceAttendance.member_id == member.id))
    if present is None:
        return VoteResult(VoteOutcome.NOT_PRESENT, title=item.title)
    added = await session.execute(insert_ignoring_conflicts(
        session, GovernanceVote, item_id=item.id, member_id=member.id, choice=choice.value,
        cast_at=now))
    if rows_affected(added):
        return VoteResult(VoteOutcome.VOTED, choice, item.title)
    earlier = await session.scalar(select(GovernanceVote.choice).where(
        GovernanceVote.item_id == item.id, GovernanceVote.member_id == member.id))
    return VoteResult(VoteOutcome.ALREADY, Choice(earlier) if earlier else None, item.title)


class DecideOutcome(StrEnum):
    DECIDED = "decided"
    ALREADY = "already"
    NO_QUORUM = "no_quorum"
    NOT_ALLOWED = "not_allowed"
    NO_ITEM = "no_item"


@dataclass(frozen=True)
class DecideResult:
    outcome: DecideOutcome
    title: str = ""
    result: Outcome | None = None
    tally: Tally = field(default_factory=Tally)
    present: int = 0
    members: int = 0
    missing: int = 0
    told: int = 0


async def decide(session: AsyncSession, *, meeting_id: int, number: int, by_user: int,
                 is_admin: bool, venues: Venues, actor: str, now: datetime) -> DecideResult:
    """With a quorum present: passed when 찬성 is more than half of those present. Once:
    a guarded UPDATE claims the undecided item."""
    if not await may_chair(session, by_user, is_admin=is_admin):
        return DecideResult(DecideOutcome.NOT_ALLOWED)
    item = await _item(session, meeting_id, number, lock=True)
    if item is None:
        return DecideResult(DecideOutcome.NO_ITEM)
    if item.decided_at is not None:
        return DecideResult(DecideOutcome.ALREADY, item.title, Outcome(item.outcome or "")
                            if item.outcome else None, _stored_tally(item), item.present or 0,
                            item.members or 0)
    members, present = await _member_count(session), await _present(session, meeting_id)
    missing = missing_for_quorum(members, present)
    if missing:
        return DecideResult(DecideOutcome.NO_QUORUM, item.title, present=present,
                            members=members, missing=missing)
    counted = tally([Choice(c) for c in await session.scalars(
        select(GovernanceVote.choice).join(
            GovernanceAttendance, (GovernanceAttendance.member_id == GovernanceVote.member_id)
            & (GovernanceAttendance.meeting_id == meeting_id))
        .join(GovernanceMember, GovernanceMember.id == GovernanceVote.member_id)
        .where(GovernanceVote.item_id == item.id, ACTIVE))])
    outcome = counted.outcome(present)
    claimed = await session.execute(
        update(GovernanceItem).where(GovernanceItem.id == item.id,
                                     GovernanceItem.decided_at.is_(None))
        .values(decided_at=now, outcome=outcome.value, members=members, present=present,
                yes=counted.yes, no=counted.no, abstain=counted.abstain)
        .execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1:
        return DecideResult(DecideOutcome.ALREADY, item.title)
    record_audit(session, now, actor, "governance_decided", _subject(item),
                 after={"meeting": meeting_id, "item": number, "outcome": outcome.value,
                        "yes": counted.yes, "no": counted.no, "abstain": counted.abstain,
                        "present": present, "members": members})
    told = 0
    if item.proposal_id is not None:
        told = await enqueue_for_followers(session, item.proposal_id, GovernanceDecided(
            item.proposal_id, item.title, meeting_id, outcome.value, counted.yes, counted.no,
            counted.abstain, present, page_url(venues, meeting_id), key=str(item.id)), now)
    return DecideResult(DecideOutcome.DECIDED, item.title, outcome, counted, present, members,
                        told=told)


def _subject(item: GovernanceItem) -> str:
    if item.proposal_id is not None:
        return f"proposal:{item.proposal_id}"
    return f"governance_item:{item.id}"


def _stored_tally(item: GovernanceItem) -> Tally:
    return Tally(item.yes or 0, item.no or 0, item.abstain or 0)


# ----- minutes ----------------------------------------------------------------------------


class MinutesOutcome(StrEnum):
    WRITTEN = "written"
    NO_MEETING = "no_meeting"


async def write_minutes(session: AsyncSession, *, meeting_id: int, text: str, actor: str,
                        now: datetime) -> MinutesOutcome:
    """The minutes, published (masked) on the meeting's page; a later text replaces the
    page's, and the audit log keeps the earlier one."""
    meeting = await session.get(GovernanceMeeting, meeting_id)
    if meeting is None:
        return MinutesOutcome.NO_MEETING
    before = meeting.minutes
    meeting.minutes, meeting.minutes_at = text, now
    record_audit(session, now, actor, "governance_minutes", f"governance_meeting:{meeting_id}",
                 before={"minutes": before} if before else None,
                 after={"minutes": meeting.minutes})
    return MinutesOutcome.WRITTEN


# ----- 권고 and the 구청장's response -------------------------------------------------------


class RecommendOutcome(StrEnum):
    MADE = "made"
    ALREADY = "already"
    NOT_PASSED = "not_passed"
    NO_ITEM = "no_item"


@dataclass(frozen=True)
class RecommendResult:
    outcome: RecommendOutcome
    recommendation_id: int | None = None
    due_at: datetime | None = None
    office: str | None = None  # the head's office told, None: the staff were


@dataclass(frozen=True)
class Clockwork:
    """What the response clock needs: the business days, the calendar, the zone."""

    days: int
    calendar: BusinessCalendar
    tz: tzinfo
    smtp_url: str | None = None


async def recommend(session: AsyncSession, *, meeting_id: int, number: int, text: str,
                    clockwork: Clockwork, venues: Venues, actor: str,
                    now: datetime) -> RecommendResult:
    """A passed item becomes a 권고 to the 구청장 (one per item), answered within the
    business days of `clockwork`; the head's office (else the staff) and the followers are
    told."""
    item = await _item(session, meeting_id, number, lock=True)
    if item is None:
        return RecommendResult(RecommendOutcome.NO_ITEM)
    if item.outcome != Outcome.PASSED.value:
        return RecommendResult(RecommendOutcome.NOT_PASSED)
    existing = await session.scalar(select(GovernanceRecommendation).where(
        GovernanceRecommendation.item_id == item.id))
    if existing is not None:
        return RecommendResult(RecommendOutcome.ALREADY, existing.id, existing.due_at)
    clock = response_clock(now, clockwork.days, clockwork.calendar, clockwork.tz)
    row = GovernanceRecommendation(item_id=item.id, text=text, made_at=now, made_by=actor,
                                   due_at=clock.due_at, alarm_at=clock.remind_at or clock.due_at)
    session.add(row)
    await session.flush()
    record_audit(session, now, actor, "governance_recommended", _subject(item),
                 after={"recommendation": row.id, "due_at": clock.due_at.isoformat()})
    notice = GovernanceRecommended(item.proposal_id or 0, item.title, row.id, row.text,
                                   clock.due_at, page_url(venues, meeting_id), key=str(row.id))
    if item.proposal_id is not None:
        await enqueue_for_followers(session, item.proposal_id, notice, now)
    office = await _tell_office(session, notice, venues, clockwork.smtp_url, now)
    return RecommendResult(RecommendOutcome.MADE, row.id, clock.due_at, office)


async def _tell_office(session: AsyncSession, notice: Event, venues: Venues,
                       smtp_url: str | None, now: datetime) -> str | None:
    """To the head's office (its chat and e-mail); without one, to the staff's queue."""
    office = await head_office(session)
    if office is not None:
        await notify_department(session, office, notice, now, smtp_url)
        return office.name
    for chat_id, staff_id in await queue_chats(session, venues):
        await enqueue(session, chat_id=chat_id, notice=notice, now=now, user_id=staff_id)
    return None


class RespondOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_FOUND = "not_found"


async def respond(session: AsyncSession, *, recommendation_id: int, text: str,
                  venues: Venues, actor: str, now: datetime) -> RespondOutcome:
    """The 구청장's office's response, once; it stops the clock and goes to the followers."""
    found = await session.get(GovernanceRecommendation, recommendation_id)
    if found is None:
        return RespondOutcome.NOT_FOUND
    claimed = await session.execute(
        update(GovernanceRecommendation)
        .where(GovernanceRecommendation.id == recommendation_id, NOT_ANSWERED)
        .values(response=text, responded_at=now, responded_by=actor, alarm_at=None)
        .execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1:
        return RespondOutcome.ALREADY
    row = await session.get(GovernanceRecommendation, recommendation_id, populate_existing=True)
    item = await session.get(GovernanceItem, found.item_id)
    assert row is not None and item is not None
    record_audit(session, now, actor, "governance_response", _subject(item),
                 after={"recommendation": recommendation_id})
    if item.proposal_id is not None:
        await enqueue_for_followers(session, item.proposal_id, RecommendationAnswered(
            item.proposal_id, item.title, recommendation_id, row.response or "",
            page_url(venues, item.meeting_id), key=str(recommendation_id)), now)
    return RespondOutcome.RECORDED


# ----- the response clock (a DueCheck of bot/services/deadlines.py) ------------------------


async def due_alarms(session: AsyncSession, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(GovernanceRecommendation.id)
        .where(NOT_ANSWERED, GovernanceRecommendation.alarm_at <= now)
        .order_by(GovernanceRecommendation.alarm_at, GovernanceRecommendation.id)))


async def sound_alarm(session: AsyncSession, recommendation_id: int,
                                     now: datetime, context: DeadlineContext) -> bool:
    """Before the due day, remind the head's office; once it has passed, tell the office
    and the followers it is late. Each is claimed by a guarded UPDATE of `alarm_at`, so it
    happens once however often the machine runs."""
    row = await session.get(GovernanceRecommendation, recommendation_id, populate_existing=True)
    if row is None or row.alarm_at is None or row.alarm_at > now or row.responded_at:
        return False
    overdue = row.due_at <= now
    values: dict[str, object] = ({"alarm_at": None, "overdue_at": now} if overdue
                                 else {"alarm_at": row.due_at, "reminded_at": now})
    claimed = await session.execute(
        update(GovernanceRecommendation)
        .where(GovernanceRecommendation.id == recommendation_id, NOT_ANSWERED,
               GovernanceRecommendation.alarm_at == row.alarm_at)
        .values(**values).execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1:
        return False
    item = await session.get(GovernanceItem, row.item_id)
    assert item is not None
    url = page_url(context.venues, item.meeting_id)
    await _tell_office(session, RecommendationReminder(
        item.proposal_id or 0, item.title, row.id, row.due_at, overdue, url,
        key=f"{row.id}:{'late' if overdue else 'soon'}"), context.venues, context.smtp_url, now)
    if overdue and item.proposal_id is not None:
        await enqueue_for_followers(session, item.proposal_id, RecommendationOverdue(
            item.proposal_id, item.title, row.id, row.due_at, url, key=str(row.id)), now)
    return True


# ----- reading: the public pages ----------------------------------------------------------


def _recommendation(row: GovernanceRecommendation, item: GovernanceItem) -> RecommendationView:
    return RecommendationView(row.id, item.meeting_id, item.number, item.proposal_id,
                              item.title, row.text, row.made_at, row.due_at, row.overdue_at,
                              row.response, row.responded_at)


async def overview(session: AsyncSession) -> Overview:
    meetings = await session.scalars(select(GovernanceMeeting).order_by(
        GovernanceMeeting.starts_at.desc(), GovernanceMeeting.id.desc()))
    recommendations = (await session.execute(
        select(GovernanceRecommendation, GovernanceItem)
        .join(GovernanceItem, GovernanceItem.id == GovernanceRecommendation.item_id)
        .order_by(GovernanceRecommendation.made_at.desc()))).all()
    count = await _member_count(session)
    return Overview(await members(session), tuple(_meeting(m) for m in meetings),
                    tuple(_recommendation(r, i) for r, i in recommendations),
                    await _open_requests(session), third_of(count))


async def meeting_page(session: AsyncSession, meeting_id: int) -> MeetingPage | None:
    meeting = await session.get(GovernanceMeeting, meeting_id)
    if meeting is None:
        return None
    attendees = tuple(await session.scalars(
        select(GovernanceMember.name)
        .join(GovernanceAttendance, GovernanceAttendance.member_id == GovernanceMember.id)
        .where(GovernanceAttendance.meeting_id == meeting_id, ACTIVE)
        .order_by(GovernanceMember.name)))
    items = await session.scalars(select(GovernanceItem).where(
        GovernanceItem.meeting_id == meeting_id).order_by(GovernanceItem.number))
    views = [await _item_view(session, item) for item in items]
    return MeetingPage(_meeting(meeting), tuple(views), attendees,
                       await _member_count(session))


async def _item_view(session: AsyncSession, item: GovernanceItem) -> ItemView:
    votes = (await session.execute(
        select(GovernanceMember.name, GovernanceVote.choice)
        .join(GovernanceMember, GovernanceMember.id == GovernanceVote.member_id)
        .where(GovernanceVote.item_id == item.id).order_by(GovernanceMember.name))).all()
    recommendation = await session.scalar(select(GovernanceRecommendation).where(
        GovernanceRecommendation.item_id == item.id))
    counted = (_stored_tally(item) if item.decided_at is not None
               else tally([Choice(c) for _, c in votes]))
    return ItemView(item.id, item.number, ItemKind(item.item_kind), item.proposal_id,
                    item.title, Outcome(item.outcome) if item.outcome else None, item.members,
                    item.present, counted, tuple((name, Choice(c)) for name, c in votes),
                    _recommendation(recommendation, item) if recommendation else None)


def names(views: Iterable[MemberView], role: Role) -> list[str]:
    return [view.name for view in views if view.role is role]
