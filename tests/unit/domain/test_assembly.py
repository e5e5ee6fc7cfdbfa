"""The 주민총회's pure rules: reading the agenda staff write, refusing what cannot be held,
and the count that combines online, paper and committee votes as 은평, 동작 and 금천 did."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.assembly import (
    AgendaError,
    Item,
    ItemKind,
    Method,
    Tallies,
    Weights,
    check_choice,
    count,
    paper_problem,
    parse_agenda,
    parse_tally,
)
from bot.domain.text import phone_hash

AREAS = ("신도림동", "구로1동")
TODAY = date(2027, 3, 1)
FULL = """/assembly_new 신도림동 2027 신도림동 주민총회
온라인 2027-03-02 2027-03-15
현장 2027-03-20 신도림동주민센터, 신도림초등학교
선택 2
예산 30,000,000
가중치 온라인 5 현장 10 위원회 1
안건 자치계획 골목 화단 가꾸기
안건 사업 어린이 놀이터 그늘막 12,000,000
안건 사업 경로당 안마의자 20000000원"""


def agenda_with(*lines: str) -> str:
    return "\n".join(["/assembly_new 신도림동 총회", *lines])


def test_a_whole_agenda_is_read() -> None:
    agenda = parse_agenda(FULL, AREAS, TODAY)
    assert (agenda.area, agenda.title, agenda.picks, agenda.budget) == (
        "신도림동", "2027 신도림동 주민총회", 2, 30_000_000)
    assert agenda.items == (
        Item(1, ItemKind.PLAN, "골목 화단 가꾸기"),
        Item(2, ItemKind.PROJECT, "어린이 놀이터 그늘막", 12_000_000),
        Item(3, ItemKind.PROJECT, "경로당 안마의자", 20_000_000))
    assert (agenda.online_from, agenda.online_until, agenda.onsite_day) == (
        date(2027, 3, 2), date(2027, 3, 15), date(2027, 3, 20))
    assert agenda.places == ("신도림동주민센터", "신도림초등학교")
    assert agenda.weights == Weights(Method.POINTS, Decimal(5), Decimal(10), Decimal(1))


def test_shares_name_the_residents_and_the_committee() -> None:
    agenda = parse_agenda(agenda_with("온라인 2027-03-02 2027-03-15", "비율 주민 50 위원회 50",
                                      "안건 자치계획 하나", "안건 자치계획 둘"), AREAS, TODAY)
    assert agenda.weights == Weights(Method.SHARES, Decimal(1), None, Decimal(50), Decimal(50))
    assert agenda.picks == 1  # one pick when staff do not say


@pytest.mark.parametrize(("lines", "reason"), [
    (("안건 자치계획 하나",), "투표 방법이 없어요"),
    (("온라인 2027-03-02 2027-03-15",), "안건이 없어요"),
    (("온라인 2027-03-15 2027-03-02", "안건 자치계획 하나"), "첫날보다 앞서요"),
    (("온라인 2027-02-01 2027-02-28", "안건 자치계획 하나"), "이미 지났어요"),
    (("온라인 2027-3-2 2027-03-15", "안건 자치계획 하나"), "2027-03-02처럼"),
    (("현장 2027-02-20 주민센터", "안건 자치계획 하나"), "현장 투표일이 이미 지났어요"),
    (("현장 2027-03-20 센터, 센터", "안건 자치계획 하나"), "서로 다른 이름으로"),
    (("현장 2027-03-20 센터", "가중치 온라인 0 현장 1", "안건 자치계획 하나"), "0보다 크고"),
    (("현장 2027-03-20 센터", "가중치 현장 -3", "안건 자치계획 하나"), "0보다 크고"),
    (("현장 2027-03-20 센터", "가중치 현장 NaN", "안건 자치계획 하나"), "0보다 크고"),
    (("현장 2027-03-20 센터", "가중치 온라인 5", "안건 자치계획 하나"), "'온라인' 투표가 없는데"),
    (("현장 2027-03-20 센터", "가중치 현장 1 현장 2", "안건 자치계획 하나"), "두 번 썼어요"),
    (("현장 2027-03-20 센터", "비율 주민 50", "안건 자치계획 하나"), "함께 써 주세요"),
    (("현장 2027-03-20 센터", "가중치 현장 1", "비율 주민 1 위원회 1", "안건 자치계획 하나"),
     "함께 쓸 수 없어요"),
    (("현장 2027-03-20 센터", "선택 2", "안건 자치계획 하나"), "1에서 1까지"),
    (("현장 2027-03-20 센터", "안건 사업 그늘막"), "금액을"),
    (("현장 2027-03-20 센터", "안건 회의 그늘막"), "'자치계획'인지 '사업'인지"),
    (("현장 2027-03-20 센터", "예산 3천만", "안건 사업 그늘막 100"), "원 단위로"),
    (("현장 2027-03-20 센터", "예산 100", "안건 자치계획 하나"), "사업을 하나 이상"),
    (("현장 2027-03-20 센터", "선택 1", "선택 2", "안건 자치계획 하나"), "한 번만"),
    (("현장 2027-03-20 센터", "날짜 2027-03-20", "안건 자치계획 하나"), "알 수 없는 줄"),
    (("현장 2027-03-20 센터", *[f"안건 자치계획 {n}" for n in range(21)]), "20개까지"),
    (("현장 2027-03-20 센터", "안건 자치계획 " + "가" * 61), "60자까지"),
])
def test_what_cannot_be_held_is_refused_with_the_reason(lines: tuple[str, ...],
                                                         reason: str) -> None:
    with pytest.raises(AgendaError, match=reason):
        parse_agenda(agenda_with(*lines), AREAS, TODAY)


def test_an_unknown_area_is_refused_with_the_areas() -> None:
    with pytest.raises(AgendaError, match="다음 가운데 골라 주세요: 신도림동, 구로1동"):
        parse_agenda("/assembly_new 역삼동 총회\n현장 2027-03-20 센터\n안건 자치계획 하나",
                     AREAS, TODAY)
    with pytest.raises(AgendaError, match="동과 총회 이름"):
        parse_agenda("/assembly_new 신도림동", AREAS, TODAY)


ITEMS = (Item(1, ItemKind.PLAN, "화단"), Item(2, ItemKind.PROJECT, "그늘막", 12_000_000),
         Item(3, ItemKind.PROJECT, "안마의자", 20_000_000))


def totals_by_item(results: tuple) -> dict[int, Decimal]:
    return {r.item.number: r.total for r in results}


def test_eunpyeong_weighs_an_on_site_vote_twice_an_online_one() -> None:
    """은평 (2013): 5 points an online vote, 10 an on-site vote."""
    tallies = Tallies(online={1: 40, 2: 10, 3: 30}, paper={0: {1: 5, 2: 30}, 1: {3: 2}})
    results = count(ITEMS, Weights(Method.POINTS, Decimal(5), Decimal(10)), tallies, 2)
    assert totals_by_item(results) == {1: Decimal(250), 2: Decimal(350), 3: Decimal(170)}
    assert [r.item.number for r in results] == [2, 1, 3]
    assert results[0].paper_by_place == (30, 0) and results[2].paper_by_place == (0, 2)
    assert not any(r.chosen for r in results)  # no budget: the ranking is the result


def test_dongjak_adds_the_committee_scores_to_the_vote() -> None:
    """동작 (2018): the committee's scores added to the votes, every weight 1."""
    tallies = Tallies(online={1: 10, 2: 20, 3: 5}, paper={0: {1: 3}},
                      committee={1: Decimal("30.5"), 2: Decimal(0), 3: Decimal(40)})
    weights = Weights(Method.POINTS, Decimal(1), Decimal(1), Decimal(1))
    assert totals_by_item(count(ITEMS, weights, tallies, 1)) == {
        1: Decimal("43.50"), 2: Decimal("20.00"), 3: Decimal("45.00")}


def test_geumcheon_weighs_residents_and_committee_half_and_half() -> None:
    """금천 (2019): each side's share of its own total, weighed 50/50."""
    tallies = Tallies(online={1: 60, 2: 40}, paper={0: {1: 0, 2: 100}},
                      committee={1: Decimal(90), 2: Decimal(10), 3: Decimal(0)})
    weights = Weights(Method.SHARES, Decimal(1), Decimal(1), Decimal(50), Decimal(50))
    results = count(ITEMS, weights, tallies, 1)
    # residents: 60, 140, 0 of 200 -> 30 %, 70 %, 0 %; committee: 90 %, 10 %, 0 %
    assert totals_by_item(results) == {1: Decimal("60.00"), 2: Decimal("40.00"),
                                       3: Decimal("0.00")}
    assert sum(r.total for r in results) == Decimal(100)


def test_a_budget_funds_projects_in_rank_order_while_the_money_lasts() -> None:
    items = (*ITEMS, Item(4, ItemKind.PROJECT, "벤치", 5_000_000),
             Item(5, ItemKind.PROJECT, "조명", 1_000_000))
    tallies = Tallies(online={1: 99, 2: 50, 3: 40, 4: 30})  # 조명: no vote at all
    results = count(items, Weights(), tallies, 0, budget=30_000_000)
    chosen = [r.item.number for r in results if r.chosen]
    assert chosen == [2, 4]  # 그늘막 12M, 안마의자 20M does not fit, 벤치 5M does
    assert not next(r for r in results if r.item.number == 1).chosen  # a plan item


def test_ties_go_to_more_resident_points_then_to_the_earlier_item() -> None:
    tallies = Tallies(online={1: 10, 2: 10, 3: 5}, committee={3: Decimal(5)})
    results = count(ITEMS, Weights(Method.POINTS, Decimal(1), None, Decimal(1)), tallies, 0)
    assert [r.item.number for r in results] == [1, 2, 3]


def test_paper_totals_larger_than_the_roll_are_refused() -> None:
    assert paper_problem({1: 30, 2: 20, 3: 0}, ITEMS, roll=30, picks=2) is None
    assert "빠진 안건: 3" in (paper_problem({1: 30, 2: 20}, ITEMS, roll=30, picks=2) or "")
    assert "31표가 이 투표소에서 명부를 확인한 30명보다" in (
        paper_problem({1: 31, 2: 0, 3: 0}, ITEMS, roll=30, picks=2) or "")
    assert "61표가 확인한 30명이 낼 수 있는 60표보다" in (
        paper_problem({1: 30, 2: 30, 3: 1}, ITEMS, roll=30, picks=2) or "")
    assert "없는 안건 번호예요: 9" in (paper_problem({9: 1}, ITEMS, roll=30, picks=2) or "")


def test_a_ballot_names_distinct_items_within_the_picks() -> None:
    assert check_choice((1, 3), ITEMS, 2)
    assert not check_choice((), ITEMS, 2)
    assert not check_choice((1, 2, 3), ITEMS, 2)
    assert not check_choice((1, 1), ITEMS, 2)
    assert not check_choice((4,), ITEMS, 2)


def test_tally_lines_are_read_as_staff_type_them() -> None:
    assert parse_tally(["1 120", "2번 85표", "３: 1,024"], scores=False) == {
        1: Decimal(120), 2: Decimal(85), 3: Decimal(1024)}
    assert parse_tally(["1 72.5점", "2 0"], scores=True) == {1: Decimal("72.5"), 2: Decimal(0)}
    for bad in (["1 -3"], ["1 2.5"], ["하나 3"], ["1 2", "1 3"], [""]):
        with pytest.raises(AgendaError):
            parse_tally(bad, scores=False)


@given(online=st.lists(st.integers(0, 500), min_size=3, max_size=3),
       paper=st.lists(st.integers(0, 500), min_size=3, max_size=3),
       weights=st.tuples(st.integers(1, 20), st.integers(1, 20)))
def test_more_votes_never_lower_an_items_rank_points(online: list[int], paper: list[int],
                                                     weights: tuple[int, int]) -> None:
    """A vote more for an item raises its total by the channel's weight and leaves the
    others as they were; the ranking is a permutation of the agenda."""
    w = Weights(Method.POINTS, Decimal(weights[0]), Decimal(weights[1]))
    before = count(ITEMS, w, Tallies(dict(enumerate(online, 1)),
                                     {0: dict(enumerate(paper, 1))}), 1)
    more = dict(enumerate(online, 1)) | {2: online[1] + 1}
    after = count(ITEMS, w, Tallies(more, {0: dict(enumerate(paper, 1))}), 1)
    assert sorted(r.rank for r in after) == [1, 2, 3]
    assert totals_by_item(after)[2] - totals_by_item(before)[2] == Decimal(weights[0])
    assert {n: v for n, v in totals_by_item(after).items() if n != 2} == {
        n: v for n, v in totals_by_item(before).items() if n != 2}


def test_a_tie_in_shares_is_a_tie_despite_the_divisions_last_digits() -> None:
    """Items 2 and 3 both get (80 + 0) / 2.2 and (10 + 63.6…) / 2.2 = 36.36…: a tie that goes
    to the item with more resident votes, whatever digits the divisions leave."""
    tallies = Tallies(online={1: 2, 2: 8, 3: 1},
                      committee={1: Decimal(4), 2: Decimal(0), 3: Decimal(7)})
    weights = Weights(Method.SHARES, Decimal(1), None, Decimal(50), Decimal(50))
    results = count(ITEMS, weights, tallies, 0)
    assert results[0].total == results[1].total
    assert [r.item.number for r in results[:2]] == [2, 3]


def test_committee_points_alone_never_fund_a_project() -> None:
    tallies = Tallies(online={2: 3}, committee={1: Decimal(0), 2: Decimal(1), 3: Decimal(99)})
    weights = Weights(Method.SHARES, Decimal(1), None, Decimal(50), Decimal(50))
    results = count(ITEMS, weights, tallies, 0, budget=100_000_000)
    assert [r.item.number for r in results if r.chosen] == [2]


def test_full_width_digits_hash_as_the_phone_they_are() -> None:
    assert phone_hash("０１０－１２３４－５６７８", "k") == phone_hash("010-1234-5678", "k")
