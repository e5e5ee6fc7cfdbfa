"""The single error handler: log the failure (without message bodies) and answer politely."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application

from bot.handlers.common import is_database_outage, reply_try_later
from bot.handlers.context import GonggamContext
from bot.handlers.moderation import tell_banned  # moderation: a ban is a polite refusal
from bot.services.bans import UserBanned

log = logging.getLogger(__name__)


async def on_error(update: object, context: GonggamContext) -> None:
    error = context.error
    if isinstance(error, BadRequest) and "message is not modified" in error.message:
        return
    if isinstance(error, UserBanned) and isinstance(update, Update):
        await tell_banned(update, context, error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if is_database_outage(error):
        log.warning("database unreachable while handling update %s: %s", update_id,
                    type(error).__name__)
    else:
        log.error("update %s failed", update_id, exc_info=error)
    if isinstance(update, Update):
        try:
            await reply_try_later(update, context)
        except Exception:
            log.warning("could not tell the user about the failure of update %s", update_id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_error_handler(on_error)  # type: ignore[arg-type]
