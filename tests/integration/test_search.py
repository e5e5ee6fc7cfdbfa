"""Similar proposals and keyword search over the inverted index, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Proposal, ProposalTerm, User
from bot.domain.lifecycle import ProposalStatus
from bot.services.search import SimilarProposal, find_similar, index_proposal, search
from tests.conftest import START
from tests.support.factories import make_proposal, make_user

# Sessions one at a time through `sessionmaker`: rolled back on PostgreSQL, not truncated.
pytestmark = pytest.mark.rollback

PARAPHRASE = "공원이 밤에 너무 어두워 조명이 필요해요"

PROPOSALS: dict[str, str] = {
    "공원 가로등 설치": "밤에 공원이 너무 어두워요. 산책하기가 무서워요.",
    "불법주차 단속 강화": "골목길에 불법주차 차량이 많아 소방차가 못 들어가요.",
    "공원 쓰레기통 추가 설치": "주말마다 공원에 쓰레기가 넘쳐요.",
    "초등학교 앞 횡단보도 신호 연장": "아이들이 건너기에 보행신호가 너무 짧아요.",
    "버스 배차 간격 단축": "마을버스가 30분에 한 대라 출근길이 힘들어요.",
    "경로당 냉방기 교체": "어르신들이 여름에 더위로 고생하세요.",
    "하천 산책로 정비": "천변 산책로 보도블록이 깨져서 넘어질 뻔했어요.",
}


async def _proposal(
    session: AsyncSession, author: User, title: str, problem: str, **overrides: Any
) -> Proposal:
    proposal = await make_proposal(
        session, author, START, title=title, problem=problem, **overrides
    )
    await index_proposal(session, proposal.id, title, problem)
    return proposal


async def _seed(
    sessionmaker: async_sessionmaker[AsyncSession], **overrides_by_title: dict[str, Any]
) -> dict[str, int]:
    async with sessionmaker() as session:
        author = await make_user(session, 1001, START)
        ids = {}
        for title, problem in PROPOSALS.items():
            proposal = await _proposal(
                session, author, title, problem, **overrides_by_title.get(title, {})
            )
            ids[title] = proposal.id
        await session.commit()
    return ids


def _titles(hits: list[SimilarProposal]) -> list[str]:
    return [hit.title for hit in hits]


async def test_a_paraphrase_finds_the_proposal_first(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _seed(sessionmaker)
    async with sessionmaker() as session:
        hits = await find_similar(session, PARAPHRASE)
    assert hits[0].title == "공원 가로등 설치"
    assert hits[0].proposal_id == ids["공원 가로등 설치"]
    assert hits[0].status is ProposalStatus.COLLECTING
    assert "불법주차 단속 강화" not in _titles(hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert all(0 < hit.score <= 1 for hit in hits)


async def test_similar_is_limited_and_excludes_given_ids(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _seed(sessionmaker)
    about_the_park = "공원이 밤에 어둡고 쓰레기도 넘쳐요"  # asks nothing, so both park ones match
    async with sessionmaker() as session:
        both = await find_similar(session, about_the_park)
        hits = await find_similar(
            session, about_the_park, limit=1, exclude_ids=[ids["공원 가로등 설치"]]
        )
    assert {"공원 가로등 설치", "공원 쓰레기통 추가 설치"} <= set(_titles(both))
    assert _titles(hits) == ["공원 쓰레기통 추가 설치"]


async def test_a_neighbour_asking_something_else_is_not_similar(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The park's bins share the place with a request for light, but ask something else."""
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        hits = await find_similar(session, PARAPHRASE)
    assert _titles(hits) == ["공원 가로등 설치"]


async def test_the_opposite_ask_is_not_similar_but_a_synonym_is(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        author = await make_user(session, 1001, START)
        removal = await _proposal(session, author, "역삼동 골목 CCTV 철거", "사생활 침해예요.")
        cameras = await _proposal(session, author, "역삼1동 골목길 방범카메라 설치", "")
        elsewhere = await _proposal(session, author, "대치동 골목 CCTV 설치", "")
        await session.commit()
    async with sessionmaker() as session:
        hits = await find_similar(session, "역삼동 골목 CCTV 설치", problem="밤길이 무서워요.")
    ids = [hit.proposal_id for hit in hits]
    assert ids == [cameras.id]
    assert removal.id not in ids and elsewhere.id not in ids
    async with sessionmaker() as session:
        found = {hit.proposal_id for hit in await search(session, "역삼동 골목 CCTV 설치")}
    assert {removal.id, cameras.id, elsewhere.id} <= found  # keyword search is about the topic


@pytest.mark.parametrize(
    "status", [ProposalStatus.EXPIRED, ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED]
)
async def test_closed_proposals_are_not_similar(
    sessionmaker: async_sessionmaker[AsyncSession], status: ProposalStatus
) -> None:
    await _seed(sessionmaker, **{"공원 가로등 설치": {"status": status}})
    async with sessionmaker() as session:
        assert "공원 가로등 설치" not in _titles(await find_similar(session, PARAPHRASE))
        assert "공원 가로등 설치" not in _titles(await search(session, "가로등"))
        found = await search(session, "가로등", statuses=[status])
    assert _titles(found) == ["공원 가로등 설치"]


async def test_hidden_proposals_are_not_similar(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker, **{"공원 가로등 설치": {"hidden": True}})
    async with sessionmaker() as session:
        assert "공원 가로등 설치" not in _titles(await find_similar(session, PARAPHRASE))
        assert await search(session, "가로등") == []


async def test_reindexing_replaces_the_terms(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _seed(sessionmaker)
    proposal_id = ids["공원 가로등 설치"]
    async with sessionmaker() as session:
        await index_proposal(session, proposal_id, "공공 와이파이 확충", "데이터가 잘 안 터져요.")
        await session.commit()
    async with sessionmaker() as session:
        terms = set(
            await session.scalars(
                select(ProposalTerm.term).where(ProposalTerm.proposal_id == proposal_id)
            )
        )
        assert "가로등" not in terms and "와이파이" in terms
        assert proposal_id not in {hit.proposal_id for hit in await search(session, "가로등")}
        assert [hit.proposal_id for hit in await search(session, "와이파이")] == [proposal_id]


async def test_deleting_a_proposal_drops_its_terms(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _seed(sessionmaker)
    async with sessionmaker() as session:
        proposal = await session.get(Proposal, ids["버스 배차 간격 단축"])
        await session.delete(proposal)
        await session.commit()
    async with sessionmaker() as session:
        assert await search(session, "버스") == []


@pytest.mark.parametrize("keyword", ["가로등", "가로등을", "가로등이 ", "  가로등에  "])
async def test_keyword_search_finds_by_a_word_with_or_without_particle(
    sessionmaker: async_sessionmaker[AsyncSession], keyword: str
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        hits = await search(session, keyword)
    assert _titles(hits)[0] == "공원 가로등 설치"


async def test_keyword_search_by_a_compound_part_and_a_concept(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        assert _titles(await search(session, "주차"))[0] == "불법주차 단속 강화"
        assert _titles(await search(session, "어르신"))[0] == "경로당 냉방기 교체"
        assert "공원 가로등 설치" in _titles(await search(session, "조명"))


async def test_keyword_search_pages(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        everything = await search(session, "공원", limit=10)
        first = await search(session, "공원", limit=1)
        second = await search(session, "공원", limit=1, offset=1)
    assert len(everything) >= 2
    assert first + second == everything[:2]


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "ㅋㅋㅋ", "너무 정말 좀"])
async def test_text_without_terms_finds_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], text: str
) -> None:
    await _seed(sessionmaker)
    async with sessionmaker() as session:
        assert await find_similar(session, text) == []
        assert await search(session, text) == []


async def test_an_empty_index_finds_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert await find_similar(session, PARAPHRASE) == []
        assert await search(session, "가로등") == []
