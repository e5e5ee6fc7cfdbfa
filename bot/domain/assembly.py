"""The 주민총회, as pure rules: its agenda, its voting channels and their weights, and the
count that combines them.

A 동's assembly votes on agenda items (자치계획 items, 동 budget projects). Each voter picks
up to `picks` items, online in the chat or on paper at a polling place; a committee may
score the items too. The channels are combined in one of two ways seen in Korean practice:

- **points**: every vote (and committee point) counts its channel's weight, added up.
  은평 (2013) gave an online vote 5 and an on-site vote 10; 동작 (2018) added the
  committee's scores to the vote (every weight 1).
- **shares**: the residents' points (online and paper, each with its weight) and the
  committee's scores each become a share of their channel's total (in %), and the shares
  are weighed: 금천 (2019) weighed the resident vote and the committee 50/50.

Items rank by their total; ties go to more resident points, then to the earlier item. With
a budget, projects are chosen in rank order while the money lasts (one that does not fit
is skipped, the next may still fit); a project no one voted for is never funded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

MAX_ITEMS = 20  # the ballot's buttons, and a mask of chosen items in a callback
MAX_PLACES = 10
MAX_TITLE = 80
MAX_ITEM_TITLE = 60
MAX_PLACE_NAME = 40
MAX_WEIGHT = Decimal(1000)
MAX_SCORE = Decimal(100_000)
MAX_AMOUNT = 10**12
SHARE_SCALE = Decimal(100)
ROUND_TO = Decimal("0.01")


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    COMMITTEE = "committee"


class Method(StrEnum):
    POINTS = "points"
    SHARES = "shares"


class ItemKind(StrEnum):
    PLAN = "plan"  # 자치계획
    PROJECT = "project"  # 동 budget project


class AgendaError(ValueError):
    """A 주민총회 that cannot be held as written; the message says why, in Korean."""


@dataclass(frozen=True)
class Item:
    number: int
    kind: ItemKind
    title: str
    cost: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind.value, "title": self.title,
                "cost": self.cost}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Item:
        return cls(int(data["number"]), ItemKind(data["kind"]), str(data["title"]),
                   None if data.get("cost") is None else int(data["cost"]))


@dataclass(frozen=True)
class Weights:
    """How the channels combine. In `points`, each channel's weight multiplies its votes (or
    the committee's score). In `shares`, `online` and `paper` weigh a vote inside the
    residents' points, and `residents` and `committee` weigh the two shares."""

    method: Method = Method.POINTS
    online: Decimal | None = Decimal(1)
    paper: Decimal | None = Decimal(1)
    committee: Decimal | None = None
    residents: Decimal | None = None  # shares only

    @property
    def channels(self) -> tuple[Channel, ...]:
        present = {Channel.ONLINE: self.online, Channel.PAPER: self.paper,
                   Channel.COMMITTEE: self.committee}
        return tuple(channel for channel, weight in present.items() if weight is not None)

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method.value,
                **{name: None if value is None else str(value)
                   for name, value in (("online", self.online), ("paper", self.paper),
                                       ("committee", self.committee),
                                       ("residents", self.residents))}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Weights:
        def weight(name: str) -> Decimal | None:
            value = data.get(name)
            return None if value is None else Decimal(str(value))
        return cls(Method(data["method"]), weight("online"), weight("paper"),
                   weight("committee"), weight("residents"))


@dataclass(frozen=True)
class Agenda:
    """A 주민총회 as staff write it: `parse_agenda` reads it from the command's lines."""

    area: str
    title: str
    items: tuple[Item, ...]
    picks: int
    weights: Weights
    online_from: date | None = None
    online_until: date | None = None
    onsite_day: date | None = None
    places: tuple[str, ...] = ()
    budget: int | None = None


@dataclass(frozen=True)
class Tallies:
    """What the channels brought in: online votes per item, paper votes per polling place
    and item, the committee's score per item."""

    online: Mapping[int, int] = field(default_factory=dict)
    paper: Mapping[int, Mapping[int, int]] = field(default_factory=dict)  # place -> item -> n
    committee: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemResult:
    item: Item
    rank: int
    online: int
    paper: int
    paper_by_place: tuple[int, ...]
    committee: Decimal
    resident_points: Decimal
    total: Decimal
    chosen: bool

    def as_json(self) -> dict[str, Any]:
        return {**self.item.as_json(), "rank": self.rank, "online": self.online,
                "paper": self.paper, "paper_by_place": list(self.paper_by_place),
                "committee": str(self.committee),
                "resident_points": str(self.resident_points), "total": str(self.total),
                "chosen": self.chosen}


# ----- reading the agenda -------------------------------------------------------------------

KEYWORDS = {
    "온라인": "online", "online": "online",
    "현장": "onsite", "onsite": "onsite",
    "선택": "picks", "picks": "picks",
    "예산": "budget", "budget": "budget",
    "가중치": "weights", "weights": "weights",
    "비율": "shares", "shares": "shares",
    "안건": "item", "item": "item",
}
CHANNEL_WORDS = {"온라인": "online", "online": "online", "현장": "paper", "paper": "paper",
                 "onsite": "paper", "위원회": "committee", "committee": "committee",
                 "주민": "residents", "residents": "residents"}
KIND_WORDS = {"자치계획": ItemKind.PLAN, "plan": ItemKind.PLAN,
              "사업": ItemKind.PROJECT, "project": ItemKind.PROJECT}
USAGE_LINES = (
    "/assembly_new <동> <총회 이름>",
    "온라인 2027-03-02 2027-03-15",
    "현장 2027-03-20 신도림동주민센터, 신도림초등학교",
    "선택 3",
    "예산 30,000,000",
    "가중치 온라인 5 현장 10 (또는: 비율 주민 50 위원회 50)",
    "안건 자치계획 골목 화단 가꾸기",
    "안건 사업 어린이 놀이터 그늘막 12,000,000",
)


def parse_agenda(text: str, areas: Sequence[str], today: date) -> Agenda:
    """The assembly a `/assembly_new` message describes (its first line: the command, the
    동 and the name; then one setting a line), or AgendaError with the reason."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[0].split(maxsplit=2) if lines else []
    if len(head) < 3:
        raise AgendaError("첫 줄에 동과 총회 이름을 적어 주세요.")
    area, title = head[1], head[2].strip()
    if area not in areas:
        raise AgendaError(f"{area}이라는 동은 없어요. 다음 가운데 골라 주세요: "
                          f"{', '.join(areas)}")
    if len(title) > MAX_TITLE:
        raise AgendaError(f"총회 이름은 {MAX_TITLE}자까지 쓸 수 있어요.")
    settings: dict[str, list[list[str]]] = {}
    for line in lines[1:]:
        word, _, rest = line.partition(" ")
        key = KEYWORDS.get(word.lower())
        if key is None:
            raise AgendaError(f"알 수 없는 줄이에요: {line[:40]}")
        settings.setdefault(key, []).append(rest.split())
    return _agenda(area, title, settings, today)


def _agenda(area: str, title: str, settings: dict[str, list[list[str]]],
            today: date) -> Agenda:
    for key, values in settings.items():
        if key != "item" and len(values) > 1:
            raise AgendaError(f"'{_word_of(key)}' 줄은 한 번만 쓸 수 있어요.")
    online = _online_days(settings.get("online"), today)
    onsite_day, places = _onsite(settings.get("onsite"), today)
    if online is None and onsite_day is None:
        raise AgendaError("투표 방법이 없어요: '온라인' 줄이나 '현장' 줄을 써 주세요.")
    items = _items(settings.get("item", []))
    picks = _picks(settings.get("picks"), len(items))
    budget = _amount_line(settings.get("budget"), "예산")
    if budget is not None and not any(i.kind is ItemKind.PROJECT for i in items):
        raise AgendaError("예산을 정했으면 '안건 사업' 줄로 사업을 하나 이상 올려 주세요.")
    weights = _weights(settings.get("weights"), settings.get("shares"),
                       online=online is not None, paper=onsite_day is not None)
    return Agenda(area, title, items, picks, weights,
                  online[0] if online else None, online[1] if online else None,
                  onsite_day, places, budget)


def _word_of(key: str) -> str:
    return next(word for word, value in KEYWORDS.items() if value == key)


def _day(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise AgendaError(f"날짜는 2027-03-02처럼 써 주세요: {word[:20]}") from None


def _online_days(lines: list[list[str]] | None, today: date) -> tuple[date, date] | None:
    if not lines:
        return None
    words = lines[0]
    if len(words) != 2:
        raise AgendaError("'온라인' 줄에는 첫날과 마지막 날을 써 주세요: "
                          "온라인 2027-03-02 2027-03-15")
    first, last = _day(words[0]), _day(words[1])
    if last < first:
        raise AgendaError("온라인 투표의 마지막 날이 첫날보다 앞서요.")
    if last < today:
        raise AgendaError("온라인 투표의 마지막 날이 이미 지났어요.")
    return first, last


def _onsite(lines: list[list[str]] | None, today: date) -> tuple[date | None, tuple[str, ...]]:
    if not lines:
        return None, ()
    words = lines[0]
    if len(words) < 2:
        raise AgendaError("'현장' 줄에는 날짜와 투표소를 써 주세요: "
                          "현장 2027-03-20 신도림동주민센터")
    day = _day(words[0])
    if day < today:
        raise AgendaError("현장 투표일이 이미 지났어요.")
    places = tuple(p.strip() for p in " ".join(words[1:]).split(",") if p.strip())
    if len(places) > MAX_PLACES or len(set(places)) != len(places):
        raise AgendaError(f"투표소는 서로 다른 이름으로 {MAX_PLACES}곳까지 쓸 수 있어요.")
    if any(len(p) > MAX_PLACE_NAME for p in places):
        raise AgendaError(f"투표소 이름은 {MAX_PLACE_NAME}자까지 쓸 수 있어요.")
    return day, places


def _items(lines: list[list[str]]) -> tuple[Item, ...]:
    if not lines:
        raise AgendaError("안건이 없어요: '안건 자치계획 <내용>'이나 '안건 사업 <내용> <금액>' "
                          "줄을 써 주세요.")
    if len(lines) > MAX_ITEMS:
        raise AgendaError(f"안건은 {MAX_ITEMS}개까지 올릴 수 있어요.")
    return tuple(_item(number, words) for number, words in enumerate(lines, start=1))


def _item(number: int, words: list[str]) -> Item:
    kind = KIND_WORDS.get(words[0].lower()) if words else None
    if kind is None:
        raise AgendaError(f"{number}번 안건: '자치계획'인지 '사업'인지 먼저 써 주세요.")
    rest = words[1:]
    cost = None
    if kind is ItemKind.PROJECT:
        cost = parse_amount(rest[-1]) if rest else None
        if cost is None:
            raise AgendaError(f"{number}번 안건: 사업은 줄 끝에 금액을 써 주세요 "
                              f"(예: 12,000,000).")
        rest = rest[:-1]
    title = " ".join(rest)
    if not title or len(title) > MAX_ITEM_TITLE:
        raise AgendaError(f"{number}번 안건의 내용은 1자에서 {MAX_ITEM_TITLE}자까지 써 주세요.")
    return Item(number, kind, title, cost)


def parse_amount(word: str) -> int | None:
    """「12,000,000」 or 「12000000원」: whole won; None for anything else."""
    digits = word.removesuffix("원").replace(",", "")
    if not digits.isdecimal() or len(digits) > 13:
        return None
    amount = int(digits)
    return amount if 0 < amount <= MAX_AMOUNT else None


def _amount_line(lines: list[list[str]] | None, name: str) -> int | None:
    if not lines:
        return None
    amount = parse_amount("".join(lines[0])) if lines[0] else None
    if amount is None:
        raise AgendaError(f"'{name}' 줄에는 금액을 원 단위로 써 주세요 (예: 30,000,000).")
    return amount


def _picks(lines: list[list[str]] | None, items: int) -> int:
    if not lines:
        return 1
    words = lines[0]
    picks = int(words[0]) if len(words) == 1 and words[0].isdecimal() and len(words[0]) < 4 \
        else 0
    if not 1 <= picks <= items:
        raise AgendaError(f"'선택'은 한 사람이 고를 수 있는 안건 수예요: 1에서 {items}까지 "
                          f"써 주세요.")
    return picks


def parse_positive(word: str, *, limit: Decimal = MAX_WEIGHT) -> Decimal | None:
    """A positive number (「5」, 「0.5」) up to `limit`; None for anything else."""
    try:
        value = Decimal(word)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 < value <= limit else None


def _weight_pairs(words: list[str]) -> dict[str, Decimal]:
    if len(words) % 2:
        raise AgendaError("가중치는 '온라인 5 현장 10'처럼 방법과 숫자를 짝지어 써 주세요.")
    pairs: dict[str, Decimal] = {}
    for name, number in zip(words[::2], words[1::2], strict=True):
        channel = CHANNEL_WORDS.get(name.lower())
        if channel is None or channel in pairs:
            raise AgendaError(f"가중치의 '{name}'을 알 수 없거나 두 번 썼어요. "
                              f"온라인, 현장, 위원회, 주민 가운데 써 주세요.")
        weight = parse_positive(number)
        if weight is None:
            raise AgendaError(f"가중치는 0보다 크고 {MAX_WEIGHT}보다 작거나 같은 수여야 해요: "
                              f"{name} {number[:12]}")
        pairs[channel] = weight
    return pairs


def _weights(points: list[list[str]] | None, shares: list[list[str]] | None, *,
             online: bool, paper: bool) -> Weights:
    if points and shares:
        raise AgendaError("'가중치'와 '비율'은 함께 쓸 수 없어요: 하나만 골라 주세요.")
    given = _weight_pairs(points[0] if points else shares[0] if shares else [])
    if "residents" in given and not shares:
        raise AgendaError("'주민' 비율은 '비율' 줄에서만 써요: 비율 주민 50 위원회 50")
    for channel, present in (("online", online), ("paper", paper)):
        if channel in given and not present:
            raise AgendaError(f"'{_channel_word(channel)}' 투표가 없는데 그 가중치를 정했어요.")
    one = Decimal(1)
    on = given.get("online", one) if online else None
    off = given.get("paper", one) if paper else None
    if shares:
        if "committee" not in given or "residents" not in given:
            raise AgendaError("비율은 주민과 위원회를 함께 써 주세요: 비율 주민 50 위원회 50")
        return Weights(Method.SHARES, on, off, given["committee"], given["residents"])
    return Weights(Method.POINTS, on, off, given.get("committee"))


def _channel_word(channel: str) -> str:
    return {"online": "온라인", "paper": "현장", "committee": "위원회"}.get(channel, channel)


# ----- the count ------------------------------------------------------------------------------


def check_choice(chosen: Sequence[int], items: Sequence[Item], picks: int) -> bool:
    """A ballot names distinct items of the agenda, at least one and at most `picks`."""
    numbers = {item.number for item in items}
    return (0 < len(chosen) <= picks and len(set(chosen)) == len(chosen)
            and set(chosen) <= numbers)


def chosen_numbers(mask: int) -> tuple[int, ...]:
    """The items a ballot's bit mask names: bit n-1 set means item n is chosen."""
    return tuple(bit + 1 for bit in range(mask.bit_length()) if mask >> bit & 1)


def paper_problem(totals: Mapping[int, int], items: Sequence[Item], roll: int,
                  picks: int) -> str | None:
    """Why a polling place's paper totals cannot be right (an item it does not have, more
    votes for an item than people checked in, more votes than the ballots could hold), in
    Korean; None when they can."""
    numbers = {item.number for item in items}
    unknown = sorted(set(totals) - numbers)
    if unknown:
        return f"없는 안건 번호예요: {', '.join(map(str, unknown))}"
    missing = sorted(numbers - set(totals))
    if missing:
        return (f"집계표의 모든 안건을 써 주세요(표가 없으면 0). 빠진 안건: "
                f"{', '.join(map(str, missing))}")
    over = [n for n, votes in sorted(totals.items()) if votes > roll]
    if over:
        return (f"{over[0]}번 안건 {totals[over[0]]:,}표가 이 투표소에서 명부를 확인한 "
                f"{roll:,}명보다 많아요.")
    if sum(totals.values()) > roll * picks:
        return (f"표의 합 {sum(totals.values()):,}표가 확인한 {roll:,}명이 낼 수 있는 "
                f"{roll * picks:,}표보다 많아요.")
    return None


def count(items: Sequence[Item], weights: Weights, tallies: Tallies,
          places: int, budget: int | None = None) -> tuple[ItemResult, ...]:
    """Every item's result, in rank order (see the module's doc for the rules)."""
    resident = {i.number: _resident_points(i.number, weights, tallies) for i in items}
    committee = {i.number: tallies.committee.get(i.number, Decimal(0)) for i in items}
    totals = _totals(resident, committee, weights)
    # rounded before ranking: shares carry division's last digits, and a tie must stay one
    order = sorted(items, key=lambda i: (-_rounded(totals[i.number]), -resident[i.number],
                                         i.number))
    chosen = _chosen(order, resident, budget)
    return tuple(
        ItemResult(item, rank, tallies.online.get(item.number, 0),
                   sum(tallies.paper.get(p, {}).get(item.number, 0) for p in range(places)),
                   tuple(tallies.paper.get(p, {}).get(item.number, 0) for p in range(places)),
                   committee[item.number], _rounded(resident[item.number]),
                   _rounded(totals[item.number]),
                   item.number in chosen)
        for rank, item in enumerate(order, start=1))


def _resident_points(number: int, weights: Weights, tallies: Tallies) -> Decimal:
    online = Decimal(tallies.online.get(number, 0)) * (weights.online or 0)
    paper = sum((Decimal(votes.get(number, 0)) for votes in tallies.paper.values()),
                Decimal(0)) * (weights.paper or 0)
    return online + paper


def _totals(resident: Mapping[int, Decimal], committee: Mapping[int, Decimal],
            weights: Weights) -> dict[int, Decimal]:
    on_committee = weights.committee or Decimal(0)
    if weights.method is Method.SHARES:
        residents, scores = _shares(resident), _shares(committee)
        return {n: ((weights.residents or 0) * residents[n] + on_committee * scores[n])
                / SHARE_SCALE for n in resident}
    return {n: resident[n] + on_committee * committee[n] for n in resident}


def _shares(values: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Each value as a percentage of their sum (all 0 when the sum is)."""
    whole = sum(values.values(), Decimal(0))
    return {n: (v * SHARE_SCALE / whole if whole else Decimal(0)) for n, v in values.items()}


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(ROUND_TO)


def _chosen(order: Sequence[Item], resident: Mapping[int, Decimal],
            budget: int | None) -> set[int]:
    """The projects funded: with a budget, in rank order while the money lasts, a project
    no resident voted for never (committee points alone do not fund it). Without a budget,
    and for 자치계획 items, the rank is the result."""
    if budget is None:
        return set()
    left, chosen = budget, set()
    for item in order:
        fits = item.cost is not None and item.cost <= left
        if item.kind is ItemKind.PROJECT and fits and resident[item.number] > 0:
            chosen.add(item.number)
            left -= item.cost or 0
    return chosen


def parse_tally(lines: Sequence[str], *, scores: bool) -> dict[int, Decimal]:
    """Staff's totals, one item a line: 「1 120」, 「2번 85표」, 「3: 72.5점」. Votes are whole
    numbers from 0; scores may have decimals. AgendaError says which line is wrong."""
    totals: dict[int, Decimal] = {}
    for line in (line.strip() for line in lines):
        if not line:
            continue
        words = line.replace(":", " ").replace("번", " ").split()
        number = int(words[0]) if words and words[0].isdecimal() and len(words[0]) < 4 else None
        value = _tally_value(words[1].removesuffix("표").removesuffix("점"), scores) \
            if len(words) == 2 else None
        if number is None or value is None:
            what = "점수" if scores else "표 수"
            raise AgendaError(f"'안건 번호 {what}'로 써 주세요: {line[:40]}")
        if number in totals:
            raise AgendaError(f"{number}번 안건을 두 번 썼어요.")
        totals[number] = value
    if not totals:
        raise AgendaError("안건마다 한 줄씩 번호와 수를 써 주세요.")
    return totals


def _tally_value(word: str, scores: bool) -> Decimal | None:
    if not scores:
        digits = word.replace(",", "")
        return Decimal(int(digits)) if digits.isdecimal() and len(digits) <= 9 else None
    if word == "0":
        return Decimal(0)
    return parse_positive(word, limit=MAX_SCORE)
