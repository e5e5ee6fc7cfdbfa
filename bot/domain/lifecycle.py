"""Proposal states and the transitions between them (DESIGN.md §3)."""

from __future__ import annotations

from enum import StrEnum


class ProposalStatus(StrEnum):
    PENDING_MODERATION = "pending_moderation"
    COLLECTING = "collecting"
    UNDER_REVIEW = "under_review"
    NOT_FEASIBLE = "not_feasible"
    IN_DEBATE = "in_debate"
    AWAITING_ANSWER = "awaiting_answer"
    ANSWERED = "answered"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


S = ProposalStatus

ALLOWED_TRANSITIONS: frozenset[tuple[ProposalStatus, ProposalStatus]] = frozenset(
    {
        (S.PENDING_MODERATION, S.COLLECTING),
        (S.PENDING_MODERATION, S.REJECTED),
        (S.PENDING_MODERATION, S.AWAITING_ANSWER),  # 민원: triaged and routed, no 공감 needed
        (S.COLLECTING, S.UNDER_REVIEW),
        (S.COLLECTING, S.EXPIRED),
        (S.COLLECTING, S.WITHDRAWN),
        (S.UNDER_REVIEW, S.IN_DEBATE),
        (S.UNDER_REVIEW, S.NOT_FEASIBLE),
        (S.UNDER_REVIEW, S.AWAITING_ANSWER),
        (S.NOT_FEASIBLE, S.UNDER_REVIEW),
        (S.IN_DEBATE, S.AWAITING_ANSWER),
        (S.AWAITING_ANSWER, S.ANSWERED),
        (S.ANSWERED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.COMPLETED),
    }
)

LIVE_STATUSES: frozenset[ProposalStatus] = frozenset(
    {S.COLLECTING, S.UNDER_REVIEW, S.IN_DEBATE, S.AWAITING_ANSWER, S.ANSWERED, S.IN_PROGRESS}
)

# Closed: no transition leaves these (NOT_FEASIBLE may still go back to review, 재심의).
FINAL_STATUSES: frozenset[ProposalStatus] = frozenset(S) - {
    current for current, _ in ALLOWED_TRANSITIONS}


class IllegalTransition(ValueError):
    """A transition the lifecycle does not allow (a programming error, not a race)."""


def check_transition(current: ProposalStatus, new: ProposalStatus) -> None:
    """Raise IllegalTransition unless `current → new` is an edge of the lifecycle."""
    if (current, new) not in ALLOWED_TRANSITIONS:
        raise IllegalTransition(f"{current} → {new} is not part of the proposal lifecycle")
