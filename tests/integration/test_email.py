"""Department links and reminders by e-mail, through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock
from bot.dispatcher import OutboxDispatcher
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import I18n
from bot.mailer import EmailTransport
from bot.metrics import Metrics
from bot.services import departments
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.service_settings import review_start


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_assignment_mails_the_reply_link_to_the_department(
    sessionmaker: async_sessionmaker[AsyncSession], smtp: tuple[Inbox, int], clock: ShiftableClock
) -> None:
    inbox, port = smtp
    settings = replace(Settings(secret_key="k" * 40, public_base_url="https://gg.kr"),
                       smtp_url=f"smtp://127.0.0.1:{port}")
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 1, START)
        proposal = await make_proposal(session, author, START, status=ProposalStatus.UNDER_REVIEW)
        department = await departments.create_department(
            session, name="공원녹지과", now=START, emails="park@gu.go.kr, chief@gu.go.kr")
        result = await departments.assign_department(session, proposal.id, department,
                                                     now=START, **review_start(settings))
    transport = EmailTransport(settings.smtp_url or "", settings.mail_from, I18n().get("ko"))
    mailer = OutboxDispatcher(sessionmaker, transport, clock, Metrics())
    assert await mailer.run_once() == 2
    assert await mailer.run_once() == 0
    assert sorted(to[0] for to, _ in inbox.messages) == ["chief@gu.go.kr", "park@gu.go.kr"]
    mail = message_from_bytes(inbox.messages[0][1])
    subject = str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True).decode()
    assert "「공원 가로등 설치」 검토·답변 요청" in subject
    assert result.url is not None and result.url in body
    assert "「공원 가로등 설치」가 공감 기준을 넘어" in body


async def test_a_refused_connection_is_retried_not_lost(
    sessionmaker: async_sessionmaker[AsyncSession], clock: ShiftableClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = replace(Settings(secret_key="k" * 40), smtp_url=f"smtp://127.0.0.1:{closed_port}")
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 1, START)
        proposal = await make_proposal(session, author, START, status=ProposalStatus.UNDER_REVIEW)
        department = await departments.create_department(session, name="도로과", now=START,
                                                         emails="road@gu.go.kr")
        await departments.assign_department(session, proposal.id, department, now=START,
                                            **review_start(settings))
    transport = EmailTransport(settings.smtp_url or "", settings.mail_from, I18n().get("ko"))
    mailer = OutboxDispatcher(sessionmaker, transport, clock, Metrics())
    await mailer.run_once()
    assert await mailer.backlog() == 1
