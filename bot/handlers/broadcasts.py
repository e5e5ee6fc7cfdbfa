"""/broadcast (admins): write the text, choose the audience, see the count, confirm once.

Every button re-checks the admin role and the draft's state in the database: a resident's
forged button is refused and logged, a stale or double-tapped one changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import CallbackQuery, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import BroadcastAction, BroadcastAudience
from bot.domain.permissions import Action
from bot.handlers.access import ask, permitted
from bot.handlers.answering import answer_query
from bot.handlers.common import Awaiting, actor_of, answer_alert, edit_in_place, translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.pending import AwaitingBroadcast
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.rendering import broadcasts as view
from bot.services import broadcasts
from bot.services.broadcasts import Audience, AudienceKind, DraftOutcome, SendOutcome
from bot.settings import Settings

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


@permitted(Action.BROADCAST)
async def start_broadcast(update: Update, context: GonggamContext) -> None:
    assert update.effective_message is not None
    context.expect(AwaitingBroadcast())
    rendered = view.ask_for_text(translator_for(update, context))
    await update.effective_message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


async def receive_text(update: Update, context: GonggamContext) -> None:
    """The admin's next message after /broadcast becomes the draft (commands excluded)."""
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    if not await ask(update, context, Action.BROADCAST):  # and forget the awaited draft
        context.take_pending(AwaitingBroadcast)
        return
    t = translator_for(update, context)
    services = context.services
    async with context.transaction() as session:
        outcome, broadcast_id = await broadcasts.create_draft(
            session, plain_text=message.text, text_html=message.text_html if message.text else "",
            admin_chat_id=message.chat_id, actor=actor_of(update),
            now=services.clock.now(),
        )
    if outcome is not DraftOutcome.CREATED or broadcast_id is None:
        await message.reply_html(view.draft_problem(t, outcome, len(message.text or "")))
        return
    context.take_pending(AwaitingBroadcast)
    await message.reply_html(view.framed(t, message.text_html))  # what residents will see
    rendered = view.choose_kind(t, broadcast_id)
    await message.reply_html(rendered.text, reply_markup=rendered.reply_markup)


@permitted(Action.BROADCAST)
async def on_audience(update: Update, context: GonggamContext) -> None:
    query = update.callback_query
    data = BroadcastAudience.parse(query.data) if query is not None else None
    if query is None or data is None:
        return
    t = translator_for(update, context)
    try:
        kind = AudienceKind(data.kind)
    except ValueError:
        await answer_alert(query, view.send_problem(t, SendOutcome.GONE))
        return
    if data.value == view.LIST and kind is not AudienceKind.ALL:
        await _show(query, view.choose_value(t, data.broadcast_id, kind,
                                             await _choices(context, kind)))
        return
    audience = await _audience(context, kind, data.value)
    if audience is None:
        await answer_alert(query, view.send_problem(t, SendOutcome.GONE))
        return
    async with context.transaction() as session:
        shown = await broadcasts.choose_audience(session, data.broadcast_id, audience)
    if shown is None:
        await answer_alert(query, view.send_problem(t, SendOutcome.ALREADY))
        return
    label = await _audience_label(context, t, audience)
    await _show(query, view.preview(t, shown, label, _held_until(context)))


@permitted(Action.BROADCAST)
async def on_action(update: Update, context: GonggamContext) -> None:
    query = update.callback_query
    data = BroadcastAction.parse(query.data) if query is not None else None
    if query is None or data is None:
        return
    t = translator_for(update, context)
    if data.action == "send":
        await _send(update, context, query, data.broadcast_id)
    elif data.action == "cancel":
        context.take_pending(AwaitingBroadcast)
        actor = actor_of(update)
        async with context.transaction() as session:
            dropped = data.broadcast_id == 0 or await broadcasts.cancel(
                session, data.broadcast_id, actor=actor, now=context.services.clock.now())
        if dropped:
            await _show(query, Rendered(view.cancelled(t)))
        else:
            await answer_alert(query, view.send_problem(t, SendOutcome.ALREADY))
    elif data.action == "back":
        async with context.transaction() as session:
            still_draft = await broadcasts.is_draft(session, data.broadcast_id)
        if still_draft:
            await _show(query, view.choose_kind(t, data.broadcast_id))
        else:
            await answer_alert(query, view.send_problem(t, SendOutcome.ALREADY))
    else:
        await answer_alert(query, view.send_problem(t, SendOutcome.GONE))


async def _send(
    update: Update, context: GonggamContext, query: CallbackQuery, broadcast_id: int
) -> None:
    t = translator_for(update, context)
    services = context.services
    message_id = query.message.message_id if query.message is not None else None
    async with context.transaction() as session:
        outcome, count = await broadcasts.confirm(
            session, broadcast_id, progress_message_id=message_id,
            actor=actor_of(update),
            now=services.clock.now(),
        )
    if outcome is not SendOutcome.SENDING or count is None:
        await answer_alert(query, view.send_problem(t, outcome))
        return
    log.info("broadcast %s confirmed for %s recipients", broadcast_id, count.recipients)
    await _show(query, Rendered(view.starting(t, count)))


def _held_until(context: GonggamContext) -> datetime | None:
    """When quiet hours hold the (non-urgent) broadcast, the moment they end."""
    quiet, now = context.services.settings.policy.quiet_hours, context.services.clock.now()
    return quiet.next_end(now) if quiet.enabled and quiet.contains(now) else None


async def _choices(context: GonggamContext, kind: AudienceKind) -> list[tuple[int, str]]:
    settings = context.services.settings
    if kind is AudienceKind.AREA:
        return list(enumerate(settings.areas))
    if kind is AudienceKind.CATEGORY:
        return list(enumerate(settings.categories))
    async with context.transaction() as session:
        return await broadcasts.recent_rounds(session)


async def _audience(context: GonggamContext, kind: AudienceKind, value: int) -> Audience | None:
    """The audience a button names, re-checked against the settings and the rounds."""
    settings: Settings = context.services.settings
    if kind is AudienceKind.ALL:
        return Audience(kind)
    names = settings.areas if kind is AudienceKind.AREA else settings.categories
    if kind in (AudienceKind.AREA, AudienceKind.CATEGORY):
        return Audience(kind, names[value]) if 0 <= value < len(names) else None
    rounds = dict(await _choices(context, kind))
    return Audience(kind, str(value)) if value in rounds else None


async def _audience_label(context: GonggamContext, t: Translator, audience: Audience) -> str:
    value = audience.value
    if audience.kind is AudienceKind.ROUND:
        rounds = dict(await _choices(context, audience.kind))
        value = rounds.get(int(audience.value or 0), "")
    return view.audience_label(t, audience.kind, value)


async def _show(query: CallbackQuery, rendered: Rendered) -> None:
    await answer_query(query)
    await edit_in_place(query, rendered)


def register(application: Application) -> None:
    application.add_handler(CommandHandler("broadcast", start_broadcast, filters=PRIVATE))
    application.add_handler(MessageHandler(
        PRIVATE & ~filters.COMMAND & Awaiting(application, AwaitingBroadcast), receive_text))
    application.add_handler(CallbackQueryHandler(on_audience, pattern=BroadcastAudience.matches))
    application.add_handler(CallbackQueryHandler(on_action, pattern=BroadcastAction.matches))
