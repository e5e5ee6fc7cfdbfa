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
from bot.services.callbacks import SYSTEM_ACTOR, erase_closed_contacts, erase_if_closed
from bot.services.text_contacts import (
    GIVEN_UP,
    NOT_TAKEN,
    SENDING,
    DeliveryRecord,
    Recipient,
    attempts_of,
    awaiting_reports,
    book_attempt,
    give_up_reports,
    mark_refused,
    recipient_of,
    settle_attempt,
    settle_doubts,
    store_report,
    take_doubt,
)
from bot.texting.nhn import idempotency_key
from bot.texting.provider import SendOutcome, SendResult, TextProvider, TextRequest

log = logging.getLogger(__name__)

DEFAULT_GIVE_UP_AFTER = 8  # the dispatcher's attempts: the last one goes the old way
REPORT_AFTER = timedelta(seconds=30)  # a final report is asked for once the text is this old
REPORT_GIVE_UP_AFTER = timedelta(days=2)  # and no longer once it is this old
REPORT_EVERY_SECONDS = 60.0
# How long a repeated key is surely still refused: NHN remembers one for 10 minutes, from
# its first request, which left a little after the attempt was stamped (and replicas' clocks
# differ a little): 8 minutes leaves room for both.
KEY_REMEMBERED = timedelta(minutes=8)
# What a text costs when the provider may have taken it: its booking's price stays counted.
COSTING_OUTCOMES = frozenset({SendOutcome.ACCEPTED, SendOutcome.DUPLICATE, SendOutcome.UNKNOWN})


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
        None: send. Attempts in doubt (no answer came) are counted from the first of them:
        while the provider remembers its key (`KEY_REMEMBERED`) the request simply goes again
        with the same key (a repeat is then refused as a duplicate); after that, only once the
        provider's list says it never took it."""
        attempts = await self.fast_lane.run(partial(attempts_of, outbox_id=row.id))
        if attempts.taken:
            log.info("outbox row %s: the provider took its text already; not sent again", row.id)
            return Delivery(Result.SENT)
        since = attempts.in_doubt_since
        if since is None or self.clock.now() - since < KEY_REMEMBERED:
            return None
        lookup = await self.provider.find(request, since)
        if lookup is None:
            return await self._retry_or_old_way(row, "cannot tell whether an earlier text went")
        if not lookup.taken:
            await self.fast_lane.run(partial(settle_doubts, outbox_id=row.id, status=NOT_TAKEN))
            return None
        await self._took_doubt(row, request, lookup.message_id)
        log.info("outbox row %s: an unanswered earlier text went through; not sent again",
                 row.id)
        return Delivery(Result.SENT)

    async def _took_doubt(self, row: Claimed, request: TextRequest,
                          message_id: str | None) -> None:
        await self.fast_lane.run(partial(
            take_doubt, outbox_id=row.id, message_id=message_id,
            cost_won=self.settings.prices.dearest(request.message.fallback)))

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
        await self.fast_lane.run(partial(
            settle_attempt, attempt_id=attempt_id, status=result.outcome.value,
            cost_won=price if result.outcome in COSTING_OUTCOMES else 0,
            message_id=result.message_id, error_code=result.error_code))
        return await self._outcome(row, recipient, request, result)

    async def _outcome(self, row: Claimed, recipient: Recipient, request: TextRequest,
                       result: SendResult) -> Delivery | None:
        outcome = result.outcome
        if outcome is SendOutcome.ACCEPTED:
            await self.fast_lane.run(partial(settle_doubts, outbox_id=row.id, status=NOT_TAKEN))
            return Delivery(Result.SENT)
        if outcome is SendOutcome.DUPLICATE:
            return await self._duplicate(row, recipient, request)
        if outcome in (SendOutcome.RETRY, SendOutcome.UNKNOWN):
            return await self._retry_or_old_way(
                row, f"text provider: {result.error_code or result.detail or outcome.value}")
        await self.fast_lane.run(partial(settle_doubts, outbox_id=row.id, status=NOT_TAKEN))
        if outcome is SendOutcome.REJECTED:
            await self.fast_lane.run(partial(mark_refused, recipient=recipient,
                                             code=result.error_code, now=self.clock.now()))
            return None
        log.warning("outbox row %s cannot go by text (%s %s); it goes the old way",
                    row.id, outcome.value, result.error_code)
        return None

    async def _duplicate(self, row: Claimed, recipient: Recipient, request: TextRequest
                         ) -> Delivery:
        """A repeat the provider refused: an earlier request went through. Its message id,
        from the provider's list, lets its final report come (and with it an offline
        proposer's erasure); without it the text counts as sent unreported."""
        attempts = await self.fast_lane.run(partial(attempts_of, outbox_id=row.id))
        since = attempts.in_doubt_since or self.clock.now() - KEY_REMEMBERED
        lookup = await self.provider.find(request, since)
        if lookup is not None and lookup.taken:
            await self._took_doubt(row, request, lookup.message_id)
        else:
            await self._erase_if_closed(recipient.proposal_id)
        return Delivery(Result.SENT)

    async def _retry_or_old_way(self, row: Claimed, reason: str) -> Delivery | None:
        """Try again with the outbox's backoff; after the last attempt the notice goes the
        old way rather than being lost (what is still in doubt then keeps its price)."""
        if row.attempts < self.settings.give_up_after:
            return Delivery(Result.RETRY, reason)
        log.warning("outbox row %s cannot go by text (%s); it goes the old way", row.id, reason)
        await self.fast_lane.run(partial(settle_doubts, outbox_id=row.id, status=GIVEN_UP))
        return None

    async def _erase_if_closed(self, proposal_id: int | None) -> None:
        """An offline proposer's contact goes once the closed proposal's last text went."""
        if proposal_id is None:
            return
        async with self.sessionmaker() as session, session.begin():
            await erase_if_closed(session, proposal_id, actor=SYSTEM_ACTOR, now=self.clock.now())

    async def refresh_reports(self, limit: int = 50) -> int:
        """Ask the provider for the final report of texts it took; how many came in. Texts
        too old to ask about are given up (counted as sent). Then the contacts of closed
        offline proposals whose texts all have their final word are erased (whatever an
        earlier pass, or a crash, left)."""
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
        await self.fast_lane.run(partial(
            give_up_reports, before=now - REPORT_GIVE_UP_AFTER, now=now))
        async with self.sessionmaker() as session, session.begin():
            await erase_closed_contacts(session, actor=SYSTEM_ACTOR, now=self.clock.now())
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
