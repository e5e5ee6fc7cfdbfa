"""The members' lottery of a call, drawn in the bot: prepared once the call has closed, drawn
once with the randomness produced in the room, told to every completer; then each seat is
confirmed, or goes to the next reserve who keeps the composition rules.

`draw_inputs` builds the draw from the completers and Seoul's rules and says what stands in
its way (outcomes READY, NOT_FOUND, STILL_OPEN, ALREADY_PREPARED, NO_COMPLETERS, UNMET).
The distribution is computed outside any transaction (`bot.lottery_draw`, seconds to
minutes); `store_prepared` keeps it with the secret and the commitment (once: a second
preparation changes nothing). `conduct_draw` draws (outcomes DRAWN, NOT_PREPARED,
ALREADY_DRAWN), stores the record, marks every completer selected, reserve (with its rank)
or not drawn, and tells each of them in the chat (`CouncilDrawn`). A drawn member confirms
the seat within `CONFIRM_DAYS` (`answer_offer`: ACCEPTED, DECLINED, TOO_LATE, NOT_YOURS,
NOT_OFFERED, ALREADY_ANSWERED); a seat declined, or left unconfirmed past its deadline
(`expire_offer`, run by the deadline machine), is offered to the first reserve in order whose
joining keeps every rule met (`bot.domain.lottery.next_reserve`), who confirms in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CouncilApplication, CouncilDraw, CouncilRecruitment, User
from bot.domain.council import (
    CONFIRM_DAYS,
    DRAW_METHOD,
    Outcome,
    applicant_number,
    quotas_of,
)
from bot.domain.deadlines import resident_deadline
from bot.domain.events import CouncilDrawn, CouncilOfferExpired, CouncilSeatOffered
from bot.domain.lottery import (
    Applicant,
    Distribution,
    DrawInputs,
    LotteryRecord,
    Prepared,
    Unmet,
    next_reserve,
    unmet_rules,
)
from bot.services.audit import record_audit
from bot.services.due import Pending
from bot.services.outbox import enqueue
from bot.services.sql import insert_ignoring_conflicts, rows_affected

SYSTEM = "system"


class PrepareOutcome(StrEnum):
    READY = "ready"
    NOT_FOUND = "not_found"
    STILL_OPEN = "still_open"
    ALREADY_PREPARED = "already_prepared"
    NO_COMPLETERS = "no_completers"
    UNMET = "unmet"


class DrawOutcome(StrEnum):
    DRAWN = "drawn"
    NOT_PREPARED = "not_prepared"
    ALREADY_DRAWN = "already_drawn"


class OfferOutcome(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TOO_LATE = "too_late"
    NOT_YOURS = "not_yours"
    NOT_OFFERED = "not_offered"
    ALREADY_ANSWERED = "already_answered"


@dataclass(frozen=True)
class PrepareStart:
    outcome: PrepareOutcome
    inputs: DrawInputs | None = None
    title: str = ""
    unmet: tuple[Unmet, ...] = ()


@dataclass(frozen=True)
class Drawn:
    outcome: DrawOutcome
    record: LotteryRecord | None = None


async def draw_inputs(session: AsyncSession, recruitment_id: int, now: datetime) -> PrepareStart:
    """The draw of a closed call: its completers under Seoul's rules."""
    call = await session.get(CouncilRecruitment, recruitment_id)
    if call is None:
        return PrepareStart(PrepareOutcome.NOT_FOUND)
    title = _title_of(call)
    if now < call.closes_at:
        return PrepareStart(PrepareOutcome.STILL_OPEN, title=title)
    if await session.get(CouncilDraw, recruitment_id) is not None:
        return PrepareStart(PrepareOutcome.ALREADY_PREPARED, title=title)
    pool = tuple(Applicant(applicant_number(row.id), {"age": row.age_band, "sex": row.sex})
                 for row in await _completers(session, recruitment_id))
    if not pool:
        return PrepareStart(PrepareOutcome.NO_COMPLETERS, title=title)
    inputs = DrawInputs(call.seats, call.reserves, DRAW_METHOD, quotas_of(call.rules), pool)
    if unmet := unmet_rules(inputs):
        return PrepareStart(PrepareOutcome.UNMET, inputs, title, tuple(unmet))
    return PrepareStart(PrepareOutcome.READY, inputs, title)


async def store_prepared(
    session: AsyncSession, recruitment_id: int, prepared: Prepared, *, actor: str,
    now: datetime,
) -> bool:
    """Keep the prepared draw; False when one was kept already (it stays as it was)."""
    stored = await session.execute(insert_ignoring_conflicts(
        session, CouncilDraw, recruitment_id=recruitment_id,
        inputs=prepared.inputs.as_json(), commitment=prepared.commitment,
        secret=prepared.secret.hex(), distribution=prepared.distribution.as_json(),
        library=prepared.library, prepared_at=now, prepared_by=actor))
    if not rows_affected(stored):
        return False
    record_audit(session, now, actor, "council.draw_prepared", f"council:{recruitment_id}",
                 after={"commitment": prepared.commitment,
                        "inputs_digest": prepared.inputs.digest()})
    return True


async def conduct_draw(
    session: AsyncSession, recruitment_id: int, public_randomness: str, *, actor: str,
    now: datetime, tz: tzinfo,
) -> Drawn:
    """Draw with the room's randomness (a `LotteryError` when there is none), once."""
    row = await session.get(CouncilDraw, recruitment_id, with_for_update=True)
    if row is None:
        return Drawn(DrawOutcome.NOT_PREPARED)
    if row.drawn_at is not None:
        return Drawn(DrawOutcome.ALREADY_DRAWN, LotteryRecord.from_json(row.record or {}))
    record = _prepared(row, await _title(session, recruitment_id)).draw(public_randomness)
    done = await session.execute(
        update(CouncilDraw).where(CouncilDraw.recruitment_id == recruitment_id,
                                  CouncilDraw.drawn_at.is_(None))
        .values(record=record.as_json(), drawn_at=now, drawn_by=actor))
    if not rows_affected(done):
        return Drawn(DrawOutcome.ALREADY_DRAWN)
    await _mark_and_tell(session, recruitment_id, record, now, resident_deadline(
        now, CONFIRM_DAYS, tz))
    record_audit(session, now, actor, "council.drawn", f"council:{recruitment_id}",
                 after={"seed": record.result.seed, "selected": list(record.result.selected)})
    return Drawn(DrawOutcome.DRAWN, record)


def council_file_url(public_base_url: str, recruitment_id: int, name: str) -> str:
    """Where anyone downloads a lottery's `announcement` or `record` (bot.web.open_data)."""
    return f"{public_base_url.rstrip('/')}/data/council/{recruitment_id}/{name}.json"


async def prepared_files(
    session: AsyncSession, recruitment_id: int
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The announcement to publish (once prepared) and the record (once drawn)."""
    row = await session.get(CouncilDraw, recruitment_id)
    if row is None:
        return None, None
    return _prepared(row, await _title(session, recruitment_id)).announcement(), row.record


async def _title(session: AsyncSession, recruitment_id: int) -> str:
    call = await session.get(CouncilRecruitment, recruitment_id)
    return _title_of(call) if call is not None else ""


def _title_of(call: CouncilRecruitment) -> str:
    """「신도림동 주민자치회 (1)」: the draw's title in its files."""
    return f"{call.area} 주민자치회 ({call.id})"


def _prepared(row: CouncilDraw, title: str) -> Prepared:
    return Prepared(title, DrawInputs.from_json(row.inputs), bytes.fromhex(row.secret),
                    Distribution.from_json(row.distribution), row.library)


async def _completers(session: AsyncSession, recruitment_id: int) -> list[CouncilApplication]:
    return list(await session.scalars(
        select(CouncilApplication).where(CouncilApplication.recruitment_id == recruitment_id,
                                         CouncilApplication.withdrawn_at.is_(None),
                                         CouncilApplication.completed_at.is_not(None))
        .order_by(CouncilApplication.id)))


async def _mark_and_tell(
    session: AsyncSession, recruitment_id: int, record: LotteryRecord, now: datetime,
    confirm_by: datetime,
) -> None:
    """Every completer's outcome, kept on the application and told in the chat; the drawn
    members are offered their seat, to confirm by `confirm_by`."""
    call = await session.get(CouncilRecruitment, recruitment_id)
    assert call is not None
    selected = set(record.result.selected)
    ranks = {number: rank for rank, number in enumerate(record.result.reserves, start=1)}
    people = await session.execute(
        select(CouncilApplication, User.telegram_id)
        .join(User, User.id == CouncilApplication.user_id)
        .where(CouncilApplication.id.in_([int(a.number) for a in record.inputs.pool])))
    for application, telegram_id in people:
        number = applicant_number(application.id)
        outcome = (Outcome.SELECTED if number in selected else
                   Outcome.RESERVE if number in ranks else Outcome.NOT_DRAWN)
        application.outcome, application.reserve_rank = outcome, ranks.get(number)
        offered = confirm_by if outcome is Outcome.SELECTED else None
        application.offered_at = now if offered else None
        application.confirm_by = offered
        notice = CouncilDrawn(call.area, recruitment_id, number, outcome.value, call.seats,
                              reserve_rank=ranks.get(number), confirm_by=offered,
                              key=f"{recruitment_id}:{number}")
        await enqueue(session, chat_id=telegram_id, notice=notice, now=now,
                      user_id=application.user_id)



# ----- confirming a seat, and the reserves -------------------------------------------------

# The machine's wait: a seat offered and not answered, due at its deadline.
UNANSWERED = and_(CouncilApplication.confirmed_at.is_(None),
                  CouncilApplication.declined_at.is_(None),
                  CouncilApplication.expired_at.is_(None))
OFFERS = Pending(CouncilApplication.confirm_by, UNANSWERED)


async def due_offers(session: AsyncSession, now: datetime) -> list[int]:
    rows = await session.scalars(
        select(CouncilApplication.id).where(UNANSWERED, CouncilApplication.confirm_by <= now)
        .order_by(CouncilApplication.confirm_by, CouncilApplication.id))
    return list(rows)


@dataclass(frozen=True)
class OfferResult:
    outcome: OfferOutcome
    area: str = ""
    moved_up: str | None = None  # the reserve the declined seat went to


async def answer_offer(
    session: AsyncSession, *, application_id: int, user_id: int, accept: bool, now: datetime,
    tz: tzinfo,
) -> OfferResult:
    """The member's answer to the seat offered to them; a declined seat goes on at once."""
    row = await session.get(CouncilApplication, application_id, with_for_update=True)
    if row is None or row.user_id != user_id:
        return OfferResult(OfferOutcome.NOT_YOURS)
    call = await session.get(CouncilRecruitment, row.recruitment_id)
    area = call.area if call is not None else ""
    if row.offered_at is None or row.confirm_by is None:
        return OfferResult(OfferOutcome.NOT_OFFERED, area)
    if row.confirmed_at or row.declined_at or row.expired_at:
        return OfferResult(OfferOutcome.ALREADY_ANSWERED, area)
    if now >= row.confirm_by:
        return OfferResult(OfferOutcome.TOO_LATE, area)
    if accept:
        row.confirmed_at = now
        return OfferResult(OfferOutcome.ACCEPTED, area)
    row.declined_at = now
    await session.flush()
    moved = await fill_seat(session, row.recruitment_id, now, tz, actor=f"user:{user_id}")
    return OfferResult(OfferOutcome.DECLINED, area, moved)


async def expire_offer(
    session: AsyncSession, application_id: int, now: datetime, tz: tzinfo
) -> bool:
    """A seat unconfirmed past its deadline: expired, told, and offered to the next reserve;
    False when it was answered (or expired) meanwhile."""
    expired = await session.execute(
        update(CouncilApplication)
        .where(CouncilApplication.id == application_id, UNANSWERED,
               CouncilApplication.confirm_by <= now)
        .values(expired_at=now).returning(CouncilApplication.recruitment_id,
                                          CouncilApplication.user_id))
    row = expired.first()
    if row is None:
        return False
    recruitment_id, user_id = row
    call = await session.get(CouncilRecruitment, recruitment_id)
    chat = await session.scalar(select(User.telegram_id).where(User.id == user_id))
    if call is not None and chat is not None:
        await enqueue(session, chat_id=chat, now=now, user_id=user_id, notice=CouncilOfferExpired(
            call.area, recruitment_id, applicant_number(application_id),
            key=f"{recruitment_id}:{application_id}"))
    await fill_seat(session, recruitment_id, now, tz, actor=SYSTEM)
    return True


async def fill_seat(
    session: AsyncSession, recruitment_id: int, now: datetime, tz: tzinfo, *, actor: str
) -> str | None:
    """Offer every seat left empty, each to the first reserve who keeps every rule; the
    first number offered, or None when none was (the audit log says a seat stays empty).

    The call's draw row is locked first, so two seats freed at once (a decline beside an
    expiry, two replicas) are filled one after the other and never both to one reserve.
    """
    draw = await session.get(CouncilDraw, recruitment_id, with_for_update=True)
    call = await session.get(CouncilRecruitment, recruitment_id)
    if draw is None or call is None:
        return None
    first: str | None = None
    while (chosen := await _next_reserve(session, draw, call)) is not None:
        await _offer(session, call, chosen, now, tz)
        record_audit(session, now, actor, "council.seat_offered", f"council:{recruitment_id}",
                     after={"number": applicant_number(chosen.id)})
        first = first or applicant_number(chosen.id)
    if await _seated(session, recruitment_id) < call.seats:
        record_audit(session, now, actor, "council.seat_unfilled", f"council:{recruitment_id}")
    return first


async def _next_reserve(
    session: AsyncSession, draw: CouncilDraw, call: CouncilRecruitment
) -> CouncilApplication | None:
    """The reserve the next empty seat goes to; None when no seat is empty or no reserve
    keeps the rules."""
    rows = list(await session.scalars(select(CouncilApplication).where(
        CouncilApplication.recruitment_id == call.id,
        CouncilApplication.outcome.in_([Outcome.SELECTED.value, Outcome.RESERVE.value]))
        .execution_options(populate_existing=True)))
    members = [applicant_number(r.id) for r in rows if _holds_seat(r)]
    if len(members) >= call.seats:
        return None
    waiting = sorted((r for r in rows if r.outcome == Outcome.RESERVE),
                     key=lambda r: r.reserve_rank or 0)
    chosen = next_reserve(DrawInputs.from_json(draw.inputs), members,
                          [applicant_number(r.id) for r in waiting])
    return next((r for r in waiting if applicant_number(r.id) == chosen), None)


def _holds_seat(row: CouncilApplication) -> bool:
    """Selected and neither declined nor lapsed: confirmed, or still to answer."""
    return (row.outcome == Outcome.SELECTED and row.declined_at is None
            and row.expired_at is None)


async def _seated(session: AsyncSession, recruitment_id: int) -> int:
    rows = await session.scalars(select(CouncilApplication).where(
        CouncilApplication.recruitment_id == recruitment_id,
        CouncilApplication.outcome == Outcome.SELECTED.value))
    return sum(1 for row in rows if _holds_seat(row))


async def _offer(
    session: AsyncSession, call: CouncilRecruitment, row: CouncilApplication, now: datetime,
    tz: tzinfo,
) -> None:
    row.outcome, row.offered_at = Outcome.SELECTED.value, now
    row.confirm_by = resident_deadline(now, CONFIRM_DAYS, tz)
    chat = await session.scalar(select(User.telegram_id).where(User.id == row.user_id))
    if chat is None:
        return
    await enqueue(session, chat_id=chat, now=now, user_id=row.user_id, notice=CouncilSeatOffered(
        call.area, call.id, applicant_number(row.id), row.reserve_rank or 0, row.confirm_by,
        key=f"{call.id}:{row.id}"))
