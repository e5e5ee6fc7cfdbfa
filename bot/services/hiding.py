"""Hiding and restoring proposals and opinions, and the report threshold that hides them.

A hidden item keeps its state and history; lists, cards and the web page show
「운영 원칙에 따라 숨겨진 글입니다」 instead of its text. The author is told why, politely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Opinion, Proposal, Report
from bot.domain.debate import excerpt
from bot.services.audit import record_audit
from bot.services.outbox import Notice, enqueue_for_users
from bot.services.work_items import WorkKind, post_work_item
from bot.settings import Settings

PROPOSAL, OPINION = "proposal", "opinion"
HIDE_REASONS = ("spam", "abuse", "personal", "offtopic", "duplicate")
AUTOMATIC_REASON = "reports"
OTHER_REASON = "other"
SYSTEM_ACTOR = "자동 (신고 누적)"


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
) -> HideOutcome:
    """Show a hidden (or held) proposal or opinion again and tell its author."""
    return await _set_hidden(session, kind, content_id, False, "", actor, now)


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
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return HideOutcome.UNCHANGED
    record_audit(session, now, actor, f"{kind}.{'hide' if hidden else 'restore'}",
                 f"{kind}:{content_id}",
                 before={"hidden": content.hidden, "hidden_reason": content.hidden_reason},
                 after={"hidden": hidden, "hidden_reason": code, "reason": reason or None})
    params = {"target": kind, "target_id": content_id, "proposal_id": content.proposal_id,
              "title": content.title, "reason": code or "", "reason_text": reason}
    notice = Notice("content_hidden" if hidden else "content_restored", params,
                    f"{kind}:{content_id}:{now.isoformat()}")
    await enqueue_for_users(session, [content.author_id], notice, now)
    return HideOutcome.DONE


# ----- reports --------------------------------------------------------------------------------


async def after_report(
    session: AsyncSession, *, kind: str, content_id: int, now: datetime, settings: Settings,
) -> bool:
    """Called after a new report: at N different reporters the content is hidden and the
    moderators get a 'restore / keep hidden' item. True when this report hid it."""
    reporters = await session.scalar(
        select(func.count(func.distinct(Report.user_id)))
        .where(Report.target_kind == kind, Report.target_id == content_id)
    )
    if int(reporters or 0) != settings.report_hide_threshold:
        return False
    outcome = await hide_content(session, kind=kind, content_id=content_id,
                                 reason=AUTOMATIC_REASON, actor=SYSTEM_ACTOR, now=now)
    if outcome is not HideOutcome.DONE:
        return False
    content = await load_content(session, kind, content_id)
    assert content is not None
    reasons = await _report_reasons(session, kind, content_id)
    notice = Notice("moderation_reported",
                    {"target": kind, "target_id": content_id, "proposal_id": content.proposal_id,
                     "title": content.title, "count": int(reporters or 0), "reasons": reasons},
                    f"{kind}:{content_id}")
    await post_work_item(session, settings, kind=WorkKind.REPORTED, subject_kind=kind,
                         subject_id=content_id, notice=notice, now=now)
    return True


async def _report_reasons(session: AsyncSession, kind: str, content_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Report.reason, func.count()).where(Report.target_kind == kind,
                                                  Report.target_id == content_id)
        .group_by(Report.reason)
    )
    return {reason: int(count) for reason, count in rows}


