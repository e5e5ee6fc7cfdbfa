"""What a Telegram refusal means, read from its text in one place.

Telegram tells several refusals apart only by their description, and PTB hands it on
altered: it drops the ``Bad Request: `` prefix and capitalises the rest (``str.capitalize``,
so every other letter becomes lower case): Telegram's "Bad Request: message is not
modified: …" arrives as ``error.message == "Message is not modified: …"``. So every
predicate here compares without regard to case, and nothing else in the bot inspects
Telegram's texts.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

NOT_MODIFIED = "message is not modified"
QUERY_TOO_OLD = "query is too old"
QUERY_ID_INVALID = ("query id is invalid", "query_id_invalid")
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
TOPIC_NOT_MODIFIED = "topic_not_modified"


def _says(error: BaseException | None, *fragments: str) -> bool:
    """Whether `error` is a Telegram refusal whose text contains one of `fragments`."""
    if not isinstance(error, TelegramError):
        return False
    text = error.message.casefold()
    return any(fragment.casefold() in text for fragment in fragments)


def is_not_modified(error: BaseException | None) -> bool:
    """An edit that would change nothing (a redraw of what is already shown)."""
    return _says(error, NOT_MODIFIED)


def is_query_too_old(error: BaseException | None) -> bool:
    """A callback query that cannot be answered any more: answered already, or expired."""
    return _says(error, QUERY_TOO_OLD, *QUERY_ID_INVALID)


def is_message_to_edit_gone(error: BaseException | None) -> bool:
    """The message to edit was deleted (or never was in that chat)."""
    return _says(error, MESSAGE_TO_EDIT_NOT_FOUND)


def is_topic_not_modified(error: BaseException | None) -> bool:
    """A forum topic already in the asked state (closing a closed topic)."""
    return _says(error, TOPIC_NOT_MODIFIED)


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds to wait; PTB 22 warns that the attribute will become a timedelta, so accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
