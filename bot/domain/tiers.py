"""The tiers above the 공감 threshold (Seoul: 50 공감 bring the department's answer, 100 the
public debate, 1,000 the mayor's answer).

`ENDORSEMENT_THRESHOLD` starts the review; `DEBATE_AUTO_THRESHOLD` opens the debate without a
moderator; `HEAD_ANSWER_THRESHOLD` routes the proposal to the district head's office, which
answers beside the department. While a higher tier is configured, 공감 keep counting after
the review started, until the collection window ends: otherwise no proposal could ever reach
it. Each tier acts once, at the first change of count that reaches it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.domain.deadlines import BusinessCalendar, official_deadline
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy

# After the review started, 공감 still count in these states (while the window is open).
LATE_ENDORSEMENT_STATES = frozenset({
    ProposalStatus.UNDER_REVIEW, ProposalStatus.IN_DEBATE, ProposalStatus.AWAITING_ANSWER,
})
# The track of a reply link and of an answer: the assigned department's, or the head's office.
DEPARTMENT_TRACK = "department"
HEAD_TRACK = "head"


class Tier(StrEnum):
    DEBATE = "debate"  # the public debate opens on its own
    HEAD = "head"  # the district head's office must answer


def higher_tiers(policy: Policy) -> dict[Tier, int]:
    """The configured tiers above the review threshold, with their 공감 counts."""
    tiers = {Tier.DEBATE: policy.debate_auto_threshold, Tier.HEAD: policy.head_answer_threshold}
    return {tier: count for tier, count in tiers.items()
            if count is not None and count > policy.endorsement_threshold}


def tiers_reached(policy: Policy, count: int) -> frozenset[Tier]:
    """The tiers `count` 공감 reach. Each acts once all the same: the head's routing is a
    guarded UPDATE, the debate opens only from review and only if none was ever opened."""
    return frozenset(tier for tier, needed in higher_tiers(policy).items() if count >= needed)


def late_endorsement_until(policy: Policy, collect_until: datetime | None) -> datetime | None:
    """When the review starts: until when 공감 keep counting (the collection window's end),
    or None when no higher tier is configured."""
    return collect_until if higher_tiers(policy) else None


def accepts_late_endorsement(
    status: ProposalStatus, until: datetime | None, now: datetime
) -> bool:
    """A 공감 after the review started: in a live state, before the window's end."""
    return status in LATE_ENDORSEMENT_STATES and until is not None and now < until


def head_answer_due(now: datetime, policy: Policy, calendar: BusinessCalendar) -> datetime:
    """The head's answer deadline: `head_answer_days` (default the answer window) from the day
    the tier was reached, moved to a business day like every official deadline."""
    days = policy.head_answer_days if policy.head_answer_days is not None else policy.answer_days
    return official_deadline(now, days, calendar)
