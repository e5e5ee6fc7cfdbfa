"""Typed access to the runtime's services from PTB callbacks (no untyped `bot_data` lookups)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.db.engine import FastLane
from bot.domain.deadlines import BusinessCalendar
from bot.i18n import I18n, Translator, pick_language
from bot.metrics import Metrics
from bot.services.users import UserView
from bot.settings import Settings


@dataclass(frozen=True)
class Services:
    """What handlers may use: everything else stays in the composition root."""

    settings: Settings
    clock: Clock
    i18n: I18n
    sessionmaker: async_sessionmaker[AsyncSession]
    fast_lane: FastLane
    metrics: Metrics
    wake_dispatcher: Callable[[], None]
    calendar: BusinessCalendar


class GonggamApplication(Application):  # type: ignore[type-arg]
    """PTB's Application carrying our services."""

    def __init__(self, *, services: Services, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services


class GonggamContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Callback context with the services and, once tracked, the user behind the update."""

    user: UserView | None = None

    @property
    def services(self) -> Services:
        application = self.application
        assert isinstance(application, GonggamApplication)
        return application.services

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session and transaction for one service call."""
        async with self.services.sessionmaker() as session, session.begin():
            yield session

    def translator(self, telegram_language: str | None = None) -> Translator:
        """The user's language, or Telegram's guess when the database could not tell us."""
        stored = self.user.language if self.user else None
        return self.services.i18n.get(pick_language(stored, telegram_language))
