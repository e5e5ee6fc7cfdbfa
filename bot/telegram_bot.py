"""Our PTB bot class: raw access to getUpdates for the durable intake."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ExtBot


class GonggamBot(ExtBot[None]):
    """ExtBot whose updates are fetched raw, so that they can be stored before parsing.

    `bot.intake.PollingIntake` stores each batch and only then moves the offset on; a
    malformed update is stored as seen and skipped rather than failing the whole batch.
    """

    async def fetch_raw_updates(
        self, offset: int | None, timeout: int  # noqa: ASYNC109 (Telegram's long-poll wait)
    ) -> list[object]:
        """One long poll: the updates after `offset`, exactly as Telegram sent them."""
        result = await self._post(
            "getUpdates",
            {"offset": offset, "timeout": timeout, "allowed_updates": list(Update.ALL_TYPES)},
            read_timeout=timeout + 10,
        )
        return list(result) if isinstance(result, list) else []
