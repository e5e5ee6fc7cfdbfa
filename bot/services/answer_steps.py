"""The answer window's one-off steps: ask for a 중간답변, flag its absence, escalate an overdue
final answer (see bot/domain/answer_clock.py for when each happens).

The deadline machine calls `run_answer_steps` when `proposals.answer_step_at` has passed.
The step is claimed by a guarded UPDATE of that column, so two processes racing, or a sweep
repeating, run each step once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, Department, Proposal
from bot.domain.answer_clock import (
    AnswerStep,
    Steps,
    answer_steps,
    first_step_after,
    steps_to_run,
)
from bot.domain.answers import AnswerKind, overdue_days
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import (
    AnswerEscalated,
    InterimMissing,
    InterimRequested,
    ModerationInterimMissing,
    ModerationOverdue,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.quiet_hours import QuietHours
from bot.domain.venues import Venues
from bot.services.departments import email_department, notify_department
from bot.services.sql import rows_affected
from bot.services.work_items import WorkKind, post_work_item


def steps_of(proposal: Proposal, calendar: BusinessCalendar) -> Steps:
    """The steps of the proposal's answer window (none before the debate closed)."""
    if proposal.debate_closes_at is None or proposal.answer_due is None:
        return ()
    return answer_steps(proposal.debate_closes_at, proposal.answer_due, calendar)


def first_answer_step(
    debate_closes_at: datetime, answer_due: datetime, now: datetime, calendar: BusinessCalendar
) -> datetime | None:
    """What `answer_step_at` starts as when the answer window opens."""
    return first_step_after(answer_steps(debate_closes_at, answer_due, calendar), now)


async def has_interim(session: AsyncSession, proposal: Proposal) -> bool:
    """A 중간답변 came during the answer window (after the debate closed)."""
    if proposal.debate_closes_at is None:
        return False
    count = await session.scalar(select(func.count()).select_from(Answer).where(
        Answer.proposal_id == proposal.id, Answer.kind == AnswerKind.INTERIM.value,
        Answer.created_at >= proposal.debate_closes_at))
    return bool(count)


async def run_answer_steps(
    session: AsyncSession, proposal_id: int, now: datetime, *, venues: Venues,
    calendar: BusinessCalendar, smtp_url: str | None, quiet: QuietHours | None = None,
) -> bool:
    """Run the steps due since `answer_step_at` and arm the next one; False when there was
    nothing to do or another process claimed them first.

    Steps fall at 09:00; one that a late sweep finds during the `quiet` hours waits for the
    first sweep after them (the moderators' work items are urgent and would ring at night).
    """
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    since = proposal.answer_step_at if proposal is not None else None
    if (proposal is None or since is None or since > now
            or proposal.status != ProposalStatus.AWAITING_ANSWER
            or (quiet is not None and quiet.contains(now))):
        return False
    steps = steps_of(proposal, calendar)
    claimed = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.answer_step_at == since,
               Proposal.status == ProposalStatus.AWAITING_ANSWER)
        .values(answer_step_at=first_step_after(steps, now))
        .execution_options(synchronize_session=False)
    )
    if rows_affected(claimed) != 1:
        return False
    for step in steps_to_run(steps, since, now):
        await _run(session, step, proposal, now, venues, smtp_url)
    return True


async def _run(
    session: AsyncSession, step: AnswerStep, proposal: Proposal, now: datetime, venues: Venues,
    smtp_url: str | None,
) -> None:
    department = (
        await session.get(Department, proposal.department_id) if proposal.department_id else None
    )
    if step in (AnswerStep.ASK_INTERIM, AnswerStep.CHECK_INTERIM):
        if not await has_interim(session, proposal):
            ask = _ask_for_interim if step is AnswerStep.ASK_INTERIM else _flag_missing_interim
            await ask(session, proposal, department, now, venues, smtp_url)
        return
    if step is AnswerStep.TELL_HEAD and department is not None and await _tell_head(
            session, proposal, department, now, smtp_url):
        return
    # the third step, or the second without a head to write to: the work item is kept once
    # per deadline, so a department without a head has its moderators told once, a day early
    await _tell_moderators(session, proposal, now, venues)


async def _ask_for_interim(
    session: AsyncSession, proposal: Proposal, department: Department | None, now: datetime,
    venues: Venues, smtp_url: str | None,
) -> None:
    assert proposal.answer_due is not None
    if department is not None:
        notice = InterimRequested(proposal.id, proposal.title, proposal.answer_due,
                                  str(proposal.status), key=_once(proposal))
        await notify_department(session, department, notice, now, smtp_url)


async def _flag_missing_interim(
    session: AsyncSession, proposal: Proposal, department: Department | None, now: datetime,
    venues: Venues, smtp_url: str | None,
) -> None:
    """The public page shows 「중간답변 없음」 by itself; the moderators and the department's
    e-mail are told."""
    assert proposal.answer_due is not None
    fields = (proposal.id, proposal.title, proposal.answer_due, str(proposal.status))
    await post_work_item(session, venues, kind=WorkKind.INTERIM_MISSING,
                         subject_kind="proposal", subject_id=proposal.id, now=now,
                         notice=ModerationInterimMissing(*fields, key=_once(proposal),
                                                         urgent=True))
    if department is not None:
        await email_department(session, department, InterimMissing(*fields, key=_once(proposal)),
                               now, smtp_url)


async def _tell_head(
    session: AsyncSession, proposal: Proposal, department: Department, now: datetime,
    smtp_url: str | None,
) -> bool:
    """E-mail the department head (the escalation's second step); False when there is none
    to write to."""
    assert proposal.answer_due is not None
    notice = AnswerEscalated(proposal.id, proposal.title, proposal.answer_due,
                             str(proposal.status), overdue_days(proposal.answer_due, now),
                             department=department.name, key=_once(proposal))
    return await email_department(session, department, notice, now, smtp_url, head=True)


async def _tell_moderators(
    session: AsyncSession, proposal: Proposal, now: datetime, venues: Venues
) -> None:
    """The overdue work item, once per answer deadline."""
    assert proposal.answer_due is not None
    due = proposal.answer_due
    notice = ModerationOverdue(proposal.id, proposal.title, due, str(proposal.status),
                               overdue_days(due, now), key=f"{proposal.id}:{due.date()}",
                               urgent=True)
    await post_work_item(session, venues, kind=WorkKind.OVERDUE, subject_kind="proposal",
                         subject_id=proposal.id, notice=notice, now=now)


def _once(proposal: Proposal) -> str:
    assert proposal.answer_due is not None
    return f"{proposal.id}:{proposal.answer_due.date()}"
