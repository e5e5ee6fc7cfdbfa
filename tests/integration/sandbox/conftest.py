"""Fixtures: a sandbox server on a free local port and a real PTB `Bot` pointed at it."""

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from sandbox import SandboxServer, SandboxState
from tests.support.sandbox_fixtures import client, state

__all__ = ["bot", "client", "server", "state"]


@pytest.fixture
async def server(state: SandboxState) -> AsyncIterator[SandboxServer]:
    async with SandboxServer(state) as running:
        yield running


@pytest.fixture
async def bot(server: SandboxServer, state: SandboxState) -> AsyncIterator[Bot]:
    async with Bot(state.token, base_url=server.base_url) as ptb_bot:
        yield ptb_bot
