"""「📞 전화로 알려 주세요」: /callbacks, its pages and ✅ (bot/services/callbacks.py).

Opening a page shows one resident's contact in the clear, so every page drawn is written to
the audit log by the service; the contact itself never reaches a log.
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import CallbackDone, CallbackPage
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Press, Said, Turn, on_message, on_press
from bot.rendering import Rendered
from bot.rendering import callbacks as view
from bot.rendering.notifications import NotificationRenderer
from bot.services import callbacks
from bot.services.callbacks import DoneOutcome


async def callback_view(turn: Turn, index: int) -> Rendered:
    """The `index`-th open call-back, or the last one when fewer are left (after ✅)."""
    page = await _open(turn, index)
    if page.item is None and page.total and index > 0:
        index = page.total - 1
        page = await _open(turn, index)
    render = NotificationRenderer(turn.context.services.i18n)
    return view.callback_screen(turn.t, render, page, index)


async def _open(turn: Turn, index: int) -> callbacks.CallbackPage:
    services = turn.context.services
    async with turn.context.transaction() as session:
        return await callbacks.open_page(
            session, page=index, contact_key=services.settings.contact_key,
            actor=actor_of(turn.update), now=turn.now)


@permitted(Action.CALL_BACK)
@on_message
async def list_callbacks(said: Said) -> None:
    """/callbacks"""
    await said.send(await callback_view(said, 0))


@permitted(Action.CALL_BACK)
@on_press(CallbackPage)
async def turn_page(press: Press[CallbackPage]) -> None:
    await press.show(await callback_view(press, max(0, press.data.page)))


@permitted(Action.CALL_BACK)
@on_press(CallbackDone)
async def mark_done(press: Press[CallbackDone]) -> None:
    """✅: the resident was phoned; the list goes on with the next call-back."""
    actor = actor_of(press.update)
    async with press.context.transaction() as session:
        outcome = await callbacks.mark_done(session, press.data.item_id, user_id=press.user_id,
                                            actor=actor, now=press.now)
    await press.ack(view.done_reply(press.t, outcome), alert=outcome is not DoneOutcome.DONE)
    await press.redraw(await callback_view(press, max(0, press.data.page)))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("callbacks", list_callbacks,
                                           filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(turn_page, pattern=CallbackPage.matches))
    application.add_handler(CallbackQueryHandler(mark_done, pattern=CallbackDone.matches))
