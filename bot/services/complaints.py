"""민원 after intake: staff route each to a department with the 처리기간 of its kind.

A resident sends a draft as a 민원 (`proposals.submit_draft` with a `Complaint`): it waits in
PENDING_MODERATION as a work item for the staff's triage. Routing it names its kind (the
deadline follows, bot/domain/complaints.py, counted from its receipt) and its department, which
gets a reply link as for a proposal; the 민원 moves straight to AWAITING_ANSWER, where the
answer clock's reminders and the reply page's answers work as for proposals. The resident is
told the department and the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Department, Proposal
from bot.domain.answers import next_reminder
from bot.domain.complaints import ROUTED_NOTE, ComplaintKind, complaint_deadline, period_of
from bot.domain.deadlines import BusinessCalendar
from bot.domain.events import ComplaintRouted
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.proposals import Kind
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.departments import AssignOutcome, assign_department
from bot.services.lifecycle import transition
from bot.services.outbox import enqueue_for_users


class RouteOutcome(StrEnum):
    ROUTED = "routed"
    NOT_FOUND = "not_found"  # no such 민원
    ALREADY = "already"  # routed (or closed) before
    NO_DEPARTMENT = "no_department"  # unknown or archived


@dataclass(frozen=True)
class RouteResult:
    outcome: RouteOutcome
    department: str = ""
    due: datetime | None = None
    url: str | None = None


async def route_complaint(
    session: AsyncSession, proposal_id: int, department_id: int, kind: ComplaintKind, *,
    now: datetime, policy: Policy, venues: Venues, secret_key: str, smtp_url: str | None,
    calendar: BusinessCalendar, actor: str,
) -> RouteResult:
    """Route a 민원 once: its kind, its deadline from its receipt, its department's link."""
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.kind != Kind.COMPLAINT:
        return RouteResult(RouteOutcome.NOT_FOUND)
    department = await session.get(Department, department_id)
    if department is None or department.archived:
        return RouteResult(RouteOutcome.NO_DEPARTMENT)
    due = complaint_deadline(proposal.created_at, period_of(policy.complaint_periods, kind),
                             calendar)
    moved = await transition(
        session, proposal_id, expected=ProposalStatus.PENDING_MODERATION,
        new=ProposalStatus.AWAITING_ANSWER, now=now, note=ROUTED_NOTE, push=False,
        changes={"answer_due": due, "complaint_kind": kind.value,
                 "next_reminder_at": next_reminder(due, now, calendar=calendar)})
    if not moved:
        return RouteResult(RouteOutcome.ALREADY)
    assigned = await assign_department(session, proposal_id, department_id, now=now,
                                       policy=policy, venues=venues, secret_key=secret_key,
                                       smtp_url=smtp_url, actor=actor)
    assert assigned.outcome is AssignOutcome.ASSIGNED, "an awaited 민원 can be assigned"
    record_audit(session, now, actor, "complaint.route", f"proposal:{proposal_id}",
                 after={"kind": kind.value, "department_id": department_id,
                        "due": due.isoformat()})
    await enqueue_for_users(session, [proposal.author_id], ComplaintRouted(
        proposal_id, proposal.title, department.name, kind.value, due,
        key=str(proposal_id)), now)
    return RouteResult(RouteOutcome.ROUTED, department.name, due, assigned.url)
