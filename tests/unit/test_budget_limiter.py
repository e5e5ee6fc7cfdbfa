"""The request layer's share of the send budget: which Bot API calls wait for a turn, which
do not, and what a 429 or an unreachable database does (on virtual time, no network)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from telegram.error import RetryAfter

from bot.domain.pacing import SendPacer
from bot.send_budget import LocalBudget, booked_by_sender
from bot.telegram_bot import BudgetLimiter, puts_a_message_in_a_chat

PRIVATE, GROUP = 7001, -100_7001


class VirtualTime:
    def __init__(self) -> None:
        self.now, self.slept = 100.0, 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds


class RecordingPacer(SendPacer):
    def __init__(self) -> None:
        super().__init__(global_per_second=2)
        self.sends: list[int] = []

    def record(self, chat_id: int, now: float) -> None:
        self.sends.append(chat_id)
        super().record(chat_id, now)


@pytest.fixture
def clock() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def pacer() -> RecordingPacer:
    return RecordingPacer()


@pytest.fixture
def limiter(pacer: RecordingPacer, clock: VirtualTime) -> BudgetLimiter:
    return BudgetLimiter(LocalBudget(pacer, clock, clock.sleep))


async def call(limiter: BudgetLimiter, endpoint: str, chat_id: Any = PRIVATE,
               answer: Any = True) -> Any:
    async def callback() -> Any:
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return await limiter.process_request(callback, (), {}, endpoint, {"chat_id": chat_id}, None)


def test_the_methods_that_put_a_message_in_a_chat() -> None:
    counted = ["sendMessage", "sendPhoto", "sendPoll", "sendMediaGroup", "copyMessage",
               "forwardMessage"]
    not_counted = ["editMessageText", "answerCallbackQuery", "sendChatAction", "getMe",
                   "deleteMessage", "setMyCommands"]
    assert all(puts_a_message_in_a_chat(m) for m in counted)
    assert not any(puts_a_message_in_a_chat(m) for m in not_counted)


async def test_replies_take_the_bots_rate_and_a_groups_limits(
    limiter: BudgetLimiter, pacer: RecordingPacer, clock: VirtualTime,
) -> None:
    for _ in range(3):
        assert await call(limiter, "sendMessage") is True
    assert pacer.sends == [PRIVATE] * 3
    assert clock.slept == pytest.approx(1.0)  # 2 a second: the third waited, not the second
    await call(limiter, "sendMessage", GROUP)
    await call(limiter, "sendMessage", GROUP)
    assert clock.slept == pytest.approx(2.0)  # a group keeps its second between messages


async def test_edits_reads_and_the_dispatchers_own_sends_book_nothing(
    limiter: BudgetLimiter, pacer: RecordingPacer,
) -> None:
    await call(limiter, "editMessageText")
    await call(limiter, "sendChatAction")
    await call(limiter, "sendMessage", "@channel")  # no numeric chat to count
    with booked_by_sender():
        await call(limiter, "sendMessage")
    assert pacer.sends == []


async def test_a_429_to_a_reply_pauses_every_sender(
    limiter: BudgetLimiter, pacer: RecordingPacer, clock: VirtualTime,
) -> None:
    with pytest.raises(RetryAfter):
        await call(limiter, "sendMessage", answer=RetryAfter(3))
    assert pacer.delay_for(PRIVATE + 1, clock.now) == pytest.approx(3.0)  # a notice too


async def test_a_reply_goes_unbooked_when_the_budget_cannot_be_reached(
    pacer: RecordingPacer, caplog: pytest.LogCaptureFixture,
) -> None:
    class Unreachable(LocalBudget):
        async def wait_for_turn(self, chat_id: int, *, reply: bool = False) -> None:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError())

    limiter = BudgetLimiter(Unreachable(pacer))
    with caplog.at_level(logging.WARNING, logger="bot.telegram_bot"):
        assert await call(limiter, "sendMessage", answer={"message_id": 1}) == {"message_id": 1}
    assert "unbooked" in caplog.text
