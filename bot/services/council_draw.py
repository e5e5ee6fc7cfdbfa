"""The members' lottery of a call, drawn in the bot: prepared once the call has closed, drawn
once with the randomness produced in the room, told to every completer.

`draw_inputs` builds the draw from the completers and Seoul's rules and says what stands in
its way (outcomes READY, NOT_FOUND, STILL_OPEN, ALREADY_PREPARED, NO_COMPLETERS, UNMET).
The distribution is computed outside any transaction (`bot.lottery_draw`, seconds to
minutes); `store_prepared` keeps it with the secret and the commitment (once: a second
preparation changes nothing). `conduct_draw` draws (outcomes DRAWN, NOT_PREPARED,
ALREADY_DRAWN), stores the record, marks every completer selected, reserve (with its rank)
or not drawn, and tells each of them in the chat (`CouncilDrawn`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CouncilApplication, CouncilDraw, CouncilRecruitment, User
from bot.domain.council import DRAW_METHOD, SEOUL_QUOTAS, Outcome, applicant_number
from bot.domain.events import CouncilDrawn
from bot.domain.lottery import (
    Applicant,
    Distribution,
    DrawInputs,
    LotteryRecord,
    Prepared,
    Unmet,
    commitment,
    unmet_rules,
)
from bot.services.audit import record_audit
from bot.services.outbox import enqueue
from bot.services.sql import insert_ignoring_conflicts, rows_affected


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
    inputs = DrawInputs(call.seats, call.reserves, DRAW_METHOD, SEOUL_QUOTAS, pool)
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
        inputs=prepared.inputs.as_json(), commitment=commitment(prepared.secret),
        secret=prepared.secret.hex(), distribution=prepared.distribution.as_json(),
        library=prepared.library, prepared_at=now, prepared_by=actor))
    if not rows_affected(stored):
        return False
    record_audit(session, now, actor, "council.draw_prepared", f"council:{recruitment_id}",
                 after={"commitment": commitment(prepared.secret),
                        "inputs_digest": prepared.inputs.digest()})
    return True


async def conduct_draw(
    session: AsyncSession, recruitment_id: int, public_randomness: str, *, actor: str,
    now: datetime,
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
    await _mark_and_tell(session, recruitment_id, record, now)
    record_audit(session, now, actor, "council.drawn", f"council:{recruitment_id}",
                 after={"seed": record.result.seed, "selected": list(record.result.selected)})
    return Drawn(DrawOutcome.DRAWN, record)


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
    session: AsyncSession, recruitment_id: int, record: LotteryRecord, now: datetime
) -> None:
    """Every completer's outcome, kept on the application and told in the chat."""
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
        notice = CouncilDrawn(call.area, recruitment_id, number, outcome.value, call.seats,
                              reserve_rank=ranks.get(number), key=f"{recruitment_id}:{number}")
        await enqueue(session, chat_id=telegram_id, notice=notice, now=now,
                      user_id=application.user_id)
