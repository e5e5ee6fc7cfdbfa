"""/start, /help and the main menu."""

from __future__ import annotations

from typing import cast

from telegram import Message, Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.domain.kakao import is_kakao_chat
from bot.flows.budget_ballot import open_budget
from bot.handlers.common import translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.my import show_my_activity
from bot.handlers.proposals import open_deep_link, show_list
from bot.handlers.settings import show_settings
from bot.rendering.budget import BUDGET_START
from bot.rendering.common import (
    arrived_by_link,
    cancelled,
    coming_soon,
    greeting,
    help_text,
    menu_item_for_label,
    menu_keyboard,
    nothing_to_cancel,
)

PRIVATE = filters.ChatType.PRIVATE


async def start(update: Update, context: GonggamContext) -> None:
    """/start, also from a shared link: `/start p<id>` opens that proposal's card,
    `/start budget` the participatory-budget ballot. Any question left open is dropped."""
    context.clear_pending()
    if context.args and context.args[0][:1] == "p" and context.args[0][1:].isdigit():
        await open_deep_link(update, context, int(context.args[0][1:]))
        await _menu_after_link(update, context)
        return
    if context.args and context.args[0] == BUDGET_START:  # the channel's 🗳 vote button
        await _menu_after_link(update, context)  # first: a contact request must stay last
        await open_budget(update, context)
        return
    await _greet(update, context)


async def _greet(update: Update, context: GonggamContext) -> None:
    """The welcome and the menu; a KakaoTalk resident is told where their news comes."""
    t = translator_for(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    settings = context.services.settings
    message = cast(Message, update.effective_message)
    words = greeting(t, name, settings.policy, kakao=is_kakao_chat(message.chat_id),
                     texts=settings.texts.enabled)
    await message.reply_html(words, reply_markup=menu_keyboard(t))


async def _menu_after_link(update: Update, context: GonggamContext) -> None:
    """With a shared card or the ballot: what 공감 is, and the menu (a newcomer has never
    seen it)."""
    t = translator_for(update, context)
    await cast(Message, update.effective_message).reply_html(
        arrived_by_link(t, context.services.settings.policy), reply_markup=menu_keyboard(t)
    )


async def show_help(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    await cast(Message, update.effective_message).reply_html(
        help_text(t, context.services.settings.policy), reply_markup=menu_keyboard(t)
    )


async def not_open_yet(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    await cast(Message, update.effective_message).reply_html(
        coming_soon(t), reply_markup=menu_keyboard(t)
    )


async def cancel(update: Update, context: GonggamContext) -> None:
    """/cancel outside the wizard: drop whatever one-message question is waiting."""
    t = translator_for(update, context)
    text = cancelled(t) if context.clear_pending() is not None else nothing_to_cancel(t)
    await cast(Message, update.effective_message).reply_html(text, reply_markup=menu_keyboard(t))


async def menu_button(update: Update, context: GonggamContext) -> None:
    """A tap on the reply keyboard: route it like the matching command. Opening the menu
    drops any question left open."""
    label = cast(Message, update.effective_message).text or ""
    item = menu_item_for_label(context.services.i18n, label)
    if item is None:
        return
    context.clear_pending()
    routes = {
        "help": show_help,
        "settings": show_settings,
        "browse": show_list,
        "my": show_my_activity,
        "budget": open_budget,
    }
    route = routes.get(item.key, not_open_yet)
    await route(update, context)


class MenuLabelFilter(filters.MessageFilter):
    """Matches the reply-keyboard labels in every language (built per app, not at import)."""

    def __init__(self, application: Application, key: str | None = None) -> None:
        super().__init__(name=f"MenuLabelFilter({key or 'any'})")
        self._application = application
        self._key = key

    def filter(self, message: object) -> bool:
        text = getattr(message, "text", None)
        services = getattr(self._application, "services", None)
        item = menu_item_for_label(services.i18n, text) if text and services else None
        return item is not None and (self._key is None or item.key == self._key)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("start", start, filters=PRIVATE))
    application.add_handler(CommandHandler("help", show_help, filters=PRIVATE))
    application.add_handler(
        CommandHandler("budget", open_budget, filters=PRIVATE)
    )
    application.add_handler(
        CommandHandler("cancel", cancel, filters=PRIVATE)
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & MenuLabelFilter(application), menu_button)
    )
