"""A proposal's 워킹그룹: residents staff attach to work the department accepted, who report
on it; staff approve each report before the followers and the public page get it.

Seoul's 협치 ordinance has residents and officials carry out and monitor projects together
(워킹그룹). Here staff attach residents to a proposal being carried out (answered with an
accepting decision, or in progress); a member posts what they saw of the work; a moderator
approves it (a work item, as other texts staff judge) and only then is it published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Answer, Proposal, User, WorkgroupMember, WorkgroupUpdate
from bot.domain.answers import ACCEPTING
from bot.domain.events import (
    ModerationWorkgroupUpdate,
    WorkgroupJoined,
    WorkgroupNews,
    WorkgroupUpdateDecided,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.permissions import Action
from bot.domain.text import is_meaningful, mask_personal_data, normalise_text
from bot.domain.tiers import DEPARTMENT_TRACK
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.bans import ensure_permitted
from bot.services.outbox import enqueue_for_followers, enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.work_items import WorkKind, post_work_item

S = ProposalStatus
BEING_CARRIED_OUT = frozenset({S.ANSWERED, S.IN_PROGRESS})
UPDATE_LIMITS = (10, 1000)
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"


class MembersOutcome(StrEnum):
    CHANGED = "changed"
    NOT_FOUND = "not_found"
    NOT_ACCEPTED = "not_accepted"  # not answered with an accepting decision, or complete


@dataclass(frozen=True)
class MembersResult:
    outcome: MembersOutcome
    added: tuple[int, ...] = ()  # Telegram ids
    unknown: tuple[int, ...] = ()  # Telegram ids of nobody who started the bot
    members: tuple[int, ...] = ()  # Telegram ids, after the change


class PostOutcome(StrEnum):
    POSTED = "posted"
    NOT_MEMBER = "not_member"
    NOT_CARRIED_OUT = "not_carried_out"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class PostResult:
    outcome: PostOutcome
    masked: tuple[str, ...] = ()


async def add_members(
    session: AsyncSession, proposal_id: int, telegram_ids: list[int], *, actor: str,
    now: datetime,
) -> MembersResult:
    """Attach residents to the work (each told how to report); the ones already in stay."""
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.kind != "proposal":
        return MembersResult(MembersOutcome.NOT_FOUND)
    if not await _accepted_and_ongoing(session, proposal):
        return MembersResult(MembersOutcome.NOT_ACCEPTED)
    users = dict((await session.execute(
        select(User.telegram_id, User.id).where(User.telegram_id.in_(telegram_ids)))).all())
    added = []
    for telegram_id, user_id in users.items():
        inserted = await session.execute(insert_ignoring_conflicts(
            session, WorkgroupMember, proposal_id=proposal_id, user_id=user_id,
            added_by=actor, added_at=now))
        if rows_affected(inserted):
            added.append(telegram_id)
            await enqueue_for_users(session, [user_id], WorkgroupJoined(
                proposal_id, proposal.title, key=f"{proposal_id}:{user_id}"), now)
    record_audit(session, now, actor, "workgroup.add", f"proposal:{proposal_id}",
                 after={"telegram_ids": sorted(added)})
    unknown = tuple(sorted(set(telegram_ids) - set(users)))
    return MembersResult(MembersOutcome.CHANGED, tuple(sorted(added)), unknown,
                         await member_ids(session, proposal_id))


async def remove_member(
    session: AsyncSession, proposal_id: int, telegram_id: int, *, actor: str, now: datetime,
) -> MembersResult:
    user_id = await session.scalar(select(User.id).where(User.telegram_id == telegram_id))
    if user_id is None or await session.get(Proposal, proposal_id) is None:
        return MembersResult(MembersOutcome.NOT_FOUND)
    member = await session.get(WorkgroupMember, (proposal_id, user_id))
    if member is not None:
        await session.delete(member)
        record_audit(session, now, actor, "workgroup.remove", f"proposal:{proposal_id}",
                     before={"telegram_id": telegram_id})
    await session.flush()
    return MembersResult(MembersOutcome.CHANGED, members=await member_ids(session, proposal_id))


async def member_ids(session: AsyncSession, proposal_id: int) -> tuple[int, ...]:
    """The members' Telegram ids."""
    return tuple(await session.scalars(
        select(User.telegram_id).join(WorkgroupMember, WorkgroupMember.user_id == User.id)
        .where(WorkgroupMember.proposal_id == proposal_id).order_by(User.telegram_id)))


async def post_update(
    session: AsyncSession, proposal_id: int, user_id: int, text: str, *, now: datetime,
    venues: Venues,
) -> PostResult:
    """A member's report, masked, held for the staff's approval. Banned: `UserBanned`."""
    await ensure_permitted(session, user_id, Action.POST_WORKGROUP_UPDATE, now)
    if await session.get(WorkgroupMember, (proposal_id, user_id)) is None:
        return PostResult(PostOutcome.NOT_MEMBER)
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.status not in BEING_CARRIED_OUT:
        return PostResult(PostOutcome.NOT_CARRIED_OUT)
    clean = normalise_text(text)
    low, high = UPDATE_LIMITS
    if len(clean) < low or not is_meaningful(clean):
        return PostResult(PostOutcome.TOO_SHORT)
    if len(clean) > high:
        return PostResult(PostOutcome.TOO_LONG)
    masked, kinds = mask_personal_data(clean)
    row = WorkgroupUpdate(proposal_id=proposal_id, user_id=user_id, text=masked,
                          created_at=now, status=PENDING)
    session.add(row)
    await session.flush()
    notice = ModerationWorkgroupUpdate(proposal_id, proposal.title, row.id, masked[:300],
                                       key=str(row.id), urgent=True)
    await post_work_item(session, venues, kind=WorkKind.WORKGROUP_UPDATE,
                         subject_kind="workgroup_update", subject_id=row.id, notice=notice,
                         now=now)
    return PostResult(PostOutcome.POSTED, tuple(kinds))


async def decide_update(
    session: AsyncSession, update_id: int, *, approve: bool, actor: str, now: datetime,
    venues: Venues,
) -> bool:
    """Publish (to the followers and the page) or reject a pending report, once; its author
    is told either way."""
    decided = await session.execute(
        update(WorkgroupUpdate)
        .where(WorkgroupUpdate.id == update_id, WorkgroupUpdate.status == PENDING)
        .values(status=APPROVED if approve else REJECTED, decided_at=now, decided_by=actor)
        .execution_options(synchronize_session=False))
    if rows_affected(decided) != 1:
        return False
    row = await session.get(WorkgroupUpdate, update_id, populate_existing=True)
    proposal = await session.get(Proposal, row.proposal_id) if row else None
    assert row is not None and proposal is not None
    record_audit(session, now, actor, "workgroup.update", f"proposal:{proposal.id}",
                 after={"update_id": update_id, "approved": approve})
    if approve:
        await enqueue_for_followers(session, proposal.id, WorkgroupNews(
            proposal.id, proposal.title, row.text[:300],
            f"{venues.public_base_url}/p/{proposal.id}", key=str(update_id)), now)
    if row.user_id is not None:
        await enqueue_for_users(session, [row.user_id], WorkgroupUpdateDecided(
            proposal.id, proposal.title, approve, key=str(update_id)), now)
    return True


async def _accepted_and_ongoing(session: AsyncSession, proposal: Proposal) -> bool:
    """Answered with an accepting decision (the department's latest final answer), and not
    complete."""
    if proposal.status not in BEING_CARRIED_OUT:
        return False
    decision = await session.scalar(
        select(Answer.decision).where(Answer.proposal_id == proposal.id, Answer.kind == "final",
                                      Answer.track == DEPARTMENT_TRACK)
        .order_by(Answer.created_at.desc(), Answer.id.desc()).limit(1))
    return decision in {d.value for d in ACCEPTING}
