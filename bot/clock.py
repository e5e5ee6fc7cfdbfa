"""The one place that reads the time. Everything else receives `now` from a clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

TimeJumpListener = Callable[[datetime], Awaitable[None]]


class Clock(Protocol):
    """Source of the current instant, always timezone-aware UTC."""

    def now(self) -> datetime: ...

    def wall_time_for(self, instant: datetime) -> datetime | None:
        """When, in real time, `instant` arrives (None if it never does on its own)."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def wall_time_for(self, instant: datetime) -> datetime | None:
        return instant


class ShiftableClock:
    """Wall time plus an offset that can only grow; used by tests and the sandbox.

    `frozen=True` stops time entirely (tests); otherwise time flows and `advance` jumps
    ahead (the sandbox's time-travel button). Listeners are told after each jump so that
    the deadline machine can process whatever just became due.
    """

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._frozen_at = (start or datetime.now(UTC)) if frozen else None
        self._offset = (start - datetime.now(UTC)) if (start and not frozen) else timedelta(0)
        self._listeners: list[TimeJumpListener] = []

    def now(self) -> datetime:
        if self._frozen_at is not None:
            return self._frozen_at.astimezone(UTC)
        return datetime.now(UTC) + self._offset

    def wall_time_for(self, instant: datetime) -> datetime | None:
        """The real instant at which `instant` will be reached; None while time is frozen."""
        if self._frozen_at is not None:
            return None
        return instant - self._offset

    def on_jump(self, listener: TimeJumpListener) -> None:
        """Call `listener(now)` after every `advance`."""
        self._listeners.append(listener)

    async def advance(self, delta: timedelta) -> None:
        """Move time forward by `delta` and let listeners react, in order."""
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        if self._frozen_at is not None:
            self._frozen_at += delta
        else:
            self._offset += delta
        for listener in list(self._listeners):
            await listener(self.now())


def fake_clock(start: datetime) -> ShiftableClock:
    """A frozen clock for tests: time moves only when the test says so."""
    return ShiftableClock(start, frozen=True)
