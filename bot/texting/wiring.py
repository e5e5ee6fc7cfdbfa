"""The text transport as the settings ask for it (None while no provider is configured)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.db.engine import FastLane
from bot.domain.text_messages import DailyCap
from bot.i18n import Translator
from bot.settings import Settings
from bot.texting.nhn import NhnAlimtalk
from bot.texting.provider import TextProvider
from bot.texting.sandbox import SandboxTexts
from bot.texting.transport import TextMessageTransport, TextSettings


def text_provider(settings: Settings) -> TextProvider | None:
    texts = settings.texts
    if texts.provider == "nhn" and texts.nhn is not None:
        return NhnAlimtalk(texts.nhn)
    if texts.provider == "sandbox":
        return SandboxTexts()
    return None


def text_transport(
    settings: Settings, fast_lane: FastLane, sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock, korean: Translator,
) -> TextMessageTransport | None:
    """알림톡/SMS for Kakao-only residents and offline proposers, in Korean (the registered
    templates are), with the daily cap counted in the district's time zone."""
    provider = text_provider(settings)
    if provider is None:
        return None
    options = TextSettings(
        settings.contact_key, settings.public_base_url, settings.texts.prices,
        DailyCap(settings.texts.daily_won_cap, settings.policy.timezone))
    return TextMessageTransport(provider, fast_lane, sessionmaker, clock, korean, options)
