"""APScheduler as the alarm clock of the deadline machine (the database holds the truth).

There is one alarm, for the earliest deadline that has not passed, however many deadlines are
open: the machine's probe query finds it, and every sweep re-arms it. A sweep runs when the
alarm rings, when a commit wrote a deadline column (`wake`: a new proposal, debate, round or
reminder is armed at creation, earlier than the alarm or not), and every few minutes as a
safety net that also retries items an error left due; with nothing due it is one query.
Sweeps run one at a time, and at most one more waits, so a burst of commits costs one sweep.
On start the catch-up of whatever fell due while the app was down runs in the background:
the bot answers residents meanwhile. With a frozen test clock no alarm is armed; tests move
time with the clock and the machine runs on each jump.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.services.deadlines import DeadlineMachine

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"
ALARM_JOB_ID = "next-deadline"
# an item another transaction held (a replica working on it, a resident's 공감 on the same
# row) is looked at again this soon rather than at the next periodic sweep
LOOK_AGAIN_AFTER = timedelta(seconds=5)


class DeadlineScheduler:
    """Owns the AsyncIOScheduler: one alarm for the next deadline plus a periodic sweep."""

    def __init__(
        self,
        machine: DeadlineMachine,
        clock: Clock,
        *,
        sweep_every: timedelta = timedelta(minutes=5),
        housekeeping: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._machine = machine
        self._clock = clock
        self._sweep_every = sweep_every
        self._housekeeping = housekeeping
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self._one_at_a_time = asyncio.Lock()
        self._sweep_waiting = False
        self._woken: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    @property
    def alarm_at(self) -> datetime | None:
        """The wall time the alarm rings at (None: no alarm armed)."""
        job = self.scheduler.get_job(ALARM_JOB_ID)
        return job.next_run_time if job is not None else None

    async def start(self) -> None:
        """Start the periodic sweep and begin the catch-up sweep without waiting for it."""
        self._loop = asyncio.get_running_loop()
        self.scheduler.start()
        self.scheduler.add_job(
            self._periodic_sweep,
            IntervalTrigger(seconds=self._sweep_every.total_seconds()),
            id=SWEEP_JOB_ID,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self.wake()

    async def shutdown(self) -> None:
        """Stop firing and stop the sweeps in progress: a catch-up of thousands must not hold
        a graceful stop, and cancelling is safe, as each item is its own transaction (the one
        in flight rolls back; the next start takes it again)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        for task in self._woken:
            task.cancel()
        if self._woken:
            await asyncio.gather(*self._woken, return_exceptions=True)

    async def settled(self) -> None:
        """Wait until no woken sweep is queued or running (tests, benchmarks): commits on this
        thread have queued their wake by the time the loop runs its next callbacks."""
        await asyncio.sleep(0)
        while self._woken:
            await asyncio.gather(*self._woken, return_exceptions=True)

    def wake(self) -> None:
        """Sweep soon; safe from any thread (a commit's event runs where the commit did).
        A no-op before start, after shutdown, or while another sweep already waits."""
        if self._loop is not None and not self._loop.is_closed():
            # in a context of its own: not the waking commit's (a Kakao turn's capture)
            self._loop.call_soon_threadsafe(self._queue_sweep, context=contextvars.Context())

    def _queue_sweep(self) -> None:
        if self._sweep_waiting or not self.running:
            return
        self._sweep_waiting = True
        task = asyncio.create_task(self.sweep(), name="deadline-sweep")
        self._woken.add(task)
        task.add_done_callback(self._woken.discard)

    async def _periodic_sweep(self) -> None:
        await self.sweep()
        if self._housekeeping is not None:
            await self._housekeeping()

    async def _ring(self) -> None:
        self.wake()

    async def sweep(self) -> None:
        """Process what is due now, then arm the alarm for the next deadline.

        The probe that finds the next deadline runs after the last transition, with the same
        instant, so a deadline passing while the sweep runs is armed in the past and rings at
        once instead of waiting for the next periodic sweep.
        """
        async with self._one_at_a_time:
            self._sweep_waiting = False
            cutoff = self._clock.now()
            try:
                result = await self._machine.sweep(cutoff)
            except Exception:
                log.exception("deadline sweep failed; looking again in a moment")
                self._arm(cutoff + LOOK_AGAIN_AFTER)
                return
            self._arm(_earliest(result.next_at,
                                cutoff + LOOK_AGAIN_AFTER if result.skipped else None))

    def _arm(self, at: datetime | None) -> None:
        """Move the one alarm to `at`; none while the clock is frozen or nothing waits."""
        wall_time = self._clock.wall_time_for(at) if at is not None else None
        if not self.scheduler.running:
            return
        if wall_time is None:
            if self.scheduler.get_job(ALARM_JOB_ID) is not None:
                self.scheduler.remove_job(ALARM_JOB_ID)
            return
        self.scheduler.add_job(
            self._ring,
            DateTrigger(run_date=wall_time),
            id=ALARM_JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )


def _earliest(*instants: datetime | None) -> datetime | None:
    return min((at for at in instants if at is not None), default=None)
