"""Counting a closed round: its submitted ballots become a Pabulib `Election`, the exact
rules of `bot.domain.pb.rules` pick what is funded, and the outcome is shaped for storing.

The outcome is stored in `BudgetRound.results` (see `RESULTS_VERSION`) and never recomputed
afterwards, so the page, the messages and the export agree forever.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from bot.domain.deadlines import SEOUL, deadline_last_day
from bot.domain.pb.ballot import BallotType
from bot.domain.pb.model import Ballot, Election, Project, VoteType
from bot.domain.pb.reasons import NotFunded, Unfunded, why_unfunded
from bot.domain.pb.rules import Outcome, tally
from bot.services.budget.queries import CountData

RESULTS_VERSION = 1


def build_election(data: CountData) -> Election:
    """The round as a Pabulib election; voter ids are 1, 2, 3… in `anonymous_order`."""
    cumulative = data.ballot_type is BallotType.CUMULATIVE
    vote_type = VoteType.CUMULATIVE if cumulative else VoteType.APPROVAL
    projects = tuple(
        Project(str(p.id), Fraction(p.cost_krw),
                (("name", p.title), ("category", p.category or "none")))
        for p in data.projects)
    ballots = tuple(_ballot(number, choices, cumulative)
                    for number, choices in enumerate(data.ballots, start=1))
    return Election(
        budget=Fraction(data.budget_krw), vote_type=vote_type, projects=projects,
        ballots=ballots, meta=_meta(data, vote_type, len(ballots)),
        project_columns=("project_id", "cost", "name", "category"),
        vote_columns=("voter_id", "vote", "points") if cumulative else ("voter_id", "vote"),
    )


def _ballot(number: int, choices: dict[str, int], cumulative: bool) -> Ballot:
    ids = tuple(sorted(choices, key=int))
    points = tuple(Fraction(choices[i]) for i in ids) if cumulative else None
    return Ballot(str(number), ids, points)


def _meta(data: CountData, vote_type: VoteType, voters: int) -> tuple[tuple[str, str], ...]:
    meta: list[tuple[str, str]] = [
        ("description", data.name), ("country", "Korea"), ("instance", str(data.round_id)),
        ("num_projects", str(len(data.projects))), ("num_votes", str(voters)),
        ("budget", str(data.budget_krw)), ("vote_type", vote_type.value),
        ("rule", data.rule),
        ("date_begin", data.opens_at.astimezone(SEOUL).date().isoformat()),
        ("date_end", deadline_last_day(data.closes_at).isoformat()), ("currency", "KRW"),
        ("language", "ko"),
    ]
    if data.ballot_type is BallotType.CHOOSE_K and data.max_choices:
        meta.append(("max_length", str(data.max_choices)))
    if data.ballot_type is BallotType.APPROVAL_BUDGET:
        meta.append(("max_sum_cost", str(data.budget_krw)))
    if data.ballot_type is BallotType.CUMULATIVE:
        meta += [("max_sum_points", str(data.points_total or 0)),
                 ("max_points", str(data.points_per_project or data.points_total or 0))]
    if data.min_support_percent:
        meta.append(("min_support_percent", str(data.min_support_percent)))
    return tuple(meta)


def count_outcome(data: CountData, election: Election | None = None) -> Outcome | None:
    """The rules' outcome; None when nobody voted (nothing can be funded)."""
    election = election or build_election(data)
    if not election.ballots:
        return None
    return tally(election, data.rule, tie_break=data.tie_break,
                 min_support_percent=data.min_support_percent)


def compute_results(data: CountData, now: datetime, eligible: int) -> dict[str, Any]:
    """The stored outcome: what was funded, with every project's votes and points, and for
    each project not funded the reason (and the money left at its turn, if that was it)."""
    election = build_election(data)
    outcome = count_outcome(data, election)
    why = _reasons(data, election, outcome)
    selected = [int(i) for i in outcome.selected] if outcome else []
    votes = {p.id: 0 for p in data.projects}
    points = {p.id: 0 for p in data.projects}
    for ballot in data.ballots:
        for key, value in ballot.items():
            votes[int(key)] += 1
            points[int(key)] += value
    voters = len(data.ballots)
    projects: list[dict[str, Any]] = [{
        "id": p.id, "title": p.title, "cost": p.cost_krw, "votes": votes[p.id],
        "points": points[p.id], "selected": p.id in selected,
        "supported": _meets_support(votes[p.id], voters, data.min_support_percent),
        **_reason_fields(why.get(str(p.id))),
    } for p in data.projects]
    projects.sort(key=lambda p: (-p["points"], -p["votes"], p["cost"], p["id"]))
    return {
        "version": RESULTS_VERSION, "rule": data.rule, "tie_break": data.tie_break,
        "min_support_percent": data.min_support_percent, "budget": data.budget_krw,
        "ballot_type": data.ballot_type.value, "selected": selected,
        "total_cost": sum(p.cost_krw for p in data.projects if p.id in selected),
        "projects": projects, "ballots": voters, "eligible": eligible,
        "ties": [[int(i) for i in group] for group in outcome.ties] if outcome else [],
        "counted_at": now.isoformat(),
    }


def _meets_support(votes: int, voters: int, percent: int | None) -> bool:
    return percent is None or votes * 100 >= percent * voters


def _reasons(data: CountData, election: Election, outcome: Outcome | None) -> dict[str, NotFunded]:
    if outcome is None:  # nobody voted
        return {str(p.id): NotFunded(Unfunded.NO_VOTES) for p in data.projects}
    return why_unfunded(election, outcome, tie_break=data.tie_break,
                        min_support_percent=data.min_support_percent)


def _reason_fields(why: NotFunded | None) -> dict[str, Any]:
    """`reason` (an `Unfunded` value, None when funded) and `left` (whole won, or None)."""
    if why is None:
        return {"reason": None, "left": None}
    return {"reason": why.reason.value, "left": None if why.left is None else int(why.left)}
