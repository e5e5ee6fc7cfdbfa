"""Our PTB bot class: raw access to getUpdates for the durable intake, and every message it
sends counted in the shared send budget."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, ExtBot

from bot.db.engine import UNREACHABLE_DATABASE
from bot.kakao.capture import is_captured
from bot.send_budget import SendBudget, is_booked_by_sender
from bot.telegram_errors import retry_after_seconds

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
NOT_MESSAGES = frozenset({"sendChatAction"})  # a "typing…" status puts nothing in the chat


class GonggamBot(ExtBot[None]):
    """ExtBot whose updates are fetched raw, so that they can be stored before parsing.

    `bot.intake.PollingIntake` stores each batch and only then moves the offset on; a
    malformed update is stored as seen and skipped rather than failing the whole batch.
    """

    async def fetch_raw_updates(
        self, offset: int | None, timeout: int  # noqa: ASYNC109 (Telegram's long-poll wait)
    ) -> list[object]:
        """One long poll: the updates after `offset`, exactly as Telegram sent them."""
        result = await self._post(
            "getUpdates",
            {"offset": offset, "timeout": timeout, "allowed_updates": list(Update.ALL_TYPES)},
            read_timeout=timeout + 10,
        )
        return list(result) if isinstance(result, list) else []


def puts_a_message_in_a_chat(endpoint: str) -> bool:
    """Whether a Bot API method sends a message (what Telegram's limits count): the send…,
    forward… and copy… methods. Edits, answers to button presses and reads are not."""
    return endpoint.startswith(("send", "forward", "copy")) and endpoint not in NOT_MESSAGES


class BudgetLimiter(BaseRateLimiter[None]):
    """PTB's hook on every Bot API request: a message that the dispatcher did not book
    (a handler's reply, a poll's copies, a forum post, a broadcast's progress) waits for its
    turn in the same send budget, as a reply (`SendBudget.wait_for_turn`), and a 429 pauses
    the budget for every sender. Without it, replies and polls went beside the budget, and a
    busy moment with a broadcast going out passed Telegram's 30 a second.

    A reply is not held back by a database that cannot be reached: it goes unbooked (the
    shared count then misses one message) rather than not at all.
    """

    def __init__(self, budget: SendBudget) -> None:
        self._budget = budget

    async def initialize(self) -> None:
        """Nothing to open: the budget lives with the dispatcher's."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        # a Kakao turn's captured message never reaches Telegram: it books nothing
        if not (puts_a_message_in_a_chat(endpoint) and isinstance(chat_id, int)
                and not is_booked_by_sender() and not is_captured(endpoint, data)):
            return await callback(*args, **kwargs)
        await self._take_turn(chat_id)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            await self._pause(retry_after_seconds(error))
            raise

    async def _take_turn(self, chat_id: int) -> None:
        try:
            await self._budget.wait_for_turn(chat_id, reply=True)
        except UNREACHABLE_DATABASE as error:
            log.warning("a message goes unbooked: the send budget cannot be reached (%s)",
                        type(error).__name__)

    async def _pause(self, seconds: float) -> None:
        try:
            await self._budget.pause(seconds)
        except UNREACHABLE_DATABASE as error:
            log.warning("the send budget cannot be paused (%s)", type(error).__name__)
