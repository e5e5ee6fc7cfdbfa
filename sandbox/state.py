"""In-memory world of the sandbox Bot API server: users, chats, messages and updates.

Everything the fake Telegram knows lives in one `SandboxState`. The HTTP server
(`sandbox.server`) translates Bot API calls into the bot-side methods here, while the
browser page and the Python test client (`sandbox.client`) act as users through the
user-side methods. Every change bumps `version` and wakes the waiters (long polling, the test
client, the browser page), so nobody has to sleep-poll.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.formatting import (
    FormattedText,
    FormattingError,
    caption_text,
    formatted,
    message_text,
    utf16_length,
)

JSONDict = dict[str, Any]

MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
PRIVATE = "private"
GROUP = "group"
SUPERGROUP = "supergroup"
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class BotApiError(Exception):
    """A Bot API failure, rendered by the server exactly as Telegram renders it."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_payload(self) -> JSONDict:
        payload: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            payload["parameters"] = {"retry_after": self.retry_after}
        return payload


def bad_request(reason: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {reason}")


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[JSONDict] | None]:
    """Text and entities a Telegram client would get for `text` sent with `parse_mode`.

    HTML is parsed strictly (and refused as Telegram refuses it); Markdown is passed
    through unchanged, since the bot formats with HTML.
    """
    try:
        shown = formatted(text, parse_mode)
    except FormattingError as error:
        raise bad_request(str(error)) from None
    return shown.text, list(shown.entities) or None


def plain_text(text: str, parse_mode: str | None) -> str:
    return parse_formatted(text, parse_mode)[0]


@dataclass
class SandboxUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "ko"
    blocked_bot: bool = False
    is_bot: bool = False

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if not self.is_bot:
            data["language_code"] = self.language_code
        return data

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass
class SandboxTopic:
    message_thread_id: int
    name: str
    icon_color: int
    closed: bool = False

    def to_api(self) -> JSONDict:
        return {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }


@dataclass
class SandboxFile:
    kind: str
    file_id: str
    file_unique_id: str
    file_name: str | None
    file_size: int
    mime_type: str | None = None
    data: bytes = field(default=b"", repr=False)  # the uploaded bytes, for tests to read
    url: str | None = None  # the http(s) address it was sent by, fetched when first shown

    def to_api(self) -> JSONDict | list[JSONDict]:
        if self.kind == "photo":
            return [
                {
                    "file_id": self.file_id,
                    "file_unique_id": self.file_unique_id,
                    "width": 800,
                    "height": 600,
                    "file_size": self.file_size,
                }
            ]
        data: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data


@dataclass
class SandboxPollOption:
    text: str
    persistent_id: str
    voter_count: int = 0

    def to_api(self) -> JSONDict:
        return {
            "text": self.text,
            "voter_count": self.voter_count,
            "persistent_id": self.persistent_id,
        }


@dataclass
class SandboxPoll:
    id: str
    question: str
    options: list[SandboxPollOption]
    is_anonymous: bool = True
    allows_multiple_answers: bool = False
    is_closed: bool = False
    close_date: int | None = None
    votes: dict[int, list[int]] = field(default_factory=dict)

    @property
    def total_voter_count(self) -> int:
        return len(self.votes)

    def to_api(self) -> JSONDict:
        data: JSONDict = {
            "id": self.id,
            "question": self.question,
            "options": [option.to_api() for option in self.options],
            "total_voter_count": self.total_voter_count,
            "is_closed": self.is_closed,
            "is_anonymous": self.is_anonymous,
            "type": "regular",
            "allows_multiple_answers": self.allows_multiple_answers,
            "allows_revoting": True,
            "members_only": False,
        }
        if self.close_date is not None:
            data["close_date"] = self.close_date
        return data


@dataclass
class SandboxMessage:
    chat_id: int
    message_id: int
    sender_id: int
    date: int
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    entities: list[JSONDict] | None = None
    reply_markup: JSONDict | None = None
    file: SandboxFile | None = None
    poll_id: str | None = None
    contact: JSONDict | None = None
    location: JSONDict | None = None
    message_thread_id: int | None = None
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False

    @property
    def edited(self) -> bool:
        return self.edit_count > 0

    @property
    def shown_text(self) -> str | None:
        """Text or caption as a Telegram client shows it (markup removed)."""
        raw = self.text if self.text is not None else self.caption
        return None if raw is None else plain_text(raw, self.parse_mode)

    @property
    def inline_keyboard(self) -> list[list[JSONDict]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass
class ApiCall:
    method: str
    params: JSONDict
    at: float = 0.0  # when the server received it (the state's clock, seconds)


@dataclass
class _Fault:
    method: str
    error: BotApiError
    remaining: int


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class SandboxChat:
    id: int
    type: str
    title: str | None = None
    is_forum: bool = False
    topics: dict[int, SandboxTopic] = field(default_factory=dict)
    messages: list[SandboxMessage] = field(default_factory=list)
    next_message_id: int = 1
    pinned_message_ids: list[int] = field(default_factory=list)

    def find(self, message_id: int) -> SandboxMessage | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


def validate_inline_keyboard(reply_markup: JSONDict | None) -> None:
    for row in (reply_markup or {}).get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")


def validate_text(
    text: str | None, parse_mode: str | None, entities: list[JSONDict] | None = None
) -> FormattedText:
    """The text as Telegram keeps it, or its refusal (unparsable, empty, too long)."""
    try:
        return message_text(text, parse_mode, entities)
    except FormattingError as error:
        raise bad_request(str(error)) from None


def validate_caption(
    caption: str | None, parse_mode: str | None, entities: list[JSONDict] | None = None
) -> FormattedText:
    """The caption as Telegram keeps it, or its refusal (unparsable, too long)."""
    try:
        return caption_text(caption, parse_mode, entities)
    except FormattingError as error:
        raise bad_request(str(error)) from None


def update_type(update: JSONDict) -> str | None:
    return next((key for key in update if key != "update_id"), None)


def command_entities(text: str) -> list[JSONDict] | None:
    """The `bot_command` entity Telegram adds when a message starts with a slash."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return None
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_length(command)}]


class SandboxState:
    """All sandbox data for one server. Not thread-safe; use it from one event loop."""

    def __init__(
        self,
        *,
        bot_id: int = 7_000_000_001,
        username: str = "gonggam_sandbox_bot",
        first_name: str = "공감",
        token: str = "123456:SANDBOX-TOKEN",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot = SandboxUser(
            id=bot_id, first_name=first_name, username=username, is_bot=True
        )
        self.token = token
        self.clock = clock
        self.users: dict[int, SandboxUser] = {}
        self.chats: dict[int, SandboxChat] = {}
        self.polls: dict[str, SandboxPoll] = {}
        self.files: dict[str, SandboxFile] = {}
        self.updates: list[JSONDict] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.issued_query_ids: set[str] = set()
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.calls: list[ApiCall] = []
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.version = 0
        self._next_update_id = 1
        self._counter = itertools.count(1)
        self._faults: list[_Fault] = []
        self._latency: dict[str, float] = {}
        self._changed = asyncio.Event()

    # ----- change notification -------------------------------------------------------------

    def touch(self) -> None:
        """Record that something changed and wake everyone waiting for a change."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait (without polling) until `predicate()` holds; False if `timeout` ran out first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    async def wait_for_change(self, since: int, timeout: float) -> bool:
        return await self.wait_until(lambda: self.version > since, timeout)

    # ----- time and ids ----------------------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter)}"

    # ----- users and chats -------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "ko",
    ) -> SandboxUser:
        """Create a user and their private chat, or update the names of an existing one."""
        user = self.users.get(user_id)
        if user is None:
            user = SandboxUser(user_id, first_name, last_name, username, language_code)
            self.users[user_id] = user
            self.chats[user_id] = SandboxChat(id=user_id, type=PRIVATE)
        else:
            user.first_name, user.last_name = first_name, last_name
            user.username, user.language_code = username, language_code
        self.touch()
        return user

    def pin_message(self, chat_id: int | str, message_id: int) -> None:
        """pinChatMessage: the message must exist in that chat."""
        chat = self.chat(chat_id)
        if chat.find(message_id) is None:
            raise BotApiError(400, "Bad Request: message to pin not found")
        if message_id not in chat.pinned_message_ids:
            chat.pinned_message_ids.append(message_id)
        self.touch()

    def add_group(
        self, chat_id: int, title: str, *, is_forum: bool = False, supergroup: bool = True
    ) -> SandboxChat:
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_id in self.chats:
            return self.chats[chat_id]
        chat_type = SUPERGROUP if supergroup or is_forum else GROUP
        chat = SandboxChat(id=chat_id, type=chat_type, title=title, is_forum=is_forum)
        self.chats[chat_id] = chat
        self.touch()
        return chat

    def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        self.user(user_id).blocked_bot = blocked
        self.touch()

    def user(self, user_id: int) -> SandboxUser:
        if user_id == self.bot.id:
            return self.bot
        try:
            return self.users[user_id]
        except KeyError:
            raise bad_request("user not found") from None

    def chat(self, chat_id: int | str) -> SandboxChat:
        chat = self._lookup_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _lookup_chat(self, chat_id: int | str) -> SandboxChat | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for user in self.users.values():
                if (user.username or "").lower() == wanted:
                    return self.chats.get(user.id)
            return None
        try:
            return self.chats.get(int(chat_id))
        except ValueError:
            return None

    def chat_to_api(self, chat: SandboxChat) -> JSONDict:
        data: JSONDict = {"id": chat.id, "type": chat.type}
        if chat.type == PRIVATE:
            user = self.users[chat.id]
            data["first_name"] = user.first_name
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
        else:
            data["title"] = chat.title
            if chat.is_forum:
                data["is_forum"] = True
        return data

    def chat_full_info(self, chat: SandboxChat) -> JSONDict:
        """A `ChatFullInfo` with every field PTB 22 requires."""
        return {
            **self.chat_to_api(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def message_to_api(self, message: SandboxMessage, *, with_reply: bool = True) -> JSONDict:
        chat = self.chats[message.chat_id]
        data: JSONDict = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chat_to_api(chat),
            "from": self.user(message.sender_id).to_api(),
        }
        if message.message_thread_id is not None:
            data["message_thread_id"] = message.message_thread_id
            if chat.is_forum:
                data["is_topic_message"] = True
        self._add_content(data, message)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to_message_id is not None:
            replied = chat.find(message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = self.message_to_api(replied, with_reply=False)
        return data

    def _add_content(self, data: JSONDict, message: SandboxMessage) -> None:
        raw = message.text if message.text is not None else message.caption
        if raw is not None:
            shown, parsed = parse_formatted(raw, message.parse_mode)
            key = "text" if message.text is not None else "caption"
            data[key] = shown
            entities = message.entities or parsed
            if entities:
                data["entities" if key == "text" else "caption_entities"] = entities
        if message.file is not None:
            data[message.file.kind] = message.file.to_api()
        if message.poll_id is not None:
            data["poll"] = self.polls[message.poll_id].to_api()
        if message.contact is not None:
            data["contact"] = message.contact
        if message.location is not None:
            data["location"] = message.location
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup

    def message(self, chat_id: int | str, message_id: int) -> SandboxMessage:
        found = self.chat(chat_id).find(int(message_id))
        if found is None:
            raise bad_request("message to edit not found")
        return found

    # ----- faults and call log ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail with the given Bot API error."""
        error = BotApiError(error_code, description, retry_after)
        self._faults.append(_Fault(method.lower(), error, times))

    def take_fault(self, method: str) -> BotApiError | None:
        for fault in self._faults:
            if fault.method == method.lower():
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault.error
        return None

    def record_call(self, method: str, params: JSONDict) -> None:
        self.calls.append(ApiCall(method, params, self.clock()))
        self.touch()

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def slow_down(self, method: str, seconds: float) -> None:
        """Make every later call of `method` answer `seconds` late, as a distant server does
        (a crash test needs sends in flight when it kills the bot)."""
        self._latency[method.lower()] = seconds

    def latency_of(self, method: str) -> float:
        return self._latency.get(method.lower(), 0.0)

    # ----- update queue ----------------------------------------------------------------------

    def push_update(self, update: JSONDict) -> int:
        """Queue an update as Telegram would send it; a missing `update_id` is assigned."""
        update = dict(update)
        update_id = int(update.setdefault("update_id", self._next_update_id))
        self._next_update_id = max(self._next_update_id, update_id) + 1
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self.issued_query_ids.add(str(query["id"]))
        self.updates.append(update)
        self.touch()
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset ones."""
        if offset < 0:
            del self.updates[: max(len(self.updates) + offset, 0)]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def drop_disallowed_updates(self) -> None:
        self.updates = [u for u in self.updates if update_type(u) in self.allowed_updates]

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    def has_pending_updates(self) -> bool:
        return any(update_type(u) in self.allowed_updates for u in self.updates)

    # ----- bot side: messages ----------------------------------------------------------------

    def _deliverable_chat(self, chat_id: int | str, message_thread_id: int | None) -> SandboxChat:
        chat = self.chat(chat_id)
        if chat.type == PRIVATE and self.users[chat.id].blocked_bot:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        if message_thread_id is not None and chat.is_forum:
            topic = chat.topics.get(message_thread_id)
            if topic is None:
                raise bad_request("message thread not found")
            if topic.closed:
                raise bad_request("TOPIC_CLOSED")
        return chat

    def _append(self, chat: SandboxChat, message: SandboxMessage) -> SandboxMessage:
        chat.messages.append(message)
        chat.next_message_id += 1
        self.touch()
        return message

    def _new_message(
        self,
        chat: SandboxChat,
        sender_id: int,
        *,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> SandboxMessage:
        if reply_to_message_id is not None and chat.find(reply_to_message_id) is None:
            raise bad_request("message to be replied not found")
        return SandboxMessage(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            sender_id=sender_id,
            date=self.now(),
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
        )

    def send_message(
        self,
        chat_id: int | str,
        text: str | None,
        *,
        parse_mode: str | None = None,
        entities: list[JSONDict] | None = None,
        reply_markup: JSONDict | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> SandboxMessage:
        validate_text(text, parse_mode, entities)
        validate_inline_keyboard(reply_markup)
        chat = self._deliverable_chat(chat_id, message_thread_id)
        message = self._new_message(
            chat,
            self.bot.id,
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
        )
        message.text, message.parse_mode, message.entities = text, parse_mode, entities
        message.reply_markup = reply_markup
        return self._append(chat, message)

    def store_file(
        self, kind: str, *, file_name: str | None, size: int, mime_type: str | None = None,
        data: bytes = b"",
    ) -> SandboxFile:
        file_id = self._new_id("SANDBOX-FILE-")
        stored = SandboxFile(kind, file_id, self._new_id("u"), file_name, size, mime_type, data)
        self.files[file_id] = stored
        return stored

    def known_file(self, kind: str, file_id: str) -> SandboxFile:
        """Reuse an uploaded file by id; http(s) URLs are accepted as fresh files."""
        if file_id in self.files:
            known = self.files[file_id]
            return SandboxFile(kind, known.file_id, known.file_unique_id, known.file_name,
                               known.file_size, known.mime_type)
        if file_id.startswith(("http://", "https://")):
            stored = self.store_file(kind, file_name=file_id.rsplit("/", 1)[-1], size=0)
            stored.url = file_id
            return stored
        raise bad_request("wrong file identifier/HTTP URL specified")

    def send_file(
        self,
        chat_id: int | str,
        file: SandboxFile,
        *,
        caption: str | None = None,
        parse_mode: str | None = None,
        reply_markup: JSONDict | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> SandboxMessage:
        validate_caption(caption, parse_mode)
        chat = self._deliverable_chat(chat_id, message_thread_id)
        validate_inline_keyboard(reply_markup)
        message = self._new_message(
            chat,
            self.bot.id,
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
        )
        message.file, message.caption, message.parse_mode = file, caption, parse_mode
        message.reply_markup = reply_markup
        return self._append(chat, message)

    def send_poll(
        self,
        chat_id: int | str,
        question: str,
        options: list[str],
        *,
        is_anonymous: bool = True,
        allows_multiple_answers: bool = False,
        close_date: int | None = None,
        reply_markup: JSONDict | None = None,
        message_thread_id: int | None = None,
    ) -> SandboxMessage:
        chat = self._deliverable_chat(chat_id, message_thread_id)
        if not question.strip():
            raise bad_request("poll question must be non-empty")
        if not 2 <= len(options) <= 12:
            raise bad_request("poll must have at least 2 option")
        validate_inline_keyboard(reply_markup)
        poll = SandboxPoll(
            id=self._new_id("poll-"),
            question=question,
            options=[SandboxPollOption(text, self._new_id("opt-")) for text in options],
            is_anonymous=is_anonymous,
            allows_multiple_answers=allows_multiple_answers,
            close_date=close_date,
        )
        self.polls[poll.id] = poll
        message = self._new_message(chat, self.bot.id, message_thread_id=message_thread_id)
        message.poll_id, message.reply_markup = poll.id, reply_markup
        return self._append(chat, message)

    def stop_poll(self, chat_id: int | str, message_id: int) -> SandboxPoll:
        message = self.message(chat_id, message_id)
        if message.poll_id is None:
            raise bad_request("message with poll to stop not found")
        poll = self.polls[message.poll_id]
        if poll.is_closed:
            raise bad_request("poll has already been closed")
        poll.is_closed = True
        self.touch()
        return poll

    def edit_message_text(
        self,
        chat_id: int | str,
        message_id: int,
        text: str | None,
        *,
        parse_mode: str | None = None,
        entities: list[JSONDict] | None = None,
        reply_markup: JSONDict | None = None,
    ) -> SandboxMessage:
        message = self.message(chat_id, message_id)
        new_text = validate_text(text, parse_mode, entities)
        validate_inline_keyboard(reply_markup)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        old_text = formatted(message.text, message.parse_mode, message.entities)
        if old_text == new_text and _same_markup(message.reply_markup, reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.text, message.parse_mode, message.entities = text, parse_mode, entities
        message.reply_markup = reply_markup
        return self._mark_edited(message)

    def edit_message_caption(
        self,
        chat_id: int | str,
        message_id: int,
        caption: str | None,
        *,
        parse_mode: str | None = None,
        entities: list[JSONDict] | None = None,
        reply_markup: JSONDict | None = None,
    ) -> SandboxMessage:
        message = self.message(chat_id, message_id)
        new_caption = validate_caption(caption, parse_mode, entities)
        validate_inline_keyboard(reply_markup)
        if message.file is None:
            raise bad_request("there is no caption in the message to edit")
        old_caption = formatted(message.caption or "", message.parse_mode, message.entities)
        if old_caption == new_caption and _same_markup(message.reply_markup, reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.caption, message.parse_mode, message.entities = caption, parse_mode, entities
        message.reply_markup = reply_markup
        return self._mark_edited(message)

    def edit_reply_markup(
        self, chat_id: int | str, message_id: int, reply_markup: JSONDict | None
    ) -> SandboxMessage:
        message = self.message(chat_id, message_id)
        validate_inline_keyboard(reply_markup)
        if _same_markup(message.reply_markup, reply_markup):
            raise bad_request(NOT_MODIFIED)
        message.reply_markup = reply_markup
        return self._mark_edited(message)

    def _mark_edited(self, message: SandboxMessage) -> SandboxMessage:
        message.edit_count += 1
        message.edit_date = self.now()
        self.touch()
        return message

    def delete_message(self, chat_id: int | str, message_id: int) -> None:
        chat = self.chat(chat_id)
        message = chat.find(int(message_id))
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        self.touch()

    def answer_callback_query(
        self, query_id: str, text: str | None, show_alert: bool, url: str | None = None
    ) -> None:
        if query_id in self.callback_answers or query_id not in self.issued_query_ids:
            raise bad_request(QUERY_TOO_OLD)
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_CHARS:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = CallbackAnswer(text, show_alert, url)
        self.touch()

    # ----- bot side: forum topics and commands -----------------------------------------------

    def create_forum_topic(self, chat_id: int | str, name: str, icon_color: int) -> SandboxTopic:
        chat = self.chat(chat_id)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if not name.strip():
            raise bad_request("TOPIC_TITLE_EMPTY")
        topic = SandboxTopic(chat.next_message_id, name, icon_color)
        chat.topics[topic.message_thread_id] = topic
        service = self._new_message(chat, self.bot.id, message_thread_id=topic.message_thread_id)
        service.text = f"토픽 생성: {name}"
        self._append(chat, service)
        return topic

    def close_forum_topic(self, chat_id: int | str, message_thread_id: int) -> None:
        chat = self.chat(chat_id)
        topic = chat.topics.get(int(message_thread_id))
        if topic is None:
            raise bad_request("message thread not found")
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        self.touch()

    def set_commands(self, commands: list[JSONDict], scope: JSONDict | None, lang: str) -> None:
        self.commands[_commands_key(scope, lang)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        self.touch()

    def get_commands(self, scope: JSONDict | None, lang: str) -> list[JSONDict]:
        return self.commands.get(_commands_key(scope, lang), [])

    def delete_commands(self, scope: JSONDict | None, lang: str) -> None:
        self.commands.pop(_commands_key(scope, lang), None)
        self.touch()

    # ----- user side -------------------------------------------------------------------------

    def user_sends(
        self,
        user_id: int,
        chat_id: int | None = None,
        *,
        text: str | None = None,
        caption: str | None = None,
        file: SandboxFile | None = None,
        contact: JSONDict | None = None,
        location: JSONDict | None = None,
        message_thread_id: int | None = None,
    ) -> SandboxMessage:
        """A user posts in a chat (their private chat by default); queues a `message` update."""
        user = self.user(user_id)
        chat = self.chat(user_id if chat_id is None else chat_id)
        if chat.is_forum and message_thread_id not in (None, *chat.topics):
            raise bad_request("message thread not found")
        message = self._new_message(chat, user.id, message_thread_id=message_thread_id)
        message.text, message.caption, message.file, message.contact = text, caption, file, contact
        message.location = location
        message.entities = command_entities(text) if text else None
        self._append(chat, message)
        self.push_update({"message": self.message_to_api(message)})
        return message

    def user_presses(self, user_id: int, message: SandboxMessage, data: str) -> str:
        """A user taps an inline button (or forges `data`); returns the callback query id."""
        user = self.user(user_id)
        query_id = self._new_id("cbq-")
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_api(),
                    "message": self.message_to_api(message),
                    "chat_instance": f"sandbox-{message.chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def user_answers_poll(self, user_id: int, poll_id: str, option_ids: list[int]) -> None:
        """A user votes (an empty list retracts the vote), as Telegram reports it to bots."""
        user = self.user(user_id)
        poll = self.polls[poll_id]
        if poll.is_closed:
            raise bad_request("poll is closed")
        if any(not 0 <= i < len(poll.options) for i in option_ids):
            raise bad_request("invalid poll option")
        if len(option_ids) > 1 and not poll.allows_multiple_answers:
            raise bad_request("poll allows only one answer")
        for previous in poll.votes.pop(user.id, []):
            poll.options[previous].voter_count -= 1
        if option_ids:
            poll.votes[user.id] = list(option_ids)
            for chosen in option_ids:
                poll.options[chosen].voter_count += 1
        self.push_update(self._poll_answer_update(poll, user, option_ids))

    def _poll_answer_update(
        self, poll: SandboxPoll, user: SandboxUser, option_ids: list[int]
    ) -> JSONDict:
        if poll.is_anonymous:
            return {"poll": poll.to_api()}
        return {
            "poll_answer": {
                "poll_id": poll.id,
                "user": user.to_api(),
                "option_ids": list(option_ids),
                "option_persistent_ids": [poll.options[i].persistent_id for i in option_ids],
            }
        }

    def poll_of(self, message: SandboxMessage) -> SandboxPoll | None:
        return None if message.poll_id is None else self.polls[message.poll_id]


def _commands_key(scope: JSONDict | None, lang: str) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), lang or ""


def _same_markup(old: JSONDict | None, new: JSONDict | None) -> bool:
    def normalise(markup: JSONDict | None) -> str:
        return json.dumps(markup or {}, sort_keys=True)

    return normalise(old) == normalise(new)
