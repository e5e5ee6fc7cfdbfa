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
  a crash, or a claim taken back): sent, without asking the provider again;
- a row whose last request got no answer (a timeout, a broken connection, a 5xx, or a crash
  between the request and its answer): sent again with the same key while the provider
  remembers it (10 minutes: a repeat that went through is refused as a duplicate), after
  that only once the provider's list says it never took it;
- otherwise the text is booked at its dearest price (its fallback's) against the daily cap,
  one process at a time, and one request goes to the provider, keyed by the outbox row:
  taken → sent; a repeat of a request that went through → sent (not twice); a 429, a
  refused connection or no answer → retried with the outbox's exponential backoff, and
  after the last attempt the notice goes the old way rather than being lost; a refused
  number → marked, and the notice goes the old way (for an offline proposer: the call-back
  list, where staff see the number).

Every attempt is written to `text_deliveries` (its report); `refresh_reports` asks the
provider for the final word on texts it took (delivered as 알림톡, or by the SMS/LMS
fallback, and at what price). A text that reached nobody, neither as 알림톡 nor by its
fallback, marks the number unreachable and its notice goes the old way then.
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
from bot.domain.text_messages import DailyCap, TextChannel, TextPrices
from bot.i18n import Translator
from bot.rendering.text_messages import lms_title, text_message
from bot.services.callbacks import SYSTEM_ACTOR, erase_if_closed
from bot.services.text_contacts import (
    AWAITING_REPORT,
    SENDING,
    DeliveryRecord,
    Recipient,
    awaiting_reports,
    book_attempt,
    give_up_reports,
    last_attempt,
    mark_refused,
    offline_chats_of,
    recipient_of,
    settle_attempt,
    store_report,
)
from bot.texting.nhn import idempotency_key
from bot.texting.provider import SendOutcome, SendResult, TextProvider, TextRequest

log = logging.getLogger(__name__)

DEFAULT_GIVE_UP_AFTER = 8  # the dispatcher's attempts: the last one goes the old way
REPORT_AFTER = timedelta(seconds=30)  # a final report is asked for once the text is this old
REPORT_GIVE_UP_AFTER = timedelta(days=2)  # and no longer once it is this old
REPORT_EVERY_SECONDS = 60.0
KEY_REMEMBERED = timedelta(minutes=10)  # how long the provider refuses a repeated key


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
        try:
            message = text_message(self.korean, row.kind, row.params,
                                   self.settings.public_base_url)
        except Exception:
            log.exception("outbox row %s (%s) cannot be made a text", row.id, row.kind)
            return Delivery(Result.FAILED, f"cannot render {row.kind} as a text")
        if message is None:
            return None
        request = TextRequest(idempotency_key(f"outbox:{row.id}"), recipient.number, message,
                              lms_title(self.korean))
        earlier = await self._earlier_attempt(row, request)
        if earlier is not None:
            return earlier
        return await self._send(row, recipient, request)

    async def _earlier_attempt(self, row: Claimed, request: TextRequest) -> Delivery | None:
        """SENT when an earlier attempt's text was taken (its row not yet marked: a crash, a
        claim taken back, a timeout that hid a success); RETRY when that cannot be told yet;
        None: send. An unanswered attempt younger than the provider's memory of its key is
        simply sent again with the same key (a repeat is then refused as a duplicate)."""
        attempt = await self.fast_lane.run(partial(last_attempt, outbox_id=row.id))
        if attempt is None or not (attempt.taken or attempt.unanswered):
            return None
        if attempt.taken:
            log.info("outbox row %s: the provider took its text already; not sent again", row.id)
            return Delivery(Result.SENT)
        if self.clock.now() - attempt.created_at < KEY_REMEMBERED:
            return None
        lookup = await self.provider.find(request, attempt.created_at)
        if lookup is None:
            return self._retry_or_old_way(row, "cannot tell whether an earlier text went")
        if not lookup.taken:
            return None
        await self.fast_lane.run(partial(
            settle_attempt, attempt_id=attempt.id, status=AWAITING_REPORT,
            cost_won=self.settings.prices.dearest(request.message.fallback),
            message_id=lookup.message_id))
        log.info("outbox row %s: an unanswered earlier text went through; not sent again",
                 row.id)
        return Delivery(Result.SENT)

    async def _send(self, row: Claimed, recipient: Recipient, request: TextRequest
                    ) -> Delivery | None:
        """Book the text (or wait for tomorrow's budget), send it, and settle the booking."""
        now = self.clock.now()
        message = request.message
        price = self.settings.prices.dearest(message.fallback)
        booking = DeliveryRecord(row.id, self.provider.name, SENDING, TextChannel.ALIMTALK,
                                 fallback=message.fallback, cost_won=price)
        cap = self.settings.cap
        attempt_id = await self.fast_lane.run(partial(
            book_attempt, record=booking, cap=cap, urgent=row.urgent, now=now))
        if attempt_id is None:
            log.info("outbox row %s waits: the daily text budget is spent", row.id)
            return Delivery(Result.DEFER, "daily text budget spent", hold_until=cap.next_day(now))
        result = await self.provider.send(request)
        taken = result.outcome in (SendOutcome.ACCEPTED, SendOutcome.DUPLICATE)
        await self.fast_lane.run(partial(
            settle_attempt, attempt_id=attempt_id, status=result.outcome.value,
            cost_won=price if taken or result.outcome is SendOutcome.UNKNOWN else 0,
            message_id=result.message_id, error_code=result.error_code))
        return await self._outcome(row, recipient, result)

    async def _outcome(self, row: Claimed, recipient: Recipient, result: SendResult
                       ) -> Delivery | None:
        outcome = result.outcome
        if outcome in (SendOutcome.ACCEPTED, SendOutcome.DUPLICATE):
            return Delivery(Result.SENT)
        if outcome is SendOutcome.REJECTED:
            await self.fast_lane.run(partial(mark_refused, recipient=recipient,
                                             code=result.error_code, now=self.clock.now()))
            return None
        if outcome in (SendOutcome.RETRY, SendOutcome.UNKNOWN):
            return self._retry_or_old_way(
                row, f"text provider: {result.error_code or result.detail or outcome.value}")
        log.warning("outbox row %s cannot go by text (%s %s); it goes the old way",
                    row.id, outcome.value, result.error_code)
        return None

    def _retry_or_old_way(self, row: Claimed, reason: str) -> Delivery | None:
        """Try again with the outbox's backoff; after the last attempt the notice goes the
        old way rather than being lost."""
        if row.attempts < self.settings.give_up_after:
            return Delivery(Result.RETRY, reason)
        log.warning("outbox row %s cannot go by text (%s); it goes the old way", row.id, reason)
        return None

    async def _erase_if_closed(self, proposal_id: int) -> None:
        """An offline proposer's contact goes once the closed proposal's last text has its
        final report (`bot.services.callbacks.erase_if_closed` waits for it)."""
        async with self.sessionmaker() as session, session.begin():
            await erase_if_closed(session, proposal_id, actor=SYSTEM_ACTOR, now=self.clock.now())

    async def refresh_reports(self, limit: int = 50) -> int:
        """Ask the provider for the final report of texts it took; how many came in. Texts
        too old to ask about are given up (counted as sent). An offline proposer's contact
        is erased once the closed proposal's last text has its final word."""
        now = self.clock.now()
        waiting = await self.fast_lane.run(
            partial(awaiting_reports, before=now - REPORT_AFTER,
                    since=now - REPORT_GIVE_UP_AFTER, limit=limit))
        stored: list[int] = []
        for text in waiting:
            report = await self.provider.report(text.message_id, text.channel)
            if report is None:
                continue
            await self.fast_lane.run(partial(
                store_report, delivery_id=text.id, delivered=report.delivered,
                channel=report.channel, cost_won=self._cost(report.delivered, report.channel),
                error_code=report.error_code, now=self.clock.now(), lost=report.lost))
            stored.append(text.id)
        proposals = await self.fast_lane.run(partial(offline_chats_of, delivery_ids=stored))
        proposals += await self.fast_lane.run(partial(
            give_up_reports, before=now - REPORT_GIVE_UP_AFTER, now=now))
        for proposal_id in sorted(set(proposals)):
            await self._erase_if_closed(proposal_id)
        return len(stored)

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
