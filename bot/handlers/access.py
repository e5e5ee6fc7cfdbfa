"""Role checks for staff commands and buttons, made at the time of the action.

The tracking handler re-reads the user's role from the database for every update, so a role
revoked a second ago is already seen here. A refused attempt is logged (a resident pressing a
moderator's button is either a forged callback or a stale message) and answered politely.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.db.models import Role
from bot.handlers.common import answer_alert, translator_for
from bot.handlers.context import GonggamContext

log = logging.getLogger(__name__)

_RANK = {Role.RESIDENT: 0, Role.MODERATOR: 1, Role.ADMIN: 2}


def has_role(context: GonggamContext, minimum: Role) -> bool:
    """Whether the user behind the update holds `minimum` or a higher role right now."""
    user = context.user
    return user is not None and _RANK[Role(user.role)] >= _RANK[minimum]


async def require_role(update: Update, context: GonggamContext, minimum: Role) -> bool:
    """True when allowed; otherwise log the attempt, tell the user, and return False."""
    if has_role(context, minimum):
        return True
    log.warning(
        "refused %s action for user %s (%s)",
        minimum.value,
        getattr(update.effective_user, "id", None),
        "button" if update.callback_query is not None else "command",
    )
    t = translator_for(update, context)
    text = (
        t.gettext("This is for administrators only.")
        if minimum is Role.ADMIN
        else t.gettext("This is for moderators only.")
    )
    await _tell(update, text)
    return False


async def staff_only(update: Update, context: GonggamContext) -> bool:
    """Moderators and admins."""
    return await require_role(update, context, Role.MODERATOR)


async def admin_only(update: Update, context: GonggamContext) -> bool:
    """Admins only."""
    return await require_role(update, context, Role.ADMIN)


async def _tell(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await answer_alert(update.callback_query, text)
        return
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)
