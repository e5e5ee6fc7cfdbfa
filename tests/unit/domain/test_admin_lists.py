"""The staff's list codes (button data), page jumps and typed numbers: pure rules."""

from __future__ import annotations

import pytest

from bot.buttons import AdminBulk, AdminList, AdminProposal
from bot.domain.admin_lists import (
    ListQuery,
    Sort,
    page_count,
    page_jumps,
    parse_query,
    typed_number,
    typed_page,
)
from bot.domain.lifecycle import ProposalStatus

EVERYTHING = ListQuery(status=ProposalStatus.AWAITING_ANSWER, area=99, category=99, overdue=True,
                       waiting=True, keyword=True, selecting=True, sort=Sort.DEADLINE, page=999)


@pytest.mark.parametrize("query", [
    ListQuery(), EVERYTHING, ListQuery(status=ProposalStatus.PENDING_MODERATION, page=3),
    ListQuery(area=0, sort=Sort.ENDORSED), ListQuery(category=4, overdue=True),
])
def test_a_list_code_reads_back_as_the_same_list(query: ListQuery) -> None:
    assert parse_query(query.code()) == query


def test_the_default_list_is_page_zero_and_nothing_else() -> None:
    assert ListQuery().code() == "p0"


def test_the_longest_code_still_fits_every_button_in_64_bytes() -> None:
    code = EVERYTHING.code()
    assert len(code) <= 32
    for button in (AdminList("category", code), AdminProposal(99_999_999, "restore", 99, code),
                   AdminBulk("approve", 999_999, 1, code)):
        assert len(button.pack().encode()) <= 64
        assert type(button).parse(button.pack()) == button


@pytest.mark.parametrize("code", [
    "", "p", "px", "s99-p0", "Sz-p0", "p1000", "x-p0", "p0--o", "a-1", "p0:p1", "a1234",
    "s１",
])
def test_anything_else_is_refused(code: str) -> None:
    assert parse_query(code) is None


def test_changing_the_filters_or_order_goes_back_to_the_first_page() -> None:
    query = ListQuery(page=5)
    assert query.but(sort=Sort.OLDEST) == ListQuery(sort=Sort.OLDEST)
    assert query.at(2).page == 2 and query.choosing(True).page == 5


def test_bulk_actions_depend_on_the_status() -> None:
    assert ListQuery(status=ProposalStatus.PENDING_MODERATION).bulk_actions == (
        "approve", "reject")
    assert ListQuery(status=ProposalStatus.UNDER_REVIEW).bulk_actions == ("assign",)
    assert ListQuery().bulk_actions == ()


@pytest.mark.parametrize(("page", "pages", "jumps"), [
    (0, 1, [0]), (0, 40, [0, 1, 39]), (3, 40, [0, 2, 3, 4, 39]), (39, 40, [0, 38, 39]),
    (1, 3, [0, 1, 2]),
])
def test_page_jumps_show_the_ends_and_the_neighbours(page: int, pages: int,
                                                    jumps: list[int]) -> None:
    assert page_jumps(page, pages) == jumps


def test_page_count() -> None:
    assert [page_count(n) for n in (0, 1, 10, 11, 400)] == [1, 1, 1, 2, 40]


@pytest.mark.parametrize(("text", "page"), [
    ("4", 3), (" 40 ", 39), ("４", 3), ("4쪽", 3), ("0", None), ("41", None), ("넷", None),
    ("", None), ("-1", None),
])
def test_a_typed_page_number(text: str, page: int | None) -> None:
    assert typed_page(text, 40) == page


@pytest.mark.parametrize(("text", "number"), [
    ("12", 12), ("#12", 12), (" 7 ", 7), ("가로등", None), ("12 가로등", None),
    ("1234567890", None),
])
def test_a_typed_proposal_number(text: str, number: int | None) -> None:
    assert typed_number(text) == number
