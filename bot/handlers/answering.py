"""A pressed button is answered exactly once, with the text that matters.

Telegram takes one ``answerCallbackQuery`` per query: a second one is refused ("query is too
old … or query ID is invalid") and its text never reaches the resident. So handlers answer
through `answer_query` once they know the outcome, and the error handler asks
`was_answered` before it speaks: a query still waiting gets the error's answer, one answered
already gets a message instead.

Which query was answered is kept in a context variable: PTB runs a handler and, when it
fails, the error handler in the same task, and a new task (an update handled concurrently)
starts from a copy, so the mark never leaks to another update's query.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from telegram import CallbackQuery
from telegram.error import BadRequest

from bot.telegram_errors import is_query_too_old

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 200  # Telegram refuses a longer pop-up or toast (MESSAGE_TOO_LONG)
_ELLIPSIS = "…"
_last_answered: ContextVar[str | None] = ContextVar("last_answered_callback_query",
                                                     default=None)


def fit_answer(text: str | None) -> str | None:
    """`text` shortened to what Telegram shows in a pop-up; a refused one would show nothing."""
    if text is None or len(text) <= MAX_ANSWER_CHARS:
        return text
    return text[: MAX_ANSWER_CHARS - len(_ELLIPSIS)].rstrip() + _ELLIPSIS


async def answer_query(query: CallbackQuery, text: str | None = None, *,
                       alert: bool = False) -> bool:
    """Answer the pressed button (a toast, or a pop-up with `alert`), once; True if it went.

    A query Telegram no longer takes (answered already, or pressed too long ago) is only
    logged (False): the handler goes on with its work.
    """
    _last_answered.set(query.id)
    try:
        await query.answer(fit_answer(text), show_alert=alert)
    except BadRequest as error:
        if not is_query_too_old(error):
            raise
        log.info("callback query %s could not be answered any more", query.id)
        return False
    return True


def was_answered(query: CallbackQuery) -> bool:
    """Whether `answer_query` already answered `query` (in this update's handling)."""
    return _last_answered.get() == query.id
