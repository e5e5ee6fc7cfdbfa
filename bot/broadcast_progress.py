"""The broadcast progress report: edits the admin's message as the outbox delivers.

Why a loop and not a dispatcher hook: the dispatcher sends rows one by one and knows nothing
of broadcasts; counting the tagged outbox rows every couple of seconds gives the same picture
from the database, also across processes and restarts. A pass edits a message only when its
counts changed, and always reports no work done, so that the idle wait between passes keeps
the edits to one every `idle_wait` seconds per broadcast (well inside Telegram's limits).
When every row of a broadcast is settled, the message shows the final counts and the
broadcast is marked done.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.background import ChatSyncLoop
from bot.clock import Clock
from bot.i18n import Translator
from bot.rendering import broadcasts as texts
from bot.services.broadcasts import Progress, record_report, sending_progress

log = logging.getLogger(__name__)


class BroadcastProgress(ChatSyncLoop):
    """Keeps each sending broadcast's progress message up to date."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        translator: Translator,
        *,
        idle_wait: float = 2.0,
    ) -> None:
        super().__init__(sessionmaker, bot, clock, idle_wait=idle_wait)
        self.name = "broadcast-progress"
        self._t = translator

    async def run_once(self) -> int:
        await self.report()
        return 0

    async def report(self) -> int:
        """Edit the messages whose counts changed; returns how many were edited."""
        async with self._sessionmaker() as session:
            sending = await sending_progress(session)
        changed = [p for p in sending if p.signature != p.reported]
        for progress in changed:
            await self._show(progress)
            async with self._sessionmaker() as session, session.begin():
                await record_report(session, progress, self._clock.now())
        return len(changed)

    async def _show(self, progress: Progress) -> None:
        text = texts.progress(self._t, progress)
        try:
            if progress.progress_message_id is None:
                await self._bot.send_message(progress.admin_chat_id, text,
                                             parse_mode=ParseMode.HTML)
                return
            await self._bot.edit_message_text(text, progress.admin_chat_id,
                                              progress.progress_message_id,
                                              parse_mode=ParseMode.HTML)
        except (BadRequest, Forbidden) as error:
            # Not modified, deleted by the admin, or the admin blocked the bot: the counts
            # are still recorded, so the broadcast finishes all the same.
            log.info("progress of broadcast %s not shown: %s", progress.broadcast_id,
                     error.message)
