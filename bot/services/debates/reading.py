"""Reading a debate: the live tally per stance and the opinions, one page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.debate import (
    STANCE_ORDER,
    OpinionSort,
    Stance,
    debate_is_open,
    effective_stances,
    order_opinions,
)
from bot.domain.lifecycle import ProposalStatus
from bot.services.debates.queries import fresh_proposal, stances, visible_opinions

OPINION_PAGE_SIZE = 5


@dataclass(frozen=True)
class DebateTally:
    proposal_id: int
    title: str
    status: ProposalStatus
    open: bool
    closes_at: datetime | None
    counts: dict[Stance, int]
    participants: int
    opinions: int
    viewer_stance: Stance | None


@dataclass(frozen=True)
class OpinionView:
    id: int
    stance: Stance
    text: str
    likes: int
    created_at: datetime
    mine: bool


@dataclass(frozen=True)
class OpinionPage:
    tally: DebateTally
    sort: OpinionSort
    page: int
    items: tuple[OpinionView, ...]
    has_next: bool


async def load_tally(
    session: AsyncSession, proposal_id: int, viewer_id: int, now: datetime
) -> DebateTally | None:
    """Live counts per stance (chosen stances, plus 중립 for opinion-only participants)."""
    proposal = await fresh_proposal(session, proposal_id)
    if proposal is None or proposal.debate_closes_at is None:
        return None
    opinions = await visible_opinions(session, proposal_id)
    chosen = await stances(session, proposal_id)
    counted = effective_stances(chosen, opinions)
    counts = {s: 0 for s in STANCE_ORDER}
    for stance in counted.values():
        counts[stance] += 1
    return DebateTally(
        proposal.id, proposal.title, ProposalStatus(proposal.status),
        debate_is_open(proposal.status, proposal.debate_closes_at, now),
        proposal.debate_closes_at, counts, len(counted), len(opinions), chosen.get(viewer_id),
    )


async def list_opinions(
    session: AsyncSession, proposal_id: int, *, sort: OpinionSort, page: int, viewer_id: int,
    now: datetime,
) -> OpinionPage | None:
    """One page of visible opinions in the chosen order."""
    tally = await load_tally(session, proposal_id, viewer_id, now)
    if tally is None:
        return None
    ordered = order_opinions(await visible_opinions(session, proposal_id), sort)
    page = max(page, 0)
    start = page * OPINION_PAGE_SIZE
    items = tuple(
        OpinionView(o.id, o.stance, o.text, o.likes, o.created_at, o.user_id == viewer_id)
        for o in ordered[start : start + OPINION_PAGE_SIZE]
    )
    return OpinionPage(tally, sort, page, items, len(ordered) > start + OPINION_PAGE_SIZE)
