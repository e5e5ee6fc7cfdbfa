"""A pressed message is redrawn only when it would change: Telegram refuses an edit that
changes nothing ("message is not modified")."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.handlers.common import already_shows
from bot.rendering import Rendered

CHAT = Chat(1, Chat.PRIVATE)
BUTTONS = InlineKeyboardMarkup([[InlineKeyboardButton("👍 공감", callback_data="e:1:3")]])
CARD = "<b>「공원 &amp; 가로등」</b> #3\n공감 ▰▰▱ 2/3"


def on_screen(text: str | None, markup: InlineKeyboardMarkup | None = BUTTONS) -> Message:
    return Message(7, datetime(2026, 12, 7, tzinfo=UTC), CHAT, text=text, reply_markup=markup)


def test_the_same_text_and_buttons_are_not_redrawn() -> None:
    assert already_shows(on_screen("「공원 & 가로등」 #3\n공감 ▰▰▱ 2/3"), Rendered(CARD, BUTTONS))


def test_a_new_count_or_other_buttons_are_redrawn() -> None:
    assert not already_shows(on_screen("「공원 & 가로등」 #3\n공감 ▰▱▱ 1/3"),
                             Rendered(CARD, BUTTONS))
    assert not already_shows(on_screen("「공원 & 가로등」 #3\n공감 ▰▰▱ 2/3", None),
                             Rendered(CARD, BUTTONS))


def test_a_message_without_text_or_one_that_is_gone_is_redrawn() -> None:
    assert not already_shows(on_screen(None), Rendered(CARD, BUTTONS))
    assert not already_shows(None, Rendered(CARD, BUTTONS))
