"""The deadline machine: every deadline is a column; this module acts on the ones that passed.

APScheduler jobs and the periodic sweep only decide *when* to call `run_due`; the rows
decide *what* is due. Each item runs in its own transaction through a guarded transition,
so running it twice, late, or on two workers at once changes the proposal exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from bot.clock import Clock
from bot.db.models import Proposal
from bot.domain.answer_clock import DeadlineRules
from bot.domain.answers import next_reminder
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import ProposalExpired
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.services.answer_steps import first_answer_step, run_answer_steps
from bot.services.answers import remind_department
from bot.services.ballots import REMIND_6H, REMIND_48H  # budget ballot reminders
from bot.services.budget import (  # budget rounds
    close_round,
    count_round,
    due_closings,
    due_counts,
    due_openings,
    no_upcoming,
    open_round,
    upcoming_closings,
    upcoming_openings,
)
from bot.services.callbacks import SYSTEM_ACTOR, erase_if_closed
from bot.services.debates import finish_debate, remind_debate  # debates
from bot.services.head_answers import (  # the head's answer tier
    due_head_reminders,
    remind_head_office,
    upcoming_head_reminders,
)
from bot.services.lifecycle import transition
from bot.services.outbox import enqueue_for_users, proposal_followers
from bot.services.polls import close_poll, due_poll_ids, upcoming_closes  # polls
from bot.services.proposals import announce_closing_soon, announce_halfway

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadlineContext:
    """What every deadline handler may need: the rules, the calendar, where to publish, and
    the SMTP address that departments' reminders go through (None: no e-mail)."""

    policy: Policy
    calendar: BusinessCalendar
    venues: Venues = Venues()
    smtp_url: str | None = None


Handler = Callable[[AsyncSession, int, datetime, DeadlineContext], Awaitable[bool]]


def needing_no_context(
    handle: Callable[[AsyncSession, int, datetime], Awaitable[bool]],
) -> Handler:
    """A deadline handler that needs nothing from the machine's context, in the shape the
    machine calls."""

    async def handled(
        session: AsyncSession, item: int, now: datetime, context: DeadlineContext
    ) -> bool:
        return await handle(session, item, now)

    return handled


@dataclass(frozen=True)
class DeadlineKind:
    """One kind of deadline: proposals in `status` whose `column` has passed get `handle`d."""

    name: str
    status: ProposalStatus
    column: InstrumentedAttribute[datetime | None]
    handle: Handler


@dataclass(frozen=True)
class DueCheck:
    """A deadline kept outside the proposals table (polls, budget rounds, ballot reminders):
    which ids are due or upcoming, and how to handle one id with the machine's context;
    `handle` must be idempotent (a guarded UPDATE)."""

    name: str
    due: Callable[[AsyncSession, datetime], Awaitable[list[int]]]
    upcoming: Callable[[AsyncSession, datetime], Awaitable[list[tuple[int, datetime]]]]
    handle: Handler


@dataclass(frozen=True)
class Alarm:
    job_id: str
    at: datetime


async def expire_collection(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    """COLLECTING → EXPIRED once the window ended below the threshold; tells followers."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return False
    moved = await transition(
        session,
        proposal_id,
        expected=ProposalStatus.COLLECTING,
        new=ProposalStatus.EXPIRED,
        now=now,
        guard=Proposal.collect_until <= now,
        push=False,
    )
    if moved:
        notice = ProposalExpired(
            proposal_id, proposal.title, proposal.endorsement_count,
            context.policy.endorsement_threshold, key=str(proposal_id),
        )
        followers = await proposal_followers(session, proposal_id)
        await enqueue_for_users(session, followers, notice, now)
        await erase_if_closed(session, proposal_id, actor=SYSTEM_ACTOR, now=now)
    return moved


async def close_debate(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    """IN_DEBATE → AWAITING_ANSWER; the answer clock starts from the scheduled close."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.debate_closes_at is None:
        return False
    closes = proposal.debate_closes_at
    rules = DeadlineRules(context.policy.answer_days, context.calendar)
    answer_due = rules.answer_due_after(closes)  # what the debate's screens said would follow
    moved = await transition(
        session,
        proposal_id,
        expected=ProposalStatus.IN_DEBATE,
        new=ProposalStatus.AWAITING_ANSWER,
        now=now,
        changes={"answer_due": answer_due,
                 "next_reminder_at": next_reminder(answer_due, now, calendar=context.calendar),
                 "answer_step_at": first_answer_step(closes, answer_due, now, context.calendar),
                 "debate_reminder_at": None},
        guard=Proposal.debate_closes_at <= now,
        push=False,
    )
    if moved:  # the summary is stored and sent in this same transaction
        await finish_debate(session, proposal_id, now=now, answer_due=answer_due)
    return moved


async def remind_halfway(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await announce_halfway(session, proposal_id, now, context.policy)


async def remind_closing_soon(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await announce_closing_soon(session, proposal_id, now, context.policy)


async def remind_answer_clock(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await remind_department(session, proposal_id, now, context.venues, context.smtp_url,
                                   context.calendar)


async def run_answer_window_steps(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    """The interim request and check, and the overdue escalation (bot/services/answer_steps)."""
    return await run_answer_steps(session, proposal_id, now, venues=context.venues,
                                  calendar=context.calendar, smtp_url=context.smtp_url,
                                  quiet=context.policy.quiet_hours)


async def remind_head_clock(
    session: AsyncSession, proposal_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await remind_head_office(session, proposal_id, now, context.venues, context.smtp_url)


async def open_budget_round(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await open_round(session, round_id, now, context.venues)


async def count_budget_round(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await count_round(session, round_id, now, context.venues)


async def remind_ballots_48h(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await REMIND_48H.handle(session, round_id, now, context.policy)


async def remind_ballots_6h(
    session: AsyncSession, round_id: int, now: datetime, context: DeadlineContext
) -> bool:
    return await REMIND_6H.handle(session, round_id, now, context.policy)


# Order matters: a window that ended while the app was down expires before its reminders,
# so nobody is told "half the time is left" about a closed proposal.
DEADLINE_KINDS: tuple[DeadlineKind, ...] = (
    DeadlineKind("collect", ProposalStatus.COLLECTING, Proposal.collect_until, expire_collection),
    DeadlineKind("debate", ProposalStatus.IN_DEBATE, Proposal.debate_closes_at, close_debate),
    DeadlineKind(  # debates: D-3 reminder to endorsers who have not taken part
        "debate_reminder", ProposalStatus.IN_DEBATE, Proposal.debate_reminder_at,
        needing_no_context(remind_debate)
    ),
    DeadlineKind("halfway", ProposalStatus.COLLECTING, Proposal.halfway_at, remind_halfway),
    DeadlineKind(
        "closing_soon", ProposalStatus.COLLECTING, Proposal.closing_soon_at, remind_closing_soon
    ),
    DeadlineKind(
        "review_clock", ProposalStatus.UNDER_REVIEW, Proposal.next_reminder_at, remind_answer_clock
    ),
    DeadlineKind(
        "answer_clock", ProposalStatus.AWAITING_ANSWER, Proposal.next_reminder_at,
        remind_answer_clock,
    ),
    DeadlineKind(  # after the answer clock: its first overdue reminder goes before escalation
        "answer_steps", ProposalStatus.AWAITING_ANSWER, Proposal.answer_step_at,
        run_answer_window_steps,
    ),
)

# polls: closing a poll at `closes_at` (the PollSender then stops the copies and announces)
DUE_CHECKS: tuple[DueCheck, ...] = (
    DueCheck("poll_close", due_poll_ids, upcoming_closes, needing_no_context(close_poll)),
    # budget rounds, in this order: a round whose whole window passed while the app was down
    # opens, closes and is counted in one sweep, before any ballot reminder could go out
    DueCheck("budget_open", due_openings, upcoming_openings, open_budget_round),
    DueCheck("budget_close", due_closings, upcoming_closings, needing_no_context(close_round)),
    DueCheck("budget_count", due_counts, no_upcoming, count_budget_round),
    # budget ballot: unsubmitted drafts are reminded 48 h and 6 h before the close, once each
    DueCheck("budget_remind_48h", REMIND_48H.due, REMIND_48H.upcoming, remind_ballots_48h),
    DueCheck("budget_remind_6h", REMIND_6H.due, REMIND_6H.upcoming, remind_ballots_6h),
    # the head's answer clock: its own deadline, in any state, until it has answered
    DueCheck("head_clock", due_head_reminders, upcoming_head_reminders, remind_head_clock),
)


class DeadlineMachine:
    """Processes due deadlines and lists future ones for the scheduler."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        context: DeadlineContext,
        kinds: tuple[DeadlineKind, ...] = DEADLINE_KINDS,
        on_transition: Callable[[str], None] | None = None,
        checks: tuple[DueCheck, ...] = DUE_CHECKS,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._context = context
        self._kinds = kinds
        self._on_transition = on_transition
        self._checks = checks

    async def run_due(self, now: datetime | None = None) -> int:
        """Handle every deadline passed by `now` (default: the clock's now); returns how many
        transitions happened."""
        now = now or self._clock.now()
        done = 0
        for kind in self._kinds:
            for proposal_id in await self._due_ids(kind, now):
                if await self._handle_one(kind, proposal_id, now):
                    done += 1
        for check in self._checks:
            done += await self._run_check(check, now)
        return done

    async def upcoming(self, after: datetime | None = None) -> list[Alarm]:
        """One alarm per deadline later than `after` (default: the clock's now), named
        `<kind>:<proposal id>`."""
        now = after or self._clock.now()
        alarms: list[Alarm] = []
        async with self._sessionmaker() as session:
            for kind in self._kinds:
                rows = await session.execute(
                    select(Proposal.id, kind.column).where(
                        Proposal.status == kind.status, kind.column > now
                    )
                )
                alarms += [Alarm(f"{kind.name}:{pid}", at) for pid, at in rows if at is not None]
            for check in self._checks:
                alarms += [Alarm(f"{check.name}:{item}", at)
                           for item, at in await check.upcoming(session, now)]
        return alarms

    async def _due_ids(self, kind: DeadlineKind, now: datetime) -> list[int]:
        async with self._sessionmaker() as session:
            rows = await session.scalars(
                select(Proposal.id)
                .where(Proposal.status == kind.status, kind.column <= now)
                .order_by(kind.column, Proposal.id)
            )
            return list(rows)

    async def _run_check(self, check: DueCheck, now: datetime) -> int:
        """Handle each due item of a non-proposal deadline in its own transaction."""
        async with self._sessionmaker() as session:
            due = await check.due(session, now)
        done = 0
        for item in due:
            try:
                async with self._sessionmaker() as session, session.begin():
                    moved = await check.handle(session, item, now, self._context)
            except Exception:
                log.exception("deadline %s for %s failed; the sweep will retry", check.name, item)
                continue
            if moved:
                done += 1
                log.info("deadline %s processed for %s", check.name, item)
                if self._on_transition is not None:
                    self._on_transition(check.name)
        return done

    async def _handle_one(self, kind: DeadlineKind, proposal_id: int, now: datetime) -> bool:
        try:
            async with self._sessionmaker() as session, session.begin():
                moved = await kind.handle(session, proposal_id, now, self._context)
        except Exception:
            log.exception("deadline %s for proposal %s failed; the sweep will retry",
                          kind.name, proposal_id)
            return False
        if moved:
            log.info("deadline %s processed for proposal %s", kind.name, proposal_id)
            if self._on_transition is not None:
                self._on_transition(kind.name)
        return moved
