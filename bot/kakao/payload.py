"""A skill request of Kakao i Open Builder (SkillPayload), read and checked.

Kakao posts `bot.id`, `userRequest.utterance`, `userRequest.user.id` (the botUserKey, the
channel's id for this person), `userRequest.callbackUrl` on blocks with a callback, and
`action.params` and `action.clientExtra` (the `extra` of the button pressed). Anything else in
the body is ignored. A body of another shape is refused with a reason that names the field
and never quotes its value (the reason is logged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

MAX_USER_KEY = 200
MAX_CALLBACK_DATA_BYTES = 64  # Telegram's limit on the callback data a press carries


class MalformedSkillRequest(ValueError):
    """The body is not a skill request; the message names the field, never its value."""


@dataclass(frozen=True)
class Press:
    """A pressed button of ours: its Telegram callback data and the message it was on."""

    callback: str
    message_id: int | None


@dataclass(frozen=True)
class SkillRequest:
    bot_id: str
    user_key: str
    utterance: str
    callback_url: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    client_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def press(self) -> Press | None:
        """The button pressed, when `clientExtra` carries one of ours (checked: it is
        untrusted, like any callback data)."""
        callback, message_id = self.client_extra.get("cb"), self.client_extra.get("m")
        if not isinstance(callback, str) or not callback:
            return None
        if len(callback.encode()) > MAX_CALLBACK_DATA_BYTES:
            return None
        usable = isinstance(message_id, int) and not isinstance(message_id, bool)
        return Press(callback, message_id if usable else None)

    @property
    def wants_more(self) -> bool:
        return self.client_extra.get("more") == 1


def parse_skill_request(body: object) -> SkillRequest:
    """The skill request in `body` (parsed JSON), or MalformedSkillRequest."""
    root = _object(body, "body")
    user_request = _object(root.get("userRequest"), "userRequest")
    user = _object(user_request.get("user"), "userRequest.user")
    action = _object(root.get("action", {}), "action")
    extra = action.get("clientExtra")
    return SkillRequest(
        bot_id=_text(_object(root.get("bot"), "bot").get("id"), "bot.id", 200),
        user_key=_text(user.get("id"), "userRequest.user.id", MAX_USER_KEY),
        utterance=_string(user_request.get("utterance"), "userRequest.utterance"),
        callback_url=_callback_url(user_request.get("callbackUrl")),
        params=_object(action.get("params", {}), "action.params"),
        client_extra=_object(extra, "action.clientExtra") if extra is not None else {},
    )


def _object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedSkillRequest(f"{name} is not an object")
    return value


def _string(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise MalformedSkillRequest(f"{name} is not a string")
    return value


def _text(value: object, name: str, limit: int) -> str:
    text = _string(value, name)
    if not text.strip() or len(text) > limit:
        raise MalformedSkillRequest(f"{name} is empty or longer than {limit} characters")
    return text


def _callback_url(value: object) -> str | None:
    if value is None:
        return None
    url = _string(value, "userRequest.callbackUrl")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise MalformedSkillRequest("userRequest.callbackUrl is not an http(s) address")
    return url
