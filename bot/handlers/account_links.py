"""Linking KakaoTalk and Telegram: /link, /unlink, and in KakaoTalk 「연결」 and 「연결 해제」.

`/link` (or 「연결」, or 「🔗 계정 연결」 on the settings screen) shows a one-time code; the
code sent from the other app (`/link 123456`, 「연결 123456」) links the two accounts
(bot/services/account_links.py). A KakaoTalk turn runs as a Telegram update, so one handler
serves both apps: the words are matched as a command or as a private text message.
"""

from __future__ import annotations

import logging
from typing import cast

from telegram import Message
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import AccountLinkStart
from bot.domain.account_links import LINK_UTTERANCE, UNLINK_UTTERANCE, typed_link_code
from bot.handlers.common import actor_of
from bot.handlers.shape import Press, Said, Turn, on_message, on_press
from bot.rendering import account_links as view
from bot.services import account_links
from bot.services.account_links import LinkOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


def typed_code(text: str) -> str | None:
    """The code after `/link` or 「연결」; None when only the word was sent."""
    if text.startswith("/"):
        return text.partition(" ")[2].strip() or None
    return typed_link_code(text)


@on_message
async def link(said: Said) -> None:
    typed = typed_code(said.message.text or "")
    if typed is None:
        await said.reply_html(await _new_code(said))
        return
    settings = said.context.services.settings
    async with said.context.transaction() as session:
        result = await account_links.redeem_link_code(
            session, user_id=said.user_id, typed=typed, secret_keys=settings.secret_keys,
            actor=actor_of(said.update), now=said.now)
    if result.outcome is not LinkOutcome.LINKED:
        log.info("account link refused for user %s: %s", said.user_id, result.outcome)
    await said.reply_html(view.link_reply(said.t, result))


@on_press(AccountLinkStart)
async def link_pressed(press: Press[AccountLinkStart]) -> None:
    await press.ack()
    await cast(Message, press.query.message).reply_html(await _new_code(press))


async def _new_code(turn: Turn) -> str:
    """A new one-time code, as the text that shows it."""
    async with turn.context.transaction() as session:
        issued = await account_links.issue_link_code(
            session, user_id=turn.user_id, secret_key=turn.context.services.settings.secret_key,
            now=turn.now)
    return view.link_code(turn.t, issued)


@on_message
async def unlink(said: Said) -> None:
    async with said.context.transaction() as session:
        outcome = await account_links.unlink_accounts(
            session, user_id=said.user_id, actor=actor_of(said.update), now=said.now)
    await said.reply_html(view.unlink_reply(said.t, outcome))


def register(application: Application) -> None:
    application.add_handler(CommandHandler("link", link, filters=PRIVATE))
    application.add_handler(CommandHandler("unlink", unlink, filters=PRIVATE))
    application.add_handler(MessageHandler(PRIVATE & filters.Regex(UNLINK_UTTERANCE), unlink))
    application.add_handler(MessageHandler(PRIVATE & filters.Regex(LINK_UTTERANCE), link))
    application.add_handler(CallbackQueryHandler(link_pressed, pattern=AccountLinkStart.matches))
