"""/broadcast (admins): write the text, choose the audience, see the count, confirm once.

Every button re-checks the admin role and the draft's state in the database: a resident's
forged button is refused and logged, a stale or double-tapped one changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import BroadcastAction, BroadcastAudience
from bot.domain.permissions import Action
from bot.handlers.access import ask, permitted
from bot.handlers.common import Awaiting, actor_of, translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.pending import AwaitingBroadcast
from bot.handlers.shape import Press, Said, on_message, on_press
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


@on_message
async def receive_text(said: Said) -> None:
    """The admin's next message after /broadcast becomes the draft (commands excluded)."""
    if not await ask(said.update, said.context, Action.BROADCAST):  # and forget the draft
        said.context.take_pending(AwaitingBroadcast)
        return
    outcome, broadcast_id = await _create_draft(said)
    if outcome is not DraftOutcome.CREATED or broadcast_id is None:
        await said.reply_html(view.draft_problem(said.t, outcome, len(said.message.text or "")))
        return
    said.context.take_pending(AwaitingBroadcast)
    await said.reply_html(view.framed(said.t, said.message.text_html))  # what residents see
    await said.send(view.choose_kind(said.t, broadcast_id))


async def _create_draft(said: Said) -> tuple[DraftOutcome, int | None]:
    message = said.message
    async with said.context.transaction() as session:
        return await broadcasts.create_draft(
            session, plain_text=message.text, text_html=message.text_html if message.text else "",
            admin_chat_id=message.chat_id, actor=actor_of(said.update), now=said.now,
        )


@permitted(Action.BROADCAST)
@on_press(BroadcastAudience)
async def on_audience(press: Press[BroadcastAudience]) -> None:
    kind = _audience_kind(press.data.kind)
    if kind is None:
        await press.alert(view.send_problem(press.t, SendOutcome.GONE))
    elif press.data.value == view.LIST and kind is not AudienceKind.ALL:
        choices = await _choices(press.context, kind)
        await press.show(view.choose_value(press.t, press.data.broadcast_id, kind, choices))
    else:
        await _choose_audience(press, kind)


def _audience_kind(raw: str) -> AudienceKind | None:
    try:
        return AudienceKind(raw)
    except ValueError:
        return None


async def _choose_audience(press: Press[BroadcastAudience], kind: AudienceKind) -> None:
    """Record the audience a button names and show the preview with its count."""
    audience = await _audience(press.context, kind, press.data.value)
    if audience is None:
        await press.alert(view.send_problem(press.t, SendOutcome.GONE))
        return
    async with press.context.transaction() as session:
        shown = await broadcasts.choose_audience(session, press.data.broadcast_id, audience)
    if shown is None:
        await press.alert(view.send_problem(press.t, SendOutcome.ALREADY))
        return
    label = await _audience_label(press.context, press.t, audience)
    await press.show(view.preview(press.t, shown, label, _held_until(press.context)))


@permitted(Action.BROADCAST)
@on_press(BroadcastAction)
async def on_action(press: Press[BroadcastAction]) -> None:
    step = ACTIONS.get(press.data.action)
    if step is None:
        await press.alert(view.send_problem(press.t, SendOutcome.GONE))
        return
    await step(press)


async def _send(press: Press[BroadcastAction]) -> None:
    message = press.query.message
    async with press.context.transaction() as session:
        outcome, count = await broadcasts.confirm(
            session, press.data.broadcast_id,
            progress_message_id=message.message_id if message is not None else None,
            actor=actor_of(press.update), now=press.now,
        )
    if outcome is not SendOutcome.SENDING or count is None:
        await press.alert(view.send_problem(press.t, outcome))
        return
    log.info("broadcast %s confirmed for %s recipients", press.data.broadcast_id,
             count.recipients)
    await press.show(Rendered(view.starting(press.t, count)))


async def _cancel(press: Press[BroadcastAction]) -> None:
    """Drop the draft (0: the text was never sent) and stop waiting for it."""
    press.context.take_pending(AwaitingBroadcast)
    broadcast_id, actor = press.data.broadcast_id, actor_of(press.update)
    async with press.context.transaction() as session:
        dropped = broadcast_id == 0 or await broadcasts.cancel(
            session, broadcast_id, actor=actor, now=press.now)
    if dropped:
        await press.show(Rendered(view.cancelled(press.t)))
    else:
        await press.alert(view.send_problem(press.t, SendOutcome.ALREADY))


async def _back(press: Press[BroadcastAction]) -> None:
    async with press.context.transaction() as session:
        still_draft = await broadcasts.is_draft(session, press.data.broadcast_id)
    if still_draft:
        await press.show(view.choose_kind(press.t, press.data.broadcast_id))
    else:
        await press.alert(view.send_problem(press.t, SendOutcome.ALREADY))


ACTIONS: dict[str, Callable[[Press[BroadcastAction]], Awaitable[None]]] = {
    "send": _send, "cancel": _cancel, "back": _back,
}


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


def register(application: Application) -> None:
    application.add_handler(CommandHandler("broadcast", start_broadcast, filters=PRIVATE))
    application.add_handler(MessageHandler(
        PRIVATE & ~filters.COMMAND & Awaiting(application, AwaitingBroadcast), receive_text))
    application.add_handler(CallbackQueryHandler(on_audience, pattern=BroadcastAudience.matches))
    application.add_handler(CallbackQueryHandler(on_action, pattern=BroadcastAction.matches))
