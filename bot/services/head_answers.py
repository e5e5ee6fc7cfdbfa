"""The tiers above the 공감 threshold (bot/domain/tiers.py): the district head's answer and the
debate that opens on its own.

A proposal whose 공감 reach `HEAD_ANSWER_THRESHOLD` is routed to the head's office once (a
guarded UPDATE of `head_routed_at`): the office gets its own reply link, its own deadline
(`head_answer_due`) and reminders on the answer clock, and its answer (「구청장 답변」) is
pushed to the followers. Without an office the moderators are asked, through the work queue,
to add one; adding it sends the links that waited. `DEBATE_AUTO_THRESHOLD` opens the debate
through `open_debate`, only from review and only on a proposal that never had one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Proposal, ReplyLink
from bot.domain.answers import (
    AnswerForm,
    next_reminder,
    overdue_days,
    push_summary,
    reminder_kind,
)
from bot.domain.deadlines import SEOUL, BusinessCalendar
from bot.domain.events import (
    ANSWER_REMINDERS,
    HeadAnswerOverdue,
    HeadAnswerPublished,
    ModerationHeadOffice,
    ModerationHeadOverdue,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.tiers import HEAD_TRACK, Tier, head_answer_due, tiers_reached
from bot.domain.venues import Venues
from bot.services.debates.opening import OpenOutcome, open_debate
from bot.services.departments import head_office, notify_department, send_head_link
from bot.services.due import Pending
from bot.services.outbox import enqueue_for_followers
from bot.services.sql import rows_affected
from bot.services.work_items import WorkKind, post_work_item

HEAD_STAGE = "head"  # the answer clock's stage for the head's office (its reminders)


async def reach_tiers(
    session: AsyncSession, proposal: Proposal, count: int, now: datetime, *, policy: Policy,
    venues: Venues, secret_key: str, smtp_url: str | None, calendar: BusinessCalendar,
) -> frozenset[Tier]:
    """After the 공감 count changed to `count`: act on every tier it reaches, each once.
    Returns the tiers that acted now."""
    acted: set[Tier] = set()
    reached = tiers_reached(policy, count)
    if Tier.DEBATE in reached and proposal.status == ProposalStatus.UNDER_REVIEW \
            and proposal.debate_closes_at is None:
        opened = await open_debate(session, proposal.id, now=now, policy=policy, venues=venues,
                                   actor=f"자동 (공감 {count}개)", automatic=True)
        if opened is OpenOutcome.OPENED:
            acted.add(Tier.DEBATE)
    if Tier.HEAD in reached and await route_to_head(
            session, proposal.id, now, policy=policy, venues=venues, secret_key=secret_key,
            smtp_url=smtp_url, calendar=calendar):
        acted.add(Tier.HEAD)
    return frozenset(acted)


async def route_to_head(
    session: AsyncSession, proposal_id: int, now: datetime, *, policy: Policy, venues: Venues,
    secret_key: str, smtp_url: str | None, calendar: BusinessCalendar,
) -> bool:
    """Route the proposal to the head's office, once (False: it already was). The head's
    clock starts now, office or not; without one, the moderators are asked to add it."""
    due = head_answer_due(now, policy, calendar)
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.head_routed_at.is_(None))
        .values(head_routed_at=now, head_answer_due=due,
                head_reminder_at=next_reminder(due, now))
        .execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1:
        return False
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    assert proposal is not None
    office = await head_office(session)
    if office is None:
        notice = ModerationHeadOffice(proposal.id, proposal.title, proposal.endorsement_count,
                                      key=str(proposal.id), urgent=True)
        await post_work_item(session, venues, kind=WorkKind.HEAD_OFFICE, subject_kind="proposal",
                             subject_id=proposal.id, notice=notice, now=now)
        return True
    await send_head_link(session, proposal, office, now=now, policy=policy, venues=venues,
                         secret_key=secret_key, smtp_url=smtp_url)
    return True


async def route_waiting_to_head(
    session: AsyncSession, now: datetime, *, policy: Policy, venues: Venues, secret_key: str,
    smtp_url: str | None,
) -> int:
    """Once a head's office exists: send it the links of the proposals routed while there was
    none (routed, not yet answered, no live link of the head's). Returns how many."""
    office = await head_office(session)
    if office is None:
        return 0
    live_link = exists().where(and_(
        ReplyLink.proposal_id == Proposal.id, ReplyLink.track == HEAD_TRACK,
        ReplyLink.revoked_at.is_(None)))
    waiting = list(await session.scalars(
        select(Proposal).where(Proposal.head_routed_at.is_not(None),
                               Proposal.head_answered_at.is_(None), ~live_link)
        .order_by(Proposal.id)))
    for proposal in waiting:
        await send_head_link(session, proposal, office, now=now, policy=policy, venues=venues,
                             secret_key=secret_key, smtp_url=smtp_url)
    return len(waiting)


class HeadLinkOutcome(StrEnum):
    SENT = "sent"
    NOT_FOUND = "not_found"
    NOT_ROUTED = "not_routed"  # its 공감 have not reached HEAD_ANSWER_THRESHOLD
    ANSWERED = "answered"  # the head has answered: nothing to reply to
    NO_OFFICE = "no_office"


@dataclass(frozen=True)
class HeadLinkResult:
    outcome: HeadLinkOutcome
    url: str | None = None
    office: str | None = None


async def reissue_head_link(
    session: AsyncSession, proposal_id: int, now: datetime, *, policy: Policy, venues: Venues,
    secret_key: str, smtp_url: str | None,
) -> HeadLinkResult:
    """A moderator sends the head's office a fresh link (a lost or expired one is revoked),
    while the head has not answered. Outcomes: SENT (with the address), NOT_FOUND, NOT_ROUTED,
    ANSWERED, NO_OFFICE."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None:
        return HeadLinkResult(HeadLinkOutcome.NOT_FOUND)
    if proposal.head_routed_at is None:
        return HeadLinkResult(HeadLinkOutcome.NOT_ROUTED)
    if proposal.head_answered_at is not None:
        return HeadLinkResult(HeadLinkOutcome.ANSWERED)
    office = await head_office(session)
    if office is None:
        return HeadLinkResult(HeadLinkOutcome.NO_OFFICE)
    url = await send_head_link(session, proposal, office, now=now, policy=policy, venues=venues,
                               secret_key=secret_key, smtp_url=smtp_url)
    return HeadLinkResult(HeadLinkOutcome.SENT, url, office.name)


async def claim_head_answer(session: AsyncSession, proposal_id: int, now: datetime) -> bool:
    """The head's answer is published once: the first submission stops the head's clock."""
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.head_routed_at.is_not(None),
               Proposal.head_answered_at.is_(None))
        .values(head_answered_at=now, head_reminder_at=None)
        .execution_options(synchronize_session=False))
    return rows_affected(claimed) == 1


async def announce_head_answer(
    session: AsyncSession, proposal: Proposal, form: AnswerForm, office: str, now: datetime,
    venues: Venues,
) -> None:
    """「구청장 답변」 to the proposal's followers, once per proposal."""
    notice = HeadAnswerPublished(
        proposal.id, proposal.title, office, url=f"{venues.public_base_url}/p/{proposal.id}",
        summary=push_summary(form), decision=form.decision,
        key=str(proposal.id))
    await enqueue_for_followers(session, proposal.id, notice, now)


async def remind_head_office(
    session: AsyncSession, proposal_id: int, now: datetime, venues: Venues, smtp_url: str | None,
) -> bool:
    """The head's answer clock: D-7 and D-1 reminders, then weekly overdue ones, to the
    office's chat and e-mail (the department's clock, on the head's own deadline); once it
    is overdue, the moderators and the followers are told, once."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.head_reminder_at is None \
            or proposal.head_reminder_at > now or proposal.head_answer_due is None:
        return False
    due = proposal.head_answer_due
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.head_reminder_at == proposal.head_reminder_at)
        .values(head_reminder_at=next_reminder(due, now))
        .execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1:
        return False
    kind, late = reminder_kind(due, now), overdue_days(due, now)
    office = await head_office(session)
    if office is not None:
        key = f"{HEAD_STAGE}:{proposal.id}:{due.date()}:{now.astimezone(SEOUL).date()}"
        reminder = ANSWER_REMINDERS[kind](proposal.id, proposal.title, due, HEAD_STAGE, late,
                                          key=key)
        await notify_department(session, office, reminder, now, smtp_url)
    if kind == "overdue":
        await _announce_head_overdue(session, proposal, due, late, now, venues)
    return True


async def _announce_head_overdue(
    session: AsyncSession, proposal: Proposal, due: datetime, days: int, now: datetime,
    venues: Venues,
) -> None:
    """The first overdue reminder tells the moderators (a work item naming /head_link) and the
    followers; the weekly ones after it change nothing (the same identity)."""
    once = f"{HEAD_STAGE}:{proposal.id}:{due.date()}"
    notice = ModerationHeadOverdue(proposal.id, proposal.title, due, HEAD_STAGE, days, key=once,
                                   urgent=True)
    await post_work_item(session, venues, kind=WorkKind.HEAD_OVERDUE, subject_kind="proposal",
                         subject_id=proposal.id, notice=notice, now=now)
    await enqueue_for_followers(session, proposal.id,
                                HeadAnswerOverdue(proposal.id, proposal.title, due, HEAD_STAGE,
                                                  days, key=once), now)


async def due_head_reminders(session: AsyncSession, now: datetime) -> list[int]:
    """Proposals whose head's reminder is due (the deadline machine's check)."""
    return list(await session.scalars(
        select(Proposal.id).where(Proposal.head_reminder_at <= now)
        .order_by(Proposal.head_reminder_at, Proposal.id)))


HEAD_REMINDERS = Pending(Proposal.head_reminder_at, Proposal.head_reminder_at.is_not(None))
