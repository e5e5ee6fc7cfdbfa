"""「구가 묻습니다」: the district's consultations, from creation to the department's response.

A consultation is a `Consultation` row tied to a proposal row of kind `consultation`, which
holds its title and background and, after the close, everything a proposal has once it is
with a department: the reply link, the answers and their clock, the timeline, the followers.
Residents who vote follow it, so the results and the department's response reach them as a
proposal's news reaches its followers. The deadline machine opens a consultation on its first
day and closes it at the end of its last (`OPENINGS`, `CLOSINGS`), each by a guarded UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Consultation,
    ConsultationOpinion,
    ConsultationVote,
    Department,
    Proposal,
    Subscription,
    User,
)
from bot.domain.abuse import check_abuse
from bot.domain.answers import next_reminder
from bot.domain.consultations import CLOSED_NOTE, Audience, ConsultationForm, tally
from bot.domain.deadlines import BusinessCalendar, end_of_day, official_deadline
from bot.domain.debate import TextProblem, check_opinion, is_repeat
from bot.domain.events import ConsultationClosed, ConsultationOpened
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.proposals import Kind, Origin
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.departments import AssignOutcome, assign_department, find_department
from bot.services.due import Pending
from bot.services.lifecycle import transition
from bot.services.outbox import enqueue_for_followers, enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, rows_affected

SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
AUDIENCE_CHUNK = 1000
OPENINGS = Pending(Consultation.opens_at, Consultation.state == SCHEDULED)
CLOSINGS = Pending(Consultation.closes_at, Consultation.state == OPEN)


@dataclass(frozen=True)
class ConsultationView:
    id: int
    proposal_id: int
    title: str
    background: str
    question: str
    options: tuple[str, ...]
    arguments: tuple[str, ...]
    opens_at: datetime
    closes_at: datetime
    audience: Audience
    audience_value: str | None
    state: str
    result: tuple[int, ...] | None
    photo_file_id: str | None
    document_file_id: str | None
    department: str | None

    def is_open(self, now: datetime) -> bool:
        return self.state == OPEN and self.opens_at <= now < self.closes_at


class CreateOutcome(StrEnum):
    CREATED = "created"
    NO_DEPARTMENT = "no_department"


@dataclass(frozen=True)
class CreateResult:
    outcome: CreateOutcome
    consultation_id: int = 0


async def create(
    session: AsyncSession, form: ConsultationForm, *, author_id: int, actor: str,
    now: datetime, policy: Policy, venues: Venues,
) -> CreateResult:
    """Store the consultation; it opens at the start of its first day (now, if that is today)
    and closes at the end of its last, both Korea time."""
    department = await find_department(session, form.department)
    if department is None:
        return CreateResult(CreateOutcome.NO_DEPARTMENT)
    proposal = Proposal(
        author_id=author_id, kind=Kind.CONSULTATION, origin=Origin.DISTRICT,
        title=form.title, problem=form.background, solution=form.question,
        effect=" / ".join(a for a in form.arguments if a) or form.question,
        status=ProposalStatus.PENDING_MODERATION, hidden=False, endorsement_count=0,
        created_at=now, department_id=department.id)
    session.add(proposal)
    await session.flush()
    consultation = Consultation(
        proposal_id=proposal.id, question=form.question, options=list(form.options),
        arguments=list(form.arguments),
        opens_at=max(now, end_of_day(form.opens_on - timedelta(days=1), policy.timezone)),
        closes_at=end_of_day(form.closes_on, policy.timezone), audience=form.audience.value,
        audience_value=form.audience_value, department_id=proposal.department_id,
        state=SCHEDULED, created_by=actor, created_at=now)
    session.add(consultation)
    await session.flush()
    record_audit(session, now, actor, "consultation.create", f"consultation:{consultation.id}",
                 after={"proposal_id": proposal.id, "audience": form.audience.value,
                        "closes_on": form.closes_on.isoformat()})
    if consultation.opens_at <= now:
        await open_consultation(session, consultation.id, now, venues)
    return CreateResult(CreateOutcome.CREATED, consultation.id)


async def attach(
    session: AsyncSession, consultation_id: int, *, photo: str | None, document: str | None,
    actor: str, now: datetime,
) -> bool:
    """A photo or a document for the background (before the close)."""
    changed = await session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id, Consultation.state != CLOSED)
        .values(**({"photo_file_id": photo} if photo else {"document_file_id": document}))
        .execution_options(synchronize_session=False))
    if rows_affected(changed):
        record_audit(session, now, actor, "consultation.attach",
                     f"consultation:{consultation_id}", after={"photo": bool(photo)})
    return bool(rows_affected(changed))


async def open_consultation(
    session: AsyncSession, consultation_id: int, now: datetime, venues: Venues
) -> bool:
    """SCHEDULED → OPEN once; the audience is told, with a button to read and vote."""
    opened = await session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id, Consultation.state == SCHEDULED,
               Consultation.opens_at <= now)
        .values(state=OPEN).execution_options(synchronize_session=False))
    if rows_affected(opened) != 1:
        return False
    found = await view(session, consultation_id)
    assert found is not None
    audience = list(await session.scalars(select(User.id).where(_in_audience(found))))
    notice = ConsultationOpened(found.id, found.title, found.question, found.closes_at,
                                key=str(found.id))
    for start in range(0, len(audience), AUDIENCE_CHUNK):  # bounded IN lists, any audience
        await enqueue_for_users(session, audience[start:start + AUDIENCE_CHUNK], notice, now)
    return True


async def due_openings(session: AsyncSession, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(Consultation.id).where(OPENINGS.where, Consultation.opens_at <= now)
        .order_by(Consultation.opens_at, Consultation.id)))


async def due_closings(session: AsyncSession, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(Consultation.id).where(CLOSINGS.where, Consultation.closes_at <= now)
        .order_by(Consultation.closes_at, Consultation.id)))


async def close_consultation(
    session: AsyncSession, consultation_id: int, now: datetime, *, policy: Policy,
    venues: Venues, secret_key: str | None, smtp_url: str | None, calendar: BusinessCalendar,
) -> bool:
    """OPEN → CLOSED once, at the end of the last day: the result is frozen, the participants
    get it, and the department gets a reply link with the answer clock, as for a proposal."""
    closed = await session.execute(  # claimed first: a vote in flight waits or is refused
        update(Consultation)
        .where(Consultation.id == consultation_id, Consultation.state == OPEN,
               Consultation.closes_at <= now)
        .values(state=CLOSED).execution_options(synchronize_session=False))
    if rows_affected(closed) != 1:
        return False
    found = await view(session, consultation_id)
    assert found is not None
    result = tally(await _choices(session, consultation_id), len(found.options))
    await session.execute(update(Consultation).where(Consultation.id == consultation_id)
                          .values(result=list(result))
                          .execution_options(synchronize_session=False))
    due = official_deadline(now, policy.answer_days, calendar)
    await transition(session, found.proposal_id, expected=ProposalStatus.PENDING_MODERATION,
                     new=ProposalStatus.AWAITING_ANSWER, now=now, note=CLOSED_NOTE, push=False,
                     changes={"answer_due": due,
                              "next_reminder_at": next_reminder(due, now, calendar=calendar)})
    await _send_to_department(session, found, now, policy, venues, secret_key, smtp_url)
    url = f"{venues.public_base_url}/consultation/{found.id}"
    await enqueue_for_followers(session, found.proposal_id, ConsultationClosed(
        found.id, found.title, list(found.options), list(result), url, key=str(found.id)), now)
    return True


async def _send_to_department(
    session: AsyncSession, found: ConsultationView, now: datetime, policy: Policy,
    venues: Venues, secret_key: str | None, smtp_url: str | None,
) -> None:
    proposal = await session.get(Proposal, found.proposal_id)
    if proposal is None or proposal.department_id is None or secret_key is None:
        return
    assigned = await assign_department(session, proposal.id, proposal.department_id, now=now,
                                       policy=policy, venues=venues, secret_key=secret_key,
                                       smtp_url=smtp_url, actor="자동 (의견 수렴 마감)")
    assert assigned.outcome in (AssignOutcome.ASSIGNED, AssignOutcome.NO_DEPARTMENT)


class VoteOutcome(StrEnum):
    RECORDED = "recorded"
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # the same choice again (a double tap)
    NOT_OPEN = "not_open"
    NOT_IN_AUDIENCE = "not_in_audience"
    BAD_CHOICE = "bad_choice"


async def vote(
    session: AsyncSession, consultation_id: int, user_id: int, choice: int, now: datetime
) -> VoteOutcome:
    """One vote per resident of the audience, changeable until the close; voting follows the
    consultation (its results and the department's response)."""
    found = await view(session, consultation_id)
    if found is None or not found.is_open(now):
        return VoteOutcome.NOT_OPEN
    if not 0 <= choice < len(found.options):
        return VoteOutcome.BAD_CHOICE
    if not await _may_take_part(session, found, user_id):
        return VoteOutcome.NOT_IN_AUDIENCE
    if not await _still_open(session, consultation_id, now):
        return VoteOutcome.NOT_OPEN
    existing = await session.get(ConsultationVote, (consultation_id, user_id),
                                 populate_existing=True)
    if existing is not None and existing.choice == choice:
        return VoteOutcome.UNCHANGED
    if existing is None:
        added = await session.execute(insert_ignoring_conflicts(
            session, ConsultationVote, consultation_id=consultation_id, user_id=user_id,
            choice=choice, voted_at=now))
        if not rows_affected(added):  # a double tap's twin got there first
            return VoteOutcome.UNCHANGED
    else:
        existing.choice, existing.voted_at = choice, now
    await session.execute(insert_ignoring_conflicts(
        session, Subscription, user_id=user_id, proposal_id=found.proposal_id, muted=False,
        created_at=now))
    return VoteOutcome.RECORDED if existing is None else VoteOutcome.CHANGED


async def _still_open(session: AsyncSession, consultation_id: int, now: datetime) -> bool:
    """Take the consultation's row lock (a guarded no-op UPDATE): the close, which claims the
    same row first, cannot count votes while this one is being written, nor this vote land
    after the count."""
    kept = await session.execute(
        update(Consultation)
        .where(Consultation.id == consultation_id, Consultation.state == OPEN,
               Consultation.closes_at > now)
        .values(state=OPEN).execution_options(synchronize_session=False))
    return rows_affected(kept) == 1


async def proposal_of(session: AsyncSession, consultation_id: int) -> int | None:
    """The proposal row a consultation is carried by (its answer, history and followers)."""
    return await session.scalar(select(Consultation.proposal_id).where(
        Consultation.id == consultation_id))


async def my_choice(session: AsyncSession, consultation_id: int, user_id: int) -> int | None:
    return await session.scalar(select(ConsultationVote.choice).where(
        ConsultationVote.consultation_id == consultation_id, ConsultationVote.user_id == user_id))


class OpinionOutcome(StrEnum):
    POSTED = "posted"
    NOT_VOTED = "not_voted"
    NOT_OPEN = "not_open"
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    FLAGGED = "flagged"  # the language check: it is not posted; the writer may rephrase


async def add_opinion(
    session: AsyncSession, consultation_id: int, user_id: int, text: str, now: datetime
) -> OpinionOutcome:
    """An opinion under the writer's choice (masked), while the consultation is open."""
    found = await view(session, consultation_id)
    if found is None or not found.is_open(now):
        return OpinionOutcome.NOT_OPEN
    choice = await my_choice(session, consultation_id, user_id)
    if choice is None:
        return OpinionOutcome.NOT_VOTED
    checked = check_opinion(text)
    if checked.problem is not None:
        return {TextProblem.EMPTY: OpinionOutcome.EMPTY,
                TextProblem.TOO_SHORT: OpinionOutcome.TOO_SHORT,
                TextProblem.TOO_LONG: OpinionOutcome.TOO_LONG}[checked.problem]
    if check_abuse(checked.text).flagged:
        return OpinionOutcome.FLAGGED
    if await _sent_just_now(session, consultation_id, user_id, checked.text, now):
        return OpinionOutcome.POSTED  # the same text twice within a minute: posted once
    session.add(ConsultationOpinion(consultation_id=consultation_id, user_id=user_id,
                                    choice=choice, text=checked.text, created_at=now))
    return OpinionOutcome.POSTED


async def _sent_just_now(
    session: AsyncSession, consultation_id: int, user_id: int, text: str, now: datetime
) -> bool:
    latest = (await session.execute(
        select(ConsultationOpinion.text, ConsultationOpinion.created_at)
        .where(ConsultationOpinion.consultation_id == consultation_id,
               ConsultationOpinion.user_id == user_id)
        .order_by(ConsultationOpinion.created_at.desc()).limit(1))).first()
    return latest is not None and is_repeat(text, latest[0], latest[1], now)


async def view(session: AsyncSession, consultation_id: int) -> ConsultationView | None:
    row = (await session.execute(
        select(Consultation, Proposal.title, Proposal.problem, Department.name)
        .join(Proposal, Proposal.id == Consultation.proposal_id)
        .outerjoin(Department, Department.id == Consultation.department_id)
        .where(Consultation.id == consultation_id)
        .execution_options(populate_existing=True))).first()
    if row is None:
        return None
    c, title, background, department = row
    return ConsultationView(
        c.id, c.proposal_id, title, background, c.question, tuple(c.options),
        tuple(c.arguments), c.opens_at, c.closes_at, Audience(c.audience), c.audience_value,
        c.state, tuple(c.result) if c.result is not None else None, c.photo_file_id,
        c.document_file_id, department)


async def open_for(session: AsyncSession, user_id: int, now: datetime) -> list[ConsultationView]:
    """The open consultations this resident may take part in, closing soonest first."""
    ids = await session.scalars(
        select(Consultation.id).where(Consultation.state == OPEN, Consultation.closes_at > now)
        .order_by(Consultation.closes_at, Consultation.id).limit(10))
    found = [v for v in [await view(session, i) for i in ids] if v is not None]
    return [v for v in found if await _may_take_part(session, v, user_id)]


async def participants(session: AsyncSession, consultation_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(ConsultationVote).where(
        ConsultationVote.consultation_id == consultation_id)) or 0)


async def opinions(
    session: AsyncSession, consultation_id: int, limit: int = 50
) -> list[tuple[int, str, datetime]]:
    """(choice, text, when) of the opinions, newest first."""
    rows = await session.execute(
        select(ConsultationOpinion.choice, ConsultationOpinion.text,
               ConsultationOpinion.created_at)
        .where(ConsultationOpinion.consultation_id == consultation_id)
        .order_by(ConsultationOpinion.created_at.desc(), ConsultationOpinion.id.desc())
        .limit(limit))
    return [(int(c), str(t), at) for c, t, at in rows]


async def _choices(session: AsyncSession, consultation_id: int) -> list[int]:
    return list(await session.scalars(select(ConsultationVote.choice).where(
        ConsultationVote.consultation_id == consultation_id)))


async def _may_take_part(session: AsyncSession, found: ConsultationView, user_id: int) -> bool:
    return bool(await session.scalar(
        select(func.count()).select_from(User).where(User.id == user_id, _in_audience(found))))


def _in_audience(found: ConsultationView) -> ColumnElement[bool]:
    """Who the consultation asks: everyone, verified residents, one 동's verified residents,
    or the residents following proposals of one category."""
    if found.audience is Audience.VERIFIED:
        return User.verified_at.is_not(None)
    if found.audience is Audience.AREA:
        return and_(User.verified_at.is_not(None), User.verified_area == found.audience_value)
    if found.audience is Audience.CATEGORY:
        followers = (select(Subscription.user_id)
                     .join(Proposal, Proposal.id == Subscription.proposal_id)
                     .where(Proposal.category == found.audience_value))
        return User.id.in_(followers)
    return true()
