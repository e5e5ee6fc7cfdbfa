"""In-process test client: residents who talk to the bot through a `SandboxState`.

The client acts on the state directly (no HTTP); the bot under test talks to the same state
through the sandbox server, exactly as it would talk to Telegram. Waits are bounded waits on the
state's change notification, never sleeps.

    client = SandboxClient(state)
    minji = client.resident(1001, "민지")
    await minji.say("/start")
    welcome = await minji.wait_for_message("환영")
    await minji.press(welcome, "제안하기")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sandbox.state import (
    BotApiError,
    CallbackAnswer,
    SandboxChat,
    SandboxMessage,
    SandboxState,
    SandboxUser,
)

DEFAULT_TIMEOUT = 5.0
ButtonRow = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class PollView:
    poll_id: str
    question: str
    options: tuple[tuple[str, int], ...]
    is_anonymous: bool
    allows_multiple_answers: bool
    is_closed: bool

    @property
    def option_texts(self) -> list[str]:
        return [text for text, _ in self.options]


@dataclass(frozen=True)
class SentMessage:
    """A snapshot of one message as a Telegram client would show it at that moment."""

    chat_id: int
    message_id: int
    sender_id: int
    from_bot: bool
    text: str | None
    raw_text: str | None
    parse_mode: str | None
    buttons: tuple[ButtonRow, ...]
    reply_keyboard: tuple[tuple[str, ...], ...] | None
    poll: PollView | None
    file_kind: str | None
    file_name: str | None
    contact_phone: str | None
    message_thread_id: int | None
    edit_count: int
    deleted: bool
    location: tuple[float, float] | None = None  # (latitude, longitude) of a shared location

    @property
    def edited(self) -> bool:
        return self.edit_count > 0

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    def describe(self) -> str:
        sender = "bot" if self.from_bot else f"user {self.sender_id}"
        extras = [f"buttons={self.button_texts}"] if self.buttons else []
        if self.poll:
            extras.append(f"poll={self.poll.question!r} {self.poll.option_texts}")
        if self.file_kind:
            extras.append(f"{self.file_kind}={self.file_name!r}")
        flags = " (edited)" if self.edited else ""
        flags += " (deleted)" if self.deleted else ""
        return f"#{self.message_id} {sender}{flags}: {self.text!r} {' '.join(extras)}".rstrip()


def snapshot(state: SandboxState, message: SandboxMessage) -> SentMessage:
    poll = state.poll_of(message)
    raw = message.text if message.text is not None else message.caption
    return SentMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        sender_id=message.sender_id,
        from_bot=message.sender_id == state.bot.id,
        text=message.shown_text,
        raw_text=raw,
        parse_mode=message.parse_mode,
        buttons=tuple(
            tuple((b.get("text", ""), b.get("callback_data", b.get("url"))) for b in row)
            for row in message.inline_keyboard
        ),
        reply_keyboard=_reply_keyboard_of(message),
        poll=None
        if poll is None
        else PollView(
            poll_id=poll.id,
            question=poll.question,
            options=tuple((o.text, o.voter_count) for o in poll.options),
            is_anonymous=poll.is_anonymous,
            allows_multiple_answers=poll.allows_multiple_answers,
            is_closed=poll.is_closed,
        ),
        file_kind=message.file.kind if message.file else None,
        file_name=message.file.file_name if message.file else None,
        contact_phone=(message.contact or {}).get("phone_number"),
        message_thread_id=message.message_thread_id,
        edit_count=message.edit_count,
        deleted=message.deleted,
        location=_location_of(message),
    )


def _location_of(message: SandboxMessage) -> tuple[float, float] | None:
    if message.location is None:
        return None
    return float(message.location["latitude"]), float(message.location["longitude"])


def _reply_keyboard_of(message: SandboxMessage) -> tuple[tuple[str, ...], ...] | None:
    rows = (message.reply_markup or {}).get("keyboard")
    if rows is None:
        return None
    return tuple(
        tuple(b if isinstance(b, str) else str(b.get("text", "")) for b in row) for row in rows
    )


MessageFilter = Callable[[SentMessage], bool]


class _ChatView:
    """What residents and groups share: reading a chat and waiting for the bot to post in it."""

    def __init__(self, state: SandboxState, chat_id: int) -> None:
        self.state = state
        self.chat_id = chat_id

    @property
    def _chat(self) -> SandboxChat:
        return self.state.chat(self.chat_id)

    def history(self, *, include_deleted: bool = False) -> list[SentMessage]:
        return [
            snapshot(self.state, m)
            for m in self._chat.messages
            if include_deleted or not m.deleted
        ]

    def bot_messages(self) -> list[SentMessage]:
        return [m for m in self.history() if m.from_bot]

    def message(self, message_id: int) -> SentMessage:
        """The current state of a message (also when it was deleted)."""
        for candidate in self.history(include_deleted=True):
            if candidate.message_id == message_id:
                return candidate
        raise AssertionError(f"no message #{message_id} in chat {self.chat_id}")

    def _last_user_message_id(self) -> int:
        ids = [m.message_id for m in self._chat.messages if m.sender_id != self.state.bot.id]
        return max(ids, default=0)

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        predicate: MessageFilter | None = None,
        after: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> SentMessage:
        """Wait for a bot message newer than `after` that matches; returns its current state.

        `after` defaults to the latest message a user posted here, so after `say(...)` this
        waits for the bot's reply rather than matching older messages.
        """
        after = self._last_user_message_id() if after is None else after

        def matches(message: SentMessage) -> bool:
            return (
                message.message_id > after
                and (contains is None or contains in (message.text or ""))
                and (predicate is None or predicate(message))
            )

        def find() -> SentMessage | None:
            return next((m for m in self.bot_messages() if matches(m)), None)

        if await self.state.wait_until(lambda: find() is not None, timeout):
            found = find()
            assert found is not None
            return found
        raise AssertionError(self._timeout_report(contains, after, timeout))

    def _timeout_report(self, contains: str | None, after: int, timeout: float) -> str:
        wanted = f"containing {contains!r}" if contains is not None else "matching the predicate"
        seen = "\n".join(f"  {m.describe()}" for m in self.history()) or "  (no messages)"
        return (
            f"no bot message {wanted} after #{after} in chat {self.chat_id} within {timeout}s;"
            f" messages seen:\n{seen}"
        )

    async def wait_for_edit(
        self, message: SentMessage, timeout: float = DEFAULT_TIMEOUT
    ) -> SentMessage:
        """Wait until `message` is edited (or deleted) after the given snapshot was taken."""

        def changed() -> bool:
            current = self.message(message.message_id)
            return current.edit_count > message.edit_count or current.deleted

        if await self.state.wait_until(changed, timeout):
            return self.message(message.message_id)
        raise AssertionError(
            f"message #{message.message_id} was not edited within {timeout}s; it still reads "
            f"{self.message(message.message_id).describe()}"
        )


class Resident(_ChatView):
    """A user with a private chat with the bot."""

    def __init__(self, state: SandboxState, user_id: int) -> None:
        super().__init__(state, user_id)
        self.user_id = user_id

    @property
    def user(self) -> SandboxUser:
        return self.state.user(self.user_id)

    def inbox(self) -> list[SentMessage]:
        """The bot's messages in this resident's private chat, as they look now."""
        return self.bot_messages()

    def last_message(self) -> SentMessage:
        inbox = self.inbox()
        if not inbox:
            raise AssertionError(f"the bot has not written to user {self.user_id}")
        return inbox[-1]

    async def say(self, text: str) -> SentMessage:
        return snapshot(self.state, self.state.user_sends(self.user_id, text=text))

    async def say_in(
        self, group: Group, text: str, message_thread_id: int | None = None
    ) -> SentMessage:
        sent = self.state.user_sends(
            self.user_id, group.chat_id, text=text, message_thread_id=message_thread_id
        )
        return snapshot(self.state, sent)

    async def send_photo(self, caption: str | None = None) -> SentMessage:
        photo = self.state.store_file(
            "photo", file_name="photo.jpg", size=2048, mime_type="image/jpeg"
        )
        sent = self.state.user_sends(self.user_id, caption=caption, file=photo)
        return snapshot(self.state, sent)

    async def share_contact(self, phone: str) -> SentMessage:
        contact = {
            "phone_number": phone,
            "first_name": self.user.first_name,
            "user_id": self.user_id,
        }
        return snapshot(self.state, self.state.user_sends(self.user_id, contact=contact))

    async def share_location(self, latitude: float, longitude: float) -> SentMessage:
        """Send a location, as the 📍 button of a `request_location` keyboard does on a phone."""
        location = {"latitude": latitude, "longitude": longitude}
        return snapshot(self.state, self.state.user_sends(self.user_id, location=location))

    def block_bot(self, blocked: bool = True) -> None:
        self.state.set_blocked(self.user_id, blocked)

    def _current(self, message: SentMessage) -> SandboxMessage:
        found = self.state.chat(message.chat_id).find(message.message_id)
        if found is None:
            raise AssertionError(f"message #{message.message_id} no longer exists")
        return found

    async def press(self, message: SentMessage, button_text: str) -> str:
        """Tap the inline button labelled `button_text`; returns the callback query id."""
        current = self._current(message)
        for row in current.inline_keyboard:
            for button in row:
                if button.get("text") == button_text:
                    return self._press_button(current, button)
        labels = [b.get("text") for row in current.inline_keyboard for b in row]
        raise AssertionError(
            f"no button {button_text!r} on message #{message.message_id}; buttons: {labels}"
        )

    def _press_button(self, message: SandboxMessage, button: dict[str, object]) -> str:
        data = button.get("callback_data")
        if data is None:
            raise AssertionError(f"button {button.get('text')!r} has no callback_data")
        return self.state.user_presses(self.user_id, message, str(data))

    async def press_data(self, message: SentMessage, data: str) -> str:
        """Send arbitrary (possibly forged) callback data as if from a button on `message`."""
        return self.state.user_presses(self.user_id, self._current(message), data)

    async def answer_poll(self, message: SentMessage, option_ids: Sequence[int]) -> None:
        current = self._current(message)
        if current.poll_id is None:
            raise AssertionError(f"message #{message.message_id} has no poll")
        try:
            self.state.user_answers_poll(self.user_id, current.poll_id, list(option_ids))
        except BotApiError as error:
            raise AssertionError(f"cannot vote: {error.description}") from None

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        return self.state.callback_answers.get(query_id)

    async def wait_for_callback_answer(
        self, query_id: str, timeout: float = DEFAULT_TIMEOUT
    ) -> CallbackAnswer:
        if await self.state.wait_until(lambda: query_id in self.state.callback_answers, timeout):
            return self.state.callback_answers[query_id]
        raise AssertionError(f"callback query {query_id} was not answered within {timeout}s")


class Group(_ChatView):
    """A group or forum supergroup the bot is in."""

    @property
    def title(self) -> str | None:
        return self._chat.title

    def topic_ids(self) -> dict[str, int]:
        return {t.name: t.message_thread_id for t in self._chat.topics.values()}

    def is_topic_closed(self, message_thread_id: int) -> bool:
        return self._chat.topics[message_thread_id].closed


class SandboxClient:
    """Creates residents and groups in a `SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def resident(
        self,
        user_id: int,
        first_name: str = "주민",
        language_code: str = "ko",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> Resident:
        self.state.add_user(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return Resident(self.state, user_id)

    def group(self, chat_id: int, title: str, is_forum: bool = False) -> Group:
        self.state.add_group(chat_id, title, is_forum=is_forum)
        return Group(self.state, chat_id)
