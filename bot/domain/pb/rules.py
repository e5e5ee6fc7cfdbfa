"""Counting rules for participatory budgeting: greedy variants and the Method of Equal Shares.

Everything is exact: costs, budget and shares are ``Fraction``s or integers, never floats,
so a near-tie cannot flip with rounding.

Which projects take part. A project nobody chose (no approval, or no points for
``greedy-points``) is never funded, even if money is left: pabutools appends such projects
at the end, a city does not. ``min_support_percent`` (e.g. 30, as some Korean districts
require) removes every project approved by fewer than that share of all ballots before any
rule runs; for MES the excluded projects simply cannot be bought, every voter still gets
an equal share of the whole budget.

Tie-break. When two projects rank equally (same votes for ``greedy``, same price per unit
of utility in MES) the order is fixed in advance, never random:

- ``cheapest`` (default, as equalshares.net recommends and as Warsaw funded Rembertów 2020):
  the cheaper project first, then the project id compared as a string;
- ``id``: the project id as a string only (``"10" < "9"``), pabutools' default, which is
  how ``expected.json`` was computed.

``Outcome.ties`` lists every group of equally ranked projects whose members had different
fates, so a report can say that the tie-break decided something.

The rules (``Rule``):

- ``greedy``: fund by number of approvals, highest first, skipping a project that no longer
  fits and going on ("예산 범위 내 다득표순");
- ``greedy-no-skip``: the same order, but stop at the first project that does not fit;
- ``greedy-points``: by total points (cumulative points, or Borda points of a ranking);
- ``greedy-ratio``: by approvals ÷ cost, which favours cheap projects;
- ``mes``: the Method of Equal Shares with cost utilities, without completion;
- ``mes-add1``: MES with the voters' share raised by 1 currency unit at a time, starting
  from budget ÷ voters, stopping at the first outcome that is exhaustive (no candidate fits
  in what is left) or, when a raise overspends, taking the last outcome within budget;
  then greedy completion by approvals (pabutools ``voter_budget_increment=1``);
- ``mes-add1-full``: keep raising by 1 while the outcome stays within budget, even past an
  exhaustive one, then greedy completion: what Wieliczka 2023 ran (equalshares.net "add1").

How MES is computed. Each voter starts with the same share b of the budget. A project can
be bought by its supporters alone; they pay equally, except that a supporter who cannot
afford the equal price pays all they have left. With cost utilities the project chosen in
each round is the one with the smallest price per supporter relative to its cost, ρ =
price / cost (1 / supporters when nobody is short of money). Voters with the same ballot
always hold the same money, so the run works on distinct ballots with their counts. A
candidate's ρ only grows as money is spent, so its last known ρ is a lower bound and it is
re-priced only when that bound could still win the round (ties included). Money is held as
integers in units of 1/D, where D grows (exactly) whenever a price does not divide evenly,
so the inner loops do integer arithmetic only, and ρ is compared as a ``Fraction``.
The add-1 variants do not re-run MES from scratch at every share: ``mes_add1.ShareTrace``
reuses the rounds (and skips the shares) that provably come out the same, and explains why
the result is exactly the step-by-step one.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from bot.domain.pb.mes_add1 import ShareTrace
from bot.domain.pb.model import Election


class Rule(StrEnum):
    GREEDY = "greedy"
    GREEDY_NO_SKIP = "greedy-no-skip"
    GREEDY_POINTS = "greedy-points"
    GREEDY_RATIO = "greedy-ratio"
    MES = "mes"
    MES_ADD1 = "mes-add1"
    MES_ADD1_FULL = "mes-add1-full"


class TieBreak(StrEnum):
    CHEAPEST = "cheapest"
    ID = "id"


@dataclass(frozen=True)
class Outcome:
    """The funded projects (in funding order) and how the count went."""

    rule: Rule
    selected: tuple[str, ...]
    total_cost: Fraction
    budget: Fraction
    ties: tuple[tuple[str, ...], ...] = ()
    voter_share: Fraction | None = None

    @property
    def leftover(self) -> Fraction:
        return self.budget - self.total_cost

    @property
    def selected_sorted(self) -> tuple[str, ...]:
        """Selected ids in string order, the form ``expected.json`` uses."""
        return tuple(sorted(self.selected))


@dataclass(frozen=True)
class Counts:
    """What the rules need from an election, with projects as indices 0..m-1."""

    ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    votes: tuple[int, ...]
    points: tuple[Fraction, ...]
    ballots: tuple[tuple[frozenset[int], int], ...]
    voters: int
    eligible: tuple[bool, ...]
    rank: tuple[int, ...]

    def order(self, indices: Sequence[int]) -> list[str]:
        return [self.ids[i] for i in sorted(indices, key=self.rank.__getitem__)]


@dataclass(frozen=True)
class _Selection:
    chosen: list[int]
    ties: list[tuple[str, ...]]


def tally(
    election: Election,
    rule: Rule | str,
    *,
    tie_break: TieBreak | str = TieBreak.CHEAPEST,
    min_support_percent: Fraction | int | None = None,
) -> Outcome:
    """Count ``election`` with ``rule``; see the module docstring for the rules and ties."""
    rule = Rule(rule)
    counts = count_ballots(election, TieBreak(tie_break), min_support_percent, rule)
    share: Fraction | None = None
    if rule in GREEDY_SCORES:
        selection = greedy(counts, election.budget, GREEDY_SCORES[rule], skip=True)
    elif rule is Rule.GREEDY_NO_SKIP:
        selection = greedy(counts, election.budget, _by_votes, skip=False)
    else:
        selection, share = _equal_shares_rule(counts, election.budget, rule)
    total = sum((counts.costs[i] for i in selection.chosen), Fraction(0))
    return Outcome(
        rule=rule,
        selected=tuple(counts.ids[i] for i in selection.chosen),
        total_cost=total,
        budget=election.budget,
        ties=tuple(selection.ties),
        voter_share=share,
    )


def count_ballots(
    election: Election,
    tie_break: TieBreak,
    min_support_percent: Fraction | int | None,
    rule: Rule = Rule.GREEDY,
) -> Counts:
    """Approval counts, point totals, distinct ballots and the tie-break order of ``election``."""
    ids = tuple(project.id for project in election.projects)
    index = {project_id: i for i, project_id in enumerate(ids)}
    costs = tuple(project.cost for project in election.projects)
    votes = [0] * len(ids)
    points = [Fraction(0)] * len(ids)
    distinct: Counter[frozenset[int]] = Counter()
    for ballot in election.ballots:
        chosen = frozenset(index[project_id] for project_id in ballot.projects)
        distinct[chosen] += 1
        for i in chosen:
            votes[i] += 1
    if rule is Rule.GREEDY_POINTS:
        for ballot in election.ballots:
            for project_id, value in election.ballot_points(ballot):
                points[index[project_id]] += value
    voters = len(election.ballots)
    return Counts(
        ids=ids,
        costs=costs,
        votes=tuple(votes),
        points=tuple(points),
        ballots=tuple(distinct.items()),
        voters=voters,
        eligible=tuple(_meets_threshold(v, voters, min_support_percent) for v in votes),
        rank=_tie_ranks(ids, costs, tie_break),
    )


def _meets_threshold(votes: int, voters: int, percent: Fraction | int | None) -> bool:
    if percent is None:
        return True
    return votes * 100 >= Fraction(percent) * voters


def _tie_ranks(
    ids: Sequence[str], costs: Sequence[Fraction], tie_break: TieBreak
) -> tuple[int, ...]:
    """Position of each project in the fixed tie-break order (0 wins a tie)."""
    if tie_break is TieBreak.CHEAPEST:
        order = sorted(range(len(ids)), key=lambda i: (costs[i], ids[i]))
    else:
        order = sorted(range(len(ids)), key=ids.__getitem__)
    rank = [0] * len(ids)
    for position, i in enumerate(order):
        rank[i] = position
    return tuple(rank)


# ---------------------------------------------------------------------- greedy

Score = Callable[[Counts, int], Fraction]


def _by_votes(counts: Counts, i: int) -> Fraction:
    return Fraction(counts.votes[i])


def _by_points(counts: Counts, i: int) -> Fraction:
    return counts.points[i]


def _by_ratio(counts: Counts, i: int) -> Fraction:
    """Approvals per unit of cost (``greedy`` puts free projects first whatever the score)."""
    cost = counts.costs[i]
    return Fraction(counts.votes[i]) / cost if cost else Fraction(counts.votes[i])


GREEDY_SCORES: dict[Rule, Score] = {
    Rule.GREEDY: _by_votes,
    Rule.GREEDY_POINTS: _by_points,
    Rule.GREEDY_RATIO: _by_ratio,
}


def greedy(
    counts: Counts,
    budget: Fraction,
    score: Score,
    *,
    skip: bool,
    funded: Sequence[int] = (),
) -> _Selection:
    """Fund eligible projects with a positive score, best score first, within ``budget``.

    Free projects (cost 0) come first whatever their score: they fit in any leftover.

    ``funded`` are already bought (MES completion starts from them). With ``skip`` a project
    that does not fit is passed over; without it the count stops there.
    """
    chosen = list(funded)
    already = set(funded)
    left = budget - sum((counts.costs[i] for i in chosen), Fraction(0))
    scores = {i: score(counts, i) for i in _candidates(counts) if i not in already}
    ranked = sorted(
        (i for i in scores if scores[i] > 0),
        key=lambda i: (counts.costs[i] > 0, -scores[i], counts.rank[i]),
    )
    for i in ranked:
        if counts.costs[i] <= left:
            chosen.append(i)
            left -= counts.costs[i]
        elif not skip:
            break
    ties = _decisive_ties(counts, ranked, scores, set(chosen))
    return _Selection(chosen, ties)


def _candidates(counts: Counts) -> list[int]:
    return [i for i in range(len(counts.ids)) if counts.eligible[i] and counts.votes[i] > 0]


def _decisive_ties(
    counts: Counts, ranked: Sequence[int], scores: dict[int, Fraction], chosen: set[int]
) -> list[tuple[str, ...]]:
    """Groups of equal score whose members did not all share one fate."""
    groups: dict[Fraction, list[int]] = {}
    for i in ranked:
        groups.setdefault(scores[i], []).append(i)
    return [
        tuple(counts.order(group))
        for group in groups.values()
        if len(group) > 1 and len({i in chosen for i in group}) > 1
    ]


# ---------------------------------------------------------------------- equal shares


@dataclass(frozen=True)
class Supporters:
    """The MES candidates and their supporters, as distinct ballots with multiplicities.

    Positions 0..k-1 stand for ``candidates[position]``; a group is a set of identical
    ballots (restricted to the candidates), ``supporters[p]`` are the groups that approve
    position ``p`` and ``supporter_sizes[p]`` their sizes.
    """

    candidates: tuple[int, ...]
    costs: tuple[Fraction, ...]
    ranks: tuple[int, ...]
    group_size: tuple[int, ...]
    supporters: tuple[tuple[int, ...], ...]
    supporter_sizes: tuple[tuple[int, ...], ...]
    support: tuple[int, ...]

    @classmethod
    def of(cls, counts: Counts) -> Supporters:
        candidates = tuple(i for i in _candidates(counts) if counts.costs[i] > 0)
        position = {i: p for p, i in enumerate(candidates)}
        sizes: list[int] = []
        supporters: list[list[int]] = [[] for _ in candidates]
        for approved, size in counts.ballots:
            mine = tuple(sorted(position[i] for i in approved if i in position))
            if not mine:
                continue
            for p in mine:
                supporters[p].append(len(sizes))
            sizes.append(size)
        return cls(
            candidates=candidates,
            costs=tuple(counts.costs[i] for i in candidates),
            ranks=tuple(counts.rank[i] for i in candidates),
            group_size=tuple(sizes),
            supporters=tuple(tuple(groups) for groups in supporters),
            supporter_sizes=tuple(tuple(sizes[g] for g in groups) for groups in supporters),
            support=tuple(sum(sizes[g] for g in groups) for groups in supporters),
        )


@dataclass(frozen=True)
class MesRun:
    """One MES run at a given voter share: candidate positions in funding order, and ties."""

    share: Fraction
    funded: tuple[int, ...]
    cost: Fraction
    ties: tuple[tuple[int, ...], ...]


def _equal_shares_rule(
    counts: Counts, budget: Fraction, rule: Rule
) -> tuple[_Selection, Fraction | None]:
    free = [i for i in _candidates(counts) if counts.costs[i] == 0]
    if counts.voters == 0:
        return _Selection(free, []), None
    supporters = Supporters.of(counts)
    start = budget / counts.voters
    if rule is Rule.MES:
        run = equal_shares(supporters, start)
    else:
        run = raise_share_by_one(
            supporters, budget, start, stop_when_exhaustive=rule is Rule.MES_ADD1
        )
    funded = free + [supporters.candidates[p] for p in run.funded]
    ties = [tuple(counts.order([supporters.candidates[p] for p in tie])) for tie in run.ties]
    if rule is Rule.MES:
        return _Selection(funded, ties), run.share
    completion = greedy(counts, budget, _by_votes, skip=True, funded=funded)
    return _Selection(completion.chosen, ties + completion.ties), run.share


def raise_share_by_one(
    supporters: Supporters, budget: Fraction, start: Fraction, *, stop_when_exhaustive: bool
) -> MesRun:
    """Run MES at shares start, start+1, start+2… and keep the outcome the variant asks for.

    It stops when a run overspends (returning the previous run), when a run funds every
    candidate (nothing more can change), or, with ``stop_when_exhaustive``, at the first run
    after which no unfunded candidate fits in the money left.

    ``ShareTrace`` (see ``mes_add1``) proves for each run a range of shares that give the
    very same run, so those shares are skipped: the three tests above depend only on the
    funded projects, and the run kept is given the share the step-by-step loop would have
    reached (the last share of the range when the next run overspends).
    """
    trace = ShareTrace(supporters)
    denominator = math.lcm(*(cost.denominator for cost in supporters.costs))
    units = [int(cost * denominator) for cost in supporters.costs]
    previous: MesRun | None = None
    share = start
    while True:
        found = trace.run_at(share)
        cost = Fraction(sum(units[p] for p in found.funded), denominator)
        run = MesRun(found.share, found.funded, cost, found.ties)
        if run.cost > budget:
            return previous if previous is not None else run
        if len(run.funded) == len(supporters.candidates):
            return run
        if stop_when_exhaustive and _is_exhaustive(supporters, run, budget):
            return run
        steps = _steps_with_same_run(share, found.valid_until)
        previous, share = replace(run, share=share + steps - 1), share + steps


def _steps_with_same_run(share: Fraction, valid_until: Fraction | None) -> int:
    """How many shares share, share+1, … lie before ``valid_until`` (at least this one)."""
    if valid_until is None:
        return 1
    return max(1, math.ceil(valid_until - share))


def _is_exhaustive(supporters: Supporters, run: MesRun, budget: Fraction) -> bool:
    left = budget - run.cost
    funded = set(run.funded)
    return all(
        cost > left for p, cost in enumerate(supporters.costs) if p not in funded
    )


def equal_shares(supporters: Supporters, share: Fraction) -> MesRun:
    """The Method of Equal Shares with cost utilities, every voter starting with ``share``."""
    scale = math.lcm(share.denominator, *(c.denominator for c in supporters.costs))
    state = _MesState.start(supporters, share, scale)
    funded: list[int] = []
    ties: list[tuple[int, ...]] = []
    while True:
        choice = state.best_round()
        if choice is None:
            break
        winner, tied = choice
        if len(tied) > 1:
            ties.append(tied)
        funded.append(winner.position)
        state.fund(winner)
    cost = sum((supporters.costs[p] for p in funded), Fraction(0))
    return MesRun(share, tuple(funded), cost, tuple(ties))


@dataclass(frozen=True)
class _Offer:
    """A candidate's current price: ρ = price / cost, where price = (cost - poor) / rich."""

    rho: Fraction
    rank: int
    position: int
    paid_by_rich: int
    rich: int


class _MesState:
    """What every ballot group has paid so far, in integer units of 1/``scale`` of money.

    ``paid[g]`` is what each voter of group ``g`` has paid (capped at ``share``, meaning the
    voter has nothing left); ``costs`` are the candidates' costs in the same units.
    ``heap`` holds (last known ρ, tie rank, position) of the candidates still in the race.
    """

    def __init__(self, supporters: Supporters, share: int, costs: list[int]) -> None:
        self.supporters = supporters
        self.share = share
        self.costs = costs
        self.paid = [0] * len(supporters.group_size)
        self.heap = [
            (Fraction(1, n), supporters.ranks[p], p) for p, n in enumerate(supporters.support)
        ]
        heapq.heapify(self.heap)

    @classmethod
    def start(cls, supporters: Supporters, share: Fraction, scale: int) -> _MesState:
        costs = [int(cost * scale) for cost in supporters.costs]
        return cls(supporters, int(share * scale), costs)

    def best_round(self) -> tuple[_Offer, tuple[int, ...]] | None:
        """The winning offer of this round and the positions tied with it (tie-break order).

        A candidate's ρ never decreases (money only goes down), so its last known ρ is a
        lower bound: candidates are priced in the order of that bound until the bound
        exceeds the best exact ρ found. Equal bounds are priced too, so no tie is missed.
        """
        best: Fraction | None = None
        offers: list[_Offer] = []
        while self.heap and (best is None or self.heap[0][0] <= best):
            _, _, position = heapq.heappop(self.heap)
            offer = self._offer(position)
            if offer is None:
                continue  # its supporters can no longer pay for it: out for good
            offers.append(offer)
            if best is None or offer.rho < best:
                best = offer.rho
        if best is None:
            return None
        tied = sorted((o for o in offers if o.rho == best), key=lambda o: o.rank)
        winner = tied[0]
        for offer in offers:
            if offer is not winner:
                heapq.heappush(self.heap, (offer.rho, offer.rank, offer.position))
        return winner, tuple(o.position for o in tied)

    def _offer(self, position: int) -> _Offer | None:
        """The exact price of ``position`` now, or ``None`` if its supporters cannot pay it.

        The price p solves Σ min(money, p) = cost over the supporters: whoever cannot
        afford p pays all they have. Usually everyone can pay cost / n (one C-level scan);
        otherwise supporters are scanned poorest first until the rest can pay equally.
        """
        groups = self.supporters.supporters[position]
        sizes = self.supporters.supporter_sizes[position]
        cost, share = self.costs[position], self.share
        support = self.supporters.support[position]
        rank = self.supporters.ranks[position]
        paid_now = list(map(self.paid.__getitem__, groups))
        # paid > threshold  <=>  (share - paid) * support < cost: short of an equal split
        if max(paid_now) <= (share * support - cost) // support:
            return _Offer(Fraction(1, support), rank, position, cost, support)
        if share * support - sum(map(operator.mul, paid_now, sizes)) < cost:
            return None
        owed, rich = cost, support
        for paid, count in sorted(zip(paid_now, sizes, strict=True), reverse=True):
            money = share - paid
            if money * rich >= owed:
                break
            owed -= money * count
            rich -= count
        return _Offer(Fraction(owed, rich * cost), rank, position, owed, rich)

    def fund(self, offer: _Offer) -> None:
        """Charge the supporters of ``offer``: the equal price, or all they have left."""
        price = self._exact_price(offer)
        paid, share = self.paid, self.share
        for group in self.supporters.supporters[offer.position]:
            total = paid[group] + price
            paid[group] = min(share, total)

    def _exact_price(self, offer: _Offer) -> int:
        """The price per rich supporter in current units, rescaling all money if needed."""
        factor = offer.rich // math.gcd(offer.paid_by_rich, offer.rich)
        if factor > 1:
            self.share *= factor
            self.costs = list(map(factor.__mul__, self.costs))
            self.paid = list(map(factor.__mul__, self.paid))
        return offer.paid_by_rich * factor // offer.rich

