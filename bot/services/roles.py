"""Granting and revoking the moderator and admin roles.

The bootstrap list (`ADMIN_TELEGRAM_IDS`) always wins: `record_update` makes those people
admins again on every update, so a revoke or demotion of one of them is refused with an
explanation (remove the id from the setting first). There is always at least one admin: the
demotion of the last one is refused, and the guard is part of the UPDATE itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.domain.permissions import Role
from bot.services.audit import record_audit
from bot.services.sql import rows_affected


class RoleOutcome(StrEnum):
    CHANGED = "changed"
    ALREADY = "already"
    UNKNOWN_USER = "unknown_user"
    LAST_ADMIN = "last_admin"
    BOOTSTRAP = "bootstrap"


@dataclass(frozen=True)
class StaffMember:
    telegram_id: int
    role: Role
    bootstrap: bool


async def set_role(
    session: AsyncSession, *, telegram_id: int, role: Role, actor: str, now: datetime,
    bootstrap_ids: frozenset[int],
) -> RoleOutcome:
    """Give `telegram_id` the role `role` (RESIDENT revokes).

    Outcomes: CHANGED; ALREADY (they hold it); UNKNOWN_USER (they never wrote to the bot);
    BOOTSTRAP (an ADMIN_TELEGRAM_IDS admin cannot lose the role here); LAST_ADMIN (nobody
    would be left to administer the bot).
    """
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    if user is None:
        return RoleOutcome.UNKNOWN_USER
    current = Role(user.role)
    if current is role:
        return RoleOutcome.ALREADY
    demoting_admin = current is Role.ADMIN
    if demoting_admin and telegram_id in bootstrap_ids:
        return RoleOutcome.BOOTSTRAP
    statement = update(User).where(User.id == user.id, User.role == current).values(role=role)
    if demoting_admin:
        other_admins = (select(func.count()).select_from(User)
                        .where(User.role == Role.ADMIN, User.id != user.id).scalar_subquery())
        statement = statement.where(other_admins > 0)
    changed = await session.execute(statement.execution_options(synchronize_session=False))
    if rows_affected(changed) != 1:
        return RoleOutcome.LAST_ADMIN if demoting_admin else RoleOutcome.ALREADY
    record_audit(session, now, actor, "user.role", f"user:{telegram_id}",
                 before={"role": current.value}, after={"role": role.value})
    return RoleOutcome.CHANGED


async def list_staff(session: AsyncSession, bootstrap_ids: frozenset[int]) -> list[StaffMember]:
    """Admins first, then moderators, by Telegram id."""
    rows = await session.execute(
        select(User.telegram_id, User.role).where(User.role.in_([Role.ADMIN, Role.MODERATOR]))
        .order_by(User.role, User.telegram_id)
    )
    return [StaffMember(tid, Role(role), tid in bootstrap_ids) for tid, role in rows]
