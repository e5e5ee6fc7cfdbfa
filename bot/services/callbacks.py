"""「전화로 알려 주세요」: what the author of an offline proposal would hear, for staff to phone.

A proposal entered with `/offline` and the resident's consent keeps their contact encrypted
(`bot.services.contact_vault`). Every notice its author would get (approved, threshold,
answers, debate results, …) becomes a call-back item instead of a message to the staff member
who typed the form, the author of record. Staff open the list (the contact is shown in the
clear there, and each view is audited), phone the resident and mark the item done.

With the resident's consent to hear its news by 알림톡/SMS (`문자 동의`), the contact is kept
encrypted in `offline_text_secret` too, and each notice becomes an outbox row for the
proposal's synthetic text chat (`bot.domain.text_messages.offline_proposer_chat`) instead;
once the provider refuses the number, the notices come back to this list, so staff see it.

The contact is erased (NULL, both columns) once the proposal is closed (a final state of
`bot.domain.lifecycle`), no call-back about it is still open and no text about it waits in
the outbox, so the closing news itself can still be phoned or texted: at the closing
transition, when its last item is marked done, or when its last text went. The guarded
UPDATE erases it exactly once, and only that once is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Answer,
    CallbackItem,
    OutboxMessage,
    OutboxStatus,
    Proposal,
    TextDelivery,
)
from bot.domain.answers import AnswerKind, FinalDecision
from bot.domain.events import AboutProposal, Event
from bot.domain.lifecycle import FINAL_STATUSES, ProposalStatus
from bot.domain.text_messages import offline_proposer_chat
from bot.services.audit import record_audit
from bot.services.contact_vault import Contact, UnreadableContact, unseal
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.text_contacts import AWAITING_REPORT

SYSTEM_ACTOR = "system"


class DoneOutcome(StrEnum):
    DONE = "done"
    ALREADY_DONE = "already_done"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class CallbackView:
    """One open call-back: whom to phone about which proposal, and the notice to pass on."""

    id: int
    proposal_id: int
    title: str
    kind: str
    params: dict[str, Any]
    created_at: datetime
    contact: Contact | None  # None: erased already, or unreadable with this key


@dataclass(frozen=True)
class CallbackPage:
    item: CallbackView | None
    total: int


@dataclass(frozen=True)
class Diversion:
    """Who still gets a notice, and the offline proposer's text chat if it goes by text."""

    user_ids: list[int]
    text_chat: int | None = None


async def divert_author(
    session: AsyncSession, user_ids: list[int], notice: Event, now: datetime
) -> Diversion:
    """`user_ids` without the author of record of an offline proposal whose resident waits
    for its news: by text (`text_chat`) when they agreed to texts and the provider has not
    refused their number, otherwise on the call-back list."""
    if not user_ids or not isinstance(notice, AboutProposal):
        return Diversion(user_ids)
    row = (await session.execute(
        select(Proposal.author_id, Proposal.offline_text_secret.is_not(None),
               Proposal.offline_text_refused_at.is_(None))
        .where(Proposal.id == notice.proposal_id, or_(
            Proposal.offline_contact_secret.is_not(None),
            Proposal.offline_text_secret.is_not(None))))).first()
    if row is None or row[0] not in user_ids:
        return Diversion(user_ids)
    author, texts, reachable = row
    others = [user_id for user_id in user_ids if user_id != author]
    if texts and reachable:
        return Diversion(others, offline_proposer_chat(notice.proposal_id))
    await session.execute(insert_ignoring_conflicts(
        session, CallbackItem, proposal_id=notice.proposal_id, kind=notice.kind,
        params=notice.to_params(), created_at=now,
        dedupe_key=f"{notice.proposal_id}:{notice.kind}:{notice.key}"[:160]))
    return Diversion(others)


async def open_page(
    session: AsyncSession, *, page: int, contact_key: str, actor: str, now: datetime
) -> CallbackPage:
    """The `page`-th open call-back (oldest first, one a page), its contact decrypted; the
    view is written to the audit log (never the contact itself)."""
    total = await open_count(session)
    row = (await session.execute(
        select(CallbackItem, Proposal.title,
               func.coalesce(Proposal.offline_contact_secret, Proposal.offline_text_secret))
        .join(Proposal, Proposal.id == CallbackItem.proposal_id)
        .where(CallbackItem.done_at.is_(None))
        .order_by(CallbackItem.created_at, CallbackItem.id).offset(page).limit(1))).first()
    if row is None:
        return CallbackPage(None, total)
    item, title, secret = row
    record_audit(session, now, actor, "callback.view", f"proposal:{item.proposal_id}",
                 after={"callback_item": item.id})
    view = CallbackView(item.id, item.proposal_id, title, item.kind, dict(item.params or {}),
                        item.created_at, _contact(secret, contact_key))
    return CallbackPage(view, total)


def _contact(secret: str | None, contact_key: str) -> Contact | None:
    if secret is None:
        return None
    try:
        return unseal(secret, contact_key)
    except UnreadableContact:
        return None


async def mark_done(
    session: AsyncSession, item_id: int, *, user_id: int, actor: str, now: datetime
) -> DoneOutcome:
    """Staff phoned the resident: the item leaves the list (once; a second tap changes
    nothing), and a closed proposal's contact is erased if nothing else waits."""
    proposal_id = await session.scalar(select(CallbackItem.proposal_id)
                                       .where(CallbackItem.id == item_id))
    if proposal_id is None:
        return DoneOutcome.NOT_FOUND
    done = await session.execute(
        update(CallbackItem).where(CallbackItem.id == item_id, CallbackItem.done_at.is_(None))
        .values(done_at=now, done_by=user_id).execution_options(synchronize_session=False))
    if rows_affected(done) != 1:
        return DoneOutcome.ALREADY_DONE
    record_audit(session, now, actor, "callback.done", f"proposal:{proposal_id}",
                 after={"callback_item": item_id})
    await erase_if_closed(session, int(proposal_id), actor=actor, now=now)
    return DoneOutcome.DONE


async def erase_if_closed(
    session: AsyncSession, proposal_id: int, *, actor: str, now: datetime
) -> bool:
    """Erase the encrypted contact of a closed proposal (`news_ended`) that no call-back and
    no text waits for, nor a taken text's final report (an undelivered text comes back to
    the call-back list, with the number); True only for the one call that erased it (that one
    is audited). Every path that may end a proposal's news calls it: transitions, answers,
    hiding, a call-back done, a text's final report."""
    chat = offline_proposer_chat(proposal_id)
    waiting = exists().where(CallbackItem.proposal_id == proposal_id,
                             CallbackItem.done_at.is_(None))
    texting = or_(
        exists().where(OutboxMessage.chat_id == chat,
                       OutboxMessage.status == OutboxStatus.PENDING),
        exists().where(TextDelivery.outbox_id == OutboxMessage.id,
                       OutboxMessage.chat_id == chat,
                       TextDelivery.status == AWAITING_REPORT))
    kept = or_(Proposal.offline_contact_secret.is_not(None),
               Proposal.offline_text_secret.is_not(None))
    erased = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, kept,
               news_ended(), and_(~waiting, ~texting))
        .values(offline_contact_secret=None, offline_text_secret=None)
        .execution_options(synchronize_session=False))
    if rows_affected(erased) != 1:
        return False
    record_audit(session, now, actor, "proposal.contact_erased", f"proposal:{proposal_id}",
                 before={"contact": "encrypted"}, after={"contact": None})
    return True


async def erase_closed_contacts(session: AsyncSession, *, actor: str, now: datetime,
                                limit: int = 50) -> int:
    """`erase_if_closed` for closed proposals that still keep a contact: what a crash or a
    failed pass left (each erase is guarded and audited once). How many were erased."""
    kept = or_(Proposal.offline_contact_secret.is_not(None),
               Proposal.offline_text_secret.is_not(None))
    closed = list(await session.scalars(
        select(Proposal.id).where(kept, news_ended()).order_by(Proposal.id).limit(limit)))
    return sum([await erase_if_closed(session, proposal_id, actor=actor, now=now)
                for proposal_id in closed])


def news_ended() -> ColumnElement[bool]:
    """The proposal has no more news for its offline resident: a final status, found not
    feasible (타당성 없음), hidden by staff, or ANSWERED with a final answer of 불수용 (its
    latest final answer, corrections included)."""
    latest_final = (select(Answer.decision)
                    .where(Answer.proposal_id == Proposal.id, Answer.kind == AnswerKind.FINAL)
                    .order_by(Answer.id.desc()).limit(1).scalar_subquery())
    return or_(Proposal.status.in_(sorted(FINAL_STATUSES | {ProposalStatus.NOT_FEASIBLE})),
               Proposal.hidden.is_(True),
               and_(Proposal.status == ProposalStatus.ANSWERED,
                    latest_final == FinalDecision.REJECTED))


def audit_actor(user_id: int | None) -> str:
    """The audit log's actor for a change made by a user (or by the system)."""
    return SYSTEM_ACTOR if user_id is None else f"user:{user_id}"


async def open_count(session: AsyncSession) -> int:
    """How many call-backs wait (shown on the /admin menu)."""
    return int(await session.scalar(select(func.count()).select_from(CallbackItem)
                                    .where(CallbackItem.done_at.is_(None))) or 0)
