"""The participatory-budgeting election: projects, ballots, the budget and the META pairs.

One model serves both the bot's own PB rounds and real Pabulib files, so it keeps what a
file says verbatim (META pairs in order, extra project and ballot columns) next to the
typed values the rules need. Money and points are exact ``Fraction``s: a budget such as
363734.88 is 9093372/25, never a float.

Ballot kinds (``VoteType``):

- ``approval``: a set of projects; ``max_length`` in META makes it choose-k (the Korean
  "pick k of n" ballot), ``choose-1`` is approval with k = 1;
- ``cumulative`` and ``scoring``: projects with points, aligned with ``points``;
- ``ordinal``: projects ranked from most to least preferred. A rank is worth
  ``L - position`` points (Borda as Pabulib counts it), where L is META ``max_length`` or,
  without it, the ballot's own length: 3/2/1 for Kraków's "rank exactly 3".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class VoteType(StrEnum):
    APPROVAL = "approval"
    CHOOSE_1 = "choose-1"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    ORDINAL = "ordinal"

    @property
    def has_points(self) -> bool:
        """Whether a ballot of this kind carries a ``points`` column."""
        return self in (VoteType.CUMULATIVE, VoteType.SCORING)


BORDA_SCORING = ("", "borda")


@dataclass(frozen=True)
class Project:
    """A project that can be funded. ``fields`` holds the other columns (name, votes…)."""

    id: str
    cost: Fraction
    fields: tuple[tuple[str, str], ...] = ()

    def column(self, key: str) -> str | None:
        return dict(self.fields).get(key)


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: project ids in ballot order, and their points when the kind has any."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    fields: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.points is not None and len(self.points) != len(self.projects):
            raise ValueError("points must be aligned with projects")


@dataclass(frozen=True)
class Election:
    """A whole PB vote. ``meta`` keeps every META pair in file order, budget and vote_type too."""

    budget: Fraction
    vote_type: VoteType
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    meta: tuple[tuple[str, str], ...] = ()
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
    _index: dict[str, Project] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.budget < 0:
            raise ValueError("the budget cannot be negative")
        index = {project.id: project for project in self.projects}
        if len(index) != len(self.projects):
            raise ValueError("project ids must be unique")
        self._index.update(index)
        for ballot in self.ballots:
            self._check_ballot(ballot)

    def _check_ballot(self, ballot: Ballot) -> None:
        unknown = [pid for pid in ballot.projects if pid not in self._index]
        if unknown:
            raise ValueError(f"ballot {ballot.voter_id!r} names unknown project {unknown[0]!r}")
        if len(set(ballot.projects)) != len(ballot.projects):
            raise ValueError(f"ballot {ballot.voter_id!r} names a project twice")
        if self.vote_type.has_points and ballot.points is None:
            raise ValueError(f"ballot {ballot.voter_id!r} has no points")

    def project(self, project_id: str) -> Project:
        return self._index[project_id]

    def meta_value(self, key: str) -> str | None:
        return dict(self.meta).get(key)

    @property
    def max_length(self) -> int | None:
        value = self.meta_value("max_length")
        return int(value) if value is not None and value not in ("", "none") else None

    def ballot_points(self, ballot: Ballot) -> Iterator[tuple[str, Fraction]]:
        """(project id, points) for every project on the ballot; approval ballots give 1 each."""
        if ballot.points is not None:
            yield from zip(ballot.projects, ballot.points, strict=True)
        elif self.vote_type is VoteType.ORDINAL:
            scoring = (self.meta_value("scoring_fn") or "").strip().lower()
            if scoring not in BORDA_SCORING:
                raise ValueError(f"unsupported scoring_fn {scoring!r} (only Borda)")
            top = self.max_length or len(ballot.projects)
            for position, project_id in enumerate(ballot.projects):
                yield project_id, Fraction(top - position)
        else:
            for project_id in ballot.projects:
                yield project_id, Fraction(1)
