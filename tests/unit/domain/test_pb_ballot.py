"""Ballot rules: eligibility, taps checked against the ballot type, the running summary, and
hypothesis properties (no sequence of accepted taps ever yields an invalid ballot)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pb.ballot import (
    Accepted,
    Action,
    BallotRules,
    BallotType,
    Eligibility,
    Ineligible,
    Refusal,
    RefusalReason,
    apply_tap,
    ballot_problem,
    ballot_version,
    eligibility_problem,
    is_eligible,
    is_open,
    summarize,
)

EOK = 100_000_000  # 1억 원
MAN = 10_000  # 1만 원
COSTS = {1: EOK, 2: 2_000 * MAN, 3: 15_000 * MAN, 4: 2 * EOK}
APPROVAL = BallotRules(BallotType.APPROVAL_BUDGET, budget=3 * EOK)
CHOOSE_2 = BallotRules(BallotType.CHOOSE_K, budget=3 * EOK, max_choices=2)
POINTS = BallotRules(BallotType.CUMULATIVE, budget=3 * EOK, points_total=5, points_per_project=3)


def tap(rules: BallotRules, choices: dict[int, int], pid: int, action: Action) -> dict[int, int]:
    result = apply_tap(rules, COSTS, choices, pid, action)
    assert isinstance(result, Accepted), result
    return result.choices


def test_the_enums_keep_the_values_stored_in_the_database() -> None:
    assert {e.value for e in BallotType} == {"approval_budget", "choose_k", "cumulative"}
    assert {e.value for e in Eligibility} == {"everyone", "contact", "verified"}


# ----- eligibility ----------------------------------------------------------------------------


def test_everyone_may_vote_without_contact_or_verification() -> None:
    assert is_eligible("everyone", has_contact=False, verified_area=None, round_area="역삼1동")


def test_contact_rounds_need_a_shared_phone_number() -> None:
    assert eligibility_problem(Eligibility.CONTACT, has_contact=False, verified_area="역삼1동",
                               round_area=None) is Ineligible.NEEDS_CONTACT
    assert is_eligible(Eligibility.CONTACT, has_contact=True, verified_area=None, round_area=None)


def test_verified_rounds_need_a_verified_resident_of_the_rounds_area() -> None:
    def problem(verified: str | None, area: str | None) -> Ineligible | None:
        return eligibility_problem("verified", has_contact=True, verified_area=verified,
                                   round_area=area)

    assert problem(None, None) is Ineligible.NEEDS_VERIFICATION
    assert problem("역삼1동", "역삼2동") is Ineligible.OTHER_AREA
    assert problem("역삼1동", "역삼1동") is None
    assert problem("역삼1동", None) is None  # a district-wide round: any verified resident


def test_voting_is_open_in_the_voting_phase_until_but_not_at_the_close() -> None:
    opens = datetime(2026, 11, 24, tzinfo=UTC)
    closes = opens + timedelta(days=3)
    assert is_open("voting", opens, closes, opens)
    assert not is_open("voting", opens, closes, closes)
    assert not is_open("voting", opens, closes, opens - timedelta(seconds=1))
    assert not is_open("counting", opens, closes, opens + timedelta(days=1))


# ----- approval within the budget -------------------------------------------------------------


def test_choices_within_the_budget_are_accepted_and_summarised() -> None:
    choices = tap(APPROVAL, {}, 1, Action.TOGGLE)
    choices = tap(APPROVAL, choices, 2, Action.TOGGLE)
    assert choices == {1: 1, 2: 1}
    summary = summarize(APPROVAL, COSTS, choices)
    assert (summary.count, summary.total_cost, summary.remaining_budget) == (
        2, 12_000 * MAN, 18_000 * MAN)


def test_a_choice_over_the_budget_is_refused_with_the_excess() -> None:
    choices = {1: 1, 3: 1}  # 2억 5,000만 of 3억
    assert apply_tap(APPROVAL, COSTS, choices, 4, Action.TOGGLE) == Refusal(
        RefusalReason.OVER_BUDGET, over_by=15_000 * MAN, limit=3 * EOK)


def test_exactly_the_budget_is_allowed() -> None:
    assert tap(APPROVAL, {1: 1}, 4, Action.TOGGLE) == {1: 1, 4: 1}


def test_toggling_a_chosen_project_removes_it_even_when_the_rest_is_over() -> None:
    assert tap(APPROVAL, {1: 1, 4: 1}, 4, Action.TOGGLE) == {1: 1}


def test_point_buttons_and_unknown_projects_are_refused_on_an_approval_ballot() -> None:
    assert apply_tap(APPROVAL, COSTS, {}, 1, Action.ADD) == Refusal(RefusalReason.WRONG_ACTION)
    assert apply_tap(APPROVAL, COSTS, {}, 99, Action.TOGGLE) == Refusal(
        RefusalReason.UNKNOWN_PROJECT)


# ----- choose k -------------------------------------------------------------------------------


def test_choose_k_refuses_the_k_plus_first_choice() -> None:
    choices = tap(CHOOSE_2, tap(CHOOSE_2, {}, 1, Action.TOGGLE), 4, Action.TOGGLE)
    assert apply_tap(CHOOSE_2, COSTS, choices, 3, Action.TOGGLE) == Refusal(
        RefusalReason.TOO_MANY_CHOICES, over_by=1, limit=2)
    assert summarize(CHOOSE_2, COSTS, choices).count == 2


# ----- cumulative -----------------------------------------------------------------------------


def test_cumulative_points_respect_the_per_project_and_total_limits() -> None:
    choices: dict[int, int] = {}
    for _ in range(3):
        choices = tap(POINTS, choices, 1, Action.ADD)
    assert apply_tap(POINTS, COSTS, choices, 1, Action.ADD) == Refusal(
        RefusalReason.TOO_MANY_ON_ONE, over_by=1, limit=3)
    choices = tap(POINTS, tap(POINTS, choices, 2, Action.ADD), 2, Action.ADD)
    assert apply_tap(POINTS, COSTS, choices, 3, Action.ADD) == Refusal(
        RefusalReason.TOO_MANY_POINTS, over_by=1, limit=5)
    summary = summarize(POINTS, COSTS, choices)
    assert (summary.points_used, summary.remaining_points) == (5, 0)


def test_removing_the_last_point_drops_the_project_and_removing_nothing_is_harmless() -> None:
    assert tap(POINTS, {1: 1}, 1, Action.REMOVE) == {}
    assert tap(POINTS, {}, 2, Action.REMOVE) == {}
    assert apply_tap(POINTS, COSTS, {}, 1, Action.TOGGLE) == Refusal(RefusalReason.WRONG_ACTION)


# ----- whole ballots and versions -------------------------------------------------------------


def test_a_forged_or_outdated_whole_ballot_is_found_invalid() -> None:
    assert ballot_problem(APPROVAL, COSTS, {1: 1, 3: 1, 4: 1}) == Refusal(
        RefusalReason.OVER_BUDGET, over_by=15_000 * MAN, limit=3 * EOK)
    assert ballot_problem(APPROVAL, COSTS, {1: 2}) == Refusal(RefusalReason.WRONG_ACTION)
    assert ballot_problem(POINTS, COSTS, {1: 0}) == Refusal(RefusalReason.WRONG_ACTION)
    assert ballot_problem(CHOOSE_2, COSTS, {7: 1}) == Refusal(RefusalReason.UNKNOWN_PROJECT)
    assert ballot_problem(APPROVAL, COSTS, {}) is None


def test_the_version_changes_with_the_phase_the_rules_and_the_project_list() -> None:
    base = ballot_version("voting", APPROVAL, COSTS)
    assert base == ballot_version("voting", APPROVAL, dict(reversed(COSTS.items())))
    assert base != ballot_version("counting", APPROVAL, COSTS)
    assert base != ballot_version("voting", CHOOSE_2, COSTS)
    assert base != ballot_version("voting", APPROVAL, COSTS | {5: MAN})
    assert base != ballot_version("voting", APPROVAL, COSTS | {1: EOK + 1})


# ----- properties -----------------------------------------------------------------------------

costs_strategy = st.dictionaries(
    st.integers(1, 40), st.integers(1, 5 * EOK), min_size=1, max_size=8)
rules_strategy = st.one_of(
    st.builds(BallotRules, st.just(BallotType.APPROVAL_BUDGET), st.integers(0, 10 * EOK)),
    st.builds(BallotRules, st.just(BallotType.CHOOSE_K), st.integers(0, 10 * EOK),
              st.integers(0, 5)),
    st.builds(BallotRules, st.just(BallotType.CUMULATIVE), st.integers(0, 10 * EOK),
              st.none(), st.integers(0, 12), st.integers(1, 6)),
)
taps_strategy = st.lists(
    st.tuples(st.integers(0, 45), st.sampled_from(list(Action))), max_size=40)


@settings(max_examples=300, deadline=None)
@given(rules=rules_strategy, costs=costs_strategy, taps=taps_strategy)
def test_accepted_taps_never_yield_an_invalid_ballot(
    rules: BallotRules, costs: dict[int, int], taps: list[tuple[int, Action]]
) -> None:
    choices: dict[int, int] = {}
    for project_id, action in taps:
        result = apply_tap(rules, costs, choices, project_id, action)
        if isinstance(result, Accepted):
            choices = result.choices
            assert ballot_problem(rules, costs, choices) is None
        summary = summarize(rules, costs, choices)
        if rules.ballot_type is BallotType.APPROVAL_BUDGET:
            assert summary.remaining_budget >= 0
        elif rules.ballot_type is BallotType.CUMULATIVE:
            assert summary.remaining_points >= 0


@settings(max_examples=200, deadline=None)
@given(rules=rules_strategy, costs=costs_strategy, taps=taps_strategy)
def test_a_refused_tap_names_a_real_excess_and_an_accepted_one_changes_one_project(
    rules: BallotRules, costs: dict[int, int], taps: list[tuple[int, Action]]
) -> None:
    choices: dict[int, int] = {}
    for project_id, action in taps:
        result = apply_tap(rules, costs, choices, project_id, action)
        if isinstance(result, Refusal):
            if result.reason in (RefusalReason.OVER_BUDGET, RefusalReason.TOO_MANY_CHOICES,
                                 RefusalReason.TOO_MANY_POINTS, RefusalReason.TOO_MANY_ON_ONE):
                assert result.over_by > 0
            continue
        changed = {pid for pid in set(choices) | set(result.choices)
                   if choices.get(pid) != result.choices.get(pid)}
        assert changed <= {project_id}
        choices = result.choices


@pytest.mark.parametrize("rules", [APPROVAL, CHOOSE_2, POINTS])
def test_summaries_use_exact_integers(rules: BallotRules) -> None:
    summary = summarize(rules, COSTS, {1: 1})
    assert all(type(value) is int for value in (summary.count, summary.total_cost,
                                                summary.points_used, summary.remaining_budget))
