"""Typed access to the runtime's services from PTB callbacks (no untyped `bot_data` lookups)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackContext, ExtBot

from bot.clock import Clock
from bot.db.engine import DATABASE_ERRORS, FastLane
from bot.domain.answer_clock import DeadlineRules
from bot.domain.deadlines import BusinessCalendar
from bot.handlers.pending import PENDING_KEY, Pending, pending_in
from bot.i18n import I18n, Translator, pick_language
from bot.metrics import Metrics
from bot.services.intake import Mark, mark_handled
from bot.services.users import UserView
from bot.services.wakes import Waker, woken
from bot.settings import Settings

log = logging.getLogger(__name__)

# The session a handler's transaction hands out, named here so that handlers import no SQL.
Session = AsyncSession
P = TypeVar("P", bound=Pending)
T = TypeVar("T")


@dataclass(frozen=True)
class Services:
    """What handlers may use: everything else stays in the composition root."""

    settings: Settings
    clock: Clock
    i18n: I18n
    sessionmaker: async_sessionmaker[AsyncSession]
    fast_lane: FastLane
    metrics: Metrics
    wake: Waker
    calendar: BusinessCalendar

    @property
    def deadline_rules(self) -> DeadlineRules:
        """What a debate's card needs to name the answer deadline that follows it."""
        return DeadlineRules(self.settings.policy.answer_days, self.calendar)


class UpdateAlreadyHandled(ApplicationHandlerStop):
    """An earlier handling of this update committed its effect: this one rolls back."""


class GonggamApplication(Application):
    """PTB's Application carrying our services."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self._marked_by_handler: set[int] = set()

    def marked_by_handler(self, update_id: int) -> None:
        """A committed write of the update's handler marked it handled (see
        `GonggamContext.transaction`): no transaction of its own is needed at the end."""
        self._marked_by_handler.add(update_id)

    async def process_update(self, update: object) -> None:
        """Handle the update, then mark it handled if no transaction of its handler did
        (a handler that only reads and replies); until then a crash means "again after the
        restart"."""
        await super().process_update(update)
        if not isinstance(update, Update):
            return
        if update.update_id in self._marked_by_handler:
            self._marked_by_handler.discard(update.update_id)
        else:
            await self._mark_handled(update.update_id)

    async def _mark_handled(self, update_id: int) -> None:
        try:
            await self.services.fast_lane.run(
                partial(mark_handled, update_id=update_id, now=self.services.clock.now())
            )
        except DATABASE_ERRORS:
            log.warning("update %s handled but not marked (database unreachable); it will "
                        "be handled again after a restart", update_id)


class GonggamContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """Callback context with the services and, once tracked, the user behind the update."""

    user: UserView | None = None
    update_id: int | None = None  # the update being handled, when it is a Telegram update
    _effect_claimed: bool = False

    @classmethod
    def from_update(cls, update: object, application: Application) -> GonggamContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.update_id = update.update_id
        return context

    @property
    def tracked_user(self) -> UserView:
        """The user behind the update, for code that runs only once they are tracked (after
        `pressed` or `permitted`, which refuse an update without a tracked user)."""
        assert self.user is not None, "the user behind the update is not tracked"
        return self.user

    @property
    def services(self) -> Services:
        application = self.application
        assert isinstance(application, GonggamApplication)
        return application.services

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session and transaction for one service call.

        The first transaction of an update that writes anything also marks the update
        handled, in the same commit: if an earlier handling of the same update already did
        (a crash between its commit and its end, or a replica racing), this one raises
        `UpdateAlreadyHandled` and its writes roll back, so the update has one effect.
        A commit that wrote work for background workers (outbox rows, poll copies, forum
        topics) wakes just those workers (`bot.services.wakes`): handlers never do it by hand.
        """
        async with self.services.sessionmaker() as session:
            async with session.begin():
                connection = (await session.connection()).sync_connection
                assert connection is not None
                with _watching_writes(connection) as writes:
                    yield session
                claiming = bool(writes) and not self._effect_claimed
                if claiming and self.update_id is not None:
                    await self._claim_effect(session, self.update_id)
            if claiming and self.update_id is not None:
                self._claimed_and_committed(self.update_id)
            if targets := woken(session):
                self.services.wake(*targets)

    async def fast_write(self, work: Callable[[Connection], T]) -> T:
        """Run a small synchronous write in the database's fast lane (`FastLane`); like a
        `transaction`, the first write of an update marks it handled in the same commit."""
        update_id = self.update_id
        if update_id is None or self._effect_claimed:
            return await self.services.fast_lane.run(work)
        now = self.services.clock.now()

        def claim_then_work(connection: Connection) -> T:
            _claim(connection, update_id, now)
            return work(connection)

        result = await self.services.fast_lane.run(claim_then_work)
        self._effect_claimed = True
        self._claimed_and_committed(update_id)
        return result

    def _claimed_and_committed(self, update_id: int) -> None:
        application = self.application
        if isinstance(application, GonggamApplication):
            application.marked_by_handler(update_id)

    async def _claim_effect(self, session: AsyncSession, update_id: int) -> None:
        now = self.services.clock.now()
        await session.run_sync(lambda sync: _claim(sync.connection(), update_id, now))
        self._effect_claimed = True

    def translator(self, telegram_language: str | None = None) -> Translator:
        """The user's language, or Telegram's guess when the database could not tell us."""
        stored = self.user.language if self.user else None
        return self.services.i18n.get(pick_language(stored, telegram_language))

    @property
    def pending(self) -> Pending | None:
        """The one-message answer this user owes us, if any (see `bot.handlers.pending`)."""
        return pending_in(self.user_data)

    def expect(self, pending: Pending) -> None:
        """Ask for a one-message answer: it replaces whatever question was open."""
        if self.user_data is not None:
            self.user_data[PENDING_KEY] = pending

    def clear_pending(self) -> Pending | None:
        """Stop waiting for an answer; returns the question dropped, if there was one."""
        dropped = self.pending
        if self.user_data is not None:
            self.user_data.pop(PENDING_KEY, None)
        return dropped

    def take_pending(self, kind: type[P]) -> P | None:
        """The open question if it is a `kind`, which is then answered (cleared); another
        kind of question stays open."""
        pending = self.pending
        if not isinstance(pending, kind):
            return None
        self.clear_pending()
        return pending


def _claim(connection: Connection, update_id: int, now: datetime) -> None:
    """Mark the update handled in this transaction; an update an earlier handling already
    marked raises `UpdateAlreadyHandled`, which rolls the transaction back."""
    if mark_handled(connection, update_id, now) is Mark.ALREADY_HANDLED:
        log.info("update %s already had its effect; this handling is rolled back", update_id)
        raise UpdateAlreadyHandled


@contextmanager
def _watching_writes(connection: Connection) -> Iterator[list[bool]]:
    """A list that becomes truthy once an INSERT, UPDATE or DELETE runs on `connection`."""
    seen: list[bool] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not seen and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(True)

    event.listen(connection, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", note)
