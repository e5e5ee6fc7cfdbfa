"""/budget_news: hear when a participatory-budget vote opens. The same toggle sits on the
settings screen, and the 💰 screen offers it when no vote is open."""

from __future__ import annotations

from telegram import Message
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import BudgetNewsOptIn
from bot.handlers.common import edit_buttons_in_place
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.rendering.budget import budget_news_view
from bot.rendering.common import with_budget_news_toggle
from bot.services import budget

PRIVATE = filters.ChatType.PRIVATE


@on_message
async def show_budget_news(said: Said) -> None:
    async with said.context.transaction() as session:
        opted_in = await budget.budget_news_opt_in(session, said.user_id)
    await said.send(budget_news_view(said.t, opted_in))


@on_press(BudgetNewsOptIn)
async def toggle_budget_news(press: Press[BudgetNewsOptIn]) -> None:
    """Stored, then the pressed message redrawn: the offer, or on the settings screen only
    this button (the rest of that screen stays as it was drawn)."""
    opted_in = bool(press.data.opt_in)
    async with press.context.transaction() as session:
        await budget.set_budget_news(session, press.user_id, opted_in)
    if not press.data.settings:
        await press.show(budget_news_view(press.t, opted_in))
        return
    await press.ack()
    await _swap_settings_button(press, opted_in)


async def _swap_settings_button(press: Press[BudgetNewsOptIn], opted_in: bool) -> None:
    message = press.query.message
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    await edit_buttons_in_place(
        press.query, with_budget_news_toggle(press.t, message.reply_markup, opted_in))


def register(application: Application) -> None:
    """Before the fallbacks (their command catch-all would answer /budget_news otherwise)."""
    application.add_handler(CommandHandler("budget_news", show_budget_news, filters=PRIVATE))
    application.add_handler(
        CallbackQueryHandler(toggle_budget_news, pattern=BudgetNewsOptIn.matches))
