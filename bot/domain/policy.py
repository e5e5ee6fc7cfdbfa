"""The numbers that shape the proposal lifecycle (DESIGN.md §3), read from the settings and
passed to the services and the rules as one value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """Thresholds and windows: defaults are Seoul's (50 공감 within 30 days, and so on)."""

    endorsement_threshold: int = 50
    collection_days: int = 30
    review_days: int = 14
    debate_days: int = 30
    answer_days: int = 30
    closing_soon_days: int = 3
    closing_soon_below_percent: int = 80
    almost_there_percent: int = 10
    daily_proposal_limit: int = 3
