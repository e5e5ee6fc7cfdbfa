"""The staff's proposal lists in /admin: which proposals, in what order, which page.

A list is a `ListQuery`; its `code()` is one short token that goes into button data (at most
32 safe characters, so a button that carries it and a proposal number stays within
Telegram's 64 bytes): `s<status>`, `a<동 index>`, `c<분야 index>`, `o` (overdue), `w`
(waiting on the staff, longest first), `q` (the last keyword typed), `m` (selecting lines
for a bulk action), `S<sort>` and `p<page>`, joined by `-`. Parsing refuses anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.lifecycle import ProposalStatus

PAGE_SIZE = 10
STATUSES = tuple(ProposalStatus)
_TOKEN = re.compile(r"^(?:([sacpS])([a-z0-9]{1,3})|([owqm]))$")
MAX_PAGE = 999


class Sort(StrEnum):
    NEWEST = "n"
    ENDORSED = "e"  # most 공감 first
    OLDEST = "a"  # by age: the oldest first
    DEADLINE = "d"  # the nearest deadline first


# Statuses in which the staff owe the proposal something: a decision, a department, an answer.
WAITING = (ProposalStatus.PENDING_MODERATION, ProposalStatus.UNDER_REVIEW,
           ProposalStatus.AWAITING_ANSWER)


@dataclass(frozen=True)
class ListQuery:
    status: ProposalStatus | None = None
    area: int | None = None
    category: int | None = None
    overdue: bool = False
    waiting: bool = False
    keyword: bool = False
    selecting: bool = False
    sort: Sort = Sort.NEWEST
    page: int = 0

    def code(self) -> str:
        tokens = [f"s{STATUSES.index(self.status)}" if self.status is not None else "",
                  f"a{self.area}" if self.area is not None else "",
                  f"c{self.category}" if self.category is not None else "",
                  "o" if self.overdue else "", "w" if self.waiting else "",
                  "q" if self.keyword else "", "m" if self.selecting else "",
                  f"S{self.sort.value}" if self.sort is not Sort.NEWEST else "",
                  f"p{self.page}"]
        return "-".join(token for token in tokens if token)

    def at(self, page: int) -> ListQuery:
        return replace(self, page=page)

    def choosing(self, on: bool) -> ListQuery:
        """The same page, with lines selectable for a bulk action (or not)."""
        return replace(self, selecting=on)

    def but(self, **changes: object) -> ListQuery:
        """The same list with other filters or order, from its first page."""
        return replace(self, page=0, **changes)  # type: ignore[arg-type]

    @property
    def bulk_actions(self) -> tuple[str, ...]:
        """What may be done to several lines of this list at once."""
        if self.status is ProposalStatus.PENDING_MODERATION:
            return ("approve", "reject")
        if self.status is ProposalStatus.UNDER_REVIEW:
            return ("assign",)
        return ()


def parse_query(code: str) -> ListQuery | None:
    """The list a button's code names; None when it is not one this module wrote."""
    fields: dict[str, object] = {}
    for token in code.split("-"):
        found = _TOKEN.match(token)
        if found is None:
            return None
        flag, letter, value = found.group(3), found.group(1), found.group(2)
        if flag is not None:
            fields[_FLAGS[flag]] = True
        elif not _read(letter, value, fields):
            return None
    return ListQuery(**fields)  # type: ignore[arg-type]


_FLAGS = {"o": "overdue", "w": "waiting", "q": "keyword", "m": "selecting"}


def _read(letter: str, value: str, fields: dict[str, object]) -> bool:
    if letter == "S":
        if value not in Sort._value2member_map_:
            return False
        fields["sort"] = Sort(value)
        return True
    if not value.isdigit():
        return False
    number = int(value)
    if letter == "s":
        if number >= len(STATUSES):
            return False
        fields["status"] = STATUSES[number]
        return True
    fields[{"a": "area", "c": "category", "p": "page"}[letter]] = number
    return number <= MAX_PAGE


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def page_jumps(page: int, pages: int) -> list[int]:
    """The pages offered as buttons (0-based): the first, the last, and the two on either
    side of the current one; 40 pages from page 4 read 1 … 3 4 5 … 40."""
    shown = {0, pages - 1, *range(page - 1, page + 2)}
    return sorted(p for p in shown if 0 <= p < pages)


def typed_page(text: str, pages: int) -> int | None:
    """A typed page number (1-based, digits of either width) as a 0-based page, or None."""
    digits = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    digits = digits.removesuffix("쪽").strip()
    if not digits.isdigit():
        return None
    number = int(digits)
    return number - 1 if 1 <= number <= pages else None


def typed_number(text: str) -> int | None:
    """A proposal number as staff type it: 「12」 or 「#12」."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None
