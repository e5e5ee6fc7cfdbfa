"""The shape shared by the app's background workers: a loop, a wake-up call, a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
    from telegram import Bot

    from bot.clock import Clock

log = logging.getLogger(__name__)


class BackgroundLoop(ABC):
    """Runs `run_once` until stopped; idles up to `idle_wait` seconds after an empty pass.

    `wake()` ends the idle wait early (new work was committed); `stop()` lets the pass in
    progress finish. A failing pass is logged and retried after the idle wait.
    """

    name = "background"

    def __init__(self, idle_wait: float) -> None:
        self._idle_wait = idle_wait
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @abstractmethod
    async def run_once(self) -> int:
        """Do one pass; return how much work was done (0: nothing to do)."""

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run_forever(), name=self.name)

    async def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()
        if self._task is not None:
            await self._task
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                done = await self.run_once()
            except Exception:
                log.exception("%s pass failed; retrying after a pause", self.name)
                done = 0
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=self._idle_wait)
                self._wakeup.clear()


class ChatSyncLoop(BackgroundLoop):
    """A loop that keeps Telegram messages in step with rows in the database (the forum
    mirror, the poll sender, broadcast progress): it reads with its own sessions, talks to
    the bot, and tells time by the app's clock."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bot: Bot,
        clock: Clock,
        *,
        idle_wait: float,
    ) -> None:
        super().__init__(idle_wait)
        self._sessionmaker = sessionmaker
        self._bot = bot
        self._clock = clock
