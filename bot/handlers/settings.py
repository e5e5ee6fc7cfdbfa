"""/settings (notifications) and /lang (language)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import cast

from telegram import Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import DigestToggle, LanguageChoice, NotificationToggle
from bot.handlers.common import translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.shape import Press, on_press
from bot.rendering.common import (
    DigestChoice,
    language_changed,
    language_prompt,
    menu_keyboard,
    settings_view,
)
from bot.services.users import set_daily_digest, set_language, set_muted_all
from bot.services.wakes import Wake

PRIVATE = filters.ChatType.PRIVATE


async def show_settings(update: Update, context: GonggamContext) -> None:
    t = translator_for(update, context)
    view = settings_view(
        t,
        muted_all=bool(context.user and context.user.muted_all),
        quiet=context.services.settings.policy.quiet_hours,
        budget_news=_budget_news(context),
        digest=_digest(context, bool(context.user and context.user.daily_digest)),
    )
    message = cast(Message, update.effective_message)
    await message.reply_html(view.text, reply_markup=view.reply_markup)


def _budget_news(context: GonggamContext) -> bool:
    """Whether the resident asked for budget vote news (the settings screen's toggle), as
    loaded with the user when the update came in: no transaction of its own."""
    return context.user is not None and context.user.budget_news


async def ask_language(update: Update, context: GonggamContext) -> None:
    prompt = language_prompt(translator_for(update, context))
    message = cast(Message, update.effective_message)
    await message.reply_html(prompt.text, reply_markup=prompt.reply_markup)


@on_press(LanguageChoice)
async def choose_language(press: Press[LanguageChoice]) -> None:
    language = press.data.language
    if language == "ask":
        await press.ack()
        await ask_language(press.update, press.context)
        return
    async with press.context.transaction() as session:
        changed = await set_language(session, press.user_id, language)
    i18n, user = press.context.services.i18n, press.context.tracked_user
    t = i18n.get(language if changed else user.language)
    await press.show(language_prompt(t))  # the same language again: no change
    await cast(Message, press.query.message).reply_html(language_changed(t),
                                                        reply_markup=menu_keyboard(t))


@on_press(NotificationToggle)
async def toggle_notifications(press: Press[NotificationToggle]) -> None:
    muted = bool(press.data.muted)
    # The edited card is the feedback, so the spinner can stop while the choice is stored.
    await asyncio.gather(
        press.ack(),
        press.context.fast_write(partial(set_muted_all, user_id=press.user_id, muted=muted)),
    )
    view = settings_view(press.t, muted_all=muted,
                         quiet=press.context.services.settings.policy.quiet_hours,
                         budget_news=_budget_news(press.context),
                         digest=_digest(press.context, press.context.tracked_user.daily_digest))
    message = press.query.message
    if message is not None and view.text != getattr(message, "text", None):
        await press.query.edit_message_text(view.text, reply_markup=view.reply_markup)


@on_press(DigestToggle)
async def toggle_digest(press: Press[DigestToggle]) -> None:
    """「하루 한 번 모아 받기」 on or off; off, what was waiting goes out now."""
    daily, services = bool(press.data.daily), press.context.services
    await asyncio.gather(
        press.ack(),
        press.context.fast_write(partial(set_daily_digest, user_id=press.user_id, daily=daily)),
    )
    if not daily:
        services.wake(Wake.TELEGRAM_OUTBOX)  # what waited for the digest is due now
    await press.show(settings_view(
        press.t, muted_all=press.context.tracked_user.muted_all,
        quiet=services.settings.policy.quiet_hours, budget_news=_budget_news(press.context),
        digest=_digest(press.context, daily),
    ))


def _digest(context: GonggamContext, daily: bool) -> DigestChoice:
    return DigestChoice(daily, context.services.settings.policy.daily_digest_at)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("settings", show_settings, filters=PRIVATE))
    application.add_handler(CommandHandler("lang", ask_language, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(choose_language, pattern=LanguageChoice.matches))
    application.add_handler(
        CallbackQueryHandler(toggle_notifications, pattern=NotificationToggle.matches)
    )
    application.add_handler(CallbackQueryHandler(toggle_digest, pattern=DigestToggle.matches))
