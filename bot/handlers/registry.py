"""All handlers in the order they must be registered."""

from __future__ import annotations

from telegram.ext import Application

from bot.flows import proposal_wizard
from bot.handlers import (
    answers,
    debates,
    errors,
    fallback,
    my,
    polls,
    proposals,
    settings,
    start,
    tracking,
)


def register_all(application: Application) -> None:  # type: ignore[type-arg]
    """Order matters: tracking runs first (group -1); within group 0 the first match wins,
    so the wizard comes before the menu and the fallbacks come last."""
    tracking.register(application)
    application.add_handler(proposal_wizard.build(application))
    start.register(application)
    settings.register(application)
    proposals.register(application)
    my.register(application)
    answers.register(application)
    debates.register(application)
    polls.register(application)  # polls
    fallback.register(application)
    errors.register(application)
