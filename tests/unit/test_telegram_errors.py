"""Telegram's refusals are read from their text in one place, without regard to case."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden

from bot.telegram_errors import (
    is_message_to_edit_gone,
    is_not_modified,
    is_query_too_old,
    is_topic_not_modified,
)

NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


def test_ptb_capitalises_what_telegram_sends() -> None:
    """Why the predicates ignore case: this is what a handler sees in `error.message`."""
    assert BadRequest(NOT_MODIFIED).message.startswith("Message is not modified: ")
    assert BadRequest(TOO_OLD).message.endswith("or query id is invalid")


@pytest.mark.parametrize(
    ("description", "predicate"),
    [
        (NOT_MODIFIED, is_not_modified),
        ("message is not modified", is_not_modified),
        (TOO_OLD, is_query_too_old),
        ("Bad Request: QUERY_ID_INVALID", is_query_too_old),
        ("Bad Request: message to edit not found", is_message_to_edit_gone),
        ("Bad Request: TOPIC_NOT_MODIFIED", is_topic_not_modified),
    ],
)
def test_each_refusal_is_recognised(description: str, predicate: object) -> None:
    assert callable(predicate)
    assert predicate(BadRequest(description))


@pytest.mark.parametrize("predicate", [is_not_modified, is_query_too_old,
                                       is_message_to_edit_gone, is_topic_not_modified])
def test_other_errors_are_not_mistaken_for_them(predicate: object) -> None:
    assert callable(predicate)
    assert not predicate(BadRequest("Bad Request: chat not found"))
    assert not predicate(Forbidden("Forbidden: bot was blocked by the user"))
    assert not predicate(ValueError("message is not modified"))
    assert not predicate(None)
