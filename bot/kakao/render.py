"""What a Kakao turn showed, as a Kakao i Open Builder skill response (version 2.0).

The texts are the Telegram ones, from the one gettext catalog: only their shape changes.

- A message's HTML becomes plain text, links kept readable (`label (https://…)`); a text
  longer than a simpleText allows is cut into several at line ends.
- A Telegram link to a proposal (`t.me/<bot>?start=p<id>`, or Telegram's share page for it)
  becomes the proposal's public page, which a Kakao resident can open and pass on; a button
  to any other Telegram link is left out (it needs the Telegram app).
- Inline buttons that press something become quick replies: `action: "block"` back to the
  skill's block with the button's callback data (and the message it sits on) in `extra`,
  which Kakao returns as `action.clientExtra`; without a block id, `action: "message"`, whose
  label comes back as an utterance that the bridge matches to the button.
- URL buttons become a textCard's `webLink` buttons (a text too long for a card keeps the
  links as lines); a photo given by URL becomes a simpleImage; a reply-keyboard menu becomes
  quick replies that send their label as a message; a button press's toast comes first.
- Kakao's limits (bot/domain/kakao.py) hold in every response: neighbouring texts are joined
  while they fit, and what does not fit in 3 outputs or 10 quick replies waits behind a
  「다음 ▶」 quick reply that shows the rest (kept in the account's conversation).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.domain.kakao import (
    MAX_CARD_BUTTONS,
    MAX_LABEL,
    MAX_OUTPUTS,
    MAX_QUICK_REPLIES,
    MAX_SIMPLE_TEXT,
    MAX_TEXT_CARD_DESCRIPTION,
    shortened,
    split_text,
)
from bot.kakao.capture import Toast, View
from bot.rendering import plain_text

JSONDict = dict[str, Any]
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
DONE = "✔️"  # a turn that showed nothing (a silent answer to a press) still needs an output
_TELEGRAM = "https://t.me/"
_TELEGRAM_SHARE = "https://t.me/share/url?"
_PROPOSAL_LINK = re.compile(r"https://t\.me/[A-Za-z0-9_]{1,64}\?start=p(\d{1,12})")


@dataclass(frozen=True)
class Reply:
    """A quick reply: a pressed Telegram button (`callback` on message `message_id`), a menu
    label sent as a message, or the 「다음 ▶」 that shows what did not fit (`more`)."""

    label: str
    message_text: str
    callback: str | None = None
    message_id: int | None = None
    more: bool = False

    @classmethod
    def from_json(cls, stored: JSONDict) -> Reply:
        return cls(**stored)


@dataclass(frozen=True)
class Page:
    """One response, and what waits behind its 「다음 ▶」."""

    response: JSONDict
    replies: list[Reply]
    rest: JSONDict | None


def kakao_text(html: str, public_base_url: str = "") -> str:
    """A message's HTML as plain text with each link's address readable (and a Telegram link
    to a proposal made its public page)."""
    def readable(link: re.Match[str]) -> str:
        address = kakao_link(unescape(link[1]), public_base_url) or unescape(link[1])
        same = plain_text(link[2]).strip() == address
        return link[2] if same else f"{link[2]} ({address})"

    text = plain_text(_LINK.sub(readable, html)).strip()
    if not public_base_url:
        return text
    return _PROPOSAL_LINK.sub(lambda found: _public_page(public_base_url, found[1]), text)


def kakao_link(url: str, public_base_url: str) -> str | None:
    """`url` as a Kakao resident can open it: a Telegram link to a proposal (to open it, or
    Telegram's share page for it) becomes the proposal's public page; None for any other
    Telegram link, which needs the Telegram app."""
    if not url.startswith(_TELEGRAM):
        return url
    if url.startswith(_TELEGRAM_SHARE):
        url = parse_qs(urlsplit(url).query).get("url", [""])[0]
    found = _PROPOSAL_LINK.fullmatch(url)
    return _public_page(public_base_url, found[1]) if found and public_base_url else None


def _public_page(public_base_url: str, proposal_id: str) -> str:
    return f"{public_base_url.rstrip('/')}/p/{proposal_id}"


def bubble(view: View, message_id: int, public_base_url: str = ""
           ) -> tuple[list[JSONDict], list[Reply]]:
    """One message's outputs and the quick replies its buttons become."""
    text = kakao_text(view.html, public_base_url)
    buttons = [button for row in (view.markup or {}).get("inline_keyboard", []) for button in row]
    links = [(str(b["text"]), address) for b in buttons if b.get("url")
             if (address := kakao_link(str(b["url"]), public_base_url))]
    outputs = [_image(view.photo, text)] if view.photo and view.photo.startswith("http") else []
    if links and 0 < len(text) <= MAX_TEXT_CARD_DESCRIPTION:
        outputs.append(_text_card(text, links))
    else:
        lines = [f"{label} ({url})" for label, url in links]
        outputs += [_simple_text(piece) for piece in split_text("\n".join([text, *lines]))]
    return outputs, _presses(buttons, message_id) + _menu(view.markup)


def _presses(buttons: Sequence[JSONDict], message_id: int) -> list[Reply]:
    return [Reply(shortened(str(b["text"]), MAX_LABEL), shortened(str(b["text"]), MAX_LABEL),
                  str(b["callback_data"]), message_id)
            for b in buttons if b.get("callback_data")]


def _menu(markup: JSONDict | None) -> list[Reply]:
    rows = (markup or {}).get("keyboard", [])
    labels = [b if isinstance(b, str) else str(b.get("text", "")) for row in rows for b in row]
    return [Reply(shortened(label, MAX_LABEL), label) for label in labels if label]


def _simple_text(text: str) -> JSONDict:
    return {"simpleText": {"text": text}}


def _image(url: str, text: str) -> JSONDict:
    return {"simpleImage": {"imageUrl": url, "altText": shortened(text or url, 100)}}


def _text_card(text: str, links: Sequence[tuple[str, str]]) -> JSONDict:
    """The text with its links as buttons; links past the third are written into the text."""
    more = [f"{label} ({url})" for label, url in links[MAX_CARD_BUTTONS:]]
    description = "\n".join([text, *more])
    if len(description) > MAX_TEXT_CARD_DESCRIPTION:
        description = text
    buttons = [{"action": "webLink", "label": shortened(label, MAX_LABEL), "webLinkUrl": url}
               for label, url in links[:MAX_CARD_BUTTONS]]
    return {"textCard": {"description": description, "buttons": buttons}}


def turn_page(
    shown: Sequence[int | Toast], views: dict[int, View], *, block_id: str | None,
    more_label: str, pressed: tuple[int, View] | None = None,
    standing_menu: JSONDict | None = None, public_base_url: str = "",
) -> Page:
    """The response for what a turn showed, in order.

    A press that redrew nothing (a refusal's pop-up, a silent answer) leaves the pressed
    message on screen, as Telegram does: its buttons are offered again (and its text shown
    when nothing else was). A turn that offers no buttons at all offers the `standing_menu`
    (a reply keyboard), as Telegram keeps its menu under every message."""
    outputs: list[JSONDict] = []
    presses: list[Reply] = []
    menu: list[Reply] = []
    for item in shown:
        if isinstance(item, Toast):
            outputs.append(_simple_text(shortened(item.text, MAX_SIMPLE_TEXT)))
            continue
        its_outputs, its_replies = bubble(views[item], item, public_base_url)
        outputs += its_outputs
        presses += [reply for reply in its_replies if reply.callback is not None]
        menu = [reply for reply in its_replies if reply.callback is None] or menu
    if pressed is not None and not any(isinstance(item, int) for item in shown):
        its_outputs, its_replies = bubble(pressed[1], pressed[0], public_base_url)
        outputs = outputs or its_outputs
        presses += [reply for reply in its_replies if reply.callback is not None]
    if not outputs:
        outputs = [_simple_text(DONE)]
    if not presses and not menu:
        menu = _menu(standing_menu)
    return page(joined(outputs), _unique(presses + menu), block_id=block_id,
                more_label=more_label)


def page(
    outputs: list[JSONDict], replies: list[Reply], *, block_id: str | None, more_label: str,
) -> Page:
    """At most 3 outputs and 10 quick replies; the rest behind 「다음 ▶」. While outputs wait,
    the buttons wait with them (they belong to what is shown last)."""
    if len(outputs) > MAX_OUTPUTS:
        shown, waiting_outputs, quick, waiting_replies = (
            outputs[:MAX_OUTPUTS], outputs[MAX_OUTPUTS:], [], replies)
    elif len(replies) > MAX_QUICK_REPLIES:
        shown, waiting_outputs = outputs, []
        quick, waiting_replies = replies[:MAX_QUICK_REPLIES - 1], replies[MAX_QUICK_REPLIES - 1:]
    else:
        shown, waiting_outputs, quick, waiting_replies = outputs, [], replies, []
    rest = None
    if waiting_outputs or waiting_replies:
        heading = _heading(shown)
        rest = {"outputs": waiting_outputs or [_simple_text(heading)],
                "replies": [asdict(reply) for reply in waiting_replies]}
        quick = [*quick, Reply(shortened(more_label, MAX_LABEL), more_label, more=True)]
    template: JSONDict = {"outputs": shown}
    if quick:
        template["quickReplies"] = [quick_reply(reply, block_id) for reply in quick]
    return Page({"version": "2.0", "template": template}, quick, rest)


def rest_page(rest: JSONDict, *, block_id: str | None, more_label: str) -> Page:
    """The next page of what waited behind 「다음 ▶」."""
    replies = [Reply.from_json(stored) for stored in rest.get("replies", [])]
    return page(list(rest.get("outputs", [])), replies, block_id=block_id, more_label=more_label)


def _heading(outputs: Sequence[JSONDict]) -> str:
    """The first line of the last text shown, to stand above buttons shown on their own."""
    for output in reversed(outputs):
        text = (output.get("simpleText") or output.get("textCard") or {}).get("text") or (
            output.get("textCard") or {}).get("description")
        if text:
            return shortened(str(text).splitlines()[0], MAX_SIMPLE_TEXT)
    return DONE


def joined(outputs: Sequence[JSONDict]) -> list[JSONDict]:
    """Neighbouring simpleTexts joined while the join fits one (fewer, fuller bubbles)."""
    result: list[JSONDict] = []
    for output in outputs:
        previous = result[-1] if result else None
        if previous and "simpleText" in previous and "simpleText" in output:
            together = previous["simpleText"]["text"] + "\n\n" + output["simpleText"]["text"]
            if len(together) <= MAX_SIMPLE_TEXT:
                result[-1] = _simple_text(together)
                continue
        result.append(output)
    return result


def _unique(replies: Sequence[Reply]) -> list[Reply]:
    """One quick reply per label (Kakao shows the label; the first of a label wins)."""
    seen: set[str] = set()
    unique = []
    for reply in replies:
        if reply.label not in seen:
            seen.add(reply.label)
            unique.append(reply)
    return unique


def quick_reply(reply: Reply, block_id: str | None) -> JSONDict:
    """A quick reply as Kakao takes it: back to the skill's block with `extra` when the block
    is known, else the label as a message (matched to the button by the bridge)."""
    if block_id is not None and (reply.callback is not None or reply.more):
        extra: JSONDict = {"more": 1} if reply.more else {"cb": reply.callback,
                                                          "m": reply.message_id}
        return {"label": reply.label, "action": "block", "blockId": block_id,
                "messageText": reply.label, "extra": extra}
    return {"label": reply.label, "action": "message", "messageText": reply.message_text}
