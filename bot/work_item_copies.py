"""The staff chats' copies of a handled work item say who did what, and lose their buttons.

Without a moderators' group every moderator and admin gets a copy of each work item. When
one of them acts, the handler edits the other copies that are sent (`edit_handled_copies`)
and the outbox drops those not yet sent. A copy in flight at that moment (claimed by the
dispatcher, its Telegram message not yet recorded) is settled by the dispatcher right after
it records the send (`LateCopies`): whichever of the two writes commits last sees the other,
so no copy keeps buttons that no longer work.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import TelegramError

from bot.dispatcher import Claimed
from bot.i18n import I18n
from bot.rendering import moderation as view
from bot.rendering.notifications import NotificationRenderer
from bot.services import work_items
from bot.services.work_items import Copy, WorkItemView

log = logging.getLogger(__name__)


async def edit_handled_copies(
    bot: Bot, i18n: I18n, copies: Sequence[Copy], item: WorkItemView, argument: int = 0
) -> None:
    """Each copy re-rendered in its reader's language with the handled line, no buttons; a
    copy that cannot be edited (deleted, too old) is left: its buttons say it was handled."""
    render = NotificationRenderer(i18n)
    for copy in copies:
        line = view.item_handled_line(i18n.get(copy.language), item, argument)
        text = view.handled_copy(render(copy.kind, copy.params, copy.language).text, line)
        try:
            await bot.edit_message_text(text, chat_id=copy.chat_id, message_id=copy.message_id,
                                        parse_mode="HTML")
        except TelegramError as error:
            log.info("work item %s: a copy was not updated (%s)", item.id, error)


class LateCopies:
    """The dispatcher's hook after a send: a work item copy whose item was handled while the
    copy was on its way is edited at once. It only reads (give it `bot.db.engine.reading`
    sessions: on SQLite a send then takes no write lock)."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], bot: Bot, i18n: I18n
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bot = bot
        self._i18n = i18n

    async def __call__(self, row: Claimed, message_id: int) -> None:
        item_id = row.params.get("work_item_id")
        if not isinstance(item_id, int):
            return
        async with self._sessionmaker() as session:
            item = await work_items.load_item(session, item_id)
        if item is None or item.open:
            return
        copy = Copy(row.chat_id, message_id, row.kind, row.params, row.language)
        await edit_handled_copies(self._bot, self._i18n, [copy], item)
