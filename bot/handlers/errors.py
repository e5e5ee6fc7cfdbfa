"""The single error handler: log the failure (without message bodies) and answer politely.

A pressed button is answered once: if the failed handler had answered already, the
polite words go out as a message instead (see `bot.handlers.answering`).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application

from bot.handlers.access import tell_refusal  # a ban is a polite refusal
from bot.handlers.answering import answer_query, was_answered
from bot.handlers.common import is_database_outage, reply_try_later
from bot.handlers.context import GonggamContext
from bot.services.bans import UserBanned
from bot.telegram_errors import is_not_modified

log = logging.getLogger(__name__)


async def on_error(update: object, context: GonggamContext) -> None:
    error = context.error
    if is_not_modified(error):
        await _redraw_changed_nothing(update)
        return
    if isinstance(error, UserBanned) and isinstance(update, Update):
        await tell_refusal(update, context, error.refused)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    _log_failure(update_id, error)
    if isinstance(update, Update):
        await _apologise(update, context)


def _log_failure(update_id: int | None, error: BaseException | None) -> None:
    """A database outage is expected now and then (a warning, no traceback); anything else
    is a bug."""
    if is_database_outage(error):
        log.warning("database unreachable while handling update %s: %s", update_id,
                    type(error).__name__)
    else:
        log.error("update %s failed", update_id, exc_info=error)


async def _apologise(update: Update, context: GonggamContext) -> None:
    try:
        await reply_try_later(update, context)
    except Exception:
        log.warning("could not tell the user about the failure of update %s", update.update_id)


async def _redraw_changed_nothing(update: object) -> None:
    """A redraw of what is already shown (a double tap) is a success: nothing to say."""
    query = update.callback_query if isinstance(update, Update) else None
    if query is not None and not was_answered(query):
        await answer_query(query)


def register(application: Application) -> None:
    application.add_error_handler(on_error)
