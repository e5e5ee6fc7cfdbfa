"""Where a push for a resident who is not on Telegram goes: the one place that decides.

A Kakao-only resident's chat id is synthetic (bot/domain/kakao.py), and so is an offline
proposer's (bot/domain/text_messages.py): Telegram must never see either. Per outbox row:

- a Telegram chat: Telegram, as ever;
- a Kakao-only resident who chose 알림톡 and gave a number, or an offline proposer who agreed
  to texts at intake: 알림톡 with an SMS/LMS fallback (`bot.texting.transport`);
- otherwise a Kakao-only resident's push is held (`kakao_held_notices`) and shown with their
  next message (a Kakao chatbot cannot write first), rendered by the same notification
  renderer, hence in the same words, as a Telegram resident's push; an offline proposer's
  notice goes on the call-back list, for staff to phone.

Quiet hours hold texts at the claim as they hold every push. Neither texts nor held pushes
book anything in Telegram's send budget (`KakaoAwareBudget`): they never reach it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import partial

from bot.clock import Clock
from bot.db.engine import FastLane
from bot.dispatcher import Claimed, Delivery, Result, Transport
from bot.domain.kakao import is_kakao_chat
from bot.domain.text_messages import offline_proposal_of
from bot.send_budget import SendBudget
from bot.services.kakao_accounts import HeldNotice, hold_notice
from bot.services.text_contacts import call_instead
from bot.texting.transport import TextMessageTransport


@dataclass
class KakaoNotices:
    """The outbox transport: Telegram's for Telegram chats, texts or held notices for the
    others."""

    telegram: Transport
    fast_lane: FastLane
    clock: Clock
    texts: TextMessageTransport | None = None  # None: no text provider configured
    channel: str = "telegram"  # the outbox rows it takes: Telegram's (chat ids of either kind)
    held_count: int = field(default=0, init=False)  # pushes held since the start
    _held: asyncio.Condition = field(default_factory=asyncio.Condition, init=False)

    async def deliver(self, row: Claimed) -> Delivery:
        if not is_kakao_chat(row.chat_id):
            return await self.telegram.deliver(row)
        if self.texts is not None:
            texted = await self.texts.deliver(row)
            if texted is not None:
                return texted
        proposal_id = offline_proposal_of(row.chat_id)
        if proposal_id is not None:
            return await self.call(row, proposal_id)
        return await self.hold(row)

    async def call(self, row: Claimed, proposal_id: int) -> Delivery:
        """Put an offline proposer's notice on the call-back list: staff phone instead."""
        await self.fast_lane.run(partial(
            call_instead, proposal_id=proposal_id, kind=row.kind, params=row.params,
            dedupe_key=f"{proposal_id}:{row.kind}:outbox:{row.id}", now=self.clock.now()))
        return Delivery(Result.SENT)

    async def hold(self, row: Claimed) -> Delivery:
        """Keep the push for the resident's next Kakao turn (a chat nobody has any more is
        unreachable, as a Telegram chat that blocked the bot)."""
        notice = HeldNotice(row.kind, row.params, row.language)
        held = await self.fast_lane.run(
            partial(hold_notice, chat_id=row.chat_id, notice=notice, now=self.clock.now()))
        if not held:
            return Delivery(Result.UNREACHABLE, "no Kakao user")
        async with self._held:
            self.held_count += 1
            self._held.notify_all()
        return Delivery(Result.SENT)

    async def until_held(self, count: int) -> None:
        """Return once `count` pushes have been held since the start (a wait on an event,
        for whoever must know a push is there before the resident's next turn)."""
        async with self._held:
            await self._held.wait_for(lambda: self.held_count >= count)


@dataclass
class KakaoAwareBudget:
    """Telegram's send budget, asked only for Telegram chats."""

    budget: SendBudget

    async def wait_for_turn(self, chat_id: int, *, reply: bool = False) -> None:
        if not is_kakao_chat(chat_id):
            await self.budget.wait_for_turn(chat_id, reply=reply)

    async def pause(self, seconds: float) -> None:
        await self.budget.pause(seconds)
