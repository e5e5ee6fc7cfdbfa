"""The forum mirror: one forum topic per debate in DEBATE_FORUM_CHAT_ID, opened and closed here.

Why a reconciling component and not an outbox kind: the outbox can only send a message to a
chat, while a topic needs `createForumTopic`, a message in the new thread and, at the end,
`closeForumTopic`. Services only write `debate_forum_topics` rows (a request when the debate
opens); this component, started by the runtime like the dispatcher, compares those rows with
the proposals and makes Telegram match, idempotently, the way the deadline machine works from
its columns:

- a requested topic of an open debate → create it (leased for a few minutes, so two workers
  do not both create it), store its thread id, post the summary as its first message and try
  to pin it (where the bot may not pin, the message still opens the topic);
- a topic whose debate is over → post the stored result, close the topic, mark it closed.

Known window: a crash between `createForumTopic` and storing the thread id creates a second
topic on the retry (Telegram has no idempotency key for topics); a crash between posting the
result and marking the row closed posts the result twice.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from bot.background import ChatSyncLoop
from bot.clock import Clock
from bot.i18n import Translator
from bot.rendering import debates as texts
from bot.services.debates import (
    ForumWork,
    claim_topics_to_open,
    mark_forum_closed,
    record_forum_thread,
    topics_to_close,
)
from bot.telegram_errors import is_topic_not_modified

log = logging.getLogger(__name__)


class ForumMirror(ChatSyncLoop):
    """Keeps the forum's debate topics in step with the debates in the database."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        translator: Translator,
        *,
        idle_wait: float = 5.0,
    ) -> None:
        super().__init__(sessionmaker, bot, clock, idle_wait=idle_wait)
        self.name = "forum-mirror"
        self._t = translator

    async def run_once(self) -> int:
        return await self.reconcile()

    async def reconcile(self) -> int:
        """Open the topics that should exist and close the finished ones; returns how many."""
        async with self._sessionmaker() as session, session.begin():
            opening = await claim_topics_to_open(session, self._clock.now())
        async with self._sessionmaker() as session:
            closing = await topics_to_close(session)
        for work in opening:
            await self._open(work)
        for work in closing:
            await self._close(work)
        return len(opening) + len(closing)

    async def _open(self, work: ForumWork) -> None:
        try:
            topic = await self._bot.create_forum_topic(
                work.chat_id, texts.topic_title(work.proposal_id, work.title))
        except BadRequest as error:
            log.warning("cannot create the topic for proposal %s: %s", work.proposal_id,
                        error.message)
            return
        async with self._sessionmaker() as session, session.begin():
            await record_forum_thread(session, work.proposal_id, topic.message_thread_id)
        text = texts.topic_opening(
            self._t, work.title, work.problem, work.solution, work.closes_at)
        message = await self._bot.send_message(
            work.chat_id, text, parse_mode=ParseMode.HTML,
            message_thread_id=topic.message_thread_id,
        )
        try:
            await self._bot.pin_chat_message(work.chat_id, message.message_id,
                                             disable_notification=True)
        except (BadRequest, EndPointNotFound, InvalidToken) as error:
            # No pin rights, or an API without pinChatMessage (a 404, which
            # PTB reports as InvalidToken): the summary is the topic's first message anyway.
            log.info("summary of proposal %s not pinned: %s", work.proposal_id, error.message)

    async def _close(self, work: ForumWork) -> None:
        if work.thread_id is not None:
            try:
                await self._bot.send_message(
                    work.chat_id, texts.topic_result(self._t, work.summary, work.answer_due),
                    parse_mode=ParseMode.HTML, message_thread_id=work.thread_id,
                )
            except BadRequest as error:
                log.info("result of proposal %s not posted: %s", work.proposal_id, error.message)
            try:
                await self._bot.close_forum_topic(work.chat_id, work.thread_id)
            except BadRequest as error:
                if not is_topic_not_modified(error):
                    raise
        async with self._sessionmaker() as session, session.begin():
            await mark_forum_closed(session, work.proposal_id, self._clock.now())
