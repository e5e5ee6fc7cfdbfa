"""What the handlers send to a Kakao resident's chat is captured, not sent to Telegram.

The Kakao bridge runs one Kakao turn as a Telegram update through the real Application. For
the length of that update a `Capture` is set in a context variable; `CapturingRequest`, which
wraps the bot's real Bot API request, answers every call for that one chat (a message, a
photo, an edit, a deleted message, a chat action) and the answer to that turn's button press
itself, with results shaped as Telegram's, and records what would have been shown. Calls for
any other chat, and every call outside a Kakao turn, go to Telegram untouched. Captured calls
book nothing in the send budget either (`is_captured`, consulted by `BudgetLimiter`).

A context variable, not a field of the bot: each Kakao turn runs in its own task, so turns of
different residents (and Telegram updates beside them) never see each other's capture.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.domain.kakao import is_kakao_chat
from bot.rendering import plain_text

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
_current: ContextVar[Capture | None] = ContextVar("kakao_capture", default=None)
SENDS_WITH_CAPTION = frozenset({
    "sendPhoto", "sendDocument", "sendAnimation", "sendVideo", "sendAudio", "sendVoice",
})
EDITS = frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})
NOT_A_TELEGRAM_CHAT = json.dumps(
    {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}).encode()


@dataclass
class View:
    """One message as the resident sees it: its HTML text (or caption), its buttons as the
    Bot API takes them, and a photo (a URL, or Telegram's file id that Kakao cannot show)."""

    html: str
    markup: JSONDict | None = None
    photo: str | None = None


@dataclass(frozen=True)
class Toast:
    """The answer to a pressed button: shown first, as a line of text."""

    text: str


@dataclass
class Capture:
    """One Kakao turn's chat: the messages known to it and what the turn showed, in order."""

    chat: JSONDict
    bot_user: JSONDict
    date: int
    next_message_id: int
    query_id: str | None = None
    messages: dict[int, JSONDict] = field(default_factory=dict)
    views: dict[int, View] = field(default_factory=dict)
    shown: list[int | Toast] = field(default_factory=list)
    language: str = "ko"  # the resident's, for what is said about the turn itself

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    def claims(self, endpoint: str, parameters: JSONDict) -> bool:
        """Whether a Bot API call belongs to this turn's chat (or its button press)."""
        if endpoint == "answerCallbackQuery":
            return self.query_id is not None and parameters.get("callback_query_id") == \
                self.query_id
        return str(parameters.get("chat_id")) == str(self.chat_id)

    def answer(self, endpoint: str, parameters: JSONDict) -> object:
        """What Telegram would have answered, with the call recorded for the renderer."""
        if endpoint == "sendMessage":
            return self.show(View(_html(parameters, "text"), parameters.get("reply_markup")))
        if endpoint in SENDS_WITH_CAPTION:
            photo = parameters.get("photo") if endpoint == "sendPhoto" else None
            return self.show(View(_html(parameters, "caption"), parameters.get("reply_markup"),
                                  photo if isinstance(photo, str) else None))
        if endpoint in EDITS:
            return self._edit(endpoint, parameters)
        if endpoint == "answerCallbackQuery" and parameters.get("text"):
            self.shown.append(Toast(str(parameters["text"])))
        elif endpoint in ("deleteMessage", "deleteMessages"):
            self._delete(parameters)
        return True

    def show(self, view: View) -> JSONDict:
        """A new message in the chat (a reply, or a held push shown with this turn)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return self._remember(message_id, view)

    def _edit(self, endpoint: str, parameters: JSONDict) -> JSONDict:
        message_id = int(parameters.get("message_id", 0))
        view = self.views.get(message_id) or view_of(self.messages.get(message_id))
        if endpoint == "editMessageText":
            view = View(_html(parameters, "text"), parameters.get("reply_markup"))
        elif endpoint == "editMessageCaption":
            view = View(_html(parameters, "caption"), parameters.get("reply_markup"), view.photo)
        else:
            view = View(view.html, parameters.get("reply_markup"), view.photo)
        if message_id in self.shown:
            self.shown.remove(message_id)
        return self._remember(message_id, view)

    def _delete(self, parameters: JSONDict) -> None:
        ids = parameters.get("message_ids") or [parameters.get("message_id")]
        for message_id in ids:
            if message_id in self.shown:
                self.shown.remove(message_id)

    def _remember(self, message_id: int, view: View) -> JSONDict:
        self.views[message_id] = view
        self.shown.append(message_id)
        message = self._message(message_id, view)
        self.messages[message_id] = message
        return message

    def _message(self, message_id: int, view: View) -> JSONDict:
        """The message as the Bot API returns it: plain text (Telegram strips the markup) and
        only an inline keyboard (a reply keyboard is not part of a message)."""
        message: JSONDict = {"message_id": message_id, "date": self.date, "chat": self.chat,
                             "from": self.bot_user}
        text = plain_text(view.html).strip()
        if view.photo is not None:
            message["photo"] = [{"file_id": "kakao", "file_unique_id": "kakao", "width": 1,
                                 "height": 1}]
            message["caption"] = text
        else:
            message["text"] = text
        if view.markup is not None and "inline_keyboard" in view.markup:
            message["reply_markup"] = view.markup
        return message


def _html(parameters: JSONDict, name: str) -> str:
    """A text parameter as HTML, whatever its parse mode said."""
    text = str(parameters.get(name) or "")
    if parameters.get("parse_mode") == "HTML":
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def view_of(message: JSONDict | None) -> View:
    """A stored message (shown in an earlier turn) as a view: to edit, or to show again."""
    if message is None:
        return View("")
    text = str(message.get("text") or message.get("caption") or "")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return View(escaped, message.get("reply_markup"))


@contextmanager
def capturing(capture: Capture) -> Iterator[Capture]:
    """Capture what is sent to `capture`'s chat for as long as the block runs."""
    token = _current.set(capture)
    try:
        yield capture
    finally:
        _current.reset(token)


def current_capture() -> Capture | None:
    """The running Kakao turn's capture, in this context (None outside any turn)."""
    return _current.get()


def is_captured(endpoint: str, data: JSONDict) -> bool:
    """True for a Bot API call that the running Kakao turn captures (it books no send)."""
    capture = _current.get()
    return capture is not None and capture.claims(endpoint, data)


def _names_kakao_chat(parameters: JSONDict) -> bool:
    chat_id = parameters.get("chat_id")
    return isinstance(chat_id, int) and is_kakao_chat(chat_id)


class CapturingRequest(BaseRequest):
    """The bot's Bot API request, answering a Kakao turn's calls itself (see the module).

    A call for a Kakao resident's synthetic chat outside their turn (a poll's copy, say)
    never reaches Telegram either: it is refused here as Telegram refuses an unknown chat."""

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        capture = _current.get()
        endpoint = url.rsplit("/", 1)[-1]
        parameters = request_data.parameters if request_data is not None else {}
        if capture is not None and capture.claims(endpoint, parameters):
            result = capture.answer(endpoint, parameters)
            return 200, json.dumps({"ok": True, "result": result}).encode()
        if _names_kakao_chat(parameters):
            return 400, NOT_A_TELEGRAM_CHAT
        return await self._inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout,
        )
