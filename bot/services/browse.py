"""Read models for residents: proposal cards, lists, and 'my activity'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, UnaryExpression, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, Endorsement, Proposal, ProposalEvent, Report, Subscription
from bot.domain.answer_clock import DeadlineRules, NamedDeadline
from bot.domain.lifecycle import LIVE_STATUSES, ProposalStatus
from bot.domain.permissions import Action, Refused, Subject, subject_rules
from bot.domain.places import GeoPoint
from bot.domain.proposals import Kind, Origin, shown_to_all
from bot.domain.tiers import HEAD_TRACK
from bot.services.deadline_views import deadline_of, expected_answer_date
from bot.services.drafts import place_of

PAGE_SIZE = 5
PUBLIC_STATUSES = frozenset(ProposalStatus) - {
    ProposalStatus.PENDING_MODERATION, ProposalStatus.REJECTED
}


class Sort(StrEnum):
    POPULAR = "pop"
    NEWEST = "new"
    CLOSING = "end"


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    status: ProposalStatus


@dataclass(frozen=True)
class ProposalSummary:
    id: int
    title: str
    status: ProposalStatus
    endorsement_count: int
    collect_until: datetime | None
    hidden: bool


@dataclass(frozen=True)
class ProposalCard:
    id: int
    author_id: int
    title: str
    problem: str
    solution: str
    effect: str
    area: str | None
    category: str | None
    status: ProposalStatus
    hidden: bool
    endorsement_count: int
    photo_file_id: str | None
    published_at: datetime | None
    collect_until: datetime | None
    review_due: datetime | None
    debate_closes_at: datetime | None
    answer_due: datetime | None
    history: tuple[HistoryItem, ...]
    viewer_endorsed: bool
    viewer_muted: bool
    # moderation: 오프라인 접수 (paper, phone, center) and where a merged duplicate went
    offline_channel: str | None = None
    merged_into_id: int | None = None
    viewer_reported: bool = False  # the 🚩 button says so; a second press changes nothing
    place: GeoPoint | None = None  # a place shared in the wizard (published, ~10 m)
    # the one deadline that matters now, named and explained, and the final answer date the
    # latest 중간답변 expects (issue #15)
    deadline: NamedDeadline | None = None
    expected_answer: date | None = None
    # the head's answer tier (bot/domain/tiers.py): its deadline and decision once routed,
    # and until when 공감 still count after the review started
    head_answer_due: datetime | None = None
    head_answered: bool = False
    head_decision: str | None = None
    late_endorse_until: datetime | None = None
    district: bool = False  # 「구 제안」: the district put it forward
    complaint: bool = False  # a 민원: answered without 공감, public only with consent
    consultation: int | None = None  # 「구가 묻습니다」: the consultation this row carries
    private_complaint: bool = False  # a 민원 without a public page: not to be shared

    def is_author(self, user_id: int) -> bool:
        return self.author_id == user_id


@dataclass(frozen=True)
class Page:
    items: tuple[ProposalSummary, ...]
    page: int
    has_next: bool


def is_private(proposal: Proposal) -> bool:
    """Not published yet, or a 민원 whose resident did not make it public."""
    return proposal.status not in PUBLIC_STATUSES or not shown_to_all(
        proposal.kind, proposal.complaint_public)


def may_see(proposal: Proposal, viewer_id: int) -> bool:
    """Anyone may see a public proposal; a private one only its author (and staff through
    their own tools)."""
    return not is_private(proposal) or not isinstance(subject_rules(
        viewer_id, Action.SEE_UNPUBLISHED, Subject(author_id=proposal.author_id)), Refused)


async def load_card(
    session: AsyncSession, proposal_id: int, viewer_id: int,
    rules: DeadlineRules | None = None,
) -> ProposalCard | None:
    """The card as `viewer_id` sees it; None if missing or not yet public (unless theirs).

    With `rules`, a debate's deadline also says the answer deadline that will follow it.
    """
    proposal = await session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None:
        return None
    if not may_see(proposal, viewer_id):
        return None
    events = await session.execute(
        select(ProposalEvent.at, ProposalEvent.to_status)
        .where(ProposalEvent.proposal_id == proposal_id)
        .order_by(ProposalEvent.at, ProposalEvent.id)
    )
    endorsed = await session.scalar(
        select(func.count()).where(
            Endorsement.proposal_id == proposal_id, Endorsement.user_id == viewer_id
        )
    )
    muted = await session.scalar(
        select(Subscription.muted).where(
            Subscription.proposal_id == proposal_id, Subscription.user_id == viewer_id
        )
    )
    reported = await session.scalar(
        select(func.count()).where(
            Report.target_kind == "proposal", Report.target_id == proposal_id,
            Report.user_id == viewer_id,
        )
    )
    return ProposalCard(
        proposal.id, proposal.author_id, proposal.title, proposal.problem, proposal.solution,
        proposal.effect, proposal.area, proposal.category, ProposalStatus(proposal.status),
        proposal.hidden, proposal.endorsement_count, proposal.photo_file_id,
        proposal.published_at, proposal.collect_until, proposal.review_due,
        proposal.debate_closes_at, proposal.answer_due,
        tuple(HistoryItem(at, ProposalStatus(status)) for at, status in events),
        bool(endorsed), bool(muted), proposal.offline_channel, proposal.merged_into_id,
        bool(reported), place_of(proposal.latitude, proposal.longitude),
        await deadline_of(session, proposal, rules),
        await expected_answer_date(session, proposal_id),
        head_answer_due=proposal.head_answer_due,
        head_answered=proposal.head_answered_at is not None,
        head_decision=await _head_decision(session, proposal),
        late_endorse_until=proposal.late_endorse_until,
        district=proposal.origin == Origin.DISTRICT,
        complaint=proposal.kind == Kind.COMPLAINT,
        private_complaint=not shown_to_all(proposal.kind, proposal.complaint_public),
    )


async def _head_decision(session: AsyncSession, proposal: Proposal) -> str | None:
    """The decision of 「구청장 답변」, once published."""
    if proposal.head_answered_at is None:
        return None
    return await session.scalar(
        select(Answer.decision).where(Answer.proposal_id == proposal.id,
                                      Answer.track == HEAD_TRACK)
        .order_by(Answer.id.desc()).limit(1))


async def list_proposals(
    session: AsyncSession,
    *,
    sort: Sort,
    page: int,
    now: datetime,
    area: str | None = None,
    status: ProposalStatus | None = None,
) -> Page:
    """One page of visible proposals, sorted; `status` filters, `area` narrows to a 동."""
    query = _visible()
    if status is not None:
        query = query.where(Proposal.status == status)
    elif sort is Sort.CLOSING:
        query = query.where(
            Proposal.status == ProposalStatus.COLLECTING, Proposal.collect_until > now
        )
    else:
        query = query.where(Proposal.status.in_(LIVE_STATUSES))
    if area is not None:
        query = query.where(Proposal.area == area)
    query = query.order_by(*_order(sort), Proposal.id.desc())
    return await _page(session, query, page)


async def proposals_by_ids(session: AsyncSession, ids: list[int]) -> list[ProposalSummary]:
    """Summaries in the order of `ids` (hidden ones included; the caller decides)."""
    if not ids:
        return []
    rows = await session.execute(_summary_columns().where(Proposal.id.in_(ids)))
    found = {row.id: _summary(row) for row in rows}
    return [found[i] for i in ids if i in found]


async def my_proposals(session: AsyncSession, user_id: int) -> list[ProposalSummary]:
    rows = await session.execute(
        _summary_columns()
        .where(Proposal.author_id == user_id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        .limit(20)
    )
    return [_summary(row) for row in rows]


async def my_endorsements(session: AsyncSession, user_id: int) -> list[ProposalSummary]:
    rows = await session.execute(
        _summary_columns()
        .join(Endorsement, Endorsement.proposal_id == Proposal.id)
        .where(Endorsement.user_id == user_id)
        .order_by(Endorsement.created_at.desc())
        .limit(20)
    )
    return [_summary(row) for row in rows]


def _summary_columns() -> Select[int, str, str, int, datetime | None, bool]:
    return select(
        Proposal.id, Proposal.title, Proposal.status, Proposal.endorsement_count,
        Proposal.collect_until, Proposal.hidden,
    )


def _visible() -> Select[int, str, str, int, datetime | None, bool]:
    """What residents browse: proposals (a 민원 is its resident's, in their /my)."""
    return _summary_columns().where(Proposal.hidden.is_(False), Proposal.kind == Kind.PROPOSAL)


def _order(sort: Sort) -> tuple[UnaryExpression[Any], ...]:
    if sort is Sort.POPULAR:
        return (Proposal.endorsement_count.desc(),)
    if sort is Sort.CLOSING:
        return (Proposal.collect_until.asc(),)
    return (Proposal.published_at.desc(),)


async def _page(
    session: AsyncSession, query: Select[int, str, str, int, datetime | None, bool],
    page: int,
) -> Page:
    page = max(page, 0)
    rows = list(await session.execute(query.offset(page * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    items = tuple(_summary(row) for row in rows[:PAGE_SIZE])
    return Page(items, page, len(rows) > PAGE_SIZE)


def _summary(row: object) -> ProposalSummary:
    return ProposalSummary(
        row.id, row.title, ProposalStatus(row.status), row.endorsement_count,  # type: ignore[attr-defined]
        row.collect_until, row.hidden,  # type: ignore[attr-defined]
    )
