"""The one gate of handlers to the permission rules (`bot.domain.permissions.may`).

`@permitted(Action.X)` in front of a command or button handler asks the rules at the time of
the action: the tracking handler re-reads the user's role and ban from the database for every
update, so a role revoked a second ago is already seen here. A refused attempt is answered
politely and the handler does not run; a refused staff action is logged as a warning (a
resident pressing a moderator's button is either a forged callback or a stale message). The
services still ask the rules about bans themselves, in their own transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from bot.domain.permissions import Action, Actor, Allowed, Refused, may
from bot.handlers.common import answer_alert, tell, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering.permissions import refusal_text

log = logging.getLogger(__name__)

Handler = Callable[[Update, GonggamContext], Coroutine[Any, Any, None]]


def rules_actor(context: GonggamContext) -> Actor | None:
    """The person behind the update as the rules see them (None before they are tracked)."""
    user = context.user
    return None if user is None else Actor(user.id, user.role, user.ban)


def permits(context: GonggamContext, action: Action) -> bool:
    """Whether the user behind the update may do `action` now (nothing is said)."""
    now = context.services.clock.now()
    return isinstance(may(rules_actor(context), action, now=now), Allowed)


async def ask(update: Update, context: GonggamContext, action: Action) -> bool:
    """True when allowed; otherwise log the attempt, tell the user why, and return False.

    For the few handlers whose action is known only at run time; the others use
    `permitted`."""
    verdict = may(rules_actor(context), action, now=context.services.clock.now())
    if isinstance(verdict, Allowed):
        return True
    log.log(
        logging.INFO if verdict.ban is not None else logging.WARNING,
        "refused %s for user %s (%s): %s",
        action.value,
        getattr(update.effective_user, "id", None),
        "button" if update.callback_query is not None else "command",
        verdict.reason.value,
    )
    await tell_refusal(update, context, verdict)
    return False


def permitted(action: Action) -> Callable[[Handler], Handler]:
    """Run the handler only when the rules allow `action` to the user behind the update."""

    def guard(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(update: Update, context: GonggamContext) -> None:
            if await ask(update, context, action):
                await handler(update, context)

        return guarded

    return guard


async def tell_refusal(update: Update, context: GonggamContext, refused: Refused) -> None:
    """The polite refusal: a ban as the error handler has always told it, a role refusal
    as a pop-up on a button or a reply to a command."""
    text = refusal_text(translator_for(update, context), refused)
    if refused.ban is not None:
        await tell(update, text, html=True)
        return
    await _tell(update, text)


async def _tell(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await answer_alert(update.callback_query, text)
        return
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)
