"""Stopping the app lets the update in flight finish and stops the scheduler and dispatcher."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import CallbackContext, CommandHandler

from bot.app import Runtime
from sandbox import SandboxClient


async def test_stop_finishes_the_update_in_flight(
    runtime: Runtime, residents: SandboxClient
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(update: Update, _context: CallbackContext) -> None:  # type: ignore[type-arg]
        started.set()
        await release.wait()
        await update.effective_message.reply_text("끝까지 처리했어요")  # type: ignore[union-attr]

    runtime.application.add_handler(CommandHandler("slow", slow), group=-2)
    minji = residents.resident(6001, "민지")
    await minji.say("/slow")
    await asyncio.wait_for(started.wait(), timeout=5)

    stopping = asyncio.create_task(runtime.stop())
    updater = runtime.application.updater
    while updater is not None and updater.running:  # noqa: ASYNC110 (the Updater sets no Event)
        await asyncio.sleep(0)
    assert not stopping.done()
    release.set()
    await asyncio.wait_for(stopping, timeout=10)

    assert "끝까지 처리했어요" in [m.text for m in minji.inbox()]
    assert not runtime.scheduler.running and not runtime.dispatcher.running
