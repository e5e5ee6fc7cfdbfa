"""The audit log: append-only record of staff and department actions."""

from __future__ import annotations

from datetime import datetime

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
