"""APScheduler as the alarm clock of the deadline machine (the database holds the truth).

On start the scheduler reconciles: everything overdue is processed at once, and every
future deadline gets a named date job. A periodic sweep processes anything a job missed
and arms jobs for deadlines created since. With a frozen test clock no alarm is armed;
tests move time with the clock and the machine runs on each jump.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.services.deadlines import Alarm, DeadlineMachine

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "sweep"


class DeadlineScheduler:
    """Owns the AsyncIOScheduler: alarms per deadline plus a periodic sweep."""

    def __init__(
        self,
        machine: DeadlineMachine,
        clock: Clock,
        *,
        sweep_every: timedelta = timedelta(minutes=5),
        after_run: Callable[[], Awaitable[None]] | None = None,
        housekeeping: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._machine = machine
        self._clock = clock
        self._sweep_every = sweep_every
        self._after_run = after_run
        self._housekeeping = housekeeping
        self.scheduler = AsyncIOScheduler(timezone="UTC")

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    async def start(self) -> None:
        """Reconcile with the database, then start alarms and the sweep."""
        self.scheduler.start()
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self._sweep_every.total_seconds()),
            id=SWEEP_JOB_ID,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        await self.sweep()

    async def shutdown(self) -> None:
        """Stop firing; a job that is running finishes first."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    async def sweep(self) -> None:
        """Process what is due, arm an alarm for every later deadline, tidy up.

        Both steps use one instant, so a deadline that passes while the sweep runs is not
        missed by both: it is armed, in the past, and APScheduler runs it at once.
        """
        cutoff = self._clock.now()
        await self.run_due(cutoff)
        if self._housekeeping is not None:
            await self._housekeeping()
        for alarm in await self._machine.upcoming(after=cutoff):
            self.arm(alarm)

    async def run_due(self, now: datetime | None = None) -> None:
        processed = await self._machine.run_due(now)
        if processed and self._after_run is not None:
            await self._after_run()

    def arm(self, alarm: Alarm) -> None:
        """Schedule (or move) the job for one deadline; no-op while the clock is frozen."""
        wall_time = self._clock.wall_time_for(alarm.at)
        if wall_time is None or not self.scheduler.running:
            return
        self.scheduler.add_job(
            self.run_due,
            DateTrigger(run_date=wall_time),
            id=alarm.job_id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
