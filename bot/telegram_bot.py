"""Our PTB bot class: the one place that shields polling from malformed updates."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


class GonggamBot(ExtBot[None]):
    """ExtBot that turns an update it cannot parse into an empty one with the same id.

    PTB parses a whole getUpdates batch at once; one malformed update would make every
    poll fail and, since its id is never confirmed, stall the bot forever. Keeping the id
    with an empty body lets the offset move on while the handlers ignore it.
    """

    async def _post(self, endpoint: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            return [self._parseable_or_empty(item) for item in result]
        return result

    def _parseable_or_empty(self, item: Any) -> Any:
        try:
            Update.de_json(dict(item), self)
        except Exception:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            log.warning("malformed update %s ignored", update_id)
            return {"update_id": update_id} if isinstance(update_id, int) else {"update_id": 0}
        return item
