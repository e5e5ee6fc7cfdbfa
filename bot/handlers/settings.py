"""/settings (notifications) and /lang (language)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import cast

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import LanguageChoice, NotificationToggle
from bot.handlers.answering import answer_query
from bot.handlers.common import edit_in_place, pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.rendering.common import language_changed, language_prompt, menu_keyboard, settings_view
from bot.services.users import set_language, set_muted_all

PRIVATE = filters.ChatType.PRIVATE


async def show_settings(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    view = settings_view(
        t,
        muted_all=bool(context.user and context.user.muted_all),
        quiet=context.services.settings.policy.quiet_hours,
    )
    await cast(Message, update.effective_message).reply_html(view.text, reply_markup=view.reply_markup)


async def ask_language(update: Update, context: GonggamContext) -> None:
    prompt = language_prompt(translator_for(update, context))
    await cast(Message, update.effective_message).reply_html(prompt.text, reply_markup=prompt.reply_markup)


async def choose_language(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, LanguageChoice)
    if button is None:
        return
    query, choice = button
    if choice.language == "ask":
        await answer_query(query)
        await ask_language(update, context)
        return
    async with context.transaction() as session:
        changed = await set_language(session, context.tracked_user.id, choice.language)
    t = context.services.i18n.get(choice.language if changed else context.tracked_user.language)
    await answer_query(query)
    await edit_in_place(query, language_prompt(t))  # the same language again: no change
    await cast(Message, query.message).reply_html(language_changed(t), reply_markup=menu_keyboard(t))


async def toggle_notifications(update: Update, context: GonggamContext) -> None:
    button = pressed(update, context, NotificationToggle)
    if button is None:
        return
    query, toggle = button
    muted = bool(toggle.muted)
    # The edited card is the feedback, so the spinner can stop while the choice is stored.
    await asyncio.gather(
        answer_query(query),
        context.services.fast_lane.run(
            partial(set_muted_all, user_id=context.tracked_user.id, muted=muted)
        ),
    )
    t = translator_for(update, context)
    view = settings_view(t, muted_all=muted, quiet=context.services.settings.policy.quiet_hours)
    if query.message is not None and view.text != getattr(query.message, "text", None):
        await query.edit_message_text(view.text, reply_markup=view.reply_markup)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("settings", show_settings, filters=PRIVATE))
    application.add_handler(CommandHandler("lang", ask_language, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=LanguageChoice.matches))
    application.add_handler(
        CallbackQueryHandler(toggle_notifications, pattern=NotificationToggle.matches)
    )
