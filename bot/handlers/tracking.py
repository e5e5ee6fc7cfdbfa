"""Runs before every handler: drops redelivered updates and loads the user."""

from __future__ import annotations

import logging
from functools import partial

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.handlers.common import DATABASE_ERRORS, reply_try_later
from bot.handlers.context import GonggamContext, Services
from bot.services.users import UpdateStart, record_update

log = logging.getLogger(__name__)


async def track_update(update: Update, context: GonggamContext) -> None:
    services = context.services
    try:
        start = await services.fast_lane.run(_recording(update, services))
    except DATABASE_ERRORS:
        log.warning("database unreachable while handling update %s", update.update_id)
        await reply_try_later(update, context)
        raise ApplicationHandlerStop from None
    if start.duplicate:
        services.metrics.duplicate_updates.inc()
        log.info("update %s was delivered again; ignored", update.update_id)
        raise ApplicationHandlerStop
    context.user = start.user
    services.metrics.updates_handled.labels(kind=_kind(update)).inc()


def _recording(update: Update, services: Services) -> partial[UpdateStart]:
    """The fast lane's work for this update: note it (or find it was seen), load its user."""
    telegram_user = update.effective_user
    return partial(
        record_update,
        update_id=update.update_id,
        telegram_id=telegram_user.id if telegram_user else None,
        telegram_language=telegram_user.language_code if telegram_user else None,
        admin_ids=services.settings.admin_telegram_ids,
        now=services.clock.now(),
    )


def _kind(update: Update) -> str:
    for kind in ("message", "callback_query", "poll_answer", "edited_message", "poll"):
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, track_update), group=-1)
