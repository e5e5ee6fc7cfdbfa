"""Why a project was not funded: one small election per reason, and a property that every
unfunded project gets a reason that agrees with the rule's outcome."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.pb import Rule, tally
from bot.domain.pb.reasons import NotFunded, Unfunded, why_unfunded
from tests.unit.domain.test_pb_rules import approval


def reasons(costs: dict[str, int], ballots: list[str], rule: Rule = Rule.GREEDY,
            budget: int = 10, **options: object) -> dict[str, NotFunded]:
    election = approval(budget, costs, ballots)
    outcome = tally(election, rule, **options)  # type: ignore[arg-type]
    return why_unfunded(election, outcome, **options)  # type: ignore[arg-type]


def test_greedy_skips_a_project_that_no_longer_fits_and_says_what_was_left() -> None:
    # b (4 votes) is funded first, a (3 votes) costs 6 with 5 left, c (2 votes) fits
    assert reasons({"a": 6, "b": 5, "c": 4}, ["abc", "ab", "a", "bc", "b"]) == {
        "a": NotFunded(Unfunded.DID_NOT_FIT, Fraction(5)),
    }


def test_a_project_nobody_chose_and_one_over_the_whole_budget() -> None:
    found = reasons({"a": 5, "b": 11, "c": 1}, ["ab", "a"])
    assert found == {"b": NotFunded(Unfunded.OVER_BUDGET), "c": NotFunded(Unfunded.NO_VOTES)}


def test_below_the_minimum_support() -> None:
    found = reasons({"a": 5, "b": 1}, ["a", "a", "a", "ab"], min_support_percent=30)
    assert found == {"b": NotFunded(Unfunded.LOW_SUPPORT)}


def test_a_tie_lost_on_cost_then_no_room() -> None:
    # a and b both have 2 votes; the cheaper b goes first, then a no longer fits
    found = reasons({"a": 7, "b": 6}, ["a", "a", "b", "b"], tie_break="cheapest")
    assert found == {"a": NotFunded(Unfunded.LOST_TIE, Fraction(4))}


def test_the_same_score_as_a_project_funded_later_is_no_lost_tie() -> None:
    # by number a comes first and does not fit; b, equally voted, fits after it
    found = reasons({"a": 11, "b": 6}, ["a", "a", "b", "b"], budget=10, tie_break="id")
    assert found == {"a": NotFunded(Unfunded.OVER_BUDGET)}
    found = reasons({"a": 7, "b": 6, "c": 4}, ["ac", "ac", "bc", "b"], tie_break="id")
    assert found["a"] == NotFunded(Unfunded.DID_NOT_FIT, Fraction(6))


def test_greedy_no_skip_stops_and_the_later_projects_never_had_a_turn() -> None:
    found = reasons({"a": 6, "b": 5, "c": 4}, ["abc", "ab", "a", "bc", "b"],
                    Rule.GREEDY_NO_SKIP)
    assert found == {"a": NotFunded(Unfunded.DID_NOT_FIT, Fraction(5)),
                     "c": NotFunded(Unfunded.STOPPED)}


def test_equal_shares_can_leave_a_fitting_project_to_its_supporters_shares() -> None:
    # 4 voters with 2.5 each: a's 3 supporters can pay 6, b's single supporter cannot pay 3
    found = reasons({"a": 6, "b": 3}, ["a", "a", "a", "b"], Rule.MES)
    assert found == {"b": NotFunded(Unfunded.SHARES)}


@pytest.mark.parametrize("rule", list(Rule))
@given(costs=st.lists(st.integers(1, 12), min_size=1, max_size=5),
       ballots=st.lists(st.sets(st.integers(0, 4), max_size=5), max_size=8))
def test_every_unfunded_project_has_a_reason_that_agrees_with_the_count(
    rule: Rule, costs: list[int], ballots: list[set[int]]
) -> None:
    ids = "abcde"[: len(costs)]
    election = approval(10, dict(zip(ids, costs, strict=True)),
                        ["".join(ids[i] for i in sorted(b) if i < len(ids)) for b in ballots])
    outcome = tally(election, rule)
    found = why_unfunded(election, outcome)
    assert set(found) == set(ids) - set(outcome.selected)
    for project_id, why in found.items():
        cost = dict(zip(ids, costs, strict=True))[project_id]
        if why.reason in (Unfunded.DID_NOT_FIT, Unfunded.LOST_TIE):
            assert why.left is not None and cost > why.left >= outcome.leftover
        if why.reason is Unfunded.SHARES:
            assert cost <= outcome.leftover
