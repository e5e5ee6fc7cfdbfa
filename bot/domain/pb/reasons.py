"""Why a project was not funded, in the terms of the rule that counted the round.

The count itself (`rules.tally`) only says what was bought. Residents also ask about the rest:
a project nobody chose, one below the minimum support, one that costs more than the whole
budget, and — the usual case under the greedy rules — one whose turn came when less money was
left than it costs. A project that had as many votes as a funded one lost the tie-break
(cheaper first, or lower number first) and then did not fit. Under ``greedy-no-skip`` the
count stops at the first project that does not fit, so the later ones never had a turn. Under
the Method of Equal Shares a project that would fit can still go unfunded: its supporters'
equal shares of the budget could not pay for it.

The explanation replays the rule's own ranking (`rules.greedy` orders by score, cost 0
first, then the tie-break rank), so it never disagrees with the outcome it explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from bot.domain.pb.model import Election
from bot.domain.pb.rules import (
    GREEDY_SCORES,
    Counts,
    Outcome,
    Rule,
    TieBreak,
    count_ballots,
)


class Unfunded(StrEnum):
    NO_VOTES = "no_votes"  # nobody chose it (no points on a cumulative ballot)
    LOW_SUPPORT = "low_support"  # chosen by fewer than the minimum share of the ballots
    OVER_BUDGET = "over_budget"  # costs more than the whole budget
    DID_NOT_FIT = "did_not_fit"  # its turn came when less money was left than it costs
    LOST_TIE = "lost_tie"  # as many votes as a funded project, after it in the tie-break
    STOPPED = "stopped"  # greedy-no-skip stopped at an earlier project that did not fit
    SHARES = "shares"  # MES: its supporters' equal shares could not pay for it


@dataclass(frozen=True)
class NotFunded:
    """Why, and (for DID_NOT_FIT and LOST_TIE) how much money was left at its turn."""

    reason: Unfunded
    left: Fraction | None = None


def why_unfunded(
    election: Election,
    outcome: Outcome,
    *,
    tie_break: TieBreak | str = TieBreak.CHEAPEST,
    min_support_percent: Fraction | int | None = None,
) -> dict[str, NotFunded]:
    """Every project of ``election`` that ``outcome`` did not fund, with the reason."""
    rule = outcome.rule
    counts = count_ballots(election, TieBreak(tie_break), min_support_percent, rule)
    selected = set(outcome.selected)
    score = GREEDY_SCORES.get(rule, GREEDY_SCORES[Rule.GREEDY])
    scores = {i: score(counts, i) for i in range(len(counts.ids))}
    plain = {project_id: _plain_reason(counts, i, scores[i], election.budget)
             for i, project_id in enumerate(counts.ids) if project_id not in selected}
    if rule in GREEDY_SCORES or rule is Rule.GREEDY_NO_SKIP:
        turns = _greedy_turns(counts, scores, selected, election.budget, rule)
    else:
        turns = _equal_shares_turns(counts, selected, outcome.leftover)
    return {project_id: why or turns[project_id] for project_id, why in plain.items()}


def _plain_reason(
    counts: Counts, i: int, score: Fraction, budget: Fraction
) -> NotFunded | None:
    """What keeps a project out whatever the rule; None when its fate was decided in the count."""
    if counts.votes[i] == 0 or score <= 0:
        return NotFunded(Unfunded.NO_VOTES)
    if not counts.eligible[i]:
        return NotFunded(Unfunded.LOW_SUPPORT)
    if counts.costs[i] > budget:
        return NotFunded(Unfunded.OVER_BUDGET)
    return None


def _greedy_turns(
    counts: Counts, scores: dict[int, Fraction], selected: set[str], budget: Fraction,
    rule: Rule,
) -> dict[str, NotFunded]:
    """Walk the greedy ranking: the money left when each unfunded project's turn came."""
    ranked = sorted(
        (i for i in range(len(counts.ids))
         if counts.eligible[i] and counts.votes[i] > 0 and scores[i] > 0),
        key=lambda i: (counts.costs[i] > 0, -scores[i], counts.rank[i]),
    )
    funded_scores: set[Fraction] = set()  # of projects funded before this turn
    left, stopped = budget, False
    turns: dict[str, NotFunded] = {}
    for i in ranked:
        if counts.ids[i] in selected:
            left -= counts.costs[i]
            funded_scores.add(scores[i])
        elif stopped:
            turns[counts.ids[i]] = NotFunded(Unfunded.STOPPED)
        else:
            tied = scores[i] in funded_scores
            turns[counts.ids[i]] = NotFunded(Unfunded.LOST_TIE if tied else Unfunded.DID_NOT_FIT,
                                             left)
            stopped = rule is Rule.GREEDY_NO_SKIP
    return turns


def _equal_shares_turns(
    counts: Counts, selected: set[str], leftover: Fraction
) -> dict[str, NotFunded]:
    """MES (and its completion): more than what is left, or else its supporters' shares."""
    return {
        project_id: (NotFunded(Unfunded.DID_NOT_FIT, leftover) if cost > leftover
                     else NotFunded(Unfunded.SHARES))
        for project_id, cost in zip(counts.ids, counts.costs, strict=True)
        if project_id not in selected
    }
