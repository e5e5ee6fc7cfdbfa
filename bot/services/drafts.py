"""The proposal wizard's draft: one per user, saved after every step, kept across restarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProposalDraft
from bot.domain.places import GeoPoint
from bot.domain.proposals import Origin

IDLE_TIMEOUT = timedelta(hours=24)
DRAFT_FIELDS = ("title", "problem", "solution", "effect", "area", "category", "photo_file_id")


@dataclass(frozen=True)
class DraftView:
    step: str
    title: str | None
    problem: str | None
    solution: str | None
    effect: str | None
    area: str | None
    category: str | None
    photo_file_id: str | None
    updated_at: datetime
    place: GeoPoint | None = None  # a shared location, published with the proposal
    origin: Origin = Origin.RESIDENT  # 「구 제안」 when staff began it with /district_proposal

    def idle_since(self, now: datetime) -> bool:
        """True when the author has not touched the draft for the idle timeout (24 hours)."""
        return now - self.updated_at >= IDLE_TIMEOUT

    def parts(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in DRAFT_FIELDS}


async def load_draft(session: AsyncSession, user_id: int) -> DraftView | None:
    draft = await session.get(ProposalDraft, user_id)
    return _view(draft) if draft else None


async def start_draft(session: AsyncSession, user_id: int, now: datetime) -> DraftView:
    """A fresh, empty draft (replacing any earlier one, whose origin it keeps: the wizard's
    entry has just chosen it with `choose_origin`)."""
    earlier = await session.get(ProposalDraft, user_id)
    origin = earlier.origin if earlier is not None else Origin.RESIDENT
    await discard_draft(session, user_id)
    draft = ProposalDraft(user_id=user_id, step="title", created_at=now, updated_at=now,
                          origin=origin)
    session.add(draft)
    await session.flush()
    return _view(draft)


async def choose_origin(
    session: AsyncSession, user_id: int, origin: Origin, now: datetime
) -> None:
    """Who the draft (started now if there is none) will be published as: /propose writes a
    resident's proposal, /district_proposal a 「구 제안」."""
    draft = await session.get(ProposalDraft, user_id)
    if draft is None:
        session.add(ProposalDraft(user_id=user_id, step="title", created_at=now, updated_at=now,
                                  origin=origin))
    elif draft.origin != origin:
        draft.origin = origin
    await session.flush()


async def save_step(
    session: AsyncSession, user_id: int, now: datetime, *, step: str, **values: str | None
) -> DraftView:
    """Store some parts and the step the wizard is at; unknown field names are refused."""
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not draft fields: {sorted(unknown)}")
    draft = await session.get(ProposalDraft, user_id)
    if draft is None:
        draft = ProposalDraft(user_id=user_id, created_at=now, step=step, updated_at=now)
        session.add(draft)
    for name, value in values.items():
        setattr(draft, name, value)
    draft.step = step
    draft.updated_at = now
    await session.flush()
    return _view(draft)


async def save_place(
    session: AsyncSession, user_id: int, now: datetime, place: GeoPoint | None
) -> DraftView | None:
    """Keep (or, with None, forget) the place shared for the draft, rounded to ~10 m."""
    draft = await session.get(ProposalDraft, user_id)
    if draft is None:
        return None
    shown = place.rounded() if place is not None else None
    draft.latitude = shown.latitude if shown is not None else None
    draft.longitude = shown.longitude if shown is not None else None
    draft.updated_at = now
    await session.flush()
    return _view(draft)


async def discard_draft(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(ProposalDraft).where(ProposalDraft.user_id == user_id))


async def has_draft(session: AsyncSession, user_id: int) -> bool:
    found = await session.scalar(
        select(ProposalDraft.user_id).where(ProposalDraft.user_id == user_id)
    )
    return found is not None


def _view(draft: ProposalDraft) -> DraftView:
    return DraftView(
        draft.step, draft.title, draft.problem, draft.solution, draft.effect, draft.area,
        draft.category, draft.photo_file_id, draft.updated_at,
        place_of(draft.latitude, draft.longitude), Origin(draft.origin),
    )


def place_of(latitude: float | None, longitude: float | None) -> GeoPoint | None:
    """The stored place, when both halves are there."""
    if latitude is None or longitude is None:
        return None
    return GeoPoint(latitude, longitude)
