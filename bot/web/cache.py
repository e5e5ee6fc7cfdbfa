"""A few seconds of memory for rendered pages.

A shared link can bring hundreds of visitors to one public page within a minute, and an
official reloads the reply page while writing. Both pages are the same for everybody for a
couple of seconds, so a rendered copy is kept briefly. Publishing an answer drops the
proposal's copies at once; anything else (a new 공감, a revoked link) shows within the TTL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

DEFAULT_TTL_SECONDS = 2.0
DEFAULT_MAX_ENTRIES = 512


@dataclass(frozen=True)
class Entry:
    expires: float
    proposal_id: int
    value: Any


class PageCache:
    """Time-limited copies keyed by anything hashable, each tagged with its proposal."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._monotonic = monotonic
        self._entries: dict[Hashable, Entry] = {}

    @property
    def keeps(self) -> bool:
        """False when copies are not kept at all (a time to live of zero)."""
        return self._ttl > 0

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._monotonic():
            del self._entries[key]
            return None
        return entry.value

    def put(self, key: Hashable, proposal_id: int, value: Any) -> None:
        if self._ttl <= 0:
            return
        if len(self._entries) >= self._max:
            self._evict()
        self._entries[key] = Entry(self._monotonic() + self._ttl, proposal_id, value)

    def drop_proposal(self, proposal_id: int) -> None:
        """Forget every copy about one proposal (after it changed through this process)."""
        for key in [k for k, e in self._entries.items() if e.proposal_id == proposal_id]:
            del self._entries[key]

    def _evict(self) -> None:
        now = self._monotonic()
        expired = [k for k, e in self._entries.items() if e.expires <= now]
        for key in expired or list(self._entries)[: max(1, self._max // 4)]:
            del self._entries[key]
