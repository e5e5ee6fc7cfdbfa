"""The audit log: append-only record of staff and department actions.

The application only appends (`record_audit`) and reads (`query_audit`); the database itself
rejects UPDATE and DELETE on `audit_log` (a trigger, migration 0008).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry


def record_audit(
    session: AsyncSession,
    now: datetime,
    actor: str,
    action: str,
    subject: str,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    """Add one entry to the caller's transaction (it lands only if the change does)."""
    session.add(AuditEntry(at=now, actor=actor[:120], action=action, subject=subject,
                           before=before, after=after))


# ----- reading (the /audit viewer): queries only, nothing here changes an entry --------------

AUDIT_FILTER_KEYS = ("actor", "action", "subject")


@dataclass(frozen=True)
class AuditFilter:
    """`actor` and `action` match a part of the value; `subject` the subject or its prefix
    (`proposal` matches `proposal:12`)."""

    actor: str | None = None
    action: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class AuditPageRows:
    rows: tuple[AuditRow, ...]
    page: int
    pages: int
    total: int


async def query_audit(
    session: AsyncSession, where: AuditFilter, *, page: int, per_page: int
) -> AuditPageRows:
    """The newest entries first, one page of them (pages count from 0, clamped)."""
    conditions = _conditions(where)
    total = int(await session.scalar(
        select(func.count()).select_from(AuditEntry).where(*conditions)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    entries = await session.scalars(
        select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc())
        .offset(page * per_page).limit(per_page))
    rows = tuple(AuditRow(e.id, e.at, e.actor, e.action, e.subject, e.before, e.after)
                 for e in entries)
    return AuditPageRows(rows, page, pages, total)


def _conditions(where: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.actor:
        conditions.append(AuditEntry.actor.contains(where.actor, autoescape=True))
    if where.action:
        conditions.append(AuditEntry.action.contains(where.action, autoescape=True))
    if where.subject:
        conditions.append(or_(AuditEntry.subject == where.subject,
                              AuditEntry.subject.startswith(where.subject + ":", autoescape=True)))
    return conditions
