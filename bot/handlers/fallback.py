"""Everything no other handler took: a short, polite answer instead of silence or a crash."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.buttons import WizardChoice, WizardEdit, WizardStep, parse_any
from bot.domain.text import is_meaningful, normalise_text
from bot.handlers.answering import answer_query
from bot.handlers.common import translator_for
from bot.handlers.context import GonggamContext
from bot.i18n import Translator
from bot.rendering.common import (
    draft_waiting,
    empty_message,
    menu_keyboard,
    not_understood,
    stale_button,
    text_only,
    too_long,
    unknown_command,
)
from bot.rendering.wizard import stale_wizard_button
from bot.services.drafts import has_draft

log = logging.getLogger(__name__)

MAX_FREE_TEXT = 4000
PRIVATE = filters.ChatType.PRIVATE


async def unknown_text(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    text = normalise_text(cast(Message, update.effective_message).text or "")
    if not is_meaningful(text):
        reply = empty_message(t)
    elif len(text) > MAX_FREE_TEXT:
        reply = too_long(t, MAX_FREE_TEXT)
    elif await _has_draft(context):
        reply = draft_waiting(t)
    else:
        reply = not_understood(t)
    await cast(Message, update.effective_message).reply_html(reply, reply_markup=menu_keyboard(t))


async def _has_draft(context: GonggamContext) -> bool:
    if context.user is None:
        return False
    async with context.transaction() as session:
        return await has_draft(session, context.user.id)


async def unknown_command_reply(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    await cast(Message, update.effective_message).reply_html(unknown_command(t))


async def non_text(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    message = cast(Message, update.effective_message)
    await message.reply_html(text_only(t), reply_markup=menu_keyboard(t))


async def unknown_button(update: Update, context: GonggamContext) -> None:
    """Stale or forged button data: answer the query, change nothing, keep a trace."""
    query = update.callback_query
    if query is None:
        return
    log.warning(
        "unrecognised callback data from user %s (%d bytes)",
        query.from_user.id,
        len((query.data or "").encode()),
    )
    await answer_query(query, _why_stale(query.data, translator_for(update, context)), alert=True)


def _why_stale(data: str | None, t: Translator) -> str:
    """A wizard button outlives its wizard: say so, and how to go on with the draft."""
    if isinstance(parse_any(data), WizardStep | WizardChoice | WizardEdit):
        return stale_wizard_button(t)
    return stale_button(t)


def register(application: Application) -> None:
    """Register last: within a group the first matching handler wins."""
    application.add_handler(CallbackQueryHandler(unknown_button))
    application.add_handler(
        MessageHandler(PRIVATE & filters.COMMAND, unknown_command_reply)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT, unknown_text))
    application.add_handler(
        MessageHandler(PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL, non_text)
    )
