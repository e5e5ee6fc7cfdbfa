"""Who may vote in a budget round is declared once (`voter_requirements`); the Python check a
ballot runs and the SQL count of eligible users must agree for every person and every round,
on both backends."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import User
from bot.domain.pb.ballot import Eligibility, is_eligible
from bot.services.budget.queries import eligible_condition
from tests.conftest import START
from tests.support.factories import make_user

pytestmark = pytest.mark.rollback

AREAS: tuple[str | None, ...] = (None, "역삼1동", "역삼2동")
PHONES: tuple[str | None, ...] = (None, "f" * 64)


async def make_every_kind_of_user(session: AsyncSession) -> dict[int, tuple[bool, str | None]]:
    """One user per (shared a phone number or not) × (verified area); their facts by id."""
    people: dict[int, tuple[bool, str | None]] = {}
    for number, (phone, area) in enumerate(itertools.product(PHONES, AREAS), start=9100):
        user = await make_user(session, number, START, phone_hash=phone, verified_area=area)
        people[user.id] = (phone is not None, area)
    return people


async def test_the_sql_condition_and_the_python_check_pick_the_same_voters(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        people = await make_every_kind_of_user(session)
        for eligibility, round_area in itertools.product(Eligibility, AREAS):
            by_sql = set(await session.scalars(select(User.id).where(
                User.id.in_(people), eligible_condition(eligibility, round_area))))
            by_python = {
                user_id for user_id, (has_contact, verified_area) in people.items()
                if is_eligible(eligibility, has_contact=has_contact,
                               verified_area=verified_area, round_area=round_area)
            }
            assert by_sql == by_python, (eligibility, round_area)
