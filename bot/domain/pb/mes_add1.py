"""MES at shares t, t+1, t+2… without recomputing what provably stays the same.

``mes-add1`` runs the Method of Equal Shares (cost utilities) at every voter share
start, start+1, start+2… until it stops. Consecutive runs usually agree on their first
rounds. ``ShareTrace`` computes those rounds once, as functions of the share t, with the
range of shares for which they are exactly what MES computes; the next run starts from
the first round that may differ. The results are those of ``rules.equal_shares`` run at
every share, only cheaper.

Why a run is affine in t. Fix the *trace* of a run: in each round, the winner, the
supporters of the winner who pay all they have left ("poor": their money is below the
equal price) and the set of tied candidates. Along a fixed trace every voter's money is an
affine function of t. At the start it is t. A winner's price is
p(t) = (cost - Σ_poor size·m(t)) / rich, affine; a rich supporter keeps m(t) - p(t),
affine; a poor one keeps 0. Slopes never go negative: they start at 1, p' = -Σ_poor
size·m' / rich ≤ 0 so a rich voter's slope only grows, and a poor voter's becomes 0. So
along a trace money never decreases as t grows, and every price and ρ = price / cost
never increases.

Why a round holds on an interval [t, t + limit). A round is decided by three kinds of
facts; each is checked for all larger shares, not only at t:

1. The winner's poor supporters stay poor: p(t) - m_h(t) is affine with slope
   p' - m_h' ≤ 0, so it stays ≥ 0 up to a computable limit. (Rich ones stay rich: their
   m - p has slope m' - p' ≥ 0. A voter whose money equals the price pays it all either
   way, so the boundary itself is harmless.)
2. No other candidate c beats or ties the winner w. With q(t) = ρ_w(t)·cost_c, c has
   ρ_c ≤ ρ_w exactly when its supporters can raise cost_c paying at most q each:
   F_c(t) = Σ size·min(m(t), q(t)) ≥ cost_c. F_c is a sum of minima of affine functions,
   hence concave, so it lies below its tangent at t: F_c(t+δ) ≤ F_c(t) + F_c'(t+)·δ, and
   F_c < cost_c holds at least until the tangent reaches cost_c. Cheaper sufficient tests
   come first: ρ_c ≥ 1 / support_c always and ρ_w only falls, so a c with
   1 / support_c > ρ_w(t) needs no check; and F_c is at most the supporters' total money,
   affine. Ties stay exactly the same only when every tied candidate (the winner included)
   is paid equally by all its supporters: then all their ρ are the constant 1 / support,
   and stay so since money only grows. Any other tie gives the limit 0.
3. When a run ends, every unfunded candidate is unaffordable: its supporters' total
   money, affine with slope ≥ 0, stays below its cost up to a computable limit.

By induction over the rounds, every share in [t, t + the smallest limit so far) gives the
same winners, the same ties and the same (affine) money; candidates that MES dropped as
unaffordable are covered by 2 and 3, since F_c is at most their total money. So the run is
the run MES computes there. When the next share is below that end, the kept rounds are
reused as they are: the money after the last of them is evaluated at the new share and MES
goes on from there. Which candidates MES prices in a round never changes its result, as
long as every candidate's known bound is a true lower bound of its ρ (equal bounds are
priced too). At a restart the bounds are exact ρ at the highest share the kept rounds
hold for: there every voter has at least as much money as at any restart share (slopes are
≥ 0) and more money never raises a price, so they are lower bounds at every restart, and
stay so in later rounds, where money only falls (``ShareTrace._restart_bounds``).

What is analysed. A limit is only worth computing while it can exceed 1 (the next run is at
least one share higher) and, since the analysis costs a few plain rounds, while it can
exceed ``WORTH_REUSING``; otherwise the round claims the limit 0, which is always true.
From the first round that cannot be reused, the rest of the run is plain MES: no limits,
no slopes, no copies of the money. A smaller limit than the true one only means more
recomputation, never a different result.

All money is held as integers in units of 1/scale (scale grows when a price or a price
slope does not divide evenly; before the plain rounds it is multiplied by the numbers of
payers those rounds split prices among last time, which usually spares rescaling every
voter's money in each of them), the share offset between runs is an integer, ρ is compared
by cross-multiplication and limits are ``Fraction``s, so nothing is rounded.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from itertools import compress, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.pb.rules import Supporters


@dataclass(frozen=True)
class TraceRun:
    """One MES run: funded positions in order, ties, and the end of the shares it holds for.

    Every share s with ``share <= s < valid_until`` gives exactly this run (``None``: no end
    was found; the caller then simply moves on one share at a time).
    """

    share: Fraction
    funded: tuple[int, ...]
    ties: tuple[tuple[int, ...], ...]
    valid_until: Fraction | None


@dataclass
class _Money:
    """What each ballot group has paid, in integer units of 1/``scale``.

    At share t0 = ``share`` a voter of group g has paid ``paid[g]``; while the rounds so far
    hold, at share t0 + δ they have paid ``paid[g] + slope[g]·δ``. Money left is
    ``share_units - paid``, so an exhausted group has paid = share units and slope = scale.
    ``costs`` are in the same units. ``slope`` is ``None`` once nobody needs it.
    """

    share: Fraction
    scale: int
    share_units: int
    costs: list[int]
    paid: list[int]
    slope: list[int] | None

    @classmethod
    def start(cls, supporters: Supporters, share: Fraction) -> _Money:
        # the supports make every equal split cost / support a whole number of units
        scale = math.lcm(share.denominator, *(c.denominator for c in supporters.costs),
                         *supporters.support)
        groups = len(supporters.group_size)
        return cls(
            share=share,
            scale=scale,
            share_units=int(share * scale),
            costs=[int(cost * scale) for cost in supporters.costs],
            paid=[0] * groups,
            slope=[0] * groups,
        )

    def copy(self) -> _Money:
        assert self.slope is not None
        return _Money(self.share, self.scale, self.share_units, self.costs,
                      list(self.paid), list(self.slope))

    def at(self, share: Fraction) -> _Money:
        """The same affine state evaluated at ``share`` (shares differ by whole units)."""
        assert self.slope is not None
        offset = share - self.share
        assert offset.denominator == 1 and offset >= 0
        k = int(offset)
        paid = list(map(operator.add, self.paid, map(operator.mul, self.slope, repeat(k))))
        return _Money(share, self.scale, self.share_units + self.scale * k, self.costs,
                      paid, list(self.slope))

    def rescale(self, factor: int) -> None:
        """Switch to units ``factor`` times smaller (every amount is multiplied by it)."""
        self.scale *= factor
        self.share_units *= factor
        self.costs = list(map(factor.__mul__, self.costs))
        self.paid = list(map(factor.__mul__, self.paid))
        if self.slope is not None:
            self.slope = list(map(factor.__mul__, self.slope))


WORTH_REUSING = 6
"""Rounds that would be reused for fewer shares than this are not worth their analysis."""


class _Offer:
    """A candidate's price ρ = num / den (= price / cost), with price = owed / rich.

    Also a heap entry: offers order by (ρ, tie rank), compared exactly by
    cross-multiplication (much cheaper than ``Fraction``). A lower bound that is not a
    price yet (1 / support) has ``rich`` = 0.
    """

    __slots__ = ("den", "num", "owed", "position", "rank", "rich")

    def __init__(self, num: int, den: int, rank: int, position: int, owed: int, rich: int) -> None:
        self.num, self.den, self.rank, self.position = num, den, rank, position
        self.owed, self.rich = owed, rich

    def __lt__(self, other: _Offer) -> bool:
        mine, theirs = self.num * other.den, other.num * self.den
        return mine < theirs or (mine == theirs and self.rank < other.rank)

    def same_rho(self, other: _Offer) -> bool:
        return self.num * other.den == other.num * self.den

    def rho_above(self, other: _Offer) -> bool:
        return self.num * other.den > other.num * self.den


@dataclass
class _Round:
    """A computed round: its winner (None: the run ended here) and the tied positions.

    ``valid_until`` is the end of the shares for which this round and all before it hold;
    ``after`` is the (affine) money after the round, kept only if the round can be reused;
    ``bounds`` caches lower bounds of the next round's ρ for runs restarting after it.
    """

    winner: int | None
    ties: tuple[int, ...]
    valid_until: Fraction | None
    after: _Money | None
    bounds: list[_Offer] | None = None


def _earlier(a: Fraction | None, b: Fraction | None) -> Fraction | None:
    """The smaller of two interval ends, ``None`` meaning unbounded."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class ShareTrace:
    """MES runs at increasing shares that reuse every round still provably the same."""

    def __init__(self, supporters: Supporters) -> None:
        self.supporters = supporters
        self.rounds: list[_Round] = []
        # each candidate's supporter groups, richest last: any order is correct, the last
        # one makes the next sort nearly free
        self.orders = [list(groups) for groups in supporters.supporters]
        # per round, how many supporters its price was split among when some paid all they
        # had (1 otherwise), as last computed: the same round at the next share most likely
        # splits among the same numbers again
        self.splits: list[int] = []

    def run_at(self, share: Fraction) -> TraceRun:
        """The MES run at ``share`` (the previous share plus a whole number ≥ 0)."""
        kept = 0
        while kept < len(self.rounds) and _holds(self.rounds[kept].valid_until, share):
            kept += 1
        del self.rounds[kept:]
        if not self.rounds or self.rounds[-1].winner is not None:
            self._go_on(share)
        funded = tuple(r.winner for r in self.rounds if r.winner is not None)
        ties = tuple(r.ties for r in self.rounds if len(r.ties) > 1)
        return TraceRun(share, funded, ties, self.rounds[-1].valid_until)

    def _go_on(self, share: Fraction) -> None:
        """Compute the rounds after the kept ones at ``share``, until the run ends.

        A round whose interval ends at or below share + 1 is never reused (the next run is
        at share + 1 or later), so from the first such round on, the run is plain MES: no
        limits, no slopes, no copies.
        """
        sup = self.supporters
        candidates = range(len(sup.candidates))
        funded: set[int | None] = {r.winner for r in self.rounds}
        money, valid, heap = self._resume(share, funded)
        reuse_end = share + 1
        reusable = valid is None or valid > reuse_end
        while True:
            state = _MesRound(sup, money, heap, self.orders)
            choice = state.best_round()
            if choice is None:
                if reusable:
                    unfunded = [p for p in candidates if p not in funded]
                    limit = state.unaffordable_limit(unfunded, _horizon(valid, share))
                    valid = _earlier(valid, _shifted(share, limit))
                self.rounds.append(_Round(None, (), valid, None))
                return
            winner, tied = choice
            if reusable:
                unfunded = [p for p in candidates if p not in funded]
                limit = state.round_limit(winner, tied, unfunded, _horizon(valid, share))
                valid = _earlier(valid, _shifted(share, limit))
                reusable = valid is None or valid > reuse_end
            if reusable:
                state.fund_affine(winner)
                after = money.copy()
            else:
                if money.slope is not None:
                    money.slope = None
                    winner = self._prepare_units(money, len(self.rounds), winner)
                state.fund(winner)
                after = None
            self._note_split(len(self.rounds), winner)
            self.rounds.append(_Round(winner.position, tuple(o.position for o in tied),
                                      valid, after))
            funded.add(winner.position)

    def _resume(self, share: Fraction,
                funded: set[int | None]) -> tuple[_Money, Fraction | None, list[_Offer]]:
        """The money after the kept rounds at ``share``, their end, and the pricing heap."""
        sup = self.supporters
        if not self.rounds:
            heap = [_Offer(1, sup.support[p], sup.ranks[p], p, 0, 0)
                    for p in range(len(sup.candidates))]
            heapq.heapify(heap)
            return _Money.start(sup, share), None, heap
        last = self.rounds[-1]
        assert last.after is not None
        heap = list(self._restart_bounds(last, funded))
        heapq.heapify(heap)
        return last.after.at(share), last.valid_until, heap

    def _restart_bounds(self, last: _Round, funded: set[int | None]) -> list[_Offer]:
        """Lower bounds of every unfunded candidate's ρ in the round after ``last``.

        Runs restart after ``last`` only at shares s below its ``valid_until``, where the
        money is ``last.after`` evaluated at s. At the highest such share every voter has at
        least as much (slopes are ≥ 0), so prices there are lower: exact ρ computed there
        once bound ρ at every restart, far better than 1 / support. A candidate nobody
        can afford there cannot be afforded at any restart nor later in the run.
        """
        sup = self.supporters
        if last.valid_until is None or last.after is None:
            return [_Offer(1, sup.support[p], sup.ranks[p], p, 0, 0)
                    for p in range(len(sup.candidates)) if p not in funded]
        if last.bounds is None:
            base = last.after.share
            highest = base + math.ceil(last.valid_until - base) - 1
            state = _MesRound(sup, last.after.at(highest), [], self.orders)
            offers = (state.offer(p) for p in range(len(sup.candidates)) if p not in funded)
            last.bounds = [offer for offer in offers if offer is not None]
        return last.bounds

    def _prepare_units(self, money: _Money, first: int, winner: _Offer) -> _Offer:
        """Make the money units divisible by the splits rounds ``first``… had last time.

        Plain rounds then rarely need to rescale all the money (any multiple of the units is
        as exact); these units are never stored, so they do not pile up from run to run.
        Returns ``winner`` in the new units.
        """
        units = math.prod(self.splits[first:])
        if units == 1:
            return winner
        money.rescale(units)
        return _Offer(winner.num, winner.den, winner.rank, winner.position,
                      winner.owed * units, winner.rich)

    def _note_split(self, index: int, winner: _Offer) -> None:
        split = 1 if winner.rich == self.supporters.support[winner.position] else winner.rich
        if index < len(self.splits):
            self.splits[index] = split
        else:
            self.splits.append(split)


def _holds(valid_until: Fraction | None, share: Fraction) -> bool:
    return valid_until is None or share < valid_until


def _shifted(share: Fraction, limit: Fraction | None) -> Fraction | None:
    return None if limit is None else share + limit


def _horizon(valid: Fraction | None, share: Fraction) -> Fraction | None:
    return None if valid is None else valid - share


class _MesRound:
    """One round of MES on the money of ``money``: pricing, validity limits and funding."""

    def __init__(self, supporters: Supporters, money: _Money, heap: list[_Offer],
                 orders: list[list[int]]) -> None:
        self.sup = supporters
        self.money = money
        self.heap = heap
        self.orders = orders

    def best_round(self) -> tuple[_Offer, tuple[_Offer, ...]] | None:
        """The winning offer and the offers tied with it (tie-break order), as in MES.

        Last known ρ values are lower bounds (ρ never falls within a run), so candidates
        are priced in bound order until the bound exceeds the best exact ρ; equal bounds
        are priced too, so no tie is missed.
        """
        best: _Offer | None = None
        offers: list[_Offer] = []
        heap = self.heap
        while heap and (best is None or not heap[0].rho_above(best)):
            offer = self.offer(heapq.heappop(heap).position)
            if offer is None:
                continue  # its supporters can no longer pay for it in this run
            offers.append(offer)
            if best is None or offer < best:
                best = offer
        if best is None:
            return None
        tied = sorted((o for o in offers if o.same_rho(best)), key=lambda o: o.rank)
        for offer in offers:
            if offer is not best:
                heapq.heappush(heap, offer)
        return best, tuple(tied)

    def offer(self, position: int) -> _Offer | None:
        """The exact price of ``position`` now, or ``None`` if its supporters cannot pay it.

        The price p solves Σ min(money, p) = cost over the supporters: whoever cannot
        afford p pays all they have. Usually everyone can pay cost / n (one C-level scan);
        otherwise supporters are scanned poorest first until the rest can pay equally.
        """
        sup, money = self.sup, self.money
        paid, cost, share = money.paid, money.costs[position], money.share_units
        support, rank = sup.support[position], sup.ranks[position]
        everyone_pays = (share * support - cost) // support  # paid ≤ this: money ≥ cost / n
        if max(map(paid.__getitem__, sup.supporters[position])) <= everyone_pays:
            return _Offer(1, support, rank, position, cost, support)
        group_size = sup.group_size
        order = self.orders[position]
        order.sort(key=paid.__getitem__, reverse=True)  # nearly sorted already: fast
        owed, rich = cost, support
        for group in order:
            left = share - paid[group]
            if left * rich >= owed:
                break
            count = group_size[group]
            owed -= left * count
            rich -= count
        else:
            return None  # even all their money together falls short of the cost
        return _Offer(owed, rich * cost, rank, position, owed, rich)

    # ---------------------------------------------------------------- validity limits

    def _poor(self, offer: _Offer) -> tuple[list[int], int]:
        """The winner's supporters who pay all they have, and Σ size·(their money slope)."""
        money, sup = self.money, self.sup
        assert money.slope is not None
        if offer.rich == sup.support[offer.position]:
            return [], 0
        share, scale, owed, rich = money.share_units, money.scale, offer.owed, offer.rich
        paid, slope = money.paid, money.slope
        poor: list[int] = []
        falling = 0
        for group, size in zip(sup.supporters[offer.position],
                               sup.supporter_sizes[offer.position], strict=True):
            if (share - paid[group]) * rich < owed:
                poor.append(group)
                falling += size * (scale - slope[group])
        return poor, falling

    def round_limit(self, winner: _Offer, tied: tuple[_Offer, ...], unfunded: list[int],
                    horizon: Fraction | None) -> Fraction | None:
        """How far above the current share this round surely goes the same way.

        Only the part below ``horizon`` (where the earlier rounds hold) matters. Once the
        answer cannot exceed ``WORTH_REUSING`` the analysis stops and answers 0: a smaller
        answer is always true, it only means recomputing the round at the next share.
        """
        poor, falling = self._poor(winner)
        if len(tied) > 1 and (poor or any(o.rich != self.sup.support[o.position] for o in tied)):
            return Fraction(0)
        limit = _earlier(horizon, self._poor_stay_poor(winner, poor, falling))
        if limit is not None and limit <= WORTH_REUSING:
            return Fraction(0)
        for position in self._closest_first(unfunded, tied):
            if limit is not None and limit <= WORTH_REUSING:
                return Fraction(0)
            limit = _earlier(limit, self._still_loses(winner, falling, position, limit))
        return limit

    def _closest_first(self, unfunded: list[int], tied: tuple[_Offer, ...]) -> list[int]:
        """The other candidates, roughly closest ρ first (heap order), so the limit drops early."""
        skip = {o.position for o in tied}
        order = [o.position for o in self.heap if o.position not in skip]
        skip.update(order)
        return order + [position for position in unfunded if position not in skip]

    def _poor_stay_poor(self, winner: _Offer, poor: list[int], falling: int) -> Fraction | None:
        """Fact 1: p - m_h stays ≥ 0 (times rich: value owed - rich·m_h, slope ≤ 0)."""
        money = self.money
        slope = money.slope
        assert slope is not None
        share, scale, paid = money.share_units, money.scale, money.paid
        owed, rich = winner.owed, winner.rich
        first: tuple[int, int] | None = None  # the smallest gap / drop, as a pair of ints
        for group in poor:
            drop = falling + rich * (scale - slope[group])
            if drop > 0:
                gap = owed - rich * (share - paid[group])
                if first is None or gap * first[1] < first[0] * drop:
                    first = (gap, drop)
        return None if first is None else Fraction(*first)

    def _still_loses(self, winner: _Offer, falling: int, position: int,
                     horizon: Fraction | None) -> Fraction | None:
        """Fact 2 for one candidate c, or ``None`` if it cannot end before ``horizon``.

        First the cheap bounds: ρ_c ≥ 1/support, and F_c ≤ the supporters' total money.
        Then the tangent bound on F_c, with every amount multiplied by rich·cost_w.
        """
        sup, money = self.sup, self.money
        slope = money.slope
        assert slope is not None
        support = sup.support[position]
        cost_w = money.costs[winner.position]
        weight = winner.rich * cost_w
        if support * winner.owed < weight:
            return None  # ρ_c ≥ 1/support > ρ_w(t) ≥ ρ_w(later)
        groups, sizes = sup.supporters[position], sup.supporter_sizes[position]
        share, scale, cost = money.share_units, money.scale, money.costs[position]
        paid_now = list(map(money.paid.__getitem__, groups))
        slope_now = list(map(slope.__getitem__, groups))
        have = share * support - sum(map(operator.mul, paid_now, sizes))
        gain = scale * support - sum(map(operator.mul, slope_now, sizes))
        if have < cost and (gain <= 0 or (horizon is not None and cost - have >= horizon * gain)):
            return None  # F_c ≤ total money, which stays below cost_c within the horizon
        cap = winner.owed * cost
        # left·weight < cap  <=>  paid > floor((share·weight - cap) / weight)
        line = (share * weight - cap) // weight
        below = list(map(line.__lt__, paid_now))
        below_count = sum(compress(sizes, below))
        below_paid = sum(compress(map(operator.mul, paid_now, sizes), below))
        below_value = share * below_count - below_paid
        below_sloped = sum(compress(map(operator.mul, slope_now, sizes), below))
        below_slope = scale * below_count - below_sloped
        capped = support - below_count
        value = weight * below_value + cap * capped
        rate = weight * below_slope - falling * cost * capped
        target = cost * weight
        if value >= target:
            return Fraction(0)  # not a strict loss (only in a tie, handled before): no reuse
        return Fraction(target - value, rate) if rate > 0 else None

    def unaffordable_limit(self, unfunded: list[int],
                           horizon: Fraction | None) -> Fraction | None:
        """Fact 3: each unfunded candidate's supporters keep less money than its cost."""
        sup, money = self.sup, self.money
        slope = money.slope
        assert slope is not None
        limit = horizon
        for position in unfunded:
            groups, sizes = sup.supporters[position], sup.supporter_sizes[position]
            support = sup.support[position]
            have = money.share_units * support - sum(
                map(operator.mul, map(money.paid.__getitem__, groups), sizes))
            gain = money.scale * support - sum(
                map(operator.mul, map(slope.__getitem__, groups), sizes))
            gap = money.costs[position] - have
            if gap <= 0:
                return Fraction(0)
            if gain > 0:
                limit = _earlier(limit, Fraction(gap, gain))
        return limit

    # ---------------------------------------------------------------- funding

    def fund(self, offer: _Offer) -> None:
        """Charge the winner's supporters at this share only: the price, or all they have."""
        money, sup = self.money, self.sup
        owed, rich = offer.owed, offer.rich
        factor = rich // math.gcd(rich, owed)
        if factor > 1:
            money.rescale(factor)
            owed *= factor
        price, share, paid = owed // rich, money.share_units, money.paid
        groups = sup.supporters[offer.position]
        charged = map(price.__add__, map(paid.__getitem__, groups))
        if rich != sup.support[offer.position]:
            charged = map(min, charged, repeat(share))
        deque(map(paid.__setitem__, groups, charged), maxlen=0)  # a C loop, no Python body

    def fund_affine(self, offer: _Offer) -> None:
        """Charge the winner's supporters for every share the round holds for.

        The rich pay p(t) = (owed - falling·δ) / rich, so their paid slope grows by
        falling / rich; the poor pay all they have: paid = share, slope = scale.
        """
        money, sup = self.money, self.sup
        poor, falling = self._poor(offer)
        owed, rich = offer.owed, offer.rich
        factor = rich // math.gcd(rich, owed, falling)
        if factor > 1:
            money.rescale(factor)
            owed, falling = owed * factor, falling * factor
        price, price_fall = owed // rich, falling // rich
        paid, slope = money.paid, money.slope
        assert slope is not None
        for group in sup.supporters[offer.position]:
            paid[group] += price
            slope[group] -= price_fall
        for group in poor:
            paid[group] = money.share_units
            slope[group] = money.scale
