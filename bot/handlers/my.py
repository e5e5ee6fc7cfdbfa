"""/my: my proposals with their state and D-day, and the proposals I endorsed."""

from __future__ import annotations

from typing import cast

from telegram import Message, Update
from telegram.ext import Application, CommandHandler, filters

from bot.handlers.common import translator_for
from bot.handlers.context import GonggamContext
from bot.rendering.proposals import my_activity
from bot.rendering.questions import with_open_questions
from bot.services.browse import my_endorsements, my_proposals
from bot.services.questions import open_questions


async def show_my_activity(update: Update, context: GonggamContext) -> None:
    if context.user is None:
        return
    async with context.transaction() as session:
        mine = await my_proposals(session, context.user.id)
        endorsed = await my_endorsements(session, context.user.id)
        asked = await open_questions(session, context.user.id)
    services, t = context.services, translator_for(update, context)
    rendered = with_open_questions(t, my_activity(
        t, mine, endorsed, services.settings.policy.endorsement_threshold, services.clock.now(),
    ), asked)
    await cast(Message, update.effective_message).reply_html(
        rendered.text, reply_markup=rendered.reply_markup
    )


def register(application: Application) -> None:
    application.add_handler(
        CommandHandler("my", show_my_activity, filters=filters.ChatType.PRIVATE)
    )
