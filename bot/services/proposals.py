"""The resident's side of the lifecycle: publishing, 공감, withdrawing, muting and reporting.

Each function takes a session whose transaction the caller owns, and `now`. Every message a
change causes is written to the outbox in that same transaction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Endorsement, Proposal, Report, Subscription, User
from bot.domain.abuse import check_abuse
from bot.domain.answers import next_reminder
from bot.domain.deadlines import BusinessCalendar, official_deadline, resident_deadline
from bot.domain.events import (
    AlmostThere,
    ClosingSoon,
    Event,
    Halfway,
    ModerationComplaint,
    ModerationPending,
    ModerationThreshold,
    ProposalApproved,
    ProposalRejected,
    ProposalWithdrawn,
    ThresholdReached,
    WorkItemEvent,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Action, Allowed, Refused, Subject, may, subject_rules
from bot.domain.policy import Policy
from bot.domain.proposals import Kind, Origin, missing_parts, start_of_local_day
from bot.domain.reports import REPORT_REASONS
from bot.domain.text import phone_hash
from bot.domain.tiers import (
    LATE_ENDORSEMENT_STATES,
    accepts_late_endorsement,
    late_endorsement_until,
)
from bot.domain.venues import Venues
from bot.services.bans import ensure_permitted, load_actor
from bot.services.browse import may_see
from bot.services.callbacks import audit_actor, erase_if_closed
from bot.services.departments import assign_department, default_department, list_departments
from bot.services.drafts import DraftView, discard_draft, load_draft
from bot.services.head_answers import reach_tiers
from bot.services.hiding import after_report
from bot.services.lifecycle import transition
from bot.services.outbox import enqueue_for_followers, enqueue_for_users, proposal_followers
from bot.services.search import index_proposal
from bot.services.sql import insert_ignoring_conflicts, is_postgres, rows_affected
from bot.services.work_items import WorkKind, post_work_item


class SubmitOutcome(StrEnum):
    PUBLISHED = "published"
    AWAITING_MODERATION = "awaiting_moderation"
    INCOMPLETE = "incomplete"
    RATE_LIMITED = "rate_limited"
    NO_DRAFT = "no_draft"
    COMPLAINT_RECEIVED = "complaint_received"  # a 민원: staff triage it and route it


@dataclass(frozen=True)
class SubmitResult:
    outcome: SubmitOutcome
    proposal_id: int | None = None
    flagged: bool = False


class EndorseOutcome(StrEnum):
    ENDORSED = "endorsed"
    THRESHOLD_REACHED = "threshold_reached"
    ALREADY = "already"
    WITHDRAWN = "withdrawn"
    NOT_ENDORSED = "not_endorsed"
    NOT_COLLECTING = "not_collecting"
    OWN_PROPOSAL = "own_proposal"
    NEEDS_CONTACT = "needs_contact"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class EndorseResult:
    outcome: EndorseOutcome
    count: int = 0


class WithdrawOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    NOT_AUTHOR = "not_author"
    NOT_COLLECTING = "not_collecting"
    NOT_FOUND = "not_found"


async def submit_draft(
    session: AsyncSession, user_id: int, now: datetime, policy: Policy, venues: Venues,
    *, complaint: Complaint | None = None,
) -> SubmitResult:
    """Publish the user's draft (or queue it for moderation) and discard the draft; with
    `complaint`, send it as a 민원 instead: no 공감, straight to the staff's triage.

    Outcomes: PUBLISHED; AWAITING_MODERATION (pre-moderation on, or the abuse check
    flagged the text); COMPLAINT_RECEIVED; INCOMPLETE (a required part is missing);
    RATE_LIMITED (the daily limit, proposals and 민원 together, is reached); NO_DRAFT.
    """
    await ensure_permitted(session, user_id, Action.PROPOSE, now)
    draft = await load_draft(session, user_id)
    if draft is None:
        return SubmitResult(SubmitOutcome.NO_DRAFT)
    if missing_parts(draft.parts()):
        return SubmitResult(SubmitOutcome.INCOMPLETE)
    if await _submitted_today(session, user_id, now, policy) >= policy.daily_proposal_limit:
        return SubmitResult(SubmitOutcome.RATE_LIMITED)
    proposal = await _from_draft(session, user_id, draft, now, complaint)
    await discard_draft(session, user_id)
    await _subscribe(session, user_id, proposal.id, now)
    if complaint is not None:  # not indexed: 민원 are neither searched nor offered as similar
        await _tell_moderators(session, venues, proposal, now, WorkKind.COMPLAINT,
                               ModerationComplaint(proposal.id, proposal.title,
                                                   await _department_choices(session)))
        return SubmitResult(SubmitOutcome.COMPLAINT_RECEIVED, proposal.id)
    await index_proposal(session, proposal.id, proposal.title, proposal.problem)
    if proposal.flagged or policy.pre_moderation:
        await _tell_moderators(session, venues, proposal, now, WorkKind.PENDING,
                               ModerationPending(proposal.id, proposal.title, proposal.flagged))
        return SubmitResult(SubmitOutcome.AWAITING_MODERATION, proposal.id, proposal.flagged)
    await publish(session, proposal.id, now, policy)
    return SubmitResult(SubmitOutcome.PUBLISHED, proposal.id)


@dataclass(frozen=True)
class Complaint:
    """A draft sent as a 민원, and whether its author agreed to a public page."""

    public: bool


async def _from_draft(
    session: AsyncSession, user_id: int, draft: DraftView, now: datetime,
    complaint: Complaint | None,
) -> Proposal:
    text = " ".join(p or "" for p in (draft.title, draft.problem, draft.solution, draft.effect))
    proposal = Proposal(
        author_id=user_id,
        origin=await _origin(session, user_id, draft.origin, now),
        kind=Kind.COMPLAINT if complaint is not None else Kind.PROPOSAL,
        complaint_public=complaint is not None and complaint.public,
        title=draft.title,
        problem=draft.problem,
        solution=draft.solution,
        effect=draft.effect,
        area=draft.area,
        category=draft.category,
        photo_file_id=draft.photo_file_id,
        latitude=draft.place.latitude if draft.place else None,
        longitude=draft.place.longitude if draft.place else None,
        status=ProposalStatus.PENDING_MODERATION,
        flagged=check_abuse(text).flagged,
        hidden=False,
        endorsement_count=0,
        created_at=now,
    )
    session.add(proposal)
    await session.flush()
    return proposal


async def _origin(
    session: AsyncSession, user_id: int, chosen: Origin, now: datetime
) -> Origin:
    """A 「구 제안」 only while its writer is still staff (a role revoked since the draft was
    begun publishes it as their own)."""
    if chosen is Origin.DISTRICT and isinstance(
            may(await load_actor(session, user_id), Action.PROPOSE_AS_DISTRICT, now=now), Allowed):
        return Origin.DISTRICT
    return Origin.RESIDENT


async def publish(
    session: AsyncSession, proposal_id: int, now: datetime, policy: Policy,
    actor_id: int | None = None,
) -> bool:
    """PENDING_MODERATION → COLLECTING: the 공감 window and its reminders start now."""
    collect_until = resident_deadline(now, policy.collection_days)
    window = collect_until - now
    return await transition(
        session,
        proposal_id,
        expected=ProposalStatus.PENDING_MODERATION,
        new=ProposalStatus.COLLECTING,
        now=now,
        actor_id=actor_id,
        guard=Proposal.kind == Kind.PROPOSAL,  # a 민원 is routed, never put up for 공감
        changes={
            "published_at": now,
            "collect_until": collect_until,
            "halfway_at": now + window / 2,
            # The start of D-3 (collect_until is the midnight that ends the last day).
            "closing_soon_at": collect_until - timedelta(days=policy.closing_soon_days + 1),
        },
        push=False,
    )


async def approve_pending(
    session: AsyncSession, proposal_id: int, now: datetime, policy: Policy, moderator_id: int
) -> bool:
    """Moderation hook: publish a proposal that waited for approval, and tell its author."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or not await publish(session, proposal_id, now, policy, moderator_id):
        return False
    notice = ProposalApproved(proposal_id, proposal.title, key=str(proposal_id))
    await enqueue_for_users(session, [proposal.author_id], notice, now)
    return True


async def reject_pending(
    session: AsyncSession, proposal_id: int, now: datetime, moderator_id: int, reason: str
) -> bool:
    """Moderation hook: PENDING_MODERATION → REJECTED with the reason, told to the author."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return False
    moved = await transition(
        session, proposal_id, expected=ProposalStatus.PENDING_MODERATION,
        new=ProposalStatus.REJECTED, now=now, actor_id=moderator_id, note=reason, push=False,
        guard=Proposal.kind != Kind.CONSULTATION,  # the district's question closes on its own
    )
    if moved:
        notice = ProposalRejected(proposal_id, proposal.title, reason, key=str(proposal_id))
        await enqueue_for_users(session, [proposal.author_id], notice, now)
        await erase_if_closed(session, proposal_id, actor=audit_actor(moderator_id), now=now)
    return moved


async def endorse(
    session: AsyncSession,
    *,
    proposal_id: int,
    user_id: int,
    now: datetime,
    policy: Policy,
    venues: Venues,
    secret_key: str,
    smtp_url: str | None,
    calendar: BusinessCalendar,
) -> EndorseResult:
    """One 공감 per person while COLLECTING; the one that reaches the threshold moves it on
    (to review, and to the category's department: `secret_key` and `smtp_url` are for its
    reply link, see `assign_department`).

    The proposal row is locked first (FOR UPDATE on PostgreSQL, the write lock on SQLite),
    so a hundred simultaneous taps count one by one and exactly one of them performs the
    COLLECTING → UNDER_REVIEW transition, in its own transaction.
    """
    await ensure_permitted(session, user_id, Action.ENDORSE, now)
    proposal = await _locked(session, proposal_id)
    if proposal is None or proposal.hidden:
        return EndorseResult(EndorseOutcome.NOT_FOUND)
    if _refused(user_id, Action.ENDORSE, proposal):  # one's own proposal
        return EndorseResult(EndorseOutcome.OWN_PROPOSAL, proposal.endorsement_count)
    if not _gathering(proposal, now):
        return EndorseResult(EndorseOutcome.NOT_COLLECTING, proposal.endorsement_count)
    if policy.endorsement_requires_contact and not await _has_phone(session, user_id):
        return EndorseResult(EndorseOutcome.NEEDS_CONTACT, proposal.endorsement_count)
    added = await session.execute(
        insert_ignoring_conflicts(
            session, Endorsement, proposal_id=proposal_id, user_id=user_id, created_at=now
        )
    )
    if not rows_affected(added):
        return EndorseResult(EndorseOutcome.ALREADY, proposal.endorsement_count)
    count = await _change_count(session, proposal_id, +1)
    await _subscribe(session, user_id, proposal_id, now)
    if proposal.status != ProposalStatus.COLLECTING:  # a late 공감: only the higher tiers
        await reach_tiers(session, proposal, count, now, policy=policy, venues=venues,
                          secret_key=secret_key, smtp_url=smtp_url, calendar=calendar)
        return EndorseResult(EndorseOutcome.ENDORSED, count)
    if count >= policy.endorsement_threshold:
        await _start_review(session, proposal, count, now, policy=policy, venues=venues,
                            secret_key=secret_key, smtp_url=smtp_url, calendar=calendar)
        return EndorseResult(EndorseOutcome.THRESHOLD_REACHED, count)
    if count == policy.endorsement_threshold - _almost_there(policy):
        await _announce(session, proposal.id, now, AlmostThere(
            proposal.id, proposal.title, count, missing=policy.endorsement_threshold - count))
    return EndorseResult(EndorseOutcome.ENDORSED, count)


def _gathering(proposal: Proposal, now: datetime) -> bool:
    """공감 count while collecting, and after the review started while a higher tier is
    configured and the collection window is open (bot/domain/tiers.py)."""
    return proposal.status == ProposalStatus.COLLECTING or accepts_late_endorsement(
        ProposalStatus(proposal.status), proposal.late_endorse_until, now)


def _refused(user_id: int, action: Action, proposal: Proposal) -> bool:
    """Whether the rules about whose the proposal is refuse `action` to `user_id` (the
    ban, if the action has one, is checked before the proposal is loaded)."""
    subject = Subject(author_id=proposal.author_id)
    return isinstance(subject_rules(user_id, action, subject), Refused)


async def withdraw_endorsement(
    session: AsyncSession, *, proposal_id: int, user_id: int
) -> EndorseResult:
    """공감 취소, only while COLLECTING."""
    proposal = await _locked(session, proposal_id)
    if proposal is None or proposal.hidden:
        return EndorseResult(EndorseOutcome.NOT_FOUND)
    if proposal.status != ProposalStatus.COLLECTING:
        return EndorseResult(EndorseOutcome.NOT_COLLECTING, proposal.endorsement_count)
    removed = await session.execute(
        delete(Endorsement).where(
            Endorsement.proposal_id == proposal_id, Endorsement.user_id == user_id
        )
    )
    if not rows_affected(removed):
        return EndorseResult(EndorseOutcome.NOT_ENDORSED, proposal.endorsement_count)
    count = await _change_count(session, proposal_id, -1)
    await session.execute(
        delete(Subscription).where(
            Subscription.proposal_id == proposal_id, Subscription.user_id == user_id
        )
    )
    return EndorseResult(EndorseOutcome.WITHDRAWN, count)


async def withdraw_proposal(
    session: AsyncSession, *, proposal_id: int, user_id: int, now: datetime
) -> WithdrawOutcome:
    """The author takes back their own COLLECTING proposal; endorsers are told."""
    proposal = await _locked(session, proposal_id)
    if proposal is None:
        return WithdrawOutcome.NOT_FOUND
    if _refused(user_id, Action.WITHDRAW_PROPOSAL, proposal):
        return WithdrawOutcome.NOT_AUTHOR
    moved = await transition(
        session, proposal_id, expected=ProposalStatus.COLLECTING,
        new=ProposalStatus.WITHDRAWN, now=now, actor_id=user_id, push=False,
    )
    if not moved:
        return WithdrawOutcome.NOT_COLLECTING
    endorsers = [uid for uid in await proposal_followers(session, proposal_id) if uid != user_id]
    notice = ProposalWithdrawn(proposal_id, proposal.title, key=str(proposal_id))
    await enqueue_for_users(session, endorsers, notice, now)
    await erase_if_closed(session, proposal_id, actor=audit_actor(user_id), now=now)
    return WithdrawOutcome.WITHDRAWN


async def set_muted(
    session: AsyncSession, *, proposal_id: int, user_id: int, muted: bool, now: datetime
) -> None:
    """Turn pushes about one proposal off or on (a follow row is kept either way); nobody
    follows a proposal they may not see (a forged button for a private 민원 changes nothing)."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or not may_see(proposal, user_id):
        return
    await _subscribe(session, user_id, proposal_id, now)
    await session.execute(
        update(Subscription)
        .where(Subscription.proposal_id == proposal_id, Subscription.user_id == user_id)
        .values(muted=muted)
    )


async def report_proposal(
    session: AsyncSession, *, proposal_id: int, user_id: int, reason: str, now: datetime,
    policy: Policy | None = None, venues: Venues | None = None,
) -> bool:
    """Record a report once per person; False for an unknown reason or a repeated report.

    With `policy` and `venues`, reports from `policy.report_hide_threshold` people hide the
    proposal and tell the moderators.
    """
    await ensure_permitted(session, user_id, Action.REPORT, now)
    proposal = await session.get(Proposal, proposal_id)
    if reason not in REPORT_REASONS or proposal is None or not may_see(proposal, user_id):
        return False
    added = await session.execute(
        insert_ignoring_conflicts(
            session, Report, user_id=user_id, target_kind="proposal", target_id=proposal_id,
            reason=reason, created_at=now,
        )
    )
    if not rows_affected(added):
        return False
    if policy is not None and venues is not None:
        await after_report(session, kind="proposal", content_id=proposal_id, now=now,
                           policy=policy, venues=venues)
    return True


async def record_phone(
    session: AsyncSession, *, user_id: int, phone: str, secret_key: str
) -> None:
    """Keep only a keyed hash of the number (see `phone_hash`)."""
    await session.execute(update(User).where(User.id == user_id)
                          .values(phone_hash=phone_hash(phone, secret_key)))


async def announce_halfway(
    session: AsyncSession, proposal_id: int, now: datetime, policy: Policy
) -> bool:
    """Deadline handler: the 공감 window is half over (told once)."""
    proposal = await _claim_reminder(session, proposal_id, Proposal.halfway_at, now)
    if proposal is None:
        return False
    if proposal.closing_soon_at is not None and proposal.closing_soon_at <= now:
        return True  # processed late: the closing reminder says more, so say only that
    await _announce(session, proposal.id, now, Halfway(
        proposal.id, proposal.title, proposal.endorsement_count, policy.endorsement_threshold))
    return True


async def announce_closing_soon(
    session: AsyncSession, proposal_id: int, now: datetime, policy: Policy
) -> bool:
    """Deadline handler: a few days left and still under the configured share of the threshold."""
    proposal = await _claim_reminder(session, proposal_id, Proposal.closing_soon_at, now)
    if proposal is None:
        return False
    if proposal.endorsement_count * 100 >= (
        policy.endorsement_threshold * policy.closing_soon_below_percent
    ):
        return True
    await _announce(session, proposal.id, now, ClosingSoon(
        proposal.id, proposal.title, proposal.endorsement_count, policy.endorsement_threshold,
        days=policy.closing_soon_days))
    return True


async def _claim_reminder(
    session: AsyncSession, proposal_id: int, column: InstrumentedAttribute[datetime | None],
    now: datetime,
) -> Proposal | None:
    """Clear a reminder column while COLLECTING; only the worker that cleared it announces."""
    cleared = await session.execute(
        update(Proposal)
        .where(
            Proposal.id == proposal_id,
            Proposal.status == ProposalStatus.COLLECTING,
            column.is_not(None),
            column <= now,
        )
        .values({column.key: None})
        .execution_options(synchronize_session=False)
    )
    if rows_affected(cleared) != 1:
        return None
    return await session.get(Proposal, proposal_id)


async def start_review_if_reached(
    session: AsyncSession, proposal_id: int, now: datetime, *, policy: Policy, venues: Venues,
    secret_key: str, smtp_url: str | None, calendar: BusinessCalendar,
) -> bool:
    """Moderation hook: after 공감 arrived in bulk (a merge), start the review if the
    threshold is reached, exactly as the tap that reaches it would (a proposal already past
    it may reach a higher tier)."""
    proposal = await _locked(session, proposal_id)
    if proposal is not None and proposal.status in LATE_ENDORSEMENT_STATES:
        await reach_tiers(session, proposal, proposal.endorsement_count, now, policy=policy,
                          venues=venues, secret_key=secret_key, smtp_url=smtp_url,
                          calendar=calendar)
        return False
    if proposal is None or proposal.status != ProposalStatus.COLLECTING \
            or proposal.endorsement_count < policy.endorsement_threshold:
        return False
    await _start_review(session, proposal, proposal.endorsement_count, now, policy=policy,
                        venues=venues, secret_key=secret_key, smtp_url=smtp_url,
                        calendar=calendar)
    return True


async def _start_review(
    session: AsyncSession,
    proposal: Proposal,
    count: int,
    now: datetime,
    *,
    policy: Policy,
    venues: Venues,
    secret_key: str,
    smtp_url: str | None,
    calendar: BusinessCalendar,
) -> None:
    review_due = official_deadline(now, policy.review_days, calendar)
    moved = await transition(
        session,
        proposal.id,
        expected=ProposalStatus.COLLECTING,
        new=ProposalStatus.UNDER_REVIEW,
        now=now,
        changes={"review_due": review_due, "halfway_at": None, "closing_soon_at": None,
                 "next_reminder_at": next_reminder(review_due, now),
                 "late_endorse_until": late_endorsement_until(policy, proposal.collect_until)},
        push=False,
    )
    if not moved:
        return
    department_id = await default_department(session, proposal.category)
    if department_id is not None:
        await assign_department(session, proposal.id, department_id, now=now, policy=policy,
                                venues=venues, secret_key=secret_key, smtp_url=smtp_url,
                                actor="자동 배정 (분야 기본 부서)")
    await _announce(session, proposal.id, now,
                    ThresholdReached(proposal.id, proposal.title, count, review_due))
    await _tell_moderators(session, venues, proposal, now, WorkKind.THRESHOLD,
                           ModerationThreshold(proposal.id, proposal.title, count,
                                               flagged=proposal.flagged,
                                               departments=await _department_choices(session),
                                               preselected=department_id))


async def _announce(
    session: AsyncSession, proposal_id: int, now: datetime, notice: Event
) -> None:
    """Tell the proposal's followers; the proposal is the notice's identity."""
    notice = notice.replace(key=str(proposal_id))
    await enqueue_for_followers(session, proposal_id, notice, now)


async def _tell_moderators(
    session: AsyncSession, venues: Venues, proposal: Proposal, now: datetime,
    work: WorkKind, notice: WorkItemEvent,
) -> None:
    """A work item with buttons in the moderators' chat (see bot/services/work_items.py)."""
    notice = notice.replace(key=str(proposal.id), urgent=True)
    await post_work_item(session, venues, kind=work, subject_kind="proposal",
                         subject_id=proposal.id, notice=notice, now=now)


async def _department_choices(session: AsyncSession) -> list[list[object]]:
    """[id, name] of the active departments, for the threshold item's buttons."""
    return [[d.id, d.name] for d in await list_departments(session)][:12]


async def _locked(session: AsyncSession, proposal_id: int) -> Proposal | None:
    query = select(Proposal).where(Proposal.id == proposal_id)
    if is_postgres(session):
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar()


async def _change_count(session: AsyncSession, proposal_id: int, delta: int) -> int:
    result = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(endorsement_count=Proposal.endorsement_count + delta)
        .returning(Proposal.endorsement_count)
        .execution_options(synchronize_session=False)
    )
    return int(result.scalar_one())


async def _subscribe(session: AsyncSession, user_id: int, proposal_id: int, now: datetime) -> None:
    await session.execute(
        insert_ignoring_conflicts(
            session, Subscription, user_id=user_id, proposal_id=proposal_id, muted=False,
            created_at=now,
        )
    )


async def _has_phone(session: AsyncSession, user_id: int) -> bool:
    return bool(await session.scalar(select(User.phone_hash).where(User.id == user_id)))


async def _submitted_today(
    session: AsyncSession, user_id: int, now: datetime, policy: Policy
) -> int:
    since = start_of_local_day(now, policy.timezone)
    count = await session.scalar(
        select(func.count()).where(Proposal.author_id == user_id, Proposal.created_at >= since)
    )
    return int(count or 0)


def _almost_there(policy: Policy) -> int:
    """How many missing 공감 trigger the 'only N more' push (10% of the threshold, at least 1)."""
    return max(1, math.ceil(policy.endorsement_threshold * policy.almost_there_percent / 100))
