"""Thin PTB adapters: parse the update, call one service, render the result."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import errors, fallback, settings, start, tracking


def register_all(application: Application) -> None:  # type: ignore[type-arg]
    """Order matters: tracking runs first (group -1); the fallbacks come last in group 0."""
    tracking.register(application)
    start.register(application)
    settings.register(application)
    fallback.register(application)
    errors.register(application)
