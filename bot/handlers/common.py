"""Helpers shared by the thin handlers: the translator for an update, and polite replies."""

from __future__ import annotations

import logging
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, filters

from bot.buttons import CallbackData
from bot.db.engine import DATABASE_ERRORS
from bot.handlers.answering import answer_query, fit_answer, was_answered
from bot.handlers.context import GonggamContext
from bot.handlers.pending import Pending, pending_in
from bot.i18n import Translator
from bot.rendering import Rendered, plain_text
from bot.rendering.common import try_again_later
from bot.telegram_errors import is_not_modified

log = logging.getLogger(__name__)



Data = TypeVar("Data", bound=CallbackData)


def pressed(
    update: Update, context: GonggamContext, kind: type[Data]
) -> tuple[CallbackQuery, Data] | None:
    """The pressed button's query and its decoded data; None for anything else (or no user)."""
    query = update.callback_query
    data = kind.parse(query.data) if query is not None else None
    if query is None or data is None or context.user is None:
        return None
    return query, data


def translator_for(update: Update, context: GonggamContext) -> Translator:
    user = update.effective_user
    return context.translator(user.language_code if user else None)


async def reply_try_later(update: Update, context: GonggamContext) -> None:
    """Tell the user to retry; used when the database is briefly unreachable."""
    await tell(update, try_again_later(translator_for(update, context)))


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_ERRORS)


class Awaiting(filters.MessageFilter):
    """True while the user owes us a one-message answer of this kind (`context.pending`)."""

    def __init__(self, application: Application, kind: type[Pending]) -> None:
        super().__init__(name=f"Awaiting({kind.__name__})")
        self._application = application
        self._kind = kind

    def filter(self, message: object) -> bool:
        user = getattr(message, "from_user", None)
        if user is None:
            return False
        return isinstance(pending_in(self._application.user_data.get(user.id)), self._kind)


async def edit_in_place(query: CallbackQuery, rendered: Rendered) -> None:
    """Redraw the pressed message when it shows something else than `rendered`.

    An unchanged message is not edited (Telegram refuses that edit with "message is not
    modified"); an identical redraw that still reaches Telegram (a double tap) is no error.
    """
    if query.message is None or already_shows(query.message, rendered):
        return
    try:
        await query.edit_message_text(rendered.text, parse_mode="HTML",
                                      reply_markup=rendered.reply_markup)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


async def edit_buttons_in_place(query: CallbackQuery, markup: InlineKeyboardMarkup | None
                                ) -> None:
    """Redraw only the pressed message's buttons, when they differ (the same rule as
    `edit_in_place`: no unchanged edit, and a double tap's identical one is no error)."""
    message = query.message
    if not isinstance(message, Message) or message.reply_markup == markup:
        return
    try:
        await query.edit_message_reply_markup(markup)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


def actor_of(update: Update) -> str:
    """Who did it, as the audit log and the services name staff: `telegram:<id>`."""
    user = update.effective_user
    return f"telegram:{user.id if user is not None else 0}"


async def answer_alert(query: CallbackQuery, text: str) -> None:
    """Answer a pressed button with a pop-up; a query answered already is only logged."""
    await answer_query(query, text, alert=True)


async def tell(update: Update, text: str, *, html: bool = False) -> None:
    """A pop-up on a pressed button still waiting for its answer, when the text fits one;
    otherwise a message in a private chat (groups stay quiet). `html`: `text` is HTML."""
    query = update.callback_query
    if query is not None and not was_answered(query):
        shown = plain_text(text) if html else text
        fits = fit_answer(shown) == shown
        if await answer_query(query, shown if fits else None, alert=fits) and fits:
            return
    chat, message = update.effective_chat, update.effective_message
    if chat is not None and chat.type == "private" and message is not None:
        await (message.reply_html(text) if html else message.reply_text(text))


def already_shows(message: object, rendered: Rendered) -> bool:
    """Whether a message on screen reads as `rendered` and has the same buttons (a message
    Telegram no longer gives us, or one with a photo, is never taken as the same)."""
    if not isinstance(message, Message) or message.text is None:
        return False
    same_text = message.text == plain_text(rendered.text).strip()
    return same_text and message.reply_markup == rendered.reply_markup
