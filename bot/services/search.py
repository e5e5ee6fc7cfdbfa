"""Similar-proposal check and keyword search over the ``proposal_terms`` inverted index.

One query runs in three to four statements, the same SQL on SQLite and PostgreSQL:

1. the document frequency of each query term, counted through the (term, proposal_id) index
   and capped at ``DF_CAP`` (a term in more proposals than that is treated as if it were in
   exactly ``DF_CAP``: it is too common to matter much, and the cap bounds the cost), and
   the highest proposal id as the size of the collection;
2. candidates: seed terms are taken rarest first while their postings add up to at most
   ``POSTINGS_BUDGET`` (the rarest always); each contributes its postings, the newest
   ``DF_CAP`` of a common one, worth its idf; the best ``pool * OVERFETCH`` proposals by
   summed idf are ranked in the index alone, then checked against ``proposals`` (visible,
   wanted status). So the cost of a query does not grow with the size of the index, and
   the common terms left out still count in step 3;
3. every term of the candidates, to score them with ``similarity.score``.

No state is kept between calls: document frequencies are read afresh, so a proposal indexed
in the same transaction is counted at once.

Texts are read through the morphological analyser (bot/morphology.py, off the event loop)
into topic terms and the markers of what they ask (bot/domain/asks.py). Markers are stored
with the terms but never looked up in the index: they only weigh in the final score, where
an opposite or different ask, or another 동, scores 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Float,
    ScalarSelect,
    Select,
    delete,
    false,
    func,
    insert,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Proposal, ProposalTerm
from bot.domain.asks import is_marker
from bot.domain.lifecycle import LIVE_STATUSES, ProposalStatus
from bot.domain.reading import indexed_terms
from bot.domain.similarity import inverse_document_frequency, is_concept, score_many
from bot.morphology import analysed

MAX_QUERY_TERMS = 32
DF_CAP = 1_000
POSTINGS_BUDGET = 4_000
OVERFETCH = 3
SIMILAR_POOL = 30
SEARCH_POOL = 200
MIN_SIMILARITY = 0.12
MIN_SEARCH_SCORE = 0.05


@dataclass(frozen=True)
class SimilarProposal:
    proposal_id: int
    title: str
    status: ProposalStatus
    endorsement_count: int
    score: float


@dataclass(frozen=True)
class _Candidate:
    proposal_id: int
    title: str
    status: str
    endorsement_count: int


async def index_proposal(
    session: AsyncSession, proposal_id: int, title: str, problem: str
) -> None:
    """Replace the proposal's rows in ``proposal_terms`` (the caller commits)."""
    terms = indexed_terms(*await analysed(title, problem))
    await session.execute(delete(ProposalTerm).where(ProposalTerm.proposal_id == proposal_id))
    rows = [
        {"proposal_id": proposal_id, "term": term, "weight": weight}
        for term, weight in terms.items()
    ]
    if rows:
        await session.execute(insert(ProposalTerm), rows)


async def find_similar(
    session: AsyncSession,
    text: str,
    *,
    problem: str = "",
    limit: int = 5,
    exclude_ids: Collection[int] = (),
    statuses: Collection[ProposalStatus] = LIVE_STATUSES,
    min_score: float = MIN_SIMILARITY,
) -> list[SimilarProposal]:
    """Up to ``limit`` visible proposals that ask what ``text`` asks, best first.

    ``text`` is read as a title (what it asks is taken from it first); give the problem
    apart as ``problem`` so that it weighs as a proposal's problem does. A title and problem
    joined in ``text`` still work, with the problem weighing as much as the title.
    """
    terms = indexed_terms(*await analysed(text, problem))
    ranked = await _ranked(
        session, terms, pool=max(SIMILAR_POOL, limit), exclude_ids=exclude_ids,
        statuses=statuses, min_score=min_score,
    )
    return ranked[:limit]


async def search(
    session: AsyncSession,
    keyword: str,
    *,
    limit: int = 10,
    offset: int = 0,
    statuses: Collection[ProposalStatus] = LIVE_STATUSES,
    min_score: float = MIN_SEARCH_SCORE,
) -> list[SimilarProposal]:
    """A page of the visible proposals matching ``keyword``, best first.

    The ranking covers the best ``SEARCH_POOL`` matches, always the same set for the same
    keyword and data, so pages neither repeat nor skip a proposal. It is about the topic:
    「CCTV 설치」 finds the proposals to remove cameras too, and other 동's.
    """
    (analysis,) = await analysed(keyword)
    topic = {term: weight for term, weight in indexed_terms(analysis).items()
             if not is_marker(term)}
    ranked = await _ranked(
        session, topic, pool=SEARCH_POOL, exclude_ids=(), statuses=statuses,
        min_score=min_score,
    )
    return ranked[offset : offset + limit]


async def _ranked(
    session: AsyncSession,
    terms: Mapping[str, int],
    *,
    pool: int,
    exclude_ids: Collection[int],
    statuses: Collection[ProposalStatus],
    min_score: float,
) -> list[SimilarProposal]:
    query = _query_terms(terms)
    if not query or not statuses:
        return []
    frequencies, total = await _document_frequencies(session, query)
    idf = {term: inverse_document_frequency(frequencies[term], total) for term in query}
    seeds = _seed_terms(frequencies)
    candidates = await _candidates(session, seeds, idf, pool, exclude_ids, statuses)
    doc_terms = await _terms_of_proposals(session, [c.proposal_id for c in candidates])
    docs = [doc_terms[candidate.proposal_id] for candidate in candidates]
    markers = {term: weight for term, weight in terms.items() if is_marker(term)}
    similarities = score_many({**query, **markers}, docs, frequencies, total)
    scored = [_hit(c, similarity) for c, similarity in zip(candidates, similarities, strict=True)]
    hits = [hit for hit in scored if hit.score >= min_score]
    return sorted(hits, key=lambda hit: (-hit.score, -hit.proposal_id))


def _query_terms(terms: Mapping[str, int]) -> dict[str, int]:
    """At most ``MAX_QUERY_TERMS`` topic terms (no markers): the most frequent, concepts and
    long stems first."""
    topic = [(term, weight) for term, weight in terms.items() if not is_marker(term)]
    ordered = sorted(topic, key=lambda item: _term_priority(*item))
    return dict(ordered[:MAX_QUERY_TERMS])


def _term_priority(term: str, weight: int) -> tuple[int, int, int, str]:
    return (-weight, 0 if is_concept(term) else 1, -len(term), term)


async def _document_frequencies(
    session: AsyncSession, query: Mapping[str, int]
) -> tuple[dict[str, int], int]:
    """Capped document frequency of each query term, and the number of proposals."""
    terms = list(query)
    columns = [_capped_frequency(term).label(f"df{i}") for i, term in enumerate(terms)]
    # The highest id stands for the number of proposals: one index probe instead of a count
    # (9 ms at 100,000 rows on SQLite), and idf only needs its order of magnitude.
    total = select(func.max(Proposal.id)).scalar_subquery().label("total")
    connection = await session.connection()
    row = (await connection.execute(select(*columns, total))).one()
    frequencies = {term: int(row[i]) for i, term in enumerate(terms)}
    return frequencies, max(int(row[-1] or 0), 1)


def _capped_frequency(term: str) -> ScalarSelect[int]:
    postings = (
        select(ProposalTerm.proposal_id).where(ProposalTerm.term == term).limit(DF_CAP).subquery()
    )
    return select(func.count()).select_from(postings).scalar_subquery()


def _seed_terms(frequencies: Mapping[str, int]) -> list[str]:
    """Rarest first, while their postings fit ``POSTINGS_BUDGET``; the rarest always."""
    seeds: list[str] = []
    spent = 0
    for term, frequency in sorted(frequencies.items(), key=lambda item: (item[1], item[0])):
        if frequency == 0:
            continue
        if seeds and spent + frequency > POSTINGS_BUDGET:
            break
        seeds.append(term)
        spent += frequency
    return seeds


async def _candidates(
    session: AsyncSession,
    seeds: Sequence[str],
    idf: Mapping[str, float],
    pool: int,
    exclude_ids: Collection[int],
    statuses: Collection[ProposalStatus],
) -> list[_Candidate]:
    """The ``pool`` visible proposals of ``statuses`` with the highest summed seed idf.

    The index alone ranks the postings first (a covering-index scan, no table access), and
    only the best ``pool * OVERFETCH`` are checked against ``proposals``; when too few of
    them pass the filters and more were left, the filters join the whole ranking instead.
    """
    if not seeds:
        return []
    branches = [_newest_postings(term, idf[term]) for term in seeds]
    postings = union_all(*branches).subquery()
    relevance = func.sum(postings.c.weight)
    ranking = (
        select(postings.c.proposal_id, relevance)
        .group_by(postings.c.proposal_id)
        .order_by(relevance.desc(), postings.c.proposal_id.desc())
    )
    connection = await session.connection()
    fetched = (await connection.execute(ranking.limit(pool * OVERFETCH))).all()
    order = {proposal_id: rank for rank, (proposal_id, _) in enumerate(fetched)}
    statement = _visible(statuses, exclude_ids).where(Proposal.id.in_(list(order)))
    rows = sorted((await connection.execute(statement)).all(), key=lambda row: order[row[0]])
    if len(rows) < pool and len(fetched) == pool * OVERFETCH:
        joined = ranking.subquery()
        statement = (
            _visible(statuses, exclude_ids)
            .join(joined, joined.c.proposal_id == Proposal.id)
            .order_by(joined.c[1].desc(), Proposal.id.desc())
        )
        rows = list((await connection.execute(statement.limit(pool))).all())
    return [_Candidate(*row) for row in rows[:pool]]


def _newest_postings(term: str, idf: float) -> Select[int, float]:
    """The newest ``DF_CAP`` proposals with ``term``, each worth the term's idf.

    Only a term in ``DF_CAP`` proposals or more is cut, and live proposals are the recent
    ones, so the cut drops old matches of a common (low-idf) word.
    """
    newest = (
        select(ProposalTerm.proposal_id)
        .where(ProposalTerm.term == term)
        .order_by(ProposalTerm.proposal_id.desc())
        .limit(DF_CAP)
        .subquery()
    )
    return select(newest.c.proposal_id, literal(idf, Float).label("weight"))


def _visible(
    statuses: Collection[ProposalStatus], exclude_ids: Collection[int]
) -> Select[int, str, str, int]:
    statement = (
        select(Proposal.id, Proposal.title, Proposal.status, Proposal.endorsement_count)
        .where(Proposal.hidden.is_(false()))
        .where(Proposal.status.in_([str(status) for status in statuses]))
    )
    if exclude_ids:
        statement = statement.where(Proposal.id.not_in(list(exclude_ids)))
    return statement


async def _terms_of_proposals(
    session: AsyncSession, proposal_ids: Iterable[int]
) -> dict[int, dict[str, int]]:
    ids = list(proposal_ids)
    found: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return found
    statement = select(ProposalTerm.proposal_id, ProposalTerm.term, ProposalTerm.weight).where(
        ProposalTerm.proposal_id.in_(ids)
    )
    connection = await session.connection()
    for proposal_id, term, weight in await connection.execute(statement):
        found[proposal_id][term] = weight
    return found


def _hit(candidate: _Candidate, similarity: float) -> SimilarProposal:
    return SimilarProposal(
        proposal_id=candidate.proposal_id,
        title=candidate.title,
        status=ProposalStatus(candidate.status),
        endorsement_count=candidate.endorsement_count,
        score=round(similarity, 6),
    )
