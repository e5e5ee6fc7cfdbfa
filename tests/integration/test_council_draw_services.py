"""The members' lottery drawn in the bot, on both databases: what stands in the way of
preparing it, the prepared draw kept once, the draw done once, every completer's outcome
kept and told, and a record that re-runs to the same panel."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ShiftableClock, fake_clock
from bot.db.models import AuditEntry, CouncilApplication, OutboxMessage
from bot.domain.deadlines import SEOUL, BusinessCalendar
from bot.domain.lottery import (
    Comparison,
    Distribution,
    Prepared,
    QuotaRule,
    conduct,
    discrepancies,
)
from bot.domain.policy import Policy
from bot.domain.venues import Venues
from bot.i18n import I18n
from bot.lottery_draw import distribution_of
from bot.services import council, council_draw
from bot.services.council import RecruitmentRequest
from bot.services.council_draw import DrawOutcome, OfferOutcome, PrepareOutcome
from bot.services.deadlines import DeadlineContext, DeadlineMachine
from bot.settings import Settings
from bot.web.open_data import add_open_data_routes
from bot.web.pages import PageDeps
from tests.conftest import START
from tests.support.factories import make_user

Maker = async_sessionmaker[AsyncSession]
CLOSED = START + timedelta(days=30)
SECRET = bytes(range(32))


async def call_with(maker: Maker, people: list[tuple[str, str]], *, completed: int | None = None,
                    seats: int = 4, reserves: int = 2) -> list[int]:
    """A call in 신도림동 with one application per (age band, sex); the first `completed`
    (all by default) completed the 주민자치학교. Returns the applicant numbers."""
    async with maker() as session, session.begin():
        await council.open_recruitment(
            session, RecruitmentRequest("신도림동", seats, reserves, date(2026, 12, 15)),
            areas=("신도림동",), tz=SEOUL, actor="telegram:1", now=START)
        numbers = []
        for n, (age, sex) in enumerate(people):
            user = await make_user(session, 500 + n, START, verified_area="신도림동")
            applied = await council.apply(session, recruitment_id=1, user_id=user.id,
                                          age_band=age, sex=sex, now=START + timedelta(hours=1))
            numbers.append(applied.number or 0)
        await council.record_completers(session, recruitment_id=1,
                                        numbers=numbers[:completed], actor="telegram:1",
                                        now=START + timedelta(days=2))
    return numbers


async def start(maker: Maker, now: object = CLOSED) -> council_draw.PrepareStart:
    async with maker() as session:
        return await council_draw.draw_inputs(session, 1, now)  # type: ignore[arg-type]


MIX = [("30대", "여"), ("50대", "남"), ("40대", "남"), ("60대 이상", "여"), ("20대 이하", "남"),
       ("50대", "여"), ("30대", "남"), ("60대 이상", "남"), ("40대", "여"), ("50대", "남")]


async def test_the_draw_uses_the_calls_own_rules(sessionmaker: Maker) -> None:
    await call_with(sessionmaker, MIX)
    women = QuotaRule("sex", ("여",), Comparison.AT_LEAST, count=3)
    async with sessionmaker() as session, session.begin():
        await council.set_rules(session, recruitment_id=1, rules=(women,), actor="x",
                                now=START)
    ready = await start(sessionmaker)
    assert ready.outcome is PrepareOutcome.READY and ready.inputs is not None
    assert ready.inputs.rules == (women,)  # not Seoul's


async def test_what_stands_in_the_way_of_preparing_a_draw(sessionmaker: Maker) -> None:
    assert (await start(sessionmaker)).outcome is PrepareOutcome.NOT_FOUND
    await call_with(sessionmaker, [("50대", "남")] * 5, completed=0)
    assert (await start(sessionmaker, START + timedelta(days=3))).outcome is \
        PrepareOutcome.STILL_OPEN
    assert (await start(sessionmaker)).outcome is PrepareOutcome.NO_COMPLETERS
    async with sessionmaker() as session, session.begin():
        await council.record_completers(session, recruitment_id=1, numbers=[1, 2, 3, 4, 5],
                                        actor="telegram:1", now=START + timedelta(days=2))
    unmet = await start(sessionmaker)
    assert unmet.outcome is PrepareOutcome.UNMET  # five men in their 50s: no rule can hold
    assert {(u.rule.feature if u.rule else None, u.needed, u.available) for u in unmet.unmet} \
        == {("age", 1, 0), ("sex", 2, 0)}


async def test_a_draw_is_prepared_and_drawn_once_and_every_completer_hears(
    sessionmaker: Maker,
) -> None:
    numbers = await call_with(sessionmaker, MIX, completed=9)  # the last did not complete
    ready = await start(sessionmaker)
    assert ready.outcome is PrepareOutcome.READY and ready.inputs is not None
    assert len(ready.inputs.pool) == 9 and ready.title == "신도림동 주민자치회 (1)"
    prepared = Prepared(ready.title, ready.inputs, SECRET, distribution_of(ready.inputs),
                        "sortition-algorithms 0.12.15")
    async with sessionmaker() as session, session.begin():
        assert await council_draw.store_prepared(session, 1, prepared, actor="telegram:1",
                                                 now=CLOSED)
        assert not await council_draw.store_prepared(session, 1, prepared, actor="x",
                                                      now=CLOSED)
    assert (await start(sessionmaker)).outcome is PrepareOutcome.ALREADY_PREPARED
    async with sessionmaker() as session, session.begin():  # its rules are fixed now too
        fixed = await council.set_rules(session, recruitment_id=1, rules=(), actor="x",
                                        now=CLOSED)
    assert fixed.outcome is council.RulesOutcome.PREPARED
    async with sessionmaker() as session, session.begin():  # the pool is fixed now
        late = await council.record_completers(session, recruitment_id=1,
                                               numbers=[numbers[-1]], actor="telegram:1",
                                               now=CLOSED)
    assert late.prepared and late.recorded == 0

    async with sessionmaker() as session, session.begin():
        drawn = await council_draw.conduct_draw(session, 1, "7 21 33", actor="telegram:1",
                                                now=CLOSED, tz=SEOUL)
    assert drawn.outcome is DrawOutcome.DRAWN and drawn.record is not None
    record = drawn.record
    assert record.public_randomness == "7 21 33" and all(c.met for c in record.result.counts)
    redrawn = conduct(record.inputs, SECRET, record.public_randomness, prepared.distribution)
    assert discrepancies(record, redrawn) == []

    async with sessionmaker() as session, session.begin():
        again = await council_draw.conduct_draw(session, 1, "1 2 3", actor="x", now=CLOSED,
                                                tz=SEOUL)
        outcomes = dict((await session.execute(select(
            CouncilApplication.id, CouncilApplication.outcome))).all())
        ranks = dict((await session.execute(select(
            CouncilApplication.id, CouncilApplication.reserve_rank))).all())
        told = list(await session.scalars(select(OutboxMessage.params).where(
            OutboxMessage.kind == "council_drawn")))
        audited = set(await session.scalars(select(AuditEntry.action)))
    assert again.outcome is DrawOutcome.ALREADY_DRAWN and again.record is not None
    assert again.record.as_json() == record.as_json()
    selected = {int(n) for n in record.result.selected}
    assert {i for i, o in outcomes.items() if o == "selected"} == selected
    assert [i for i, r in sorted(ranks.items(), key=lambda p: p[1] or 0) if r] == \
        [int(n) for n in record.result.reserves]
    assert sum(1 for o in outcomes.values() if o == "not_drawn") == 3
    assert outcomes[numbers[-1]] is None  # not a completer: not in the draw, not told
    assert len(told) == 9 and {p["outcome"] for p in told} == {"selected", "reserve",
                                                               "not_drawn"}
    assert {"council.draw_prepared", "council.drawn"} <= audited


async def test_a_draw_needs_its_preparation(sessionmaker: Maker) -> None:
    await call_with(sessionmaker, MIX)
    async with sessionmaker() as session, session.begin():
        drawn = await council_draw.conduct_draw(session, 1, "7", actor="x", now=CLOSED,
                                                tz=SEOUL)
        files = await council_draw.prepared_files(session, 1)
        count = await session.scalar(select(func.count()).select_from(OutboxMessage))
    assert drawn.outcome is DrawOutcome.NOT_PREPARED and files == (None, None) and count == 0


# W1 (30대) and M1 are drawn; M1's seat can only go to a man: two women of two seats would
# break "under 60 % of one sex", whatever order the seed gave the reserves.
SEATS_TWO = [("30대", "여"), ("50대", "남"), ("50대", "여"), ("60대 이상", "여"), ("40대", "남")]
W1, M1, W2, W3, M2 = "0001", "0002", "0003", "0004", "0005"


async def drawn_call(maker: Maker) -> None:
    await call_with(maker, SEATS_TWO, seats=2, reserves=3)
    ready = await start(maker)
    assert ready.inputs is not None
    only = Distribution((frozenset({W1, M1}),), (1.0,))
    async with maker() as session, session.begin():
        await council_draw.store_prepared(
            session, 1, Prepared(ready.title, ready.inputs, SECRET, only, "test"),
            actor="telegram:1", now=CLOSED)
        await council_draw.conduct_draw(session, 1, "5", actor="telegram:1", now=CLOSED,
                                        tz=SEOUL)


async def answer(maker: Maker, number: str, accept: bool, *, user: int | None = None,
                 at: timedelta = timedelta(days=1)) -> council_draw.OfferResult:
    async with maker() as session, session.begin():
        owner = user if user is not None else int(number)  # the fixture's users 1.. apply 1..
        return await council_draw.answer_offer(
            session, application_id=int(number), user_id=owner, accept=accept,
            now=CLOSED + at, tz=SEOUL)


async def offered(maker: Maker) -> dict[str, tuple[str | None, object]]:
    async with maker() as session:
        rows = await session.execute(select(CouncilApplication.id, CouncilApplication.outcome,
                                            CouncilApplication.confirm_by))
        return {f"{i:04d}": (o, c) for i, o, c in rows}


async def test_a_declined_seat_goes_to_the_first_reserve_who_keeps_the_rules(
    sessionmaker: Maker,
) -> None:
    await drawn_call(sessionmaker)
    seats = await offered(sessionmaker)
    assert seats[W1][0] == seats[M1][0] == "selected"
    assert seats[W1][1] == datetime(2026, 12, 31, 15, tzinfo=UTC)  # 7 days, to 24:00 KST
    assert (await answer(sessionmaker, W1, True)).outcome is OfferOutcome.ACCEPTED
    assert (await answer(sessionmaker, W1, False)).outcome is OfferOutcome.ALREADY_ANSWERED
    assert (await answer(sessionmaker, M1, True, user=1)).outcome is OfferOutcome.NOT_YOURS
    declined = await answer(sessionmaker, M1, False)
    assert (declined.outcome, declined.moved_up) == (OfferOutcome.DECLINED, M2)
    after = await offered(sessionmaker)
    assert after[M2][0] == "selected" and after[W2][0] == after[W3][0] == "reserve"
    async with sessionmaker() as session:
        kinds = list(await session.scalars(select(OutboxMessage.kind).where(
            OutboxMessage.kind == "council_seat_offered")))
    assert kinds == ["council_seat_offered"]
    assert (await answer(sessionmaker, W2, True)).outcome is OfferOutcome.NOT_OFFERED


async def test_a_seat_left_unconfirmed_expires_once_and_moves_on(
    sessionmaker: Maker, backend: str,
) -> None:
    await drawn_call(sessionmaker)
    await answer(sessionmaker, W1, True)
    late = timedelta(days=8)
    assert (await answer(sessionmaker, M1, True, at=late)).outcome is OfferOutcome.TOO_LATE
    machine = DeadlineMachine(sessionmaker, fake_clock(CLOSED + late),
                              DeadlineContext(Policy(), BusinessCalendar(), Venues()))
    runs = [machine.run_due(), machine.run_due(), machine.run_due()]
    done = (await asyncio.gather(*runs) if backend == "postgres"
            else [await run for run in runs])
    after = await offered(sessionmaker)
    assert after[M2][0] == "selected" and after[W2][0] == "reserve"
    async with sessionmaker() as session:
        expired = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "council_offer_expired"))
        offers = await session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "council_seat_offered"))
    assert sum(done) == 1 and expired == 1 and offers == 1
    assert (await answer(sessionmaker, M2, True, at=late)).outcome is OfferOutcome.ACCEPTED


async def test_the_announcement_and_the_record_are_public_files(
    sessionmaker: Maker, clock: ShiftableClock,
) -> None:
    app = web.Application()
    add_open_data_routes(app, PageDeps(sessionmaker=sessionmaker, settings=Settings(),
                                       clock=clock, i18n=I18n(), calendar=BusinessCalendar(),
                                       wake=lambda *targets: None, cache_seconds=0))
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/data/council/1/announcement.json")).status == 404
        await drawn_call(sessionmaker)
        announcement = await (await client.get("/data/council/1/announcement.json")).json()
        record = await (await client.get("/data/council/1/record.json")).json()
        missing = await client.get("/data/council/2/record.json")
    assert announcement["commitment"] == record["commitment"] and "secret" not in announcement
    assert record["secret"] == SECRET.hex() and record["selected"] == [W1, M1]
    assert missing.status == 404
