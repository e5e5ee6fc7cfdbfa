"""Hiding and restoring proposals and opinions, and the report threshold that hides them.

A hidden item keeps its state and history; lists, cards and the web page show
「운영 원칙에 따라 숨겨진 글이에요」 instead of its text. The author is told why, politely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, Opinion, Proposal, Report
from bot.domain.debate import excerpt
from bot.domain.events import ContentHidden, ContentRestored, ModerationReported
from bot.domain.policy import Policy
from bot.domain.reports import REPORT_REASONS
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.callbacks import erase_if_closed
from bot.services.outbox import enqueue_for_users
from bot.services.sql import is_postgres, rows_affected
from bot.services.work_items import WorkKind, post_work_item

PROPOSAL, OPINION = "proposal", "opinion"
HIDE_REASONS = REPORT_REASONS
AUTOMATIC_REASON = "reports"
OTHER_REASON = "other"
SYSTEM_ACTOR = "자동 (신고 누적)"
REPORTS_UP_TO = "reports_up_to"  # audit key of a restore: the last report it settled


# ----- hiding and restoring -------------------------------------------------------------------


class HideOutcome(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"  # already hidden (or already visible)
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Content:
    """A proposal or an opinion as moderation sees it."""

    kind: str
    id: int
    author_id: int
    proposal_id: int
    title: str
    hidden: bool
    hidden_reason: str | None


async def load_content(session: AsyncSession, kind: str, content_id: int) -> Content | None:
    if kind == PROPOSAL:
        p = await session.get(Proposal, content_id, populate_existing=True)
        return None if p is None else Content(PROPOSAL, p.id, p.author_id, p.id, p.title,
                                              p.hidden, p.hidden_reason)
    if kind == OPINION:
        o = await session.get(Opinion, content_id, populate_existing=True)
        return None if o is None else Content(OPINION, o.id, o.user_id, o.proposal_id,
                                              excerpt(o.text, 60), o.hidden, o.hidden_reason)
    return None


def reason_code(reason: str) -> str:
    """The stored code of a moderator's reason: a known code, else 'other' (text in the audit)."""
    word = reason.strip().lower()
    return word if word in HIDE_REASONS or word == AUTOMATIC_REASON else OTHER_REASON


async def hide_content(
    session: AsyncSession, *, kind: str, content_id: int, reason: str, actor: str, now: datetime,
) -> HideOutcome:
    """Hide a proposal or an opinion (kept with its history) and tell its author why."""
    return await _set_hidden(session, kind, content_id, True, reason, actor, now)


async def restore_content(
    session: AsyncSession, *, kind: str, content_id: int, actor: str, now: datetime,
    reason: str = "",
) -> HideOutcome:
    """Show a hidden (or held) proposal or opinion again and tell its author (with the
    moderator's reason when one is given)."""
    return await _set_hidden(session, kind, content_id, False, " ".join(reason.split()), actor,
                             now)


async def _set_hidden(
    session: AsyncSession, kind: str, content_id: int, hidden: bool, reason: str, actor: str,
    now: datetime,
) -> HideOutcome:
    content = await load_content(session, kind, content_id)
    if content is None:
        return HideOutcome.NOT_FOUND
    code = reason_code(reason) if hidden else None
    table = Proposal if kind == PROPOSAL else Opinion
    values: dict[str, object] = {"hidden": hidden, "hidden_reason": code}
    if not hidden:
        values["flagged"] = False
    changed = await session.execute(
        update(table).where(table.id == content_id, table.hidden.is_(not hidden))
        .values(**values).execution_options(synchronize_session=False)
    )
    if rows_affected(changed) != 1:
        return HideOutcome.UNCHANGED
    after: dict[str, object] = {"hidden": hidden, "hidden_reason": code, "reason": reason or None}
    if not hidden:  # reports up to here are settled; only later ones count towards hiding
        after[REPORTS_UP_TO] = await _last_report_id(session, kind, content_id)
    record_audit(session, now, actor, f"{kind}.{'hide' if hidden else 'restore'}",
                 f"{kind}:{content_id}",
                 before={"hidden": content.hidden, "hidden_reason": content.hidden_reason},
                 after=after)
    told = ContentHidden if hidden else ContentRestored
    notice = told(kind, content_id, content.proposal_id, content.title, code or "", reason,
                  key=f"{kind}:{content_id}:{now.isoformat()}")
    await enqueue_for_users(session, [content.author_id], notice, now)
    if hidden and kind == PROPOSAL:  # an offline resident's contact goes once told
        await erase_if_closed(session, content_id, actor=actor, now=now)
    return HideOutcome.DONE


# ----- reports --------------------------------------------------------------------------------


async def after_report(
    session: AsyncSession, *, kind: str, content_id: int, now: datetime, policy: Policy,
    venues: Venues,
) -> bool:
    """Called after a new report: once N different people reported it since its last
    restore, the content is hidden and the moderators get a 'restore / keep hidden' item.

    The content row is locked first (PostgreSQL), so simultaneous reports are counted one
    after the other and cannot all see N-1; the hide itself only succeeds for a visible
    item, so each crossing hides and alerts once. True when this report hid it.
    """
    await _lock_content(session, kind, content_id)
    since = await _reports_since(session, kind, content_id)
    reporters = int(await session.scalar(
        select(func.count(func.distinct(Report.user_id))).where(since)) or 0)
    if reporters < policy.report_hide_threshold:
        return False
    outcome = await hide_content(session, kind=kind, content_id=content_id,
                                 reason=AUTOMATIC_REASON, actor=SYSTEM_ACTOR, now=now)
    if outcome is not HideOutcome.DONE:
        return False
    content = await load_content(session, kind, content_id)
    assert content is not None
    reasons = await _report_reasons(session, since)
    crossing = await _last_report_id(session, kind, content_id)  # one item per crossing
    notice = ModerationReported(kind, content_id, content.proposal_id, content.title,
                                reporters, reasons, key=f"{kind}:{content_id}:{crossing}")
    await post_work_item(session, venues, kind=WorkKind.REPORTED,
                         subject_kind=kind, subject_id=content_id, notice=notice, now=now)
    return True


async def _lock_content(session: AsyncSession, kind: str, content_id: int) -> None:
    """Serialise reports on one item (SQLite has a single writer and needs no lock)."""
    if not is_postgres(session):
        return
    table = Proposal if kind == PROPOSAL else Opinion
    await session.execute(select(table.id).where(table.id == content_id).with_for_update())


async def _last_report_id(session: AsyncSession, kind: str, content_id: int) -> int:
    return int(await session.scalar(
        select(func.max(Report.id)).where(Report.target_kind == kind,
                                          Report.target_id == content_id)) or 0)


async def _reports_since(session: AsyncSession, kind: str, content_id: int
                         ) -> ColumnElement[bool]:
    """The reports of the item made after its last restore (all of them if never restored).

    A restore by this module records the last report id it settled; a restore recorded
    without one (`/opinion_restore`) falls back to its time."""
    about = (Report.target_kind == kind) & (Report.target_id == content_id)
    last = (await session.execute(
        select(AuditEntry.at, AuditEntry.after)
        .where(AuditEntry.action == f"{kind}.restore",
               AuditEntry.subject == f"{kind}:{content_id}")
        .order_by(AuditEntry.id.desc()).limit(1)
    )).first()
    if last is None:
        return about
    settled = (last.after or {}).get(REPORTS_UP_TO)
    if isinstance(settled, int):
        return about & (Report.id > settled)
    return about & (Report.created_at > last.at)


async def _report_reasons(session: AsyncSession, since: ColumnElement[bool]) -> dict[str, int]:
    rows = await session.execute(
        select(Report.reason, func.count()).where(since).group_by(Report.reason)
    )
    return {reason: int(count) for reason, count in rows}
