"""Promises kept after an accepting answer: the plan's steps, progress requests, late steps.

A final answer that accepts the proposal (fully or in part) may carry a plan
(bot/domain/milestones.py). Its steps become rows that the deadline machine watches: a
reminder to the department a few days before each step's day (`remind_at`), and, when the day
passes with the step not reached, a public 「지연」 flag, a notice to the followers and one to
the department (`overdue_at`). Each of those columns is cleared by the guarded UPDATE that
acts on it, so every reminder and flag happens once. Until the work is complete the
department is also asked for a progress update when it has been quiet for a while
(`proposals.progress_due_at`). The department's notices carry a fresh reply link (earlier
links stay valid until they expire): a plan can run far longer than a link lives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Answer, Department, Milestone, Proposal
from bot.domain.deadlines import BusinessCalendar, end_of_day
from bot.domain.events import MilestoneDue, MilestoneLate, MilestoneOverdue, ProgressRequested
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import (
    PlannedStep,
    next_progress_request,
    overdue_at,
    reminder_at,
)
from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.services.departments import issue_follow_up_link, notify_department
from bot.services.due import Pending
from bot.services.outbox import enqueue_for_followers
from bot.services.sql import rows_affected

S = ProposalStatus
DueColumn = InstrumentedAttribute[datetime | None]
CARRIED_OUT = (S.ANSWERED, S.IN_PROGRESS)  # accepted, and not complete yet
NOT_REACHED = Milestone.reached_at.is_(None)
MILESTONE_REMINDERS = Pending(Milestone.remind_at, NOT_REACHED)
LATE_MILESTONES = Pending(Milestone.overdue_at, NOT_REACHED)
PROGRESS_REQUESTS = Pending(Proposal.progress_due_at, Proposal.status.in_(CARRIED_OUT))


@dataclass(frozen=True)
class FollowUp:
    """Where a department's notice sends it, and how the machine reaches it."""

    policy: Policy
    calendar: BusinessCalendar
    venues: Venues
    smtp_url: str | None
    secret_key: str | None  # None: the notices point at the public page instead of a link


async def store_plan(
    session: AsyncSession, proposal_id: int, answer_id: int, steps: Iterable[PlannedStep],
    now: datetime, policy: Policy, calendar: BusinessCalendar,
) -> None:
    """The accepting answer's plan, numbered in date order, with its reminders and overdue
    instants; progress updates are asked for from now on."""
    for position, step in enumerate(steps, start=1):
        session.add(Milestone(
            proposal_id=proposal_id, answer_id=answer_id, position=position, due_on=step.due_on,
            title=step.title, overdue_at=overdue_at(step.due_on),
            remind_at=reminder_at(step.due_on, policy.milestone_reminder_days, now, calendar)))
    await _ask_progress_after(session, proposal_id, now, policy, calendar)


async def record_progress(
    session: AsyncSession, proposal_id: int, answer_id: int, reached: Iterable[int], *,
    completed: bool, now: datetime, policy: Policy, calendar: BusinessCalendar,
) -> list[str]:
    """A progress update: the steps it names are reached (all of them when the work is
    complete), and the next request moves on; returns the reached steps' titles."""
    condition: ColumnElement[bool] = (true() if completed
                                      else Milestone.position.in_(list(reached)))
    titles = list(await session.scalars(
        update(Milestone)
        .where(Milestone.proposal_id == proposal_id, NOT_REACHED, condition)
        .values(reached_at=now, reached_answer_id=answer_id, remind_at=None, overdue_at=None)
        .returning(Milestone.title)
        .execution_options(synchronize_session=False)))
    if completed:
        await session.execute(update(Proposal).where(Proposal.id == proposal_id)
                              .values(progress_due_at=None)
                              .execution_options(synchronize_session=False))
    else:
        await _ask_progress_after(session, proposal_id, now, policy, calendar)
    return titles


async def open_steps(session: AsyncSession, proposal_id: int) -> frozenset[int]:
    """The numbers of the plan's steps not reached yet."""
    return frozenset(await session.scalars(
        select(Milestone.position).where(Milestone.proposal_id == proposal_id, NOT_REACHED)))


async def due_milestone_reminders(session: AsyncSession, now: datetime) -> list[int]:
    return await _due(session, Milestone.remind_at, now)


async def due_late_milestones(session: AsyncSession, now: datetime) -> list[int]:
    return await _due(session, Milestone.overdue_at, now)


async def due_progress_requests(session: AsyncSession, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(Proposal.id)
        .where(PROGRESS_REQUESTS.where, Proposal.progress_due_at <= now)
        .order_by(Proposal.progress_due_at, Proposal.id)))


async def remind_milestone(
    session: AsyncSession, milestone_id: int, now: datetime, follow_up: FollowUp
) -> bool:
    """The department's reminder a few days before a step's day, once."""
    step = await _claim(session, milestone_id, Milestone.remind_at, now, {"remind_at": None})
    if step is None:
        return False
    proposal, department = await _proposal_and_department(session, step.proposal_id)
    if department is None:
        return True
    url = await _department_url(session, proposal, department, now, follow_up)
    notice = MilestoneDue(proposal.id, proposal.title, step.title, step.position,
                          end_of_day(step.due_on), url, key=f"{step.id}:due")
    await notify_department(session, department, notice, now, follow_up.smtp_url)
    return True


async def flag_late_milestone(
    session: AsyncSession, milestone_id: int, now: datetime, follow_up: FollowUp
) -> bool:
    """A step whose day passed unreached: shown late publicly, the followers and the
    department told, once."""
    step = await _claim(session, milestone_id, Milestone.overdue_at, now,
                        {"overdue_at": None, "remind_at": None, "flagged_at": now})
    if step is None:
        return False
    proposal, department = await _proposal_and_department(session, step.proposal_id)
    due = end_of_day(step.due_on)
    page = f"{follow_up.venues.public_base_url}/p/{proposal.id}"
    await enqueue_for_followers(session, proposal.id, MilestoneOverdue(
        proposal.id, proposal.title, step.title, step.position, due, page,
        key=f"{step.id}:late"), now)
    if department is not None:
        url = await _department_url(session, proposal, department, now, follow_up)
        notice = MilestoneLate(proposal.id, proposal.title, step.title, step.position, due, url,
                               key=f"{step.id}:late")
        await notify_department(session, department, notice, now, follow_up.smtp_url)
    return True


async def request_progress(
    session: AsyncSession, proposal_id: int, now: datetime, follow_up: FollowUp
) -> bool:
    """Ask the department where the work stands, once per quiet period."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.progress_due_at is None or proposal.progress_due_at > now:
        return False
    asked_for = proposal.progress_due_at
    policy = follow_up.policy
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.progress_due_at == asked_for,
               Proposal.status.in_(CARRIED_OUT))
        .values(progress_due_at=next_progress_request(now, policy.progress_update_days,
                                                      follow_up.calendar))
        .execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1 or proposal.department_id is None:
        return rows_affected(claimed) == 1
    department = await session.get(Department, proposal.department_id)
    assert department is not None
    url = await _department_url(session, proposal, department, now, follow_up)
    since = await _last_report(session, proposal_id) or now
    notice = ProgressRequested(proposal.id, proposal.title, department.name, since, url,
                               key=f"{proposal.id}:{asked_for.isoformat()}")
    await notify_department(session, department, notice, now, follow_up.smtp_url)
    return True


async def _ask_progress_after(
    session: AsyncSession, proposal_id: int, now: datetime, policy: Policy,
    calendar: BusinessCalendar,
) -> None:
    at = next_progress_request(now, policy.progress_update_days, calendar)
    await session.execute(update(Proposal).where(Proposal.id == proposal_id)
                          .values(progress_due_at=at)
                          .execution_options(synchronize_session=False))


async def _due(session: AsyncSession, column: DueColumn, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(Milestone.id).where(NOT_REACHED, column <= now).order_by(column, Milestone.id)))


async def _claim(
    session: AsyncSession, milestone_id: int, column: DueColumn, now: datetime,
    values: dict[str, object],
) -> Milestone | None:
    """The step, if this transaction is the one that clears its due `column`."""
    claimed = await session.execute(
        update(Milestone)
        .where(Milestone.id == milestone_id, NOT_REACHED, column <= now)
        .values(**values).execution_options(synchronize_session=False))
    if rows_affected(claimed) != 1:
        return None
    return await session.get(Milestone, milestone_id, populate_existing=True)


async def _proposal_and_department(
    session: AsyncSession, proposal_id: int
) -> tuple[Proposal, Department | None]:
    proposal = await session.get(Proposal, proposal_id)
    assert proposal is not None, "a milestone belongs to a proposal"
    department = (await session.get(Department, proposal.department_id)
                  if proposal.department_id is not None else None)
    return proposal, department


async def _department_url(
    session: AsyncSession, proposal: Proposal, department: Department, now: datetime,
    follow_up: FollowUp,
) -> str:
    if follow_up.secret_key is None:
        return f"{follow_up.venues.public_base_url}/p/{proposal.id}"
    return await issue_follow_up_link(session, proposal.id, department.id, now=now,
                                      policy=follow_up.policy, venues=follow_up.venues,
                                      secret_key=follow_up.secret_key)


async def _last_report(session: AsyncSession, proposal_id: int) -> datetime | None:
    """When the department last spoke on the work: its latest answer."""
    return await session.scalar(select(Answer.created_at).where(Answer.proposal_id == proposal_id)
                                .order_by(Answer.created_at.desc()).limit(1))

