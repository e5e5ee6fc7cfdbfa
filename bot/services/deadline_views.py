"""What a screen needs to name a proposal's deadline and explain it: the deadline columns,
whether the review clock restarted (재심의), the debate's extension, and the final answer date
the latest 중간답변 expects."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, DebateExtension, Proposal, ProposalEvent
from bot.domain.answer_clock import (
    DeadlineFacts,
    DeadlineRules,
    Extension,
    NamedDeadline,
    named_deadline,
)
from bot.domain.answers import AnswerKind
from bot.domain.lifecycle import ProposalStatus

RE_REVIEW_NOTE = "재심의"  # the history note of the transition back to UNDER_REVIEW


async def deadline_of(
    session: AsyncSession, proposal: Proposal, rules: DeadlineRules | None
) -> NamedDeadline | None:
    """The proposal's one deadline that matters now, named and explained; without `rules`
    a debate's deadline does not say the answer deadline that follows."""
    status = ProposalStatus(proposal.status)
    facts = DeadlineFacts(
        status, proposal.review_due, proposal.debate_closes_at, proposal.answer_due,
        review_restarted=(status is ProposalStatus.UNDER_REVIEW
                          and await _review_restarted(session, proposal.id)),
        extension=(await _extension(session, proposal.id)
                   if status is ProposalStatus.IN_DEBATE else None),
    )
    return named_deadline(facts, rules)


async def expected_answer_date(session: AsyncSession, proposal_id: int) -> date | None:
    """When the final answer is expected, by the latest interim answer (None: none said)."""
    return await session.scalar(
        select(Answer.expected_completion)
        .where(Answer.proposal_id == proposal_id, Answer.kind == AnswerKind.INTERIM.value)
        .order_by(Answer.created_at.desc(), Answer.id.desc())
        .limit(1)
    )


async def _review_restarted(session: AsyncSession, proposal_id: int) -> bool:
    note = await session.scalar(
        select(ProposalEvent.note)
        .where(ProposalEvent.proposal_id == proposal_id,
               ProposalEvent.to_status == ProposalStatus.UNDER_REVIEW)
        .order_by(ProposalEvent.at.desc(), ProposalEvent.id.desc())
        .limit(1)
    )
    return note == RE_REVIEW_NOTE


async def _extension(session: AsyncSession, proposal_id: int) -> Extension | None:
    row = await session.get(DebateExtension, proposal_id)
    return Extension(row.days, row.reason) if row is not None else None
