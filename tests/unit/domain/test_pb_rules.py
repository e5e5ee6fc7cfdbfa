"""PB counting rules on small hand-made elections, plus hypothesis properties."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pb import Ballot, Election, Project, Rule, TieBreak, VoteType, tally


def approval(
    budget: int | Fraction, costs: dict[str, int], ballots: Sequence[Sequence[str]], **meta: str
) -> Election:
    """An approval election; each ballot is a string of one-letter project ids."""
    return Election(
        budget=Fraction(budget),
        vote_type=VoteType.APPROVAL,
        projects=tuple(Project(pid, Fraction(cost)) for pid, cost in costs.items()),
        ballots=tuple(Ballot(str(i), tuple(b)) for i, b in enumerate(ballots)),
        meta=tuple(meta.items()),
    )


def selected(election: Election, rule: Rule | str, **options: object) -> tuple[str, ...]:
    return tally(election, rule, **options).selected  # type: ignore[arg-type]


# ---------------------------------------------------------------- greedy family


def test_greedy_funds_by_votes_and_skips_what_does_not_fit() -> None:
    e = approval(10, {"a": 6, "b": 5, "c": 4}, ["abc", "ab", "a", "bc", "b"])
    assert selected(e, "greedy") == ("b", "c")


def test_greedy_no_skip_stops_at_the_first_project_that_does_not_fit() -> None:
    e = approval(10, {"a": 6, "b": 5, "c": 4}, ["abc", "ab", "a", "bc", "b"])
    assert selected(e, "greedy-no-skip") == ("b",)


def test_greedy_ratio_prefers_cheap_projects() -> None:
    e = approval(10, {"a": 9, "b": 3, "c": 3}, ["abc", "ab", "a", "ac"])
    assert selected(e, "greedy") == ("a",)
    assert selected(e, "greedy-ratio") == ("b", "c")


def test_greedy_points_ranks_cumulative_ballots_by_points() -> None:
    e = Election(
        budget=Fraction(5),
        vote_type=VoteType.CUMULATIVE,
        projects=(Project("a", Fraction(5)), Project("b", Fraction(5))),
        ballots=(
            Ballot("1", ("a",), (Fraction(1),)),
            Ballot("2", ("a",), (Fraction(1),)),
            Ballot("3", ("b",), (Fraction(3),)),
        ),
    )
    assert selected(e, "greedy") == ("a",)
    assert selected(e, "greedy-points") == ("b",)


def test_greedy_points_gives_ranks_borda_points_from_max_length() -> None:
    e = Election(
        budget=Fraction(5),
        vote_type=VoteType.ORDINAL,
        projects=(Project("a", Fraction(5)), Project("b", Fraction(5)), Project("c", Fraction(5))),
        ballots=(Ballot("1", ("a", "b")), Ballot("2", ("b", "c")), Ballot("3", ("c", "a"))),
        meta=(("max_length", "3"),),
    )
    # points: a = 3 + 2, b = 2 + 3, c = 2 + 3: a tie broken by id with equal costs
    assert selected(e, "greedy-points") == ("a",)
    assert list(e.ballot_points(e.ballots[0])) == [("a", 3), ("b", 2)]


def test_projects_nobody_chose_are_never_funded() -> None:
    e = approval(100, {"a": 10, "z": 1}, ["a"])
    for rule in Rule:
        assert "z" not in selected(e, rule)


# ---------------------------------------------------------------- tie-breaks


def test_default_tie_break_takes_the_cheaper_project() -> None:
    e = approval(10, {"a": 7, "b": 6, "c": 4}, ["ab", "ab", "c"])
    assert selected(e, "greedy") == ("b", "c")
    assert tally(e, "greedy").ties == (("b", "a"),)


def test_id_tie_break_takes_the_smaller_id_as_a_string() -> None:
    e = approval(10, {"9": 6, "10": 7, "c": 3}, [["9", "10"], ["9", "10"], ["c"]])
    assert selected(e, "greedy", tie_break="id") == ("10", "c")
    assert selected(e, "greedy", tie_break=TieBreak.CHEAPEST) == ("9", "c")


def test_equal_cost_ties_fall_back_to_the_id() -> None:
    e = approval(5, {"b": 5, "a": 5}, ["ab"])
    assert selected(e, "greedy") == ("a",) == selected(e, "greedy", tie_break="id")


def test_mes_tie_breaks_both_ways() -> None:
    e = approval(12, {"a": 6, "b": 5}, ["ab", "ab"])
    assert selected(e, "mes", tie_break="id")[0] == "a"
    assert selected(e, "mes")[0] == "b"


# ---------------------------------------------------------------- threshold


def test_min_support_drops_projects_below_the_share_of_ballots() -> None:
    e = approval(
        10, {"a": 5, "b": 5, "c": 5}, ["a", "a", "ab", "c", "ac", "a", "a", "a", "a", "a"]
    )
    assert selected(e, "greedy") == ("a", "c")
    assert selected(e, "greedy", min_support_percent=30) == ("a",)
    assert selected(e, "greedy", min_support_percent=20) == ("a", "c")  # exactly 20% passes
    assert selected(e, "greedy", min_support_percent=Fraction(201, 10)) == ("a",)


def test_min_support_applies_to_equal_shares_too() -> None:
    e = approval(10, {"a": 5, "b": 5}, ["a", "a", "a", "b"])
    assert set(selected(e, "mes-add1")) == {"a", "b"}
    assert selected(e, "mes-add1", min_support_percent=50) == ("a",)


# ---------------------------------------------------------------- equal shares


def test_mes_is_proportional_where_greedy_is_not() -> None:
    # 3 voters want x1..x4, 1 voter wants y: greedy gives everything to the majority
    costs = {"x1": 1, "x2": 1, "x3": 1, "x4": 1, "y": 1}
    e = approval(4, costs, [["x1", "x2", "x3", "x4"]] * 3 + [["y"]])
    assert set(selected(e, "greedy")) == {"x1", "x2", "x3", "x4"}
    assert set(selected(e, "mes")) == {"x1", "x2", "x3", "y"}


def test_mes_without_completion_can_leave_money_and_add1_spends_it() -> None:
    e = approval(30, {"a": 20, "b": 10, "c": 10}, ["a", "a", "b", "bc", "c", "c"])
    plain = tally(e, "mes")
    assert plain.total_cost < 30
    for rule in (Rule.MES_ADD1, Rule.MES_ADD1_FULL):
        outcome = tally(e, rule)
        assert outcome.total_cost <= 30
        costs = [("a", 20), ("b", 10), ("c", 10)]
        assert all(cost > outcome.leftover for pid, cost in costs if pid not in outcome.selected)


def test_mes_poor_supporters_pay_what_they_have() -> None:
    # shares of 3; a costs 2 for each of voters 0-2, so voter 0 has 1 left for b: it pays
    # that 1 and voter 3 pays the other 2 of b's cost
    e = approval(12, {"a": 6, "b": 3}, ["ab", "a", "a", "b"])
    outcome = tally(e, "mes")
    assert outcome.selected == ("a", "b") and outcome.voter_share == 3


def test_add1_full_keeps_raising_past_an_exhaustive_outcome() -> None:
    e = approval(10, {"a": 6, "b": 4, "c": 5}, ["a", "a", "b", "c", "bc"])
    first = tally(e, "mes-add1")
    full = tally(e, "mes-add1-full")
    assert first.voter_share is not None and full.voter_share is not None
    assert full.voter_share >= first.voter_share
    assert first.total_cost <= 10 and full.total_cost <= 10


def test_exact_arithmetic_with_a_decimal_budget() -> None:
    e = approval(Fraction("363734.88"), {"a": 200000, "b": 163734}, ["ab", "a", "b"])
    outcome = tally(e, "mes-add1")
    assert isinstance(outcome.total_cost, Fraction)
    assert outcome.voter_share is not None and outcome.voter_share.denominator > 1


def test_no_ballots_funds_nothing() -> None:
    e = approval(10, {"a": 1}, [])
    for rule in Rule:
        assert selected(e, rule) == ()


# ---------------------------------------------------------------- properties

PROJECT_IDS = [str(i) for i in range(7)]


@st.composite
def elections(draw: st.DrawFn) -> Election:
    costs = draw(st.lists(st.integers(0, 40), min_size=1, max_size=len(PROJECT_IDS)))
    ids = PROJECT_IDS[: len(costs)]
    ballots = draw(st.lists(st.sets(st.sampled_from(ids)), max_size=12))
    budget = draw(st.fractions(min_value=0, max_value=120, max_denominator=100))
    return Election(
        budget=budget,
        vote_type=VoteType.APPROVAL,
        projects=tuple(Project(pid, Fraction(c)) for pid, c in zip(ids, costs, strict=True)),
        ballots=tuple(Ballot(str(i), tuple(sorted(b))) for i, b in enumerate(ballots)),
    )


def unfunded_fitting(election: Election, chosen: Sequence[str], leftover: Fraction) -> list[str]:
    approved = {pid for ballot in election.ballots for pid in ballot.projects}
    return [
        p.id
        for p in election.projects
        if p.id in approved and p.id not in chosen and p.cost <= leftover
    ]


@settings(max_examples=150, deadline=None)
@given(elections(), st.sampled_from(list(Rule)), st.sampled_from(list(TieBreak)))
def test_never_over_budget_and_deterministic(
    election: Election, rule: Rule, tie_break: TieBreak
) -> None:
    first = tally(election, rule, tie_break=tie_break)
    assert first.total_cost <= election.budget
    assert first.total_cost == sum((election.project(p).cost for p in first.selected), Fraction(0))
    assert len(set(first.selected)) == len(first.selected)
    assert tally(election, rule, tie_break=tie_break) == first


@settings(max_examples=150, deadline=None)
@given(
    elections(),
    st.sampled_from([Rule.GREEDY, Rule.GREEDY_RATIO, Rule.MES_ADD1, Rule.MES_ADD1_FULL]),
)
def test_greedy_and_completed_mes_leave_no_fitting_project_unfunded(
    election: Election, rule: Rule
) -> None:
    outcome = tally(election, rule)
    assert unfunded_fitting(election, outcome.selected, outcome.leftover) == []


@settings(max_examples=100, deadline=None)
@given(elections(), st.integers(0, 100))
def test_min_support_only_funds_projects_above_the_threshold(
    election: Election, percent: int
) -> None:
    for rule in (Rule.GREEDY, Rule.MES_ADD1):
        outcome = tally(election, rule, min_support_percent=percent)
        for pid in outcome.selected:
            votes = sum(pid in b.projects for b in election.ballots)
            assert votes * 100 >= percent * len(election.ballots)


@settings(max_examples=100, deadline=None)
@given(elections())
def test_mes_never_funds_more_than_the_voters_shares_allow(election: Election) -> None:
    outcome = tally(election, Rule.MES)
    assert outcome.total_cost <= election.budget


@pytest.mark.parametrize("rule", list(Rule))
def test_rule_names_are_the_cli_names(rule: Rule) -> None:
    assert Rule(rule.value) is rule
