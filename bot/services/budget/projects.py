"""Putting projects on a round's ballot while it prepares: one by hand, or every proposal
the departments accepted with a budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, BudgetProject, BudgetRound, Proposal, RoundPhase
from bot.domain.answers import ACCEPTING, AnswerKind
from bot.domain.pb.rounds import ProjectSpec
from bot.services.audit import record_audit
from bot.services.budget.queries import locked_round
from bot.services.sql import insert_ignoring_conflicts, rows_affected


class ProjectOutcome(StrEnum):
    ADDED = "added"
    UNKNOWN_ROUND = "unknown_round"
    NOT_PREPARING = "not_preparing"


@dataclass(frozen=True)
class ProjectResult:
    outcome: ProjectOutcome
    project_id: int | None = None
    over_budget: bool = False  # allowed, but the admin is warned: it can never be funded
    added: int = 0
    already: int = 0


@dataclass(frozen=True)
class AcceptedProposal:
    proposal_id: int
    title: str
    description: str
    budget_krw: int
    area: str | None
    category: str | None


async def add_project(
    session: AsyncSession, round_id: int, spec: ProjectSpec, *, now: datetime, actor: str
) -> ProjectResult:
    """Add a project to a round that has not opened yet.

    Outcomes: ADDED (with `over_budget` when it costs more than the whole budget),
    UNKNOWN_ROUND, NOT_PREPARING (voting opened: the ballot can no longer change).
    """
    found = await _preparing_round(session, round_id)
    if isinstance(found, ProjectOutcome):
        return ProjectResult(found)
    project = BudgetProject(
        round_id=round_id, title=spec.title, description=spec.description,
        cost_krw=spec.cost_krw, area=spec.area, category=spec.category,
        position=await _next_position(session, round_id),
    )
    session.add(project)
    await session.flush()
    record_audit(session, now, actor, "budget.project_add", f"budget_round:{round_id}",
                 after={"project_id": project.id, "title": spec.title, "cost_krw": spec.cost_krw,
                        "area": spec.area, "category": spec.category})
    return ProjectResult(ProjectOutcome.ADDED, project.id, spec.cost_krw > found.budget_krw,
                         added=1)


async def import_accepted(
    session: AsyncSession, round_id: int, *, now: datetime, actor: str
) -> ProjectResult:
    """Add every accepted proposal with a budget as a project, once (unique round + proposal).

    Outcomes as `add_project`; `added` and `already` count the new and the known proposals.
    """
    found = await _preparing_round(session, round_id)
    if isinstance(found, ProjectOutcome):
        return ProjectResult(found)
    position = await _next_position(session, round_id)
    proposals = await accepted_with_budget(session)
    added: list[int] = []
    for item in proposals:
        inserted = await session.execute(insert_ignoring_conflicts(
            session, BudgetProject, round_id=round_id, title=item.title[:200],
            description=item.description, cost_krw=item.budget_krw, area=item.area,
            category=item.category, proposal_id=item.proposal_id, position=position,
        ))
        if rows_affected(inserted):
            added.append(item.proposal_id)
            position += 1
    record_audit(session, now, actor, "budget.import", f"budget_round:{round_id}",
                 after={"proposal_ids": added})
    return ProjectResult(ProjectOutcome.ADDED, added=len(added),
                         already=len(proposals) - len(added))


async def accepted_with_budget(session: AsyncSession) -> list[AcceptedProposal]:
    """Visible proposals whose latest final answer accepts them (수용 or 부분 수용) with a budget.

    Answers are never overwritten, so a later final answer (a correction) is the one that
    counts: a proposal accepted and then rejected is not imported.
    """
    latest = (select(Answer.proposal_id, func.max(Answer.id).label("answer_id"))
              .where(Answer.kind == AnswerKind.FINAL).group_by(Answer.proposal_id).subquery())
    rows = await session.execute(
        select(Proposal.id, Proposal.title, Proposal.solution, Answer.budget_krw,
               Proposal.area, Proposal.category)
        .join(latest, latest.c.proposal_id == Proposal.id)
        .join(Answer, Answer.id == latest.c.answer_id)
        .where(Answer.decision.in_([d.value for d in ACCEPTING]), Answer.budget_krw > 0,
               Proposal.hidden.is_(False))
        .order_by(Proposal.id)
    )
    return [AcceptedProposal(pid, title, solution, budget or 0, area, category)
            for pid, title, solution, budget, area, category in rows]


async def _preparing_round(session: AsyncSession, round_id: int) -> BudgetRound | ProjectOutcome:
    """The round, locked against a concurrent opening, if projects may still be added."""
    row = await locked_round(session, round_id)
    if row is None:
        return ProjectOutcome.UNKNOWN_ROUND
    if row.phase != RoundPhase.PREPARING:
        return ProjectOutcome.NOT_PREPARING
    return row


async def _next_position(session: AsyncSession, round_id: int) -> int:
    last = await session.scalar(
        select(func.max(BudgetProject.position)).where(BudgetProject.round_id == round_id))
    return int(last or 0) + 1
