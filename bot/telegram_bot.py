"""Our PTB bot class: the one place that shields polling from malformed updates."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


class GonggamBot(ExtBot[None]):
    """ExtBot that survives an update it cannot parse.

    PTB parses a whole getUpdates batch at once; one malformed update would make every poll
    fail and, since its id is never confirmed, stall the bot forever. When a batch does not
    parse, the same batch is fetched again and each bad update is replaced by an empty one
    with the same id, so the offset moves on while the handlers ignore it. Well-formed
    batches (all of Telegram's) are parsed once, as usual.
    """

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: Any = None,
        allowed_updates: Any = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        try:
            return await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("a batch of updates did not parse; skipping the malformed ones")
        raw = await self._post(
            "getUpdates", {"offset": offset, "limit": limit, "timeout": 0,
                           "allowed_updates": allowed_updates},
        )
        return tuple(Update.de_json(self._parseable_or_empty(item), self) for item in raw or [])

    def _parseable_or_empty(self, item: Any) -> dict[str, Any]:
        try:
            Update.de_json(dict(item), self)
        except Exception:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            log.warning("malformed update %s ignored", update_id)
            return {"update_id": update_id if isinstance(update_id, int) else 0}
        return dict(item)
