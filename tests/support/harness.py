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
from sandbox.client import Resident


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


async def staff_on_duty(admin: Resident, *moderators: Resident) -> None:
    """Everyone starts the bot (a bot can write only to people who did), then the admin
    (in ADMIN_TELEGRAM_IDS) makes the others moderators."""
    for person in (admin, *moderators):
        await person.say("/start")
        await person.wait_for_message()
    for person in moderators:
        await admin.say(f"/grant {person.user_id} moderator")
        await admin.wait_for_message()
