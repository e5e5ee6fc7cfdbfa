"""The 주민총회: staff create it, residents vote online, the polling places check people in
and bring their paper totals, the committee its scores, and the count combines them.

One person counts once across the channels. What identifies them — their account, their
phone's keyed hash, the verification code that made them a resident — becomes a roll key
(`assembly_roll_keys`, unique per assembly); an online vote and a check-in at a polling
place each insert the person's keys, and a key already there means the person has taken
part (the outcome says how, when and where). The insert is `ON CONFLICT DO NOTHING`, in one
key order everywhere, so of two desks checking one person at once exactly one wins. Online
ballots are kept apart from the participations, with no account and no time on them.

Outcomes of `vote_online`: VOTED, ALREADY (with the earlier participation), NOT_VERIFIED,
OTHER_AREA, NOT_OPEN (not yet, or over), NO_ONLINE, BAD_CHOICE, NOT_FOUND. Of `check_in`:
CHECKED_IN, ALREADY, NOT_FOUND, UNKNOWN_PLACE, NOT_TODAY, COUNTED, UNKNOWN_PERSON (typed
neither a phone number nor a code). Of the tallies: ENTERED, NOT_FOUND, UNKNOWN_PLACE,
NO_CHANNEL, COUNTED, WRONG (with the reason). Of `count_assembly`: COUNTED, ALREADY,
NOT_FOUND, TOO_EARLY, MISSING (polling places or the committee without totals).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Assembly,
    AssemblyBallot,
    AssemblyParticipation,
    AssemblyRollKey,
    AssemblyTally,
    User,
    VerificationCode,
)
from bot.domain.assembly import (
    Agenda,
    Channel,
    Item,
    ItemResult,
    Tallies,
    Weights,
    check_choice,
    count,
    paper_problem,
)
from bot.domain.deadlines import end_of_day
from bot.domain.events import AssemblyCounted
from bot.domain.text import phone_hash
from bot.services.audit import record_audit
from bot.services.outbox import enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.services.verification import code_hash, normalise_code

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # read aloud at a desk: no 0/O, 1/I
RECEIPT_LENGTH = 6
MIN_PHONE_DIGITS = 9  # 02-123-4567


class CreateOutcome(StrEnum):
    CREATED = "created"
    ALREADY_OPEN = "already_open"


class VoteOutcome(StrEnum):
    VOTED = "voted"
    ALREADY = "already"
    NOT_VERIFIED = "not_verified"
    OTHER_AREA = "other_area"
    NOT_OPEN = "not_open"
    NO_ONLINE = "no_online"
    BAD_CHOICE = "bad_choice"
    NOT_FOUND = "not_found"


class CheckInOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    UNKNOWN_PLACE = "unknown_place"
    NOT_TODAY = "not_today"
    COUNTED = "counted"
    UNKNOWN_PERSON = "unknown_person"


class TallyOutcome(StrEnum):
    ENTERED = "entered"
    NOT_FOUND = "not_found"
    UNKNOWN_PLACE = "unknown_place"
    NO_CHANNEL = "no_channel"
    COUNTED = "counted"
    WRONG = "wrong"


class CountOutcome(StrEnum):
    COUNTED = "counted"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    TOO_EARLY = "too_early"
    MISSING = "missing"


@dataclass(frozen=True)
class AssemblyView:
    """An assembly as the chat, the page and the count read it."""

    id: int
    area: str
    title: str
    items: tuple[Item, ...]
    picks: int
    weights: Weights
    online_opens_at: datetime | None
    online_closes_at: datetime | None
    onsite_day: date | None
    places: tuple[str, ...]
    budget: int | None
    counted_at: datetime | None
    result: Mapping[str, Any] | None

    def online_open(self, now: datetime) -> bool:
        return (self.online_opens_at is not None and self.online_closes_at is not None
                and self.online_opens_at <= now < self.online_closes_at)

    @property
    def results(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(self.result["items"]) if self.result else ()


@dataclass(frozen=True)
class Participation:
    channel: Channel
    place: int | None
    receipt: str
    at: datetime


@dataclass(frozen=True)
class CreateResult:
    outcome: CreateOutcome
    assembly: AssemblyView | None = None


@dataclass(frozen=True)
class VoteResult:
    outcome: VoteOutcome
    assembly: AssemblyView | None = None
    participation: Participation | None = None
    chosen: tuple[int, ...] = ()


@dataclass(frozen=True)
class CheckInResult:
    outcome: CheckInOutcome
    assembly: AssemblyView | None = None
    participation: Participation | None = None
    roll: int = 0  # people checked in at this place so far


@dataclass(frozen=True)
class TallyResult:
    outcome: TallyOutcome
    assembly: AssemblyView | None = None
    problem: str | None = None
    roll: int = 0


@dataclass(frozen=True)
class CountResult:
    outcome: CountOutcome
    assembly: AssemblyView | None = None
    results: tuple[ItemResult, ...] = ()
    missing: tuple[str, ...] = ()  # polling places without totals; "committee"
    told: int = 0


@dataclass(frozen=True)
class Standing:
    """What /assembly shows a resident: the assembly of their verified 동 (the open one,
    else the last counted one) and their part in it."""

    area: str | None
    assembly: AssemblyView | None
    participation: Participation | None = None


@dataclass(frozen=True)
class Turnout:
    """How many took part, by channel and polling place; what staff have entered."""

    online: int
    paper_by_place: tuple[int, ...]
    papers_entered: frozenset[int] = field(default_factory=frozenset)
    committee_entered: bool = False


def view_of(row: Assembly) -> AssemblyView:
    return AssemblyView(
        row.id, row.area, row.title, tuple(Item.from_json(i) for i in row.items), row.picks,
        Weights.from_json(row.weights), row.online_opens_at, row.online_closes_at,
        row.onsite_day, tuple(row.places), row.budget, row.counted_at, row.result)


def new_receipt() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


# ----- creating ---------------------------------------------------------------------------


async def create(session: AsyncSession, agenda: Agenda, *, tz: tzinfo, actor: str,
                 now: datetime) -> CreateResult:
    """One assembly not yet counted per 동, so that /assembly has one answer."""
    pending = await session.scalar(select(Assembly.id).where(
        Assembly.area == agenda.area, Assembly.counted_at.is_(None)).limit(1))
    if pending is not None:
        return CreateResult(CreateOutcome.ALREADY_OPEN, await assembly(session, pending))
    row = Assembly(
        area=agenda.area, title=agenda.title, items=[i.as_json() for i in agenda.items],
        picks=agenda.picks, weights=agenda.weights.as_json(),
        online_opens_at=_start_of(agenda.online_from, tz),
        online_closes_at=end_of_day(agenda.online_until, tz) if agenda.online_until else None,
        onsite_day=agenda.onsite_day, places=list(agenda.places), budget=agenda.budget,
        created_at=now, created_by=actor)
    session.add(row)
    await session.flush()
    record_audit(session, now, actor, "assembly_created", f"assembly:{row.id}",
                 after={"area": agenda.area, "title": agenda.title,
                        "items": len(agenda.items), "weights": agenda.weights.as_json()})
    return CreateResult(CreateOutcome.CREATED, view_of(row))


def _start_of(day: date | None, tz: tzinfo) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


async def assembly(session: AsyncSession, assembly_id: int) -> AssemblyView | None:
    row = await session.get(Assembly, assembly_id)
    return view_of(row) if row is not None else None


async def standing(session: AsyncSession, user_id: int) -> Standing:
    area = await session.scalar(select(User.verified_area).where(User.id == user_id))
    if area is None:
        return Standing(None, None)
    row = await session.scalar(
        select(Assembly).where(Assembly.area == area)
        .order_by(Assembly.counted_at.is_not(None), Assembly.id.desc()).limit(1))
    if row is None:
        return Standing(area, None)
    return Standing(area, view_of(row), await _participation_of_user(session, row.id, user_id))


# ----- one person, once -------------------------------------------------------------------


async def _participation_of_user(session: AsyncSession, assembly_id: int,
                                 user_id: int) -> Participation | None:
    return await _participation_by_keys(session, assembly_id, await _user_keys(session, user_id))


async def _user_keys(session: AsyncSession, user_id: int) -> list[str]:
    """The account, its phone's hash, the verification codes it redeemed."""
    phone = await session.scalar(select(User.phone_hash).where(User.id == user_id))
    codes = await session.scalars(
        select(VerificationCode.id).where(VerificationCode.used_by == user_id))
    return [f"u:{user_id}", *([f"p:{phone}"] if phone else []), *(f"c:{c}" for c in codes)]


async def _participation_by_keys(session: AsyncSession, assembly_id: int,
                                 keys: Sequence[str]) -> Participation | None:
    row = await session.scalar(
        select(AssemblyParticipation)
        .join(AssemblyRollKey, AssemblyRollKey.participation_id == AssemblyParticipation.id)
        .where(AssemblyRollKey.assembly_id == assembly_id, AssemblyRollKey.key.in_(keys))
        .order_by(AssemblyParticipation.id).limit(1))
    if row is None:
        return None
    return Participation(Channel(row.channel), row.place, row.receipt, row.at)


async def _take_part(session: AsyncSession, assembly_id: int, keys: Sequence[str], *,
                     channel: Channel, place: int | None, user_id: int | None,
                     now: datetime) -> Participation | None:
    """Record the person's part under all their keys; None (and nothing kept) when one of
    the keys has taken part already, here or in another channel."""
    row = AssemblyParticipation(assembly_id=assembly_id, channel=channel.value, place=place,
                                user_id=user_id, receipt=new_receipt(), at=now)
    session.add(row)
    await session.flush()
    inserted = 0
    for key in sorted(set(keys)):  # one order everywhere: two desks never deadlock
        result = await session.execute(insert_ignoring_conflicts(
            session, AssemblyRollKey, assembly_id=assembly_id, key=key,
            participation_id=row.id))
        inserted += rows_affected(result)
    if inserted < len(set(keys)):
        await session.execute(delete(AssemblyParticipation)
                              .where(AssemblyParticipation.id == row.id))
        return None
    return Participation(channel, place, row.receipt, now)


# ----- online -----------------------------------------------------------------------------


async def vote_online(session: AsyncSession, *, assembly_id: int, user_id: int,
                      chosen: Sequence[int], now: datetime) -> VoteResult:
    found = await session.get(Assembly, assembly_id)
    if found is None:
        return VoteResult(VoteOutcome.NOT_FOUND)
    view = view_of(found)
    refusal = await _online_refusal(session, view, user_id, now)
    if refusal is not None:
        return VoteResult(refusal, view)
    choice = tuple(sorted(chosen))
    if not check_choice(choice, view.items, view.picks):
        return VoteResult(VoteOutcome.BAD_CHOICE, view)
    keys = await _user_keys(session, user_id)
    taken = await _take_part(session, assembly_id, keys, channel=Channel.ONLINE, place=None,
                             user_id=user_id, now=now)
    if taken is None:
        earlier = await _participation_by_keys(session, assembly_id, keys)
        return VoteResult(VoteOutcome.ALREADY, view, earlier)
    session.add(AssemblyBallot(assembly_id=assembly_id, choices=list(choice)))
    return VoteResult(VoteOutcome.VOTED, view, taken, choice)


async def may_vote(session: AsyncSession, *, assembly_id: int, user_id: int,
                   now: datetime) -> VoteResult:
    """Whether the ballot may be shown (and filled in) now: VOTED means yes."""
    found = await session.get(Assembly, assembly_id)
    if found is None:
        return VoteResult(VoteOutcome.NOT_FOUND)
    view = view_of(found)
    refusal = await _online_refusal(session, view, user_id, now)
    if refusal is None:
        earlier = await _participation_of_user(session, assembly_id, user_id)
        if earlier is not None:
            return VoteResult(VoteOutcome.ALREADY, view, earlier)
    return VoteResult(refusal or VoteOutcome.VOTED, view)


async def _online_refusal(session: AsyncSession, view: AssemblyView, user_id: int,
                          now: datetime) -> VoteOutcome | None:
    if view.online_opens_at is None:
        return VoteOutcome.NO_ONLINE
    area = await session.scalar(select(User.verified_area).where(User.id == user_id))
    if area is None:
        return VoteOutcome.NOT_VERIFIED
    if area != view.area:
        return VoteOutcome.OTHER_AREA
    if not view.online_open(now) or view.counted_at is not None:
        return VoteOutcome.NOT_OPEN
    return None


# ----- on site ----------------------------------------------------------------------------


async def check_in(session: AsyncSession, *, assembly_id: int, place: int, typed: str,
                   secret_key: str, tz: tzinfo, actor: str, now: datetime) -> CheckInResult:
    """A polling place's desk: the person's phone number or verification code, checked
    against every channel and, if they have not taken part, put on this place's roll."""
    found = await session.get(Assembly, assembly_id)
    if found is None:
        return CheckInResult(CheckInOutcome.NOT_FOUND)
    view = view_of(found)
    refusal = _desk_refusal(view, place, tz, now)
    if refusal is not None:
        return CheckInResult(refusal, view)
    keys = await _typed_keys(session, typed, secret_key)
    if not keys:
        return CheckInResult(CheckInOutcome.UNKNOWN_PERSON, view)
    user_id = next((int(k[2:]) for k in keys if k.startswith("u:")), None)
    taken = await _take_part(session, assembly_id, keys, channel=Channel.PAPER, place=place,
                             user_id=user_id, now=now)
    if taken is None:
        earlier = await _participation_by_keys(session, assembly_id, keys)
        return CheckInResult(CheckInOutcome.ALREADY, view, earlier,
                             await _roll(session, assembly_id, place))
    record_audit(session, now, actor, "assembly_check_in", f"assembly:{assembly_id}",
                 after={"place": view.places[place], "receipt": taken.receipt})
    return CheckInResult(CheckInOutcome.CHECKED_IN, view, taken,
                         await _roll(session, assembly_id, place))


def _desk_refusal(view: AssemblyView, place: int, tz: tzinfo,
                  now: datetime) -> CheckInOutcome | None:
    if view.counted_at is not None:
        return CheckInOutcome.COUNTED
    if not 0 <= place < len(view.places):
        return CheckInOutcome.UNKNOWN_PLACE
    if view.onsite_day != now.astimezone(tz).date():
        return CheckInOutcome.NOT_TODAY
    return None


async def _typed_keys(session: AsyncSession, typed: str, secret_key: str) -> list[str]:
    """The keys of whoever a desk typed: a verification code (and its resident) or a phone
    number (and the residents who gave it); [] when it is neither."""
    raw = normalise_code(typed)
    if raw is not None:
        code = (await session.execute(select(VerificationCode.id, VerificationCode.used_by)
                                      .where(VerificationCode.code_hash
                                             == code_hash(raw, secret_key)))).first()
        if code is not None:
            code_id, used_by = code
            return [f"c:{code_id}", *(await _user_keys(session, used_by) if used_by else [])]
    digits = "".join(ch for ch in typed if ch.isdigit())
    hashed = phone_hash(typed, secret_key) if len(digits) >= MIN_PHONE_DIGITS else None
    if hashed is None:
        return []
    users = await session.scalars(select(User.id).where(User.phone_hash == hashed))
    keys = [f"p:{hashed}"]
    for user_id in users:
        keys.extend(await _user_keys(session, user_id))
    return keys


async def _roll(session: AsyncSession, assembly_id: int, place: int) -> int:
    return await session.scalar(select(func.count()).select_from(AssemblyParticipation).where(
        AssemblyParticipation.assembly_id == assembly_id,
        AssemblyParticipation.channel == Channel.PAPER.value,
        AssemblyParticipation.place == place)) or 0


# ----- staff's totals ---------------------------------------------------------------------


async def enter_paper(session: AsyncSession, *, assembly_id: int, place: int,
                      totals: Mapping[int, int], photo_file_id: str, actor: str,
                      now: datetime) -> TallyResult:
    """A polling place's paper totals with the tally sheet's photo; a later entry for the
    same place corrects it (every entry is kept)."""
    view = await _open_for_totals(session, assembly_id)
    if isinstance(view, TallyResult):
        return view
    if view.onsite_day is None:
        return TallyResult(TallyOutcome.NO_CHANNEL, view)
    if not 0 <= place < len(view.places):
        return TallyResult(TallyOutcome.UNKNOWN_PLACE, view)
    roll = await _roll(session, assembly_id, place)
    problem = paper_problem(totals, view.items, roll, view.picks)
    if problem is not None:
        return TallyResult(TallyOutcome.WRONG, view, problem, roll)
    _keep_tally(session, assembly_id, Channel.PAPER, place, totals, photo_file_id, actor, now)
    return TallyResult(TallyOutcome.ENTERED, view, roll=roll)


async def enter_committee(session: AsyncSession, *, assembly_id: int,
                          scores: Mapping[int, Decimal], actor: str,
                          now: datetime) -> TallyResult:
    view = await _open_for_totals(session, assembly_id)
    if isinstance(view, TallyResult):
        return view
    if Channel.COMMITTEE not in view.weights.channels:
        return TallyResult(TallyOutcome.NO_CHANNEL, view)
    unknown = sorted(set(scores) - {item.number for item in view.items})
    missing = sorted({item.number for item in view.items} - set(scores))
    if unknown or missing:
        numbers = ", ".join(map(str, unknown or missing))
        problem = (f"없는 안건 번호예요: {numbers}" if unknown
                   else f"모든 안건의 점수를 써 주세요. 빠진 안건: {numbers}")
        return TallyResult(TallyOutcome.WRONG, view, problem)
    _keep_tally(session, assembly_id, Channel.COMMITTEE, None, scores, None, actor, now)
    return TallyResult(TallyOutcome.ENTERED, view)


async def _open_for_totals(session: AsyncSession,
                           assembly_id: int) -> AssemblyView | TallyResult:
    """The assembly, locked against a count running at the same moment; or why totals can no
    longer be entered (none such, counted already)."""
    found = await session.get(Assembly, assembly_id, with_for_update=True)
    if found is None:
        return TallyResult(TallyOutcome.NOT_FOUND)
    view = view_of(found)
    if view.counted_at is not None:
        return TallyResult(TallyOutcome.COUNTED, view)
    return view


def _keep_tally(session: AsyncSession, assembly_id: int, channel: Channel, place: int | None,
                totals: Mapping[int, int] | Mapping[int, Decimal], photo_file_id: str | None,
                actor: str, now: datetime) -> None:
    stored = {str(number): str(value) for number, value in sorted(totals.items())}
    session.add(AssemblyTally(assembly_id=assembly_id, channel=channel.value, place=place,
                              totals=stored, photo_file_id=photo_file_id, entered_by=actor,
                              entered_at=now))
    record_audit(session, now, actor, f"assembly_{channel.value}_totals",
                 f"assembly:{assembly_id}", after={"place": place, "totals": stored})


async def _latest_tallies(session: AsyncSession,
                          assembly_id: int) -> dict[tuple[str, int | None], AssemblyTally]:
    rows = await session.scalars(select(AssemblyTally).where(
        AssemblyTally.assembly_id == assembly_id).order_by(AssemblyTally.id))
    return {(row.channel, row.place): row for row in rows}  # the latest wins


async def turnout(session: AsyncSession, view: AssemblyView) -> Turnout:
    rows = (await session.execute(
        select(AssemblyParticipation.channel, AssemblyParticipation.place, func.count())
        .where(AssemblyParticipation.assembly_id == view.id)
        .group_by(AssemblyParticipation.channel, AssemblyParticipation.place))).all()
    counts = {(channel, place): n for channel, place, n in rows}
    entered = await _latest_tallies(session, view.id)
    return Turnout(counts.get((Channel.ONLINE.value, None), 0),
                   tuple(counts.get((Channel.PAPER.value, p), 0)
                         for p in range(len(view.places))),
                   frozenset(p for c, p in entered if c == Channel.PAPER.value
                             and p is not None),
                   (Channel.COMMITTEE.value, None) in entered)


async def sheet_photos(session: AsyncSession, assembly_id: int) -> list[tuple[int, str]]:
    """The tally sheets behind the paper totals that count: (place, photo)."""
    entered = await _latest_tallies(session, assembly_id)
    return sorted((place, row.photo_file_id) for (channel, place), row in entered.items()
                  if channel == Channel.PAPER.value and place is not None
                  and row.photo_file_id)


# ----- the count --------------------------------------------------------------------------


async def count_assembly(session: AsyncSession, *, assembly_id: int, tz: tzinfo,
                         page_url: str, actor: str, now: datetime) -> CountResult:
    """Once online voting is over and the on-site day has ended, with every polling place's
    totals and the committee's scores in: the result, frozen, told to everyone who took
    part in the chat."""
    found = await session.get(Assembly, assembly_id, with_for_update=True)
    if found is None:
        return CountResult(CountOutcome.NOT_FOUND)
    view = view_of(found)
    if view.counted_at is not None:
        return CountResult(CountOutcome.ALREADY, view)
    if not _voting_over(view, tz, now):
        return CountResult(CountOutcome.TOO_EARLY, view)
    entered = await _latest_tallies(session, assembly_id)
    missing = _missing(view, entered)
    if missing:
        return CountResult(CountOutcome.MISSING, view, missing=missing)
    results = count(view.items, view.weights, await _tallies(session, view, entered),
                    len(view.places), view.budget)
    found.result = {"items": [r.as_json() for r in results],
                    "turnout": _turnout_json(await turnout(session, view))}
    found.counted_at = now
    record_audit(session, now, actor, "assembly_counted", f"assembly:{assembly_id}",
                 after={"ranking": [r.item.number for r in results]})
    told = await _tell_participants(session, view, results, page_url, now)
    return CountResult(CountOutcome.COUNTED, view_of(found), results, told=told)


def _voting_over(view: AssemblyView, tz: tzinfo, now: datetime) -> bool:
    online_over = view.online_closes_at is None or view.online_closes_at <= now
    onsite_over = view.onsite_day is None or end_of_day(view.onsite_day, tz) <= now
    return online_over and onsite_over


def _missing(view: AssemblyView,
             entered: Mapping[tuple[str, int | None], AssemblyTally]) -> tuple[str, ...]:
    places = [name for index, name in enumerate(view.places)
              if (Channel.PAPER.value, index) not in entered]
    committee_missing = (Channel.COMMITTEE in view.weights.channels
                         and (Channel.COMMITTEE.value, None) not in entered)
    return (*places, *([Channel.COMMITTEE.value] if committee_missing else []))


async def _tallies(session: AsyncSession, view: AssemblyView,
                   entered: Mapping[tuple[str, int | None], AssemblyTally]) -> Tallies:
    online: dict[int, int] = {}
    for choices in await session.scalars(
            select(AssemblyBallot.choices).where(AssemblyBallot.assembly_id == view.id)):
        for number in choices:
            online[int(number)] = online.get(int(number), 0) + 1
    paper = {place: {int(n): int(v) for n, v in row.totals.items()}
             for (channel, place), row in entered.items()
             if channel == Channel.PAPER.value and place is not None}
    committee_row = entered.get((Channel.COMMITTEE.value, None))
    committee = ({int(n): Decimal(v) for n, v in committee_row.totals.items()}
                 if committee_row is not None else {})
    return Tallies(online, paper, committee)


def _turnout_json(turnout_now: Turnout) -> dict[str, Any]:
    return {"online": turnout_now.online, "paper_by_place": list(turnout_now.paper_by_place)}


async def _tell_participants(session: AsyncSession, view: AssemblyView,
                             results: Iterable[ItemResult], page_url: str,
                             now: datetime) -> int:
    people = list(await session.scalars(
        select(AssemblyParticipation.user_id).where(
            AssemblyParticipation.assembly_id == view.id,
            AssemblyParticipation.user_id.is_not(None))))
    ranked = list(results)
    top = [r.item.title for r in ranked[:3]]
    chosen = [r.item.title for r in ranked if r.chosen]
    notice = AssemblyCounted(view.area, view.id, view.title, page_url, top, chosen,
                             key=str(view.id))
    return await enqueue_for_users(session, [p for p in people if p is not None], notice, now)


def assembly_page_url(public_base_url: str, assembly_id: int) -> str:
    return f"{public_base_url.rstrip('/')}/assembly/{assembly_id}"
