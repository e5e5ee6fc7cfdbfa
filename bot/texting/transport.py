"""The text-message transport: an outbox row for a resident not on Telegram, by 알림톡/SMS.

`bot.kakao.notices` hands it the rows of Kakao-only residents and offline proposers. For
each it decides:

- no number for texts (none given, taken back, refused, erased), or a notice that has no
  template: None — the caller keeps the old way (held for the next Kakao turn, or the
  call-back list);
- the daily cost cap reached and the notice not urgent: the row waits for the next KST day
  (`Result.DEFER`; quiet hours already held it at the claim, as every push);
- a daily digest: None (no registered template lists its items), held for the next Kakao
  turn; a notice that cannot be made a text: failed, that row alone (as Telegram's);
- a row whose text the provider already took (its delivery stored, the row not yet marked:
  a crash, or a claim taken back): sent, without asking the provider again — its
  idempotency key is remembered for 10 minutes only;
- otherwise one request to the provider, keyed by the outbox row (its id, hashed): taken →
  sent; a repeat of a request that went through → sent (not twice); a timeout, 5xx or 429 →
  retried with the outbox's exponential backoff, and after the last attempt the notice goes
  the old way rather than being lost; a refused number → marked, and the notice goes the
  old way (for an offline proposer: the call-back list, where staff see the number).

Every attempt is written to `text_deliveries` (its report); `refresh_reports` asks the
provider for the final word on texts it took (delivered as 알림톡, or by the SMS/LMS
fallback, and at what price).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.db.engine import FastLane
from bot.dispatcher import Claimed, Delivery, Result
from bot.domain.digest import DIGEST_KIND
from bot.domain.text_messages import DailyCap, TextChannel, TextMessage, TextPrices
from bot.i18n import Translator
from bot.rendering.text_messages import lms_title, text_message
from bot.services.callbacks import SYSTEM_ACTOR, erase_if_closed
from bot.services.text_contacts import (
    DeliveryRecord,
    Recipient,
    awaiting_reports,
    mark_refused,
    recipient_of,
    record_delivery,
    spent_since,
    store_report,
    taken_before,
)
from bot.texting.nhn import idempotency_key
from bot.texting.provider import SendOutcome, SendResult, TextProvider, TextRequest

log = logging.getLogger(__name__)

DEFAULT_GIVE_UP_AFTER = 8  # the dispatcher's attempts: the last one goes the old way
REPORT_AFTER = timedelta(seconds=30)  # a final report is asked for once the text is this old
REPORT_GIVE_UP_AFTER = timedelta(days=2)  # and no longer once it is this old
REPORT_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class TextSettings:
    """What the transport needs from the settings."""

    contact_key: str = field(repr=False)
    public_base_url: str
    prices: TextPrices = TextPrices()
    cap: DailyCap = DailyCap()
    give_up_after: int = DEFAULT_GIVE_UP_AFTER


@dataclass
class TextMessageTransport:
    provider: TextProvider
    fast_lane: FastLane
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    korean: Translator
    settings: TextSettings

    async def deliver(self, row: Claimed) -> Delivery | None:
        """The row sent by text, deferred, or to retry; None: it goes the old way."""
        if row.kind == DIGEST_KIND:
            return None  # no template lists a digest's items: held for the next Kakao turn
        recipient = await self.fast_lane.run(
            partial(recipient_of, chat_id=row.chat_id, contact_key=self.settings.contact_key))
        if recipient is None:
            return None
        if await self.fast_lane.run(partial(taken_before, outbox_id=row.id)):
            log.info("outbox row %s: the provider took its text already; not sent again", row.id)
            await self._erase_if_closed(row, recipient)
            return Delivery(Result.SENT)
        try:
            message = text_message(self.korean, row.kind, row.params,
                                   self.settings.public_base_url)
        except Exception:
            log.exception("outbox row %s (%s) cannot be made a text", row.id, row.kind)
            return Delivery(Result.FAILED, f"cannot render {row.kind} as a text")
        if message is None:
            return None
        now = self.clock.now()
        cap = self.settings.cap
        if cap.won is not None and cap.holds(await self._spent_today(), urgent=row.urgent):
            log.info("outbox row %s waits: the daily text budget is spent", row.id)
            return Delivery(Result.DEFER, "daily text budget spent", hold_until=cap.next_day(now))
        result = await self.provider.send(TextRequest(
            idempotency_key(f"outbox:{row.id}"), recipient.number, message,
            lms_title(self.korean)))
        await self._record(row, message, result)
        return await self._outcome(row, recipient, result)

    async def _spent_today(self) -> int:
        since = self.settings.cap.day_start(self.clock.now())
        return await self.fast_lane.run(partial(spent_since, since=since))

    async def _record(self, row: Claimed, message: TextMessage, result: SendResult) -> None:
        taken = result.outcome in (SendOutcome.ACCEPTED, SendOutcome.DUPLICATE)
        record = DeliveryRecord(
            row.id, self.provider.name, result.outcome.value, TextChannel.ALIMTALK,
            fallback=message.fallback,
            cost_won=self.settings.prices.alimtalk if taken else 0,
            message_id=result.message_id, error_code=result.error_code)
        await self.fast_lane.run(partial(record_delivery, record=record, now=self.clock.now()))

    async def _outcome(self, row: Claimed, recipient: Recipient, result: SendResult
                       ) -> Delivery | None:
        outcome = result.outcome
        if outcome in (SendOutcome.ACCEPTED, SendOutcome.DUPLICATE):
            await self._erase_if_closed(row, recipient)
            return Delivery(Result.SENT)
        if outcome is SendOutcome.REJECTED:
            await self.fast_lane.run(partial(mark_refused, recipient=recipient,
                                             code=result.error_code, now=self.clock.now()))
            return None
        if outcome is SendOutcome.RETRY and row.attempts < self.settings.give_up_after:
            return Delivery(Result.RETRY, f"text provider: {result.error_code or result.detail}")
        log.warning("outbox row %s cannot go by text (%s %s); it goes the old way",
                    row.id, outcome.value, result.error_code)
        return None

    async def _erase_if_closed(self, row: Claimed, recipient: Recipient) -> None:
        """An offline proposer's contact goes once the closed proposal's last text went."""
        if recipient.proposal_id is None:
            return
        async with self.sessionmaker() as session, session.begin():
            await erase_if_closed(session, recipient.proposal_id, actor=SYSTEM_ACTOR,
                                  now=self.clock.now(), sending=row.id)

    async def refresh_reports(self, limit: int = 50) -> int:
        """Ask the provider for the final report of texts it took; how many came in."""
        now = self.clock.now()
        waiting = await self.fast_lane.run(
            partial(awaiting_reports, before=now - REPORT_AFTER,
                    since=now - REPORT_GIVE_UP_AFTER, limit=limit))
        stored = 0
        for text in waiting:
            report = await self.provider.report(text.message_id, text.channel)
            if report is None:
                continue
            await self.fast_lane.run(partial(
                store_report, delivery_id=text.id, delivered=report.delivered,
                channel=report.channel, cost_won=self._cost(report.delivered, report.channel),
                error_code=report.error_code, now=self.clock.now(), lost=report.lost))
            stored += 1
        return stored

    def _cost(self, delivered: bool, channel: TextChannel) -> int:
        """What a text cost: its channel's price once delivered (an undelivered 알림톡 still
        counts as sent, a conservative figure for the cap)."""
        prices = self.settings.prices
        return prices.of(channel) if delivered else prices.alimtalk

    async def close(self) -> None:
        await self.provider.close()


class TextReports(BackgroundLoop):
    """Fetches the provider's final reports every minute."""

    name = "text-reports"

    def __init__(self, transport: TextMessageTransport,
                 idle_wait: float = REPORT_EVERY_SECONDS) -> None:
        super().__init__(idle_wait)
        self.transport = transport

    async def run_once(self) -> int:
        await self.transport.refresh_reports()
        return 0  # the next pass waits a minute whatever came in

    async def stop(self) -> None:
        await super().stop()
        await self.transport.close()
