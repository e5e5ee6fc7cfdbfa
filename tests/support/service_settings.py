"""The parts of the settings that services take, picked from a `Settings` in one call."""

from __future__ import annotations

from typing import TypedDict

from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.settings import Settings


class ReviewStart(TypedDict):
    """What a service that may start a review or issue a reply link takes (`endorse`,
    `assign_department`, `act_on_item`, `merge_proposals`)."""

    policy: Policy
    venues: Venues
    secret_key: str
    smtp_url: str | None


def review_start(settings: Settings) -> ReviewStart:
    return ReviewStart(policy=settings.policy, venues=settings.venues,
                       secret_key=settings.secret_key, smtp_url=settings.smtp_url)
