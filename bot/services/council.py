"""The 주민자치회 members' recruitment: a 동's call, residents' applications, the completers.

Outcomes of `open_recruitment`: OPENED, UNKNOWN_AREA, BAD_SEATS, BAD_RESERVES, BAD_DAY,
ALREADY_OPEN (one call at a time per 동). Of `apply`: APPLIED, UPDATED (the same person again:
new answers, same number), NOT_VERIFIED, OTHER_AREA, CLOSED, BAD_CHOICE. Of `withdraw`:
WITHDRAWN, NOT_APPLIED, CLOSED. `record_completers` marks who completed the 주민자치학교
(only they enter the draw) and says which numbers it did not know; `completers` is their
table for the lottery (`python -m bot sortition prepare`).

Every press is re-checked here: the window, the resident's verified 동, the choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CouncilApplication, CouncilDraw, CouncilRecruitment, User
from bot.domain.council import (
    MAX_RESERVES,
    MAX_SEATS,
    SEOUL_QUOTAS,
    is_open,
    quotas_of,
    rules_problem,
)
from bot.domain.deadlines import end_of_day
from bot.domain.lottery import QuotaRule
from bot.services.audit import record_audit
from bot.services.sql import dialect_insert, rows_affected


class OpenOutcome(StrEnum):
    OPENED = "opened"
    UNKNOWN_AREA = "unknown_area"
    BAD_SEATS = "bad_seats"
    BAD_RESERVES = "bad_reserves"
    BAD_DAY = "bad_day"
    ALREADY_OPEN = "already_open"


class ApplyOutcome(StrEnum):
    APPLIED = "applied"
    UPDATED = "updated"
    NOT_VERIFIED = "not_verified"
    OTHER_AREA = "other_area"
    CLOSED = "closed"
    BAD_CHOICE = "bad_choice"


class RulesOutcome(StrEnum):
    SET = "set"
    NOT_FOUND = "not_found"
    PREPARED = "prepared"  # the draw is prepared: its rules are fixed
    UNSUITED = "unsuited"  # a feature the application does not ask, an unknown category


class WithdrawOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    NOT_APPLIED = "not_applied"
    CLOSED = "closed"


@dataclass(frozen=True)
class RecruitmentRequest:
    area: str
    seats: int
    reserves: int
    last_day: date  # applications until 24:00 of this day, local time


@dataclass(frozen=True)
class Recruitment:
    id: int
    area: str
    seats: int
    reserves: int
    closes_at: datetime
    rules: tuple[QuotaRule, ...] = SEOUL_QUOTAS


@dataclass(frozen=True)
class OpenResult:
    outcome: OpenOutcome
    recruitment: Recruitment | None = None


@dataclass(frozen=True)
class Application:
    number: int
    age_band: str
    sex: str
    withdrawn: bool
    outcome: str | None = None  # once drawn: `bot.domain.council.Outcome`
    reserve_rank: int | None = None


@dataclass(frozen=True)
class Standing:
    """What /council shows a resident: their verified 동, its open call and their application;
    with no call open, the last call they applied to (closed), so the number and the result
    stay at hand."""

    area: str | None
    recruitment: Recruitment | None
    application: Application | None
    open: bool = True


@dataclass(frozen=True)
class ApplyResult:
    outcome: ApplyOutcome
    recruitment: Recruitment | None = None
    number: int | None = None


@dataclass(frozen=True)
class CompletersResult:
    found: bool  # the recruitment exists
    recorded: int = 0
    unknown: tuple[int, ...] = ()  # numbers of no live application of this call
    prepared: bool = False  # the draw is prepared: its pool is fixed, nothing was recorded


async def open_recruitment(
    session: AsyncSession, request: RecruitmentRequest, *, areas: Sequence[str], tz: tzinfo,
    actor: str, now: datetime,
) -> OpenResult:
    """Open a call for members from now to the end of `request.last_day`."""
    problem = _request_problem(request, areas, now.astimezone(tz).date())
    if problem is not None:
        return OpenResult(problem)
    if await _open_in(session, request.area, now) is not None:
        return OpenResult(OpenOutcome.ALREADY_OPEN)
    row = CouncilRecruitment(area=request.area, seats=request.seats, reserves=request.reserves,
                             opens_at=now, closes_at=end_of_day(request.last_day, tz),
                             created_at=now, created_by=actor)
    session.add(row)
    await session.flush()
    record_audit(session, now, actor, "council.recruitment_opened", f"council:{row.id}",
                 after={"area": row.area, "seats": row.seats, "reserves": row.reserves,
                        "closes_at": row.closes_at.isoformat()})
    return OpenResult(OpenOutcome.OPENED, _recruitment(row))


def _request_problem(
    request: RecruitmentRequest, areas: Sequence[str], today: date
) -> OpenOutcome | None:
    if request.area not in areas:
        return OpenOutcome.UNKNOWN_AREA
    if not 1 <= request.seats <= MAX_SEATS:
        return OpenOutcome.BAD_SEATS
    if not 0 <= request.reserves <= MAX_RESERVES:
        return OpenOutcome.BAD_RESERVES
    if request.last_day < today:
        return OpenOutcome.BAD_DAY
    return None


@dataclass(frozen=True)
class RulesResult:
    outcome: RulesOutcome
    recruitment: Recruitment | None = None
    problem: str | None = None  # UNSUITED: why, in Korean


async def set_rules(
    session: AsyncSession, *, recruitment_id: int, rules: Sequence[QuotaRule], actor: str,
    now: datetime,
) -> RulesResult:
    """A call's composition rules, until its draw is prepared (audited)."""
    row = await session.get(CouncilRecruitment, recruitment_id)
    if row is None:
        return RulesResult(RulesOutcome.NOT_FOUND)
    if await session.get(CouncilDraw, recruitment_id) is not None:
        return RulesResult(RulesOutcome.PREPARED, _recruitment(row))
    if (problem := rules_problem(rules)) is not None:
        return RulesResult(RulesOutcome.UNSUITED, _recruitment(row), problem)
    before = row.rules
    row.rules = [rule.as_json() for rule in rules]
    record_audit(session, now, actor, "council.rules_set", f"council:{row.id}",
                 before={"rules": before}, after={"rules": row.rules})
    return RulesResult(RulesOutcome.SET, _recruitment(row))


async def recruitment(session: AsyncSession, recruitment_id: int) -> Recruitment | None:
    row = await session.get(CouncilRecruitment, recruitment_id)
    return _recruitment(row) if row is not None else None


async def standing(session: AsyncSession, user_id: int, now: datetime) -> Standing:
    area = await session.scalar(select(User.verified_area).where(User.id == user_id))
    if area is None:
        return Standing(None, None, None)
    row = await _open_in(session, area, now)
    if row is not None:
        return Standing(area, _recruitment(row), await _application(session, row.id, user_id))
    last = await session.scalar(
        select(CouncilApplication.recruitment_id).where(CouncilApplication.user_id == user_id)
        .order_by(CouncilApplication.recruitment_id.desc()).limit(1))
    call = await session.get(CouncilRecruitment, last) if last is not None else None
    if call is None:
        return Standing(area, None, None)
    return Standing(area, _recruitment(call), await _application(session, call.id, user_id),
                    open=False)


async def apply(
    session: AsyncSession, *, recruitment_id: int, user_id: int, age_band: str | None,
    sex: str | None, now: datetime,
) -> ApplyResult:
    """Apply with the given answers (pressing 「동의하고 신청하기」 is the consent), or change
    them while the window is open."""
    refused, row = await _may_apply(session, recruitment_id, user_id, now)
    if refused is not None or row is None:
        return ApplyResult(refused or ApplyOutcome.CLOSED, _recruitment_or_none(row))
    if age_band is None or sex is None:
        return ApplyResult(ApplyOutcome.BAD_CHOICE, _recruitment(row))
    existed = await _application(session, row.id, user_id) is not None
    values = {"age_band": age_band, "sex": sex, "consented_at": now, "withdrawn_at": None}
    # one statement, so a double tap (two updates at once) cannot insert twice
    upsert = (dialect_insert(session, CouncilApplication, recruitment_id=row.id,
                             user_id=user_id, created_at=now, **values)
              .on_conflict_do_update(index_elements=["user_id", "recruitment_id"], set_=values)
              .returning(CouncilApplication.id))
    number = (await session.execute(upsert)).scalar_one()
    outcome = ApplyOutcome.UPDATED if existed else ApplyOutcome.APPLIED
    return ApplyResult(outcome, _recruitment(row), number)


async def may_apply(
    session: AsyncSession, *, recruitment_id: int, user_id: int, now: datetime
) -> ApplyResult:
    """APPLIED when the resident may apply to this call now, else what `apply` would refuse:
    the screens before the last one write nothing, but say at once when it would."""
    refused, row = await _may_apply(session, recruitment_id, user_id, now)
    return ApplyResult(refused or ApplyOutcome.APPLIED, _recruitment_or_none(row))


async def _may_apply(
    session: AsyncSession, recruitment_id: int, user_id: int, now: datetime
) -> tuple[ApplyOutcome | None, CouncilRecruitment | None]:
    row = await session.get(CouncilRecruitment, recruitment_id)
    if row is None or not is_open(row.opens_at, row.closes_at, now):
        return ApplyOutcome.CLOSED, row
    area = await session.scalar(select(User.verified_area).where(User.id == user_id))
    if area is None:
        return ApplyOutcome.NOT_VERIFIED, row
    if area != row.area:
        return ApplyOutcome.OTHER_AREA, row
    return None, row


async def withdraw(
    session: AsyncSession, *, recruitment_id: int, user_id: int, now: datetime
) -> WithdrawOutcome:
    row = await session.get(CouncilRecruitment, recruitment_id)
    if row is None or not is_open(row.opens_at, row.closes_at, now):
        return WithdrawOutcome.CLOSED
    result = await session.execute(
        update(CouncilApplication).where(CouncilApplication.recruitment_id == row.id,
                                         CouncilApplication.user_id == user_id,
                                         CouncilApplication.withdrawn_at.is_(None))
        .values(withdrawn_at=now))
    return WithdrawOutcome.WITHDRAWN if rows_affected(result) else WithdrawOutcome.NOT_APPLIED


async def record_completers(
    session: AsyncSession, *, recruitment_id: int, numbers: Sequence[int], actor: str,
    now: datetime,
) -> CompletersResult:
    """Mark the applications `numbers` as having completed the 주민자치학교 (recording one
    twice changes nothing); numbers of no live application of this call are returned."""
    if await session.get(CouncilRecruitment, recruitment_id) is None:
        return CompletersResult(False)
    if await session.get(CouncilDraw, recruitment_id) is not None:
        return CompletersResult(True, prepared=True)
    live = set(await session.scalars(select(CouncilApplication.id).where(
        CouncilApplication.recruitment_id == recruitment_id,
        CouncilApplication.id.in_(set(numbers)), CouncilApplication.withdrawn_at.is_(None))))
    result = await session.execute(
        update(CouncilApplication).where(CouncilApplication.id.in_(live),
                                         CouncilApplication.completed_at.is_(None))
        .values(completed_at=now, completed_by=actor))
    recorded = rows_affected(result)
    record_audit(session, now, actor, "council.completers_recorded",
                 f"council:{recruitment_id}", after={"numbers": sorted(live)})
    return CompletersResult(True, recorded, tuple(sorted(set(numbers) - live)))


async def completers(
    session: AsyncSession, recruitment_id: int
) -> tuple[Recruitment | None, list[tuple[int, str, str]], int]:
    """The call, its completers (number, age band, sex) and how many live applications it has."""
    row = await session.get(CouncilRecruitment, recruitment_id)
    if row is None:
        return None, [], 0
    live = (CouncilApplication.recruitment_id == recruitment_id,
            CouncilApplication.withdrawn_at.is_(None))
    done = await session.execute(
        select(CouncilApplication.id, CouncilApplication.age_band, CouncilApplication.sex)
        .where(*live, CouncilApplication.completed_at.is_not(None))
        .order_by(CouncilApplication.id))
    applied = await session.scalar(select(func.count()).select_from(CouncilApplication)
                                   .where(*live))
    return _recruitment(row), [(i, a, s) for i, a, s in done], int(applied or 0)


async def _open_in(session: AsyncSession, area: str, now: datetime) -> CouncilRecruitment | None:
    return await session.scalar(
        select(CouncilRecruitment).where(CouncilRecruitment.area == area,
                                         CouncilRecruitment.opens_at <= now,
                                         CouncilRecruitment.closes_at > now)
        .order_by(CouncilRecruitment.id.desc()).limit(1))


async def _application(
    session: AsyncSession, recruitment_id: int, user_id: int
) -> Application | None:
    row = await session.scalar(select(CouncilApplication).where(
        CouncilApplication.recruitment_id == recruitment_id,
        CouncilApplication.user_id == user_id))
    if row is None:
        return None
    return Application(row.id, row.age_band, row.sex, row.withdrawn_at is not None,
                       row.outcome, row.reserve_rank)


def _recruitment_or_none(row: CouncilRecruitment | None) -> Recruitment | None:
    return _recruitment(row) if row is not None else None


def _recruitment(row: CouncilRecruitment) -> Recruitment:
    return Recruitment(row.id, row.area, row.seats, row.reserves, row.closes_at,
                       quotas_of(row.rules))
