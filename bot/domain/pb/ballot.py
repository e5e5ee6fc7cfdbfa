"""The rules of one resident's participatory-budget ballot, checked on every tap.

A ballot is a mapping {project id: points}. Approval-within-budget and choose-k ballots
give each chosen project 1 point; cumulative ballots spread `points_total` points, at most
`points_per_project` on one project. Amounts are whole won and points whole numbers: the
arithmetic is exact integers, never floats.

A change (a tap) is checked against the ballot type before anything is saved: the result
is either the new choices or a `Refusal` that says why and by how much, so the resident
sees "over the budget by 1억 7,000만 원" and the saved draft stays valid. Removing a choice
is always allowed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

Choices = Mapping[int, int]


class BallotType(StrEnum):
    APPROVAL_BUDGET = "approval_budget"  # chosen projects' total cost within the budget
    CHOOSE_K = "choose_k"  # at most k projects
    CUMULATIVE = "cumulative"  # n points in all, at most m per project


class Eligibility(StrEnum):
    EVERYONE = "everyone"
    CONTACT = "contact"  # shared a phone number (users.phone_hash)
    VERIFIED = "verified"  # verified resident (users.verified_area, via /verify codes)


class Action(StrEnum):
    """What a button does: toggle a choice, or add / remove one point (cumulative)."""

    TOGGLE = "t"
    ADD = "p"
    REMOVE = "m"


class RefusalReason(StrEnum):
    OVER_BUDGET = "over_budget"
    TOO_MANY_CHOICES = "too_many_choices"
    TOO_MANY_POINTS = "too_many_points"
    TOO_MANY_ON_ONE = "too_many_on_one"
    UNKNOWN_PROJECT = "unknown_project"
    WRONG_ACTION = "wrong_action"


class Ineligible(StrEnum):
    NEEDS_CONTACT = "needs_contact"
    NEEDS_VERIFICATION = "needs_verification"
    OTHER_AREA = "other_area"


@dataclass(frozen=True)
class BallotRules:
    """A round's ballot rules; the limits that do not apply to its type are None."""

    ballot_type: BallotType
    budget: int
    max_choices: int | None = None
    points_total: int | None = None
    points_per_project: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a change or a ballot is not allowed: `over_by` won or points (or choices) past
    `limit`, so the message can say exactly how far it went."""

    reason: RefusalReason
    over_by: int = 0
    limit: int = 0


@dataclass(frozen=True)
class Accepted:
    choices: dict[int, int]


@dataclass(frozen=True)
class BallotSummary:
    """The running line: how many chosen, what they cost, what is left of budget or points."""

    ballot_type: BallotType
    count: int
    total_cost: int
    budget: int
    points_used: int
    max_choices: int | None
    points_total: int | None

    @property
    def remaining_budget(self) -> int:
        return self.budget - self.total_cost

    @property
    def remaining_points(self) -> int:
        return (self.points_total or 0) - self.points_used


# ----- eligibility ----------------------------------------------------------------------------


class VoterFact(StrEnum):
    """What the eligibility rule reads about a person (a column of the users table)."""

    PHONE = "phone"  # users.phone_hash: a shared phone number
    VERIFIED_AREA = "verified_area"  # users.verified_area: the 동 a /verify code proved


@dataclass(frozen=True)
class VoterRequirement:
    """One condition a voter meets: `fact` is known and, with `equals`, has that value;
    `refusal` says why someone who does not meet it may not vote."""

    fact: VoterFact
    refusal: Ineligible
    equals: str | None = None

    def met_by(self, value: str | bool | None) -> bool:
        """`value` is the fact about one person: None (or False) when it is not known."""
        if value is None or value is False:
            return False
        return self.equals is None or value == self.equals


def voter_requirements(
    eligibility: Eligibility | str, round_area: str | None
) -> tuple[VoterRequirement, ...]:
    """Who may vote in a round, declared once, checked in order; none for `everyone`.

    `contact`: a shared phone number; `verified`: a verified resident, of the round's 동
    when the round has one. `eligibility_problem` (one person) and the services' SQL count
    of eligible users are both derived from these requirements.
    """
    rule = Eligibility(eligibility)
    if rule is Eligibility.CONTACT:
        return (VoterRequirement(VoterFact.PHONE, Ineligible.NEEDS_CONTACT),)
    if rule is Eligibility.VERIFIED:
        verified = VoterRequirement(VoterFact.VERIFIED_AREA, Ineligible.NEEDS_VERIFICATION)
        if round_area is None:
            return (verified,)
        of_the_area = VoterRequirement(VoterFact.VERIFIED_AREA, Ineligible.OTHER_AREA,
                                       equals=round_area)
        return (verified, of_the_area)
    return ()


def eligibility_problem(
    eligibility: Eligibility | str,
    *,
    has_contact: bool,
    verified_area: str | None,
    round_area: str | None,
) -> Ineligible | None:
    """Why this person may not vote in the round (the first requirement not met), or None."""
    facts: dict[VoterFact, str | bool | None] = {
        VoterFact.PHONE: has_contact, VoterFact.VERIFIED_AREA: verified_area,
    }
    for requirement in voter_requirements(eligibility, round_area):
        if not requirement.met_by(facts[requirement.fact]):
            return requirement.refusal
    return None


def is_eligible(
    eligibility: Eligibility | str,
    *,
    has_contact: bool,
    verified_area: str | None,
    round_area: str | None,
) -> bool:
    return eligibility_problem(
        eligibility, has_contact=has_contact, verified_area=verified_area, round_area=round_area
    ) is None


def is_open(phase: str, opens_at: datetime, closes_at: datetime, now: datetime) -> bool:
    """Voting is open in the `voting` phase, from `opens_at` until (not at) `closes_at`."""
    return phase == "voting" and opens_at <= now < closes_at


# ----- checking changes -----------------------------------------------------------------------


def apply_tap(
    rules: BallotRules, costs: Mapping[int, int], choices: Choices, project_id: int,
    action: Action,
) -> Accepted | Refusal:
    """The choices after one tap, or why the tap is refused (then nothing changes)."""
    if project_id not in costs:
        return Refusal(RefusalReason.UNKNOWN_PROJECT)
    cumulative = rules.ballot_type is BallotType.CUMULATIVE
    if cumulative == (action is Action.TOGGLE):
        return Refusal(RefusalReason.WRONG_ACTION)
    current = {pid: points for pid, points in choices.items() if points > 0}
    held = current.get(project_id, 0)
    if action is Action.REMOVE or (action is Action.TOGGLE and held):
        return Accepted(_with_points(current, project_id, held - 1 if cumulative else 0))
    changed = _with_points(current, project_id, held + 1)
    refusal = ballot_problem(rules, costs, changed)
    return refusal if refusal is not None else Accepted(changed)


def ballot_problem(
    rules: BallotRules, costs: Mapping[int, int], choices: Choices
) -> Refusal | None:
    """The first rule a whole ballot breaks, or None when it is valid (empty is valid)."""
    if any(pid not in costs for pid in choices):
        return Refusal(RefusalReason.UNKNOWN_PROJECT)
    if rules.ballot_type is BallotType.CUMULATIVE:
        return _cumulative_problem(rules, choices)
    if any(points != 1 for points in choices.values()):
        return Refusal(RefusalReason.WRONG_ACTION)
    if rules.ballot_type is BallotType.CHOOSE_K:
        limit = rules.max_choices if rules.max_choices is not None else len(costs)
        if len(choices) > limit:
            return Refusal(RefusalReason.TOO_MANY_CHOICES, len(choices) - limit, limit)
        return None
    total = sum(costs[pid] for pid in choices)
    if total > rules.budget:
        return Refusal(RefusalReason.OVER_BUDGET, total - rules.budget, rules.budget)
    return None


def summarize(rules: BallotRules, costs: Mapping[int, int], choices: Choices) -> BallotSummary:
    """Counts for the running line; projects no longer on the ballot are left out."""
    kept = {pid: points for pid, points in choices.items() if pid in costs and points > 0}
    return BallotSummary(
        ballot_type=rules.ballot_type,
        count=len(kept),
        total_cost=sum(costs[pid] for pid in kept),
        budget=rules.budget,
        points_used=sum(kept.values()),
        max_choices=rules.max_choices,
        points_total=rules.points_total,
    )


def ballot_version(phase: str, rules: BallotRules, projects: Mapping[int, int]) -> int:
    """A short fingerprint of what a ballot screen showed: phase, rules, projects and costs.

    Buttons carry it, so a tap on a message drawn before the round changed (closed, or the
    project list edited) is recognised as stale instead of acting on a different ballot.
    """
    shape = (phase, rules, tuple(sorted(projects.items())))
    return zlib.crc32(repr(shape).encode()) % 100_000


def _with_points(choices: dict[int, int], project_id: int, points: int) -> dict[int, int]:
    changed = dict(choices)
    if points > 0:
        changed[project_id] = points
    else:
        changed.pop(project_id, None)
    return changed


def _cumulative_problem(rules: BallotRules, choices: Choices) -> Refusal | None:
    if any(points < 1 for points in choices.values()):
        return Refusal(RefusalReason.WRONG_ACTION)
    per_project = rules.points_per_project
    if per_project is not None:
        heaviest = max(choices.values(), default=0)
        if heaviest > per_project:
            return Refusal(RefusalReason.TOO_MANY_ON_ONE, heaviest - per_project, per_project)
    total_limit = rules.points_total or 0
    used = sum(choices.values())
    if used > total_limit:
        return Refusal(RefusalReason.TOO_MANY_POINTS, used - total_limit, total_limit)
    return None
