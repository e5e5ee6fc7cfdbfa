"""The one interface of a text-message provider, and what a send and a report can come to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.domain.text_messages import TextChannel, TextMessage


@dataclass(frozen=True)
class TextRequest:
    """One 알림톡 to one number, with its SMS or LMS fallback.

    `idempotency_key` is derived from the outbox row's dedupe key: a provider that knows
    idempotency keys refuses a second request with it, so a retry after a lost answer
    cannot send the notice twice.
    """

    idempotency_key: str
    number: str
    message: TextMessage
    title: str  # the LMS subject

    def __repr__(self) -> str:  # never the number in a log line
        return f"TextRequest({self.idempotency_key!r}, {self.message.template.code})"


class SendOutcome(StrEnum):
    ACCEPTED = "accepted"  # the provider took it; its final report may follow
    DUPLICATE = "duplicate"  # an earlier try with the same key went through
    REJECTED = "rejected"  # the provider refused this number
    RETRY = "retry"  # not taken (a rate limit, no connection): the same request may go again
    UNKNOWN = "unknown"  # no answer (a timeout, a broken connection, a 5xx): it may have gone
    FAILED = "failed"  # refused for a reason a retry will not change (key, template, format)


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    message_id: str | None = None  # the provider's id, for its final report
    error_code: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """A provider's final word on one message: delivered or not, and how; or that no final
    word will come (`lost`: the text is counted as an 알림톡 sent, and not asked about again)."""

    delivered: bool
    channel: TextChannel
    error_code: str | None = None
    lost: bool = False  # no final word will ever come (cancelled, unknown, too old to ask)


@dataclass(frozen=True)
class Lookup:
    """What the provider knows of an earlier request with a given key: whether it took it,
    and the message id it gave it."""

    taken: bool
    message_id: str | None = None


class TextProvider(Protocol):
    """A provider of 알림톡 with SMS fallback."""

    name: str

    async def send(self, request: TextRequest) -> SendResult: ...

    async def report(self, message_id: str, planned: TextChannel) -> DeliveryReport | None:
        """The final report of `message_id` (sent as 알림톡 with the `planned` fallback);
        None while it is not final yet."""
        ...

    async def find(self, request: TextRequest, since: datetime) -> Lookup | None:
        """Whether the provider took `request` (by its idempotency key) at or after `since`;
        None when it cannot say now. Asked before sending again a request whose answer never
        came, once the provider has forgotten its idempotency key."""
        ...

    async def close(self) -> None: ...
