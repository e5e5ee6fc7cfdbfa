"""Open data: proposals, answers, debate summaries and budget rounds without personal data.

What is left out, on purpose: user ids, Telegram ids, residents' names and phone numbers, and
the officials' names (the department is named instead). Free texts pass through
`mask_personal_data` (phone numbers, e-mails, resident numbers). Hidden proposals stay in
the list as `hidden: true` with their texts blanked, so that ids and counts still add up;
hidden opinions are never quoted; answers and debates of hidden proposals are left out.
Proposals still awaiting moderation, or rejected by it, were never public and are left out.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    BudgetProject,
    BudgetRound,
    DebateSummaryRow,
    Department,
    Opinion,
    Proposal,
    RoundPhase,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.text import mask_personal_data
from bot.services.audit import record_audit
from bot.services.stats import concluding_answers, department_rows

Record = dict[str, Any]
NEVER_PUBLIC = (ProposalStatus.PENDING_MODERATION, ProposalStatus.REJECTED)


class Dataset(StrEnum):
    PROPOSALS = "proposals"
    ANSWERS = "answers"
    DEBATES = "debates"
    ROUNDS = "rounds"
    DEPARTMENTS = "departments"


def masked(text: str | None) -> str:
    return mask_personal_data(text)[0] if text else ""


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def export(session: AsyncSession, dataset: Dataset, *, now: datetime) -> list[Record]:
    """The dataset's records; `now` decides what is overdue in the departments' table."""
    if dataset is Dataset.DEPARTMENTS:
        return await department_records(session, now)
    loaders = {
        Dataset.PROPOSALS: proposal_records,
        Dataset.ANSWERS: answer_records,
        Dataset.DEBATES: debate_records,
        Dataset.ROUNDS: round_records,
    }
    return await loaders[dataset](session)


async def export_for_staff(
    session: AsyncSession, dataset: Dataset, *, actor: str, fmt: str, now: datetime
) -> list[Record]:
    """The same records as the public files, with an audit entry saying who took them."""
    records = await export(session, dataset, now=now)
    record_audit(session, now, actor, "data.export", f"dataset:{dataset.value}",
                 after={"format": fmt, "records": len(records)})
    return records


async def department_records(session: AsyncSession, now: datetime) -> list[Record]:
    """Each department's answers as `/stats` counts them (see bot.services.stats)."""
    rows = await department_rows(session, now, await concluding_answers(session))
    return [{"department": row.department, "answered": row.answered, "on_time": row.on_time,
             "on_time_percent": row.on_time_percent, "overdue_now": row.overdue,
             "interim_answers": row.interim} for row in rows]


def _public_proposals() -> Any:
    return (Proposal.published_at.is_not(None)) & Proposal.status.not_in(NEVER_PUBLIC)


async def proposal_records(session: AsyncSession) -> list[Record]:
    rows = await session.execute(
        select(Proposal, Department.name)
        .outerjoin(Department, Department.id == Proposal.department_id)
        .where(_public_proposals())
        .order_by(Proposal.id)
    )
    return [_proposal_record(proposal, department) for proposal, department in rows]


def _proposal_record(proposal: Proposal, department: str | None) -> Record:
    hidden = bool(proposal.hidden)
    return {
        "id": proposal.id,
        "hidden": hidden,
        "title": "" if hidden else masked(proposal.title),
        "problem": "" if hidden else masked(proposal.problem),
        "solution": "" if hidden else masked(proposal.solution),
        "effect": "" if hidden else masked(proposal.effect),
        "area": proposal.area,
        "category": proposal.category,
        "status": proposal.status,
        "endorsements": proposal.endorsement_count,
        "department": department,
        "published_at": _when(proposal.published_at),
        "collect_until": _when(proposal.collect_until),
        "review_due": _when(proposal.review_due),
        "debate_closes_at": _when(proposal.debate_closes_at),
        "answer_due": _when(proposal.answer_due),
    }


async def answer_records(session: AsyncSession) -> list[Record]:
    rows = await session.execute(
        select(Answer, Department.name)
        .join(Department, Department.id == Answer.department_id)
        .join(Proposal, Proposal.id == Answer.proposal_id)
        .where(_public_proposals(), Proposal.hidden.is_(False))
        .order_by(Answer.id)
    )
    return [{
        "id": answer.id,
        "proposal_id": answer.proposal_id,
        "department": department,
        "kind": answer.kind,
        "track": answer.track,  # "department", or "head" for 「구청장 답변」
        "decision": answer.decision,
        "text": masked(answer.text),
        "expected_completion": answer.expected_completion.isoformat()
        if answer.expected_completion else None,
        "budget_krw": answer.budget_krw,
        "percent": answer.percent,
        "published_at": _when(answer.created_at),
    } for answer, department in rows]


async def debate_records(session: AsyncSession) -> list[Record]:
    rows = (await session.execute(
        select(DebateSummaryRow, Proposal.title, Proposal.debate_closes_at)
        .join(Proposal, Proposal.id == DebateSummaryRow.proposal_id)
        .where(_public_proposals(), Proposal.hidden.is_(False))
        .order_by(DebateSummaryRow.proposal_id)
    )).all()
    hidden_opinions = set(await session.scalars(
        select(Opinion.id).where(Opinion.hidden.is_(True))))
    return [_debate_record(row, title, closed, hidden_opinions) for row, title, closed in rows]


def _debate_record(
    row: DebateSummaryRow, title: str, closed: datetime | None, hidden_opinions: set[int]
) -> Record:
    data = row.data
    counts, percents = data.get("counts", {}), data.get("percents", {})
    top = {
        stance: [masked(str(quote[1])) for quote in quotes if int(quote[0]) not in hidden_opinions]
        for stance, quotes in data.get("top", {}).items()
    }
    return {
        "proposal_id": row.proposal_id,
        "title": masked(title),
        "closed_at": _when(closed),
        "participants": data.get("participants", 0),
        "opinions": data.get("opinions", 0),
        "for": counts.get("for", 0),
        "against": counts.get("against", 0),
        "neutral": counts.get("neutral", 0),
        "for_percent": percents.get("for", 0),
        "against_percent": percents.get("against", 0),
        "neutral_percent": percents.get("neutral", 0),
        "keywords": list(data.get("keywords", [])),
        "top_opinions": top,
    }


async def round_records(session: AsyncSession) -> list[Record]:
    """Rounds that have opened, with their projects and, once published, the results."""
    rounds = list(await session.scalars(
        select(BudgetRound).where(BudgetRound.phase != RoundPhase.PREPARING)
        .order_by(BudgetRound.id)))
    projects = (await session.scalars(
        select(BudgetProject).where(BudgetProject.round_id.in_([r.id for r in rounds]))
        .order_by(BudgetProject.round_id, BudgetProject.position, BudgetProject.id))).all()
    by_round: dict[int, list[BudgetProject]] = {}
    for project in projects:
        by_round.setdefault(project.round_id, []).append(project)
    return [_round_record(r, by_round.get(r.id, [])) for r in rounds]


def _round_record(budget_round: BudgetRound, projects: list[BudgetProject]) -> Record:
    published = budget_round.phase == RoundPhase.PUBLISHED and budget_round.results is not None
    results = budget_round.results if published else None
    outcome = {int(p["id"]): p for p in (results or {}).get("projects", [])}
    return {
        "id": budget_round.id,
        "name": budget_round.name,
        "phase": budget_round.phase,
        "budget_krw": budget_round.budget_krw,
        "ballot_type": budget_round.ballot_type,
        "rule": budget_round.rule,
        "area": budget_round.area,
        "opens_at": _when(budget_round.opens_at),
        "closes_at": _when(budget_round.closes_at),
        "ballots": (results or {}).get("ballots"),
        "eligible": (results or {}).get("eligible"),
        "total_cost_krw": (results or {}).get("total_cost"),
        "projects": [{
            "id": project.id,
            "title": masked(project.title),
            "cost_krw": project.cost_krw,
            "area": project.area,
            "category": project.category,
            "proposal_id": project.proposal_id,
            "votes": outcome.get(project.id, {}).get("votes"),
            "points": outcome.get(project.id, {}).get("points"),
            "selected": outcome.get(project.id, {}).get("selected"),
        } for project in projects],
    }
