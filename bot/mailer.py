"""E-mail delivery of outbox rows (department links and reminders) through SMTP."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import unquote, urlsplit

from bot.dispatcher import Claimed, Delivery, Result
from bot.domain.events import event_from_row
from bot.i18n import Translator
from bot.rendering.emails import render_email

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20


class EmailTransport:
    """Sends one message per outbox row; SMTP runs in a worker thread (smtplib is blocking)."""

    channel = "email"

    def __init__(self, smtp_url: str, sender: str, korean: Translator) -> None:
        self._url = urlsplit(smtp_url)
        self._sender = sender
        self._korean = korean

    async def deliver(self, row: Claimed) -> Delivery:
        if not row.address:
            return Delivery(Result.FAILED, "no address")
        try:
            subject, body = render_email(event_from_row(row.kind, row.params), self._korean)
        except (KeyError, TypeError):  # an unknown kind, no e-mail form, a field missing
            return Delivery(Result.FAILED, f"no e-mail template for {row.kind}")
        message = EmailMessage()
        message["From"] = formataddr(("공감", self._sender))
        message["To"] = row.address
        message["Subject"] = subject
        message.set_content(body)
        try:
            await asyncio.to_thread(self._send, message)
        except smtplib.SMTPRecipientsRefused as error:
            return Delivery(Result.FAILED, f"recipient refused: {error.recipients!r}"[:300])
        except (smtplib.SMTPException, OSError) as error:
            log.warning("e-mail for outbox row %s not sent yet: %s", row.id, type(error).__name__)
            return Delivery(Result.RETRY, str(error))
        return Delivery(Result.SENT)

    def _send(self, message: EmailMessage) -> None:
        host, port = self._url.hostname or "localhost", self._url.port
        secure = self._url.scheme == "smtps"
        client_class = smtplib.SMTP_SSL if secure else smtplib.SMTP
        with client_class(host, port or (465 if secure else 25),
                          timeout=SMTP_TIMEOUT_SECONDS) as client:
            if self._url.username:
                client.login(unquote(self._url.username), unquote(self._url.password or ""))
            client.send_message(message)
