"""The 주민자치회 members' lottery, as pure rules: quotas, a draw anyone can check, reserves.

Seoul's 주민자치회 seats about 50 residents per 동, drawn by lottery among those who completed
the 주민자치학교, under composition rules such as "40대 이하 15 % 이상" and "특정 성 60 % 미만".

- **Rules as data** (`QuotaRule`): a feature (age band, sex, 통), the categories it counts
  together, and a bound: at least, at most or under a count or a whole percent of the seats.
  A rule over several categories (40대 이하 = 20대 이하, 30대, 40대) becomes one feature of its
  own for the draw (`strata`), in or out, so the drawing library sees simple quotas.
- **Before the draw** (`unmet_rules`): which rule the completers cannot meet, said per rule.
- **Verifiable**: the system commits to a secret before the draw (`commitment`), people in
  the room produce public randomness, and the seed is derived from both and from the digest
  of every input (`derive_seed`): neither side alone chooses it, and changing any input
  changes it. The draw's distribution over panels comes from the library (maximin or nash,
  computed apart: `bot.lottery_draw`); `pick_panel` takes one panel from it with the seed,
  and `reserve_order` orders the others. Anyone with the published record re-runs it all
  (`python -m bot sortition verify`).
- **Filling a seat** (`next_reserve`): the first reserve in order whose joining keeps every
  rule met.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

FORMAT = "gonggam-lottery/1"
METHODS = ("maximin", "nash")  # what runs on the open HiGHS solver (leximin needs Gurobi)
IN, OUT = "in", "out"
_COMMIT_TAG = b"gonggam-lottery-commitment/1\x00"
_SEED_TAG = b"gonggam-lottery-seed/1\x00"
_PICK_DIGITS = 16  # hex digits of the seed read as the uniform number that picks the panel
SECRET_BYTES = 32


class LotteryError(ValueError):
    """Inputs that cannot make a lottery, said in Korean (the message) for the staff."""


class Comparison(StrEnum):
    AT_LEAST = "at_least"  # 이상
    AT_MOST = "at_most"  # 이하
    UNDER = "under"  # 미만


@dataclass(frozen=True)
class QuotaRule:
    """How many of the seats may or must go to applicants whose `feature` is in `categories`:
    `count` seats, or `percent` of the seats (rounded so that the rule holds: at least 15 %
    of 50 is 8, under 60 % of 50 is 29)."""

    feature: str
    categories: tuple[str, ...]
    comparison: Comparison
    count: int | None = None
    percent: int | None = None

    def __post_init__(self) -> None:
        if (self.count is None) == (self.percent is None):
            raise LotteryError("규칙에는 인원이나 비율 중 하나만 적어 주세요.")
        if not self.feature or not self.categories:
            raise LotteryError("규칙에는 항목과 범주가 있어야 해요.")
        if self.count is not None and self.count < 0:
            raise LotteryError("규칙의 인원은 0 이상이어야 해요.")
        if self.percent is not None and not 0 <= self.percent <= 100:
            raise LotteryError("규칙의 비율은 0에서 100 사이여야 해요.")

    def limit(self, seats: int) -> int:
        """The bound as a number of seats."""
        if self.count is not None:
            return self.count - 1 if self.comparison is Comparison.UNDER else self.count
        exact = Fraction(self.percent or 0, 100) * seats
        if self.comparison is Comparison.AT_LEAST:
            return math.ceil(exact)
        if self.comparison is Comparison.AT_MOST:
            return math.floor(exact)
        return math.ceil(exact) - 1

    def minimum(self, seats: int) -> int:
        return self.limit(seats) if self.comparison is Comparison.AT_LEAST else 0

    def maximum(self, seats: int) -> int:
        if self.comparison is Comparison.AT_LEAST:
            return seats
        return min(max(self.limit(seats), 0), seats)

    def covers(self, applicant: Applicant) -> bool:
        return applicant.features.get(self.feature) in self.categories

    def as_json(self) -> dict[str, Any]:
        return {"feature": self.feature, "categories": list(self.categories),
                "comparison": self.comparison.value, "count": self.count,
                "percent": self.percent}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuotaRule:
        return cls(str(data["feature"]), tuple(str(c) for c in data["categories"]),
                   Comparison(data["comparison"]), data.get("count"), data.get("percent"))


@dataclass(frozen=True)
class Applicant:
    """One completer in the draw: the public number on the application and the features the
    rules need (nothing else: no name, no contact)."""

    number: str
    features: Mapping[str, str] = field(hash=False)

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "features": dict(sorted(self.features.items()))}


@dataclass(frozen=True)
class Unmet:
    """A rule the pool cannot meet: what it needs and what there is."""

    rule: QuotaRule | None  # None: the pool is smaller than the seats
    needed: int
    available: int


@dataclass(frozen=True)
class DrawInputs:
    """Everything the draw depends on besides the two random values: published with the
    commitment before the draw, so nothing can be changed after it."""

    seats: int
    reserves: int
    method: str
    rules: tuple[QuotaRule, ...]
    pool: tuple[Applicant, ...]

    def __post_init__(self) -> None:
        if self.seats < 1 or self.reserves < 0:
            raise LotteryError("선발 인원은 1명 이상, 예비 인원은 0명 이상이어야 해요.")
        if self.method not in METHODS:
            raise LotteryError(f"추첨 방식은 {', '.join(METHODS)} 중 하나여야 해요.")
        numbers = [a.number for a in self.pool]
        if len(set(numbers)) != len(numbers):
            raise LotteryError("같은 신청 번호가 두 번 있어요.")

    def as_json(self) -> dict[str, Any]:
        return {"seats": self.seats, "reserves": self.reserves, "method": self.method,
                "rules": [r.as_json() for r in self.rules],
                "pool": [a.as_json() for a in sorted(self.pool, key=lambda a: a.number)]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrawInputs:
        return cls(int(data["seats"]), int(data["reserves"]), str(data["method"]),
                   tuple(QuotaRule.from_json(r) for r in data["rules"]),
                   tuple(Applicant(str(a["number"]), {str(k): str(v) for k, v in
                                                      a["features"].items()})
                         for a in data["pool"]))

    def digest(self) -> str:
        """SHA-256 of the inputs' canonical JSON: what the commitment is published with."""
        return hashlib.sha256(canonical_json(self.as_json()).encode()).hexdigest()


@dataclass(frozen=True)
class Distribution:
    """Panels (sets of applicant numbers) and the probability of each, as the library found
    them; the draw picks one with the seed."""

    panels: tuple[frozenset[str], ...]
    probabilities: tuple[float, ...]

    def as_json(self) -> dict[str, Any]:
        return {"panels": [sorted(p) for p in self.panels],
                "probabilities": list(self.probabilities)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Distribution:
        return cls(tuple(frozenset(str(n) for n in p) for p in data["panels"]),
                   tuple(float(x) for x in data["probabilities"]))

    def digest(self) -> str:
        """SHA-256 of the distribution's canonical JSON: bound by the commitment, so the
        panels and their probabilities cannot change once the room's randomness is known."""
        return hashlib.sha256(canonical_json(self.as_json()).encode()).hexdigest()

    def chance_of(self, number: str) -> float:
        """The probability that `number` is selected."""
        return sum(p for panel, p in zip(self.panels, self.probabilities, strict=True)
                   if number in panel)


@dataclass(frozen=True)
class RuleCount:
    rule: QuotaRule
    count: int
    minimum: int
    maximum: int

    @property
    def met(self) -> bool:
        return self.minimum <= self.count <= self.maximum


@dataclass(frozen=True)
class DrawResult:
    """The published outcome: the seed, the panel and the reserves in order, each
    applicant's chance and each rule's count."""

    seed: str
    selected: tuple[str, ...]
    reserves: tuple[str, ...]
    chances: Mapping[str, float]
    counts: tuple[RuleCount, ...]


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def commitment(secret: bytes, inputs_digest: str, distribution_digest: str) -> str:
    """What is published before the draw: the hash of the secret with the digests of the
    inputs and of the distribution. It binds all three: after the room's randomness is
    known, no one can change the secret, an applicant, a rule or a probability and still
    show a record that matches the announcement."""
    material = (_COMMIT_TAG + secret + b"\x00" + inputs_digest.encode() + b"\x00"
                + distribution_digest.encode())
    return hashlib.sha256(material).hexdigest()


def normalised_randomness(text: str) -> str:
    """The public randomness as entered in the room (numbers from a lottery machine, dice),
    with width, spacing and separators made uniform: 「１２, 7  33」 reads as 「12 7 33」."""
    folded = unicodedata.normalize("NFKC", text)
    words = "".join(ch if ch.isalnum() else " " for ch in folded).split()
    if not words:
        raise LotteryError("현장에서 뽑은 공개 난수를 입력해 주세요.")
    return " ".join(words)


def derive_seed(secret: bytes, public_randomness: str, inputs_digest: str) -> str:
    """The draw's seed: SHA-256 of the secret, the room's randomness and the inputs."""
    material = (_SEED_TAG + secret + b"\x00" + normalised_randomness(public_randomness).encode()
                + b"\x00" + inputs_digest.encode())
    return hashlib.sha256(material).hexdigest()


def strata(inputs: DrawInputs) -> tuple[list[tuple[str, str, int, int]], list[dict[str, str]]]:
    """The draw as the library sees it: per rule a feature `rule-<n>` with the values in and
    out and their minimum and maximum seats, and each applicant's values. A value with no
    applicant is left out (the library refuses an empty category; its bound is then met by
    `unmet_rules` or impossible)."""
    seats = inputs.seats
    quotas: list[tuple[str, str, int, int]] = []
    people = [{"number": a.number} for a in inputs.pool]
    for index, rule in enumerate(inputs.rules):
        name = f"rule-{index}"
        inside = [rule.covers(a) for a in inputs.pool]
        for row, is_in in zip(people, inside, strict=True):
            row[name] = IN if is_in else OUT
        if any(inside):
            quotas.append((name, IN, rule.minimum(seats), rule.maximum(seats)))
        if not all(inside):
            quotas.append((name, OUT, seats - rule.maximum(seats), seats - rule.minimum(seats)))
    if not inputs.rules:
        quotas.append(("all", IN, seats, seats))
        for row in people:
            row["all"] = IN
    return quotas, people


def unmet_rules(inputs: DrawInputs) -> list[Unmet]:
    """The rules the pool cannot meet, each on its own; empty when each can be (the library
    then tells whether they can all be met together)."""
    seats, pool = inputs.seats, inputs.pool
    unmet = [Unmet(None, seats, len(pool))] if len(pool) < seats else []
    for rule in inputs.rules:
        inside = sum(1 for a in pool if rule.covers(a))
        least, most = rule.minimum(seats), rule.maximum(seats)
        if least > min(inside, seats):
            unmet.append(Unmet(rule, least, inside))
        elif most < least or seats - most > len(pool) - inside:
            unmet.append(Unmet(rule, seats - most, len(pool) - inside))
    return unmet


def pick_panel(distribution: Distribution, seed: str) -> frozenset[str]:
    """One panel of the distribution, with the seed as the uniform number: panels in a fixed
    order (their sorted numbers), each taking its probability's share of [0, 1)."""
    if not distribution.panels:
        raise LotteryError("뽑을 수 있는 구성이 없어요.")
    ranked = sorted(zip(distribution.panels, distribution.probabilities, strict=True),
                    key=lambda pair: sorted(pair[0]))
    total = sum(p for _, p in ranked)
    point = Fraction(int(seed[:_PICK_DIGITS], 16), 16 ** _PICK_DIGITS) * Fraction(total)
    reached = Fraction(0)
    for panel, probability in ranked:
        reached += Fraction(probability)
        if point < reached:
            return panel
    return ranked[-1][0]


def reserve_order(numbers: Iterable[str], seed: str) -> list[str]:
    """The applicants not selected, in the order the seed gives them (a keyed hash each)."""
    return sorted(numbers, key=lambda n: hashlib.sha256(f"{seed}:{n}".encode()).hexdigest())


def rule_counts(inputs: DrawInputs, panel: Iterable[str]) -> tuple[RuleCount, ...]:
    members = set(panel)
    chosen = [a for a in inputs.pool if a.number in members]
    return tuple(RuleCount(rule, sum(1 for a in chosen if rule.covers(a)),
                           rule.minimum(inputs.seats), rule.maximum(inputs.seats))
                 for rule in inputs.rules)


def conduct(
    inputs: DrawInputs, secret: bytes, public_randomness: str, distribution: Distribution
) -> DrawResult:
    """The draw from its distribution: the seed, the panel, the reserves, chances, counts."""
    seed = derive_seed(secret, public_randomness, inputs.digest())
    panel = pick_panel(distribution, seed)
    others = reserve_order((a.number for a in inputs.pool if a.number not in panel), seed)
    counts = rule_counts(inputs, panel)
    if len(panel) != inputs.seats or not all(c.met for c in counts):
        raise LotteryError("추첨 결과가 규칙을 지키지 않아요.")
    return DrawResult(seed, tuple(sorted(panel)), tuple(others[: inputs.reserves]),
                      {a.number: distribution.chance_of(a.number) for a in inputs.pool},
                      counts)


def next_reserve(
    inputs: DrawInputs, members: Sequence[str], reserves: Sequence[str]
) -> str | None:
    """The first reserve who, joining `members` (the panel less the seat to fill), keeps every
    rule met; None when no reserve does."""
    for number in reserves:
        if all(c.met for c in rule_counts(inputs, [*members, number])):
            return number
    return None


@dataclass(frozen=True)
class LotteryRecord:
    """The published file of a draw: its inputs, the commitment published before it, the
    revealed secret, the room's randomness, the library that computed the distribution and
    the outcome. `python -m bot sortition verify` re-runs it from this alone."""

    title: str
    inputs: DrawInputs
    commitment: str
    secret: str  # hex
    public_randomness: str
    library: str
    result: DrawResult
    distribution: Distribution

    def as_json(self) -> dict[str, Any]:
        result = self.result
        return {
            "format": FORMAT, "title": self.title, "inputs": self.inputs.as_json(),
            "inputs_digest": self.inputs.digest(), "distribution": self.distribution.as_json(),
            "distribution_digest": self.distribution.digest(), "commitment": self.commitment,
            "secret": self.secret, "public_randomness": self.public_randomness,
            "library": self.library, "seed": result.seed, "selected": list(result.selected),
            "reserves": list(result.reserves),
            "chances": {n: round(c, 6) for n, c in sorted(result.chances.items())},
            "counts": [{"rule": c.rule.as_json(), "count": c.count, "minimum": c.minimum,
                        "maximum": c.maximum} for c in result.counts],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LotteryRecord:
        if data.get("format") != FORMAT:
            raise LotteryError(f"{FORMAT} 형식의 추첨 기록이 아니에요.")
        inputs = DrawInputs.from_json(data["inputs"])
        counts = tuple(RuleCount(QuotaRule.from_json(c["rule"]), int(c["count"]),
                                 int(c["minimum"]), int(c["maximum"])) for c in data["counts"])
        result = DrawResult(str(data["seed"]), tuple(data["selected"]), tuple(data["reserves"]),
                            {str(n): float(c) for n, c in data["chances"].items()}, counts)
        return cls(str(data.get("title", "")), inputs, str(data["commitment"]),
                   str(data["secret"]), str(data["public_randomness"]), str(data["library"]),
                   result, Distribution.from_json(data["distribution"]))


def discrepancies(record: LotteryRecord, redrawn: DrawResult) -> list[str]:
    """What in `record` does not follow from its own inputs (empty when it all does)."""
    problems = []
    secret = bytes.fromhex(record.secret)
    bound = commitment(secret, record.inputs.digest(), record.distribution.digest())
    if bound != record.commitment:
        problems.append("the secret, the inputs or the distribution do not match the "
                        "commitment published before the draw")
    if redrawn.seed != record.result.seed:
        problems.append("the seed does not follow from the secret, randomness and inputs")
    if redrawn.selected != record.result.selected:
        problems.append("the selected applicants differ")
    if redrawn.reserves != record.result.reserves:
        problems.append("the reserves or their order differ")
    return problems


ANNOUNCEMENT_FORMAT = "gonggam-lottery-announcement/1"
KEPT_FORMAT = "gonggam-lottery-secret/1"
COMPARISON_WORDS = {Comparison.AT_LEAST: "이상", Comparison.AT_MOST: "이하",
                    Comparison.UNDER: "미만"}


def describe_rule(rule: QuotaRule, feature_name: str | None = None) -> str:
    """「age 20대 이하·30대·40대 15% 이상」, or with `feature_name` for the feature's code
    (「연령대 …」)."""
    bound = f"{rule.count}명" if rule.count is not None else f"{rule.percent}%"
    return (f"{feature_name or rule.feature} {'·'.join(rule.categories)} {bound} "
            f"{COMPARISON_WORDS[rule.comparison]}")


def describe_unmet(unmet: Unmet) -> str:
    if unmet.rule is None:
        return f"선발 인원 {unmet.needed}명보다 신청자({unmet.available}명)가 적어요."
    if unmet.rule.comparison is Comparison.AT_LEAST:
        return (f"「{describe_rule(unmet.rule)}」: 해당하는 신청자가 {unmet.needed}명 "
                f"필요한데 {unmet.available}명이에요.")
    return (f"「{describe_rule(unmet.rule)}」: 나머지 자리를 채울 해당하지 않는 신청자가 "
            f"{unmet.needed}명 필요한데 {unmet.available}명이에요.")


@dataclass(frozen=True)
class Prepared:
    """A draw before it happens: what is published (the inputs, the commitment, each
    applicant's chance) and what the office keeps until the draw (the secret, and the
    distribution, so that the draw in the room takes no time)."""

    title: str
    inputs: DrawInputs
    secret: bytes
    distribution: Distribution
    library: str

    @property
    def commitment(self) -> str:
        return commitment(self.secret, self.inputs.digest(), self.distribution.digest())

    def announcement(self) -> dict[str, Any]:
        return {"format": ANNOUNCEMENT_FORMAT, "title": self.title,
                "inputs": self.inputs.as_json(), "inputs_digest": self.inputs.digest(),
                "distribution": self.distribution.as_json(),
                "distribution_digest": self.distribution.digest(),
                "commitment": self.commitment, "library": self.library,
                "chances": {a.number: round(self.distribution.chance_of(a.number), 6)
                            for a in sorted(self.inputs.pool, key=lambda a: a.number)}}

    def kept(self) -> dict[str, Any]:
        return {"format": KEPT_FORMAT, "secret": self.secret.hex(),
                "inputs_digest": self.inputs.digest(), "library": self.library,
                "distribution_digest": self.distribution.digest()}

    @classmethod
    def from_files(cls, announcement: Mapping[str, Any], kept: Mapping[str, Any]) -> Prepared:
        """Both files back, refused unless they belong together and are untouched."""
        if announcement.get("format") != ANNOUNCEMENT_FORMAT or kept.get("format") != KEPT_FORMAT:
            raise LotteryError("추첨 공고 파일과 비밀 값 파일을 확인해 주세요.")
        inputs = DrawInputs.from_json(announcement["inputs"])
        distribution = Distribution.from_json(announcement["distribution"])
        if inputs.digest() != kept["inputs_digest"] or (
                distribution.digest() != kept["distribution_digest"]):
            raise LotteryError("공고한 뒤에 신청자, 규칙이나 확률이 바뀌었어요.")
        prepared = cls(str(announcement.get("title", "")), inputs,
                       bytes.fromhex(str(kept["secret"])), distribution, str(kept["library"]))
        if prepared.commitment != announcement["commitment"]:
            raise LotteryError("비밀 값이 공고한 약속(커밋)과 맞지 않아요.")
        return prepared

    def draw(self, public_randomness: str) -> LotteryRecord:
        """The draw with the room's randomness, as it is published."""
        result = conduct(self.inputs, self.secret, public_randomness, self.distribution)
        return LotteryRecord(self.title, self.inputs, self.commitment, self.secret.hex(),
                             normalised_randomness(public_randomness), self.library, result,
                             self.distribution)
