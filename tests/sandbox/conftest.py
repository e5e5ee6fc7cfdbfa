"""Fixtures: a sandbox server on a free local port and a real PTB `Bot` pointed at it."""

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from sandbox import SandboxClient, SandboxServer, SandboxState


@pytest.fixture
def state() -> SandboxState:
    return SandboxState()


@pytest.fixture
def client(state: SandboxState) -> SandboxClient:
    return SandboxClient(state)


@pytest.fixture
async def server(state: SandboxState) -> AsyncIterator[SandboxServer]:
    async with SandboxServer(state) as running:
        yield running


@pytest.fixture
async def bot(server: SandboxServer, state: SandboxState) -> AsyncIterator[Bot]:
    async with Bot(state.token, base_url=server.base_url) as ptb_bot:
        yield ptb_bot
