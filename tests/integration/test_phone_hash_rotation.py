"""Phone hashes across a SECRET_KEY rotation: presence counts, a new share uses the new key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import User
from bot.domain.deadlines import BusinessCalendar
from bot.domain.lifecycle import ProposalStatus
from bot.domain.policy import Policy
from bot.domain.text import phone_hash
from bot.services.proposals import EndorseOutcome, endorse, record_phone
from bot.settings import Settings
from tests.conftest import START
from tests.support.factories import make_proposal, make_user
from tests.support.service_settings import review_start

OLD_KEY, NEW_KEY = "o" * 48, "n" * 48
PHONE = "+82 10-2345-6789"


async def test_a_number_shared_before_a_rotation_still_counts_and_is_rehashed_when_shared_again(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    rotated = Settings(secret_key=NEW_KEY, secret_key_previous=OLD_KEY,
                       policy=Policy(endorsement_requires_contact=True))
    async with sessionmaker() as session, session.begin():
        author = await make_user(session, 9201, START)
        resident = await make_user(session, 9202, START)
        proposal = await make_proposal(session, author, START, status=ProposalStatus.COLLECTING)
        await record_phone(session, user_id=resident.id, phone=PHONE, secret_key=OLD_KEY)
        ids = (resident.id, proposal.id)
    async with sessionmaker() as session, session.begin():
        result = await endorse(session, proposal_id=ids[1], user_id=ids[0], now=START,
                               **review_start(rotated), calendar=BusinessCalendar())
    assert result.outcome is EndorseOutcome.ENDORSED
    async with sessionmaker() as session, session.begin():
        await record_phone(session, user_id=ids[0], phone=PHONE, secret_key=rotated.secret_key)
    async with sessionmaker() as session:
        stored = await session.scalar(select(User.phone_hash).where(User.id == ids[0]))
    assert stored == phone_hash(PHONE, NEW_KEY) != phone_hash(PHONE, OLD_KEY)
