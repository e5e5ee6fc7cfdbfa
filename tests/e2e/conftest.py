"""Fixtures of the end-to-end tests that post Kakao's skill requests (the KakaoTalk channel
beside the sandbox's Telegram)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Runtime
from bot.clock import ShiftableClock
from sandbox import SandboxServer, SandboxState
from tests.support.harness import running_bot
from tests.support.kakao import kakao_chats_telegram_saw, kakao_settings


@pytest.fixture
async def kakao_bot(
    database_url: str, sandbox: SandboxServer, sandbox_state: SandboxState,
    clock: ShiftableClock,
) -> AsyncIterator[Runtime]:
    """The bot with the KakaoTalk channel on; a turn is never cut short by the real clock
    (the quick answer has its own test, with a deadline of its own). Telegram never hears
    of a Kakao resident's chat."""
    async with running_bot(kakao_settings(database_url, sandbox), clock) as runtime:
        assert runtime.kakao is not None
        runtime.kakao.deadline = asyncio.Event().wait
        yield runtime
    assert kakao_chats_telegram_saw(sandbox_state) == []


@pytest.fixture
async def kakao_client(kakao_bot: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(kakao_bot.web_app())) as client:
        yield client
