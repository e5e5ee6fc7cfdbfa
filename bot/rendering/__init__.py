"""Message texts and keyboards, one module per area; handlers and the dispatcher use them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from telegram import InlineKeyboardMarkup

_TAG = re.compile(r"<[^>]*>")


def plain_text(html_text: str) -> str:
    """What an HTML message text reads as without its markup (a pop-up, a length count, a
    comparison with what Telegram shows)."""
    return unescape(_TAG.sub("", html_text))


@dataclass(frozen=True)
class Rendered:
    """A message ready for Telegram: HTML text and an optional inline keyboard.

    With `photo` (an http(s) URL) the text goes out as the photo's caption (≤ 1024 chars).
    """

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    photo: str | None = None


@dataclass(frozen=True)
class Answer:
    """How a pressed button is answered: a toast, or a pop-up with `alert` (no text: a
    silent answer), then the pressed message redrawn as `redraw`, if given."""

    text: str | None = None
    alert: bool = False
    redraw: Rendered | None = None
