"""Message texts and keyboards, one module per area; handlers and the dispatcher use them."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup


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
