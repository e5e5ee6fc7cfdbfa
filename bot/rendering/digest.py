"""The daily digest: a resident's waiting news as one message, one short line per item in the
order it happened, and a button per proposal (or the notice's own link)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import OpenProposal
from bot.i18n import Translator
from bot.rendering import Rendered, plain_text

MAX_LINES = 15  # items listed one by one; the rest are counted
MAX_BUTTONS = 10
BRIEF_CHARACTERS = 140
TITLE_CHARACTERS = 24


@dataclass(frozen=True)
class DigestItem:
    """One waiting notice: its full text (HTML), the proposal it is about (id and title), or
    else the first button of its own (a link, a ballot)."""

    text: str
    proposal: tuple[int, str] | None = None
    button: InlineKeyboardButton | None = None


def digest_message(t: Translator, items: Sequence[DigestItem]) -> Rendered:
    """The digest's text and buttons; at most MAX_LINES lines and MAX_BUTTONS buttons."""
    head = t.ngettext("📬 Your news of the day ({count} item)",
                      "📬 Your news of the day ({count} items)", len(items)).format(
                          count=len(items))
    lines = [f"{number}. {brief(item.text)}" for number, item in
             enumerate(items[:MAX_LINES], start=1)]
    if len(items) > MAX_LINES:
        lines.append(t.gettext("… and {count} more.").format(count=len(items) - MAX_LINES))
    foot = t.gettext("You get news once a day. Change it in ⚙️ /settings.")
    text = "\n\n".join([f"<b>{head}</b>", "\n".join(lines), foot])
    rows = [[button] for button in _buttons(items)[:MAX_BUTTONS]]
    return Rendered(text, InlineKeyboardMarkup(rows) if rows else None)


def brief(text: str) -> str:
    """A notice's first line as plain text, shortened to BRIEF_CHARACTERS (HTML-escaped)."""
    first = plain_text(text).strip().split("\n", 1)[0].strip()
    if len(first) > BRIEF_CHARACTERS:
        first = first[: BRIEF_CHARACTERS - 1].rstrip() + "…"
    return escape(first, quote=False)


def _buttons(items: Sequence[DigestItem]) -> list[InlineKeyboardButton]:
    """One button per proposal, in the order they first appear; the other items' own."""
    buttons: list[InlineKeyboardButton] = []
    seen: set[int] = set()
    for item in items:
        if item.proposal is not None and item.proposal[0] not in seen:
            seen.add(item.proposal[0])
            buttons.append(_open(*item.proposal))
        elif item.proposal is None and item.button is not None:
            buttons.append(item.button)
    return buttons


def _open(proposal_id: int, title: str) -> InlineKeyboardButton:
    short = title if len(title) <= TITLE_CHARACTERS else title[: TITLE_CHARACTERS - 1] + "…"
    return InlineKeyboardButton(f"#{proposal_id} {short}",
                                callback_data=OpenProposal(proposal_id).pack())
