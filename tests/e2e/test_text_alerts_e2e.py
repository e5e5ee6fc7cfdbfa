"""「알림톡」 (or /text) through the KakaoTalk channel: the greeting says where the news comes,
a resident gives their number (the consent), their news then goes as 알림톡 (the sandbox
provider), and 「알림톡 끄기」 erases the number."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import Runtime
from bot.clock import ShiftableClock
from bot.db.models import KakaoAccount, OutboxMessage, OutboxStatus, TextContact
from bot.domain.events import StatusChanged
from bot.services.outbox import enqueue_for_users
from bot.texting.config import TextMessaging
from bot.texting.sandbox import SandboxTexts
from sandbox import SandboxServer
from tests.support.harness import running_bot
from tests.support.kakao import KakaoResident, kakao_settings


@pytest.fixture
async def texting_bot(database_url: str, sandbox: SandboxServer, clock: ShiftableClock
                      ) -> AsyncIterator[Runtime]:
    settings = replace(kakao_settings(database_url, sandbox),
                       texts=TextMessaging(provider="sandbox"), contact_key="c" * 64)
    async with running_bot(settings, clock) as runtime:
        yield runtime


async def all_sent(runtime: Runtime) -> list[OutboxMessage]:
    """Deliver what is due (the running dispatcher or this pass, whichever claims it)."""
    while await runtime.dispatcher.run_once():
        pass
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(OutboxMessage)))


async def test_a_kakao_resident_gives_a_number_gets_alimtalk_and_erases_it(
    texting_bot: Runtime,
) -> None:
    assert texting_bot.text_reports is not None
    provider = texting_bot.text_reports.transport.provider
    assert isinstance(provider, SandboxTexts)
    async with TestClient(TestServer(texting_bot.web_app())) as client:
        minji = KakaoResident(client, "botUserKey-texts")
        greeting = (await minji.say("/start")).text
        assert "말을 걸 때마다" in greeting and "「알림톡」이라고 보내 주세요" in greeting
        assert "이 대화방에서 바로" not in greeting  # a chatbot cannot write first
        assert "알림톡 010-1234-5678" in (await minji.say("알림톡")).text
        assert "휴대전화 번호가 아니에요" in (await minji.say("알림톡 02-123-4567")).text
        assert "010-****-5678" in (await minji.say("알림톡 010-1234-5678")).text
        async with texting_bot.sessionmaker() as session, session.begin():
            account = (await session.scalars(select(KakaoAccount))).one()
            notice = StatusChanged(1, "공원 산책로 가로등 설치", "under_review", key="1")
            await enqueue_for_users(session, [account.user_id], notice, texting_bot.clock.now())
        sent = await all_sent(texting_bot)
        assert [row.status for row in sent] == [OutboxStatus.SENT]
        assert [text.to for text in provider.sent] == ["010-****-5678"]
        assert "번호를 지웠어요" in (await minji.say("알림톡 끄기")).text
        async with texting_bot.sessionmaker() as session:
            assert list(await session.scalars(select(TextContact))) == []
        assert "010-****-5678" in (await minji.say("/text 010-1234-5678")).text  # the command
        await minji.say("/text off")
        async with texting_bot.sessionmaker() as session:
            assert list(await session.scalars(select(TextContact))) == []
