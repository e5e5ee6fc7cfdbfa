"""A text-message provider that sends nothing: it keeps what it was asked to send.

For tests and the sandbox: `SandboxTexts.sent` lists every text it took, oldest first (the
number masked, the filled text, how it went), so a page or a test can show them. Numbers in
`refused` are refused as a provider refuses a wrong number; numbers in `not_on_kakao` get
their fallback (SMS or LMS) instead of the 알림톡, as a resident without KakaoTalk would.
A repeated idempotency key is a duplicate, as with the real provider.

Use: pass it as the provider of `bot.texting.transport.TextMessageTransport` (the app does so
through `bot.texting.wiring` when `TEXT_PROVIDER=sandbox`) and read its `sent`, or call
`latest(n)`. A report asked for a text it does not know (taken by an earlier process) says
no final word will come, as NHN's "message not found" does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.domain.text_messages import TextChannel, masked_number
from bot.texting.provider import DeliveryReport, Lookup, SendOutcome, SendResult, TextRequest

REFUSED_CODE = "-4019"  # what the sandbox answers for a refused number (as NHN does)
NOT_FOUND_CODE = "-1016"  # a report asked of a text this process never took


@dataclass(frozen=True)
class SandboxText:
    """One text the sandbox took: to whom (masked), which template, the text, the channel."""

    message_id: str
    to: str
    template: str
    text: str
    channel: TextChannel


@dataclass
class SandboxTexts:
    """The sandbox provider: in memory, per process."""

    refused: set[str] = field(default_factory=set)
    not_on_kakao: set[str] = field(default_factory=set)
    sent: list[SandboxText] = field(default_factory=list)
    _keys: dict[str, str] = field(default_factory=dict)  # idempotency key → message id
    name: str = "sandbox"
    on_sent: Callable[[], None] | None = None  # told of each text taken (the sandbox page)

    async def send(self, request: TextRequest) -> SendResult:
        if request.idempotency_key in self._keys:
            return SendResult(SendOutcome.DUPLICATE)
        if request.number in self.refused:
            return SendResult(SendOutcome.REJECTED, error_code=REFUSED_CODE)
        channel = (request.message.fallback if request.number in self.not_on_kakao
                   else TextChannel.ALIMTALK)
        message_id = f"sandbox-{len(self.sent) + 1}"
        self._keys[request.idempotency_key] = message_id
        self.sent.append(SandboxText(message_id, masked_number(request.number),
                                     request.message.template.code, request.message.text,
                                     channel))
        if self.on_sent is not None:
            self.on_sent()
        return SendResult(SendOutcome.ACCEPTED, message_id=message_id)

    async def report(self, message_id: str, planned: TextChannel) -> DeliveryReport | None:
        for text in self.sent:
            if text.message_id == message_id:
                return DeliveryReport(True, text.channel)
        return DeliveryReport(False, TextChannel.ALIMTALK, error_code=NOT_FOUND_CODE, lost=True)

    async def find(self, request: TextRequest, since: datetime) -> Lookup | None:
        message_id = self._keys.get(request.idempotency_key)
        return Lookup(message_id is not None, message_id)

    async def close(self) -> None:
        return None

    def latest(self, count: int = 20) -> list[SandboxText]:
        """The `count` latest texts, newest first (what a sandbox page would list)."""
        return list(reversed(self.sent[-count:]))

    def listed(self, count: int = 50) -> list[dict[str, str]]:
        """`latest` as plain values, for the sandbox page."""
        return [asdict(text) for text in self.latest(count)]
