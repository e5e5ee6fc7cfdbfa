"""Budget news at the service level, on both backends: opening a round queues one push per
resident who asked for it and may vote in the round, and a second sweep queues none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import OutboxMessage
from bot.services import budget
from tests.conftest import START
from tests.integration.test_budget_services import Maker, machine
from tests.support.budget_rounds import OPENS, make_project, make_round
from tests.support.factories import make_user


async def test_opening_a_round_tells_each_eligible_resident_who_asked_once(
    sessionmaker: Maker,
) -> None:
    async with sessionmaker() as session, session.begin():
        row = await make_round(session, START, eligibility="verified", area="구로1동")
        await make_project(session, row.id, "가로등", 10_000_000)
        asked = {"budget_news": True}
        here = {"verified_area": "구로1동"}
        await make_user(session, 8801, START, **asked, **here)  # told
        await make_user(session, 8802, START, **asked)  # not verified: may not vote
        await make_user(session, 8803, START, **asked, verified_area="구로2동")  # another 동
        await make_user(session, 8804, START, **here)  # never asked
        await make_user(session, 8805, START, **asked, **here, muted_all=True)  # muted all
        switched_off = await make_user(session, 8806, START, **asked, **here)
        await budget.set_budget_news(session, switched_off.id, False)
        assert not await budget.budget_news_opt_in(session, switched_off.id)

    assert await machine(sessionmaker, when=OPENS).run_due() == 1
    assert await machine(sessionmaker, when=OPENS + timedelta(minutes=5)).run_due() == 0
    async with sessionmaker() as session:
        pushes = list(await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "budget_vote_open")))
        assert [m.chat_id for m in pushes] == [8801]
        assert pushes[0].params["name"] == "2027 구로 주민참여예산"
        assert pushes[0].params["projects"] == 1
        again = await budget.tell_subscribers(session, row, 1, OPENS)
    assert again == 0  # the same push for the same round is never queued twice
