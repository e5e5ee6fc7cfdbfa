"""proposal terms read by the morphological analyser, with the markers of what is asked

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00

The schema does not change: proposal_terms keeps (proposal_id, term, weight). What is stored
does. Terms now come from kiwipiepy's analysis (bot/domain/reading.py), and each proposal
also has marker terms for its ask (``!+``, ``!h가로등``) and its 동 (``@역삼동``), which the
similar-proposal check compares (bot/domain/asks.py). Upgrading re-indexes every proposal
with the current reading; downgrading re-indexes with the rules of ``terms_of`` that the
index used before (the title counting twice), which drops the markers.

Re-indexing runs the analyser: about a millisecond a proposal, after a few seconds of
loading, and only when there are proposals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 2_000
proposals = sa.table(
    'proposals', sa.column('id', sa.Integer), sa.column('title', sa.String),
    sa.column('problem', sa.Text),
)
proposal_terms = sa.table(
    'proposal_terms', sa.column('proposal_id', sa.Integer), sa.column('term', sa.String),
    sa.column('weight', sa.Integer),
)
Terms = Callable[[str, str], dict[str, int]]


def upgrade() -> None:
    _reindex(_analysed_terms)


def downgrade() -> None:
    _reindex(_rule_terms)


def _analysed_terms(title: str, problem: str) -> dict[str, int]:
    from bot.domain.reading import indexed_terms
    from bot.morphology import analyse

    return indexed_terms(analyse(title), analyse(problem))


def _rule_terms(title: str, problem: str) -> dict[str, int]:
    from bot.domain.similarity import TITLE_WEIGHT, terms_of

    weighted = {term: TITLE_WEIGHT * count for term, count in terms_of(title).items()}
    for term, count in terms_of(problem).items():
        weighted[term] = weighted.get(term, 0) + count
    return weighted


def _reindex(terms_of_proposal: Terms) -> None:
    connection = op.get_bind()
    connection.execute(sa.delete(proposal_terms))
    for batch in _batches(connection):
        rows = [
            {'proposal_id': proposal_id, 'term': term, 'weight': weight}
            for proposal_id, title, problem in batch
            for term, weight in terms_of_proposal(title or '', problem or '').items()
        ]
        if rows:
            connection.execute(sa.insert(proposal_terms), rows)


def _batches(connection: sa.Connection) -> Iterator[Sequence[sa.Row[tuple[int, str, str]]]]:
    last_id = 0
    while True:
        batch = connection.execute(
            sa.select(proposals.c.id, proposals.c.title, proposals.c.problem)
            .where(proposals.c.id > last_id).order_by(proposals.c.id).limit(BATCH)
        ).all()
        if not batch:
            return
        yield batch
        last_id = batch[-1][0]
