"""/stats (staff): the weekly chart as a photo, then the figures; the web page has them all."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler, filters

from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import translator_for
from bot.handlers.context import GonggamContext
from bot.rendering import stats as view
from bot.rendering.stats_chart import weekly_chart_png
from bot.services.stats import compute_stats

PRIVATE = filters.ChatType.PRIVATE


@permitted(Action.STATS)
async def show_stats(update: Update, context: GonggamContext) -> None:
    message = update.effective_message
    assert message is not None
    t = translator_for(update, context)
    services = context.services
    async with context.transaction() as session:
        stats = await compute_stats(session, services.clock.now(),
                                    services.settings.policy.timezone)
    chart = await asyncio.to_thread(weekly_chart_png, t, stats.weeks)
    await message.reply_photo(InputFile(chart, filename="weekly.png"),
                              caption=view.chart_caption(t))
    page_url = services.settings.public_base_url.rstrip("/") + "/stats"
    await message.reply_html(view.summary(t, stats, page_url), disable_web_page_preview=True)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("stats", show_stats, filters=PRIVATE))
