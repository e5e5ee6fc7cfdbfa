"""The members' lottery as pure rules: quotas in seats, what the pool cannot meet, the seed
and what changes it, picking a panel, the reserves and filling a seat, the published record."""

from __future__ import annotations

import json

import pytest

from bot.domain.lottery import (
    Applicant,
    Comparison,
    Distribution,
    DrawInputs,
    LotteryError,
    LotteryRecord,
    Prepared,
    QuotaRule,
    commitment,
    conduct,
    derive_seed,
    discrepancies,
    next_reserve,
    normalised_randomness,
    pick_panel,
    reserve_order,
    rule_counts,
    strata,
    unmet_rules,
)

YOUNG = ("20대 이하", "30대", "40대")
FORTY_OR_UNDER = QuotaRule("age", YOUNG, Comparison.AT_LEAST, percent=15)
WOMEN_UNDER_60 = QuotaRule("sex", ("여",), Comparison.UNDER, percent=60)
MEN_UNDER_60 = QuotaRule("sex", ("남",), Comparison.UNDER, percent=60)
SECRET = bytes(range(32))


def person(number: str, age: str = "50대", sex: str = "여") -> Applicant:
    return Applicant(number, {"age": age, "sex": sex})


def inputs(pool: tuple[Applicant, ...], seats: int = 4, reserves: int = 2,
           rules: tuple[QuotaRule, ...] = (WOMEN_UNDER_60, MEN_UNDER_60)) -> DrawInputs:
    return DrawInputs(seats, reserves, "maximin", rules, pool)


def test_the_seoul_rules_in_seats_of_fifty() -> None:
    assert (FORTY_OR_UNDER.minimum(50), FORTY_OR_UNDER.maximum(50)) == (8, 50)  # 7.5 → 8
    assert (WOMEN_UNDER_60.minimum(50), WOMEN_UNDER_60.maximum(50)) == (0, 29)  # 30 is 60 %
    assert QuotaRule("sex", ("여",), Comparison.AT_MOST, percent=60).maximum(50) == 30
    assert QuotaRule("sex", ("여",), Comparison.UNDER, percent=59).maximum(50) == 29  # 29.5
    assert QuotaRule("tong", ("1",), Comparison.UNDER, count=5).maximum(50) == 4
    assert QuotaRule("tong", ("1",), Comparison.AT_LEAST, count=5).minimum(50) == 5


@pytest.mark.parametrize("bad", [
    {"count": 3, "percent": 10}, {}, {"count": -1}, {"percent": 101},
])
def test_a_rule_needs_one_sensible_bound(bad: dict[str, int]) -> None:
    with pytest.raises(LotteryError):
        QuotaRule("sex", ("여",), Comparison.AT_LEAST, **bad)


def test_inputs_refuse_a_number_twice_no_seats_and_an_unknown_method() -> None:
    with pytest.raises(LotteryError, match="두 번"):
        inputs((person("1"), person("1")))
    with pytest.raises(LotteryError):
        inputs((person("1"),), seats=0)
    with pytest.raises(LotteryError, match="추첨 방식"):
        DrawInputs(1, 0, "leximin", (), (person("1"),))


def test_what_the_pool_cannot_meet_is_named_rule_by_rule() -> None:
    pool = (person("1", "30대", "여"), person("2", sex="여"), person("3", sex="여"),
            person("4", sex="남"))
    young_half = QuotaRule("age", YOUNG, Comparison.AT_LEAST, count=2)
    unmet = unmet_rules(inputs(pool, seats=4, rules=(young_half, WOMEN_UNDER_60)))
    assert [(u.rule, u.needed, u.available) for u in unmet] == [
        (young_half, 2, 1),  # two under 50 wanted, one applied
        (WOMEN_UNDER_60, 2, 1),  # at most 2 women of 4: 2 men needed, 1 applied
    ]
    too_few = unmet_rules(inputs(pool, seats=5, rules=()))
    assert [(u.rule, u.needed, u.available) for u in too_few] == [(None, 5, 4)]
    assert unmet_rules(inputs(pool, seats=2)) == []


def test_each_rule_becomes_an_in_and_out_feature_for_the_library() -> None:
    pool = (person("1", "30대"), person("2"), person("3"))
    quotas, people = strata(inputs(pool, seats=2, rules=(FORTY_OR_UNDER,)))
    assert quotas == [("rule-0", "in", 1, 2), ("rule-0", "out", 0, 1)]
    assert people == [{"number": "1", "rule-0": "in"}, {"number": "2", "rule-0": "out"},
                      {"number": "3", "rule-0": "out"}]


def test_the_seed_changes_with_every_input_and_with_nothing_else() -> None:
    pool = (person("1"), person("2", sex="남"), person("3"))
    digest = inputs(pool).digest()
    seed = derive_seed(SECRET, "12 7 33", digest)
    assert seed == derive_seed(SECRET, "１２, 7  33", digest)  # the same numbers, typed otherwise
    assert seed != derive_seed(bytes(32), "12 7 33", digest)
    assert seed != derive_seed(SECRET, "12 7 34", digest)
    changed = (person("1"), person("2", sex="여"), person("3"))
    assert seed != derive_seed(SECRET, "12 7 33", inputs(changed).digest())
    assert seed != derive_seed(SECRET, "12 7 33", inputs(pool, reserves=1).digest())
    assert inputs(pool).digest() == inputs(tuple(reversed(pool))).digest()  # order of entry


def test_public_randomness_must_be_entered() -> None:
    with pytest.raises(LotteryError, match="공개 난수"):
        normalised_randomness(" ,  ")


def test_the_commitment_binds_the_secret_the_inputs_and_the_distribution() -> None:
    bound = commitment(SECRET, "a" * 64, "b" * 64)
    assert bound == commitment(bytes(range(32)), "a" * 64, "b" * 64) and len(bound) == 64
    assert bound != commitment(bytes(32), "a" * 64, "b" * 64)
    assert bound != commitment(SECRET, "c" * 64, "b" * 64)
    assert bound != commitment(SECRET, "a" * 64, "c" * 64)


def test_a_panel_is_picked_by_the_seed_in_proportion_to_its_probability() -> None:
    first, second = frozenset({"1", "2"}), frozenset({"1", "3"})
    distribution = Distribution((second, first), (0.75, 0.25))  # the order given is not used
    assert pick_panel(distribution, "3fff" + "f" * 60) == first  # below 0.25
    assert pick_panel(distribution, "4000" + "0" * 60) == second
    assert pick_panel(distribution, "f" * 64) == second


def test_reserves_come_in_the_order_of_the_seed() -> None:
    numbers = [str(n) for n in range(20)]
    order = reserve_order(numbers, "a" * 64)
    assert sorted(order) == sorted(numbers) and order == reserve_order(numbers[::-1], "a" * 64)
    assert order != reserve_order(numbers, "b" * 64)


def test_a_seat_goes_to_the_first_reserve_who_keeps_the_rules() -> None:
    pool = (person("1", sex="여"), person("2", sex="여"), person("3", sex="남"),
            person("4", sex="남"), person("5", sex="여"), person("6", sex="남"))
    draw = inputs(pool, seats=4)
    # "4" (a man) declined: a woman would make 3 of 4, over the rule; the next man fits
    assert next_reserve(draw, ["1", "2", "3"], ["5", "6"]) == "6"
    assert next_reserve(draw, ["1", "2", "3"], ["5"]) is None
    assert all(c.met for c in rule_counts(draw, ["1", "2", "3", "6"]))


def test_a_draw_that_breaks_a_rule_is_refused() -> None:
    pool = (person("1"), person("2"), person("3", sex="남"))
    all_women = Distribution((frozenset({"1", "2"}),), (1.0,))
    with pytest.raises(LotteryError, match="규칙"):
        conduct(inputs(pool, seats=2), SECRET, "1 2 3", all_women)


def test_the_record_reads_back_and_tells_what_was_changed() -> None:
    pool = (person("1"), person("2", sex="남"), person("3"), person("4", sex="남"))
    draw = inputs(pool, seats=2, reserves=1)
    distribution = Distribution((frozenset({"1", "2"}), frozenset({"3", "4"})), (0.5, 0.5))
    prepared = Prepared("동 주민자치회", draw, SECRET, distribution, "sortition-algorithms")
    record = prepared.draw("7 7 7")
    again = LotteryRecord.from_json(json.loads(json.dumps(record.as_json())))
    assert again.as_json() == record.as_json()
    assert discrepancies(again, record.result) == []
    other = conduct(draw, SECRET, "7 7 8", distribution)
    assert "the seed does not follow from the secret, randomness and inputs" in \
        discrepancies(again, other)
    forged = LotteryRecord.from_json({**record.as_json(), "secret": bytes(32).hex()})
    changed_odds = Distribution(distribution.panels, (0.9, 0.1))
    odds = LotteryRecord.from_json({**record.as_json(), "distribution": changed_odds.as_json()})
    one_less = inputs(pool[:3], seats=2, reserves=1)
    fewer = LotteryRecord.from_json({**record.as_json(), "inputs": one_less.as_json()})
    for tampered in (forged, odds, fewer):
        assert "the secret, the inputs or the distribution do not match the commitment " \
               "published before the draw" in discrepancies(tampered, record.result)
    with pytest.raises(LotteryError, match="형식"):
        LotteryRecord.from_json({**record.as_json(), "format": "other/1"})


def test_the_office_files_refuse_what_changed_after_the_announcement() -> None:
    pool = (person("1"), person("2", sex="남"), person("3"), person("4", sex="남"))
    distribution = Distribution((frozenset({"1", "2"}),), (1.0,))
    prepared = Prepared("동", inputs(pool, seats=2), SECRET, distribution, "test")
    announcement, kept = prepared.announcement(), prepared.kept()
    assert "secret" not in announcement and announcement["commitment"] == prepared.commitment
    assert Prepared.from_files(announcement, kept) == prepared
    odds = {**announcement, "distribution": Distribution(
        (frozenset({"3", "4"}),), (1.0,)).as_json()}
    with pytest.raises(LotteryError, match="바뀌었어요"):
        Prepared.from_files(odds, kept)
    with pytest.raises(LotteryError, match="약속"):
        Prepared.from_files(announcement, {**kept, "secret": bytes(32).hex()})
