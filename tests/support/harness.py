"""The real PTB Application, wired as in production, talking HTTP to the sandbox Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from bot.app import Mode, Runtime, build_runtime
from bot.clock import Clock
from bot.dispatcher import Pacing
from bot.settings import Settings
from sandbox import SandboxServer


def settings_for(database_url: str, server: SandboxServer, **overrides: Any) -> Settings:
    base = Settings(
        telegram_bot_token=server.state.token,
        telegram_api_base_url=server.base_url,
        database_url=database_url,
        secret_key="x" * 64,
        port=0,
    )
    return replace(base, **overrides)


@asynccontextmanager
async def running_bot(
    settings: Settings, clock: Clock, mode: Mode = Mode.POLLING, *, serve_web: bool = False,
    pacing: Pacing | None = None,
) -> AsyncIterator[Runtime]:
    runtime = build_runtime(settings, clock, pacing=pacing)
    await runtime.start(mode, serve_web=serve_web)
    try:
        yield runtime
    finally:
        await runtime.stop()
