"""Participatory-budget rounds, the admin's side: rounds, projects, import, phases, count, export.

A round goes 준비 → 투표 중 → 집계 → 결과 공개 (preparing → voting → counting → published).
Admins create it and its projects while it is preparing; the deadline machine opens it at
`opens_at`, closes it at `closes_at` and then counts it once. Every phase change is a guarded
UPDATE, so a sweep that runs twice, late or on two workers changes a round exactly once, and
the messages it owes go into the outbox in the same transaction.

Counting builds a Pabulib `Election` from the submitted ballots and calls the exact rules of
`bot.domain.pb.rules`; the outcome is stored in `BudgetRound.results` (see `RESULTS_VERSION`)
and never recomputed afterwards, so the page, the messages and the export agree forever.

The resident's ballot (drafts, submission, receipts) is `bot.services.ballots`; a ballot
counts here when its `submitted_at` is set, with its `choices` ({project id: points}).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import (
    Answer,
    BudgetBallot,
    BudgetProject,
    BudgetRound,
    Proposal,
    RoundPhase,
    User,
)
from bot.domain.answers import ACCEPTING, AnswerKind
from bot.domain.deadlines import SEOUL, deadline_last_day
from bot.domain.events import BudgetResults, BudgetRoundOpened, Event
from bot.domain.pb.ballot import BallotType, Eligibility
from bot.domain.pb.model import Ballot, Election, Project, VoteType
from bot.domain.pb.pbfile import format_pb
from bot.domain.pb.rounds import ProjectSpec, RoundSpec
from bot.domain.pb.rules import Outcome, tally
from bot.domain.spreadsheet import excel_csv
from bot.services.audit import record_audit
from bot.services.outbox import enqueue, enqueue_for_users
from bot.services.sql import insert_ignoring_conflicts, rows_affected
from bot.settings import Settings

log = logging.getLogger(__name__)

RESULTS_VERSION = 1
SCHEDULER = "scheduler"


# ----- creating a round -----------------------------------------------------------------------


async def create_round(
    session: AsyncSession, spec: RoundSpec, *, now: datetime, actor: str
) -> int:
    """Store a new round in the preparing phase; returns its id."""
    row = BudgetRound(
        name=spec.name, budget_krw=spec.budget_krw, ballot_type=BallotType(spec.ballot.value),
        max_choices=spec.max_choices, points_total=spec.points_total,
        points_per_project=spec.points_per_project,
        eligibility=Eligibility(spec.eligibility.value), area=spec.area, rule=spec.rule.value,
        tie_break=spec.tie_break.value, min_support_percent=spec.min_support_percent,
        changeable=spec.changeable, phase=RoundPhase.PREPARING, opens_at=spec.opens_at,
        closes_at=spec.closes_at, created_at=now, created_by=actor[:120],
    )
    session.add(row)
    await session.flush()
    record_audit(session, now, actor, "budget.round_create", f"budget_round:{row.id}",
                 after=_round_facts(row))
    return row.id


def _round_facts(row: BudgetRound) -> dict[str, object]:
    return {
        "name": row.name, "budget_krw": row.budget_krw, "ballot_type": row.ballot_type,
        "max_choices": row.max_choices, "points_total": row.points_total,
        "points_per_project": row.points_per_project, "eligibility": row.eligibility,
        "area": row.area, "rule": row.rule, "tie_break": row.tie_break,
        "min_support_percent": row.min_support_percent, "changeable": row.changeable,
        "opens_at": row.opens_at.isoformat(), "closes_at": row.closes_at.isoformat(),
    }


@dataclass(frozen=True)
class RoundSummary:
    id: int
    name: str
    phase: RoundPhase
    opens_at: datetime
    closes_at: datetime
    budget_krw: int
    projects: int
    ballots: int


async def list_rounds(session: AsyncSession, limit: int = 20) -> list[RoundSummary]:
    """The newest rounds first, with their project and submitted-ballot counts."""
    projects = (select(func.count()).where(BudgetProject.round_id == BudgetRound.id)
                .correlate(BudgetRound).scalar_subquery())
    ballots = (select(func.count()).where(BudgetBallot.round_id == BudgetRound.id,
                                          BudgetBallot.submitted_at.is_not(None))
               .correlate(BudgetRound).scalar_subquery())
    rows = await session.execute(
        select(BudgetRound.id, BudgetRound.name, BudgetRound.phase, BudgetRound.opens_at,
               BudgetRound.closes_at, BudgetRound.budget_krw, projects, ballots)
        .order_by(BudgetRound.id.desc()).limit(limit)
    )
    return [RoundSummary(rid, name, RoundPhase(phase), opens, closes, budget, p, b)
            for rid, name, phase, opens, closes, budget, p, b in rows.tuples()]


# ----- projects -------------------------------------------------------------------------------


class ProjectOutcome(StrEnum):
    ADDED = "added"
    UNKNOWN_ROUND = "unknown_round"
    NOT_PREPARING = "not_preparing"


@dataclass(frozen=True)
class ProjectResult:
    outcome: ProjectOutcome
    project_id: int | None = None
    over_budget: bool = False  # allowed, but the admin is warned: it can never be funded
    added: int = 0
    already: int = 0


async def _preparing_round(session: AsyncSession, round_id: int) -> BudgetRound | ProjectOutcome:
    """The round, locked against a concurrent opening, if projects may still be added."""
    row = (await session.scalars(
        select(BudgetRound).where(BudgetRound.id == round_id).with_for_update()
    )).one_or_none()
    if row is None:
        return ProjectOutcome.UNKNOWN_ROUND
    if row.phase != RoundPhase.PREPARING:
        return ProjectOutcome.NOT_PREPARING
    return row


async def _next_position(session: AsyncSession, round_id: int) -> int:
    last = await session.scalar(
        select(func.max(BudgetProject.position)).where(BudgetProject.round_id == round_id))
    return int(last or 0) + 1


async def add_project(
    session: AsyncSession, round_id: int, spec: ProjectSpec, *, now: datetime, actor: str
) -> ProjectResult:
    """Add a project to a round that has not opened yet.

    Outcomes: ADDED (with `over_budget` when it costs more than the whole budget),
    UNKNOWN_ROUND, NOT_PREPARING (voting opened: the ballot can no longer change).
    """
    found = await _preparing_round(session, round_id)
    if isinstance(found, ProjectOutcome):
        return ProjectResult(found)
    project = BudgetProject(
        round_id=round_id, title=spec.title, description=spec.description,
        cost_krw=spec.cost_krw, area=spec.area, category=spec.category,
        position=await _next_position(session, round_id),
    )
    session.add(project)
    await session.flush()
    record_audit(session, now, actor, "budget.project_add", f"budget_round:{round_id}",
                 after={"project_id": project.id, "title": spec.title, "cost_krw": spec.cost_krw,
                        "area": spec.area, "category": spec.category})
    return ProjectResult(ProjectOutcome.ADDED, project.id, spec.cost_krw > found.budget_krw,
                         added=1)


@dataclass(frozen=True)
class AcceptedProposal:
    proposal_id: int
    title: str
    description: str
    budget_krw: int
    area: str | None
    category: str | None


async def accepted_with_budget(session: AsyncSession) -> list[AcceptedProposal]:
    """Visible proposals whose latest final answer accepts them (수용 or 부분 수용) with a budget.

    Answers are never overwritten, so a later final answer (a correction) is the one that
    counts: a proposal accepted and then rejected is not imported.
    """
    latest = (select(Answer.proposal_id, func.max(Answer.id).label("answer_id"))
              .where(Answer.kind == AnswerKind.FINAL).group_by(Answer.proposal_id).subquery())
    rows = await session.execute(
        select(Proposal.id, Proposal.title, Proposal.solution, Answer.budget_krw,
               Proposal.area, Proposal.category)
        .join(latest, latest.c.proposal_id == Proposal.id)
        .join(Answer, Answer.id == latest.c.answer_id)
        .where(Answer.decision.in_([d.value for d in ACCEPTING]), Answer.budget_krw > 0,
               Proposal.hidden.is_(False))
        .order_by(Proposal.id)
    )
    return [AcceptedProposal(pid, title, solution, budget or 0, area, category)
            for pid, title, solution, budget, area, category in rows]


async def import_accepted(
    session: AsyncSession, round_id: int, *, now: datetime, actor: str
) -> ProjectResult:
    """Add every accepted proposal with a budget as a project, once (unique round + proposal).

    Outcomes as `add_project`; `added` and `already` count the new and the known proposals.
    """
    found = await _preparing_round(session, round_id)
    if isinstance(found, ProjectOutcome):
        return ProjectResult(found)
    position = await _next_position(session, round_id)
    proposals = await accepted_with_budget(session)
    added: list[int] = []
    for item in proposals:
        inserted = await session.execute(insert_ignoring_conflicts(
            session, BudgetProject, round_id=round_id, title=item.title[:200],
            description=item.description, cost_krw=item.budget_krw, area=item.area,
            category=item.category, proposal_id=item.proposal_id, position=position,
        ))
        if rows_affected(inserted):
            added.append(item.proposal_id)
            position += 1
    record_audit(session, now, actor, "budget.import", f"budget_round:{round_id}",
                 after={"proposal_ids": added})
    return ProjectResult(ProjectOutcome.ADDED, added=len(added),
                         already=len(proposals) - len(added))


# ----- phases (the deadline machine) ----------------------------------------------------------


async def _due_rounds(
    session: AsyncSession, phase: RoundPhase, column: InstrumentedAttribute[datetime],
    now: datetime,
) -> list[int]:
    """Rounds still in `phase` whose `column` time has passed, the earliest first."""
    return list(await session.scalars(
        select(BudgetRound.id).where(BudgetRound.phase == phase, column <= now)
        .order_by(column, BudgetRound.id)))


async def due_openings(session: AsyncSession, now: datetime) -> list[int]:
    return await _due_rounds(session, RoundPhase.PREPARING, BudgetRound.opens_at, now)


async def upcoming_openings(session: AsyncSession, now: datetime) -> list[tuple[int, datetime]]:
    rows = await session.execute(
        select(BudgetRound.id, BudgetRound.opens_at).where(
            BudgetRound.phase == RoundPhase.PREPARING, BudgetRound.opens_at > now))
    return [(rid, at) for rid, at in rows]


async def due_closings(session: AsyncSession, now: datetime) -> list[int]:
    return await _due_rounds(session, RoundPhase.VOTING, BudgetRound.closes_at, now)


async def upcoming_closings(session: AsyncSession, now: datetime) -> list[tuple[int, datetime]]:
    rows = await session.execute(
        select(BudgetRound.id, BudgetRound.closes_at).where(
            BudgetRound.phase.in_([RoundPhase.PREPARING, RoundPhase.VOTING]),
            BudgetRound.closes_at > now))
    return [(rid, at) for rid, at in rows]


async def due_counts(session: AsyncSession, now: datetime) -> list[int]:
    return list(await session.scalars(
        select(BudgetRound.id).where(BudgetRound.phase == RoundPhase.COUNTING)
        .order_by(BudgetRound.id)))


async def no_upcoming(session: AsyncSession, now: datetime) -> list[tuple[int, datetime]]:
    """Counting has no alarm of its own: it is due as soon as a round closes."""
    return []


async def _move(
    session: AsyncSession, round_id: int, expected: RoundPhase, new: RoundPhase,
    guard: ColumnElement[bool], **values: Any,
) -> bool:
    """The guarded UPDATE every phase change goes through; True for the one call that won."""
    moved = await session.execute(
        update(BudgetRound)
        .where(BudgetRound.id == round_id, BudgetRound.phase == expected, guard)
        .values(phase=new, **values).execution_options(synchronize_session=False)
    )
    return rows_affected(moved) == 1


async def open_round(
    session: AsyncSession, round_id: int, now: datetime, settings: Settings
) -> bool:
    """준비 → 투표 중 at `opens_at`, once; the public channel (if any) hears of it."""
    if not await _move(session, round_id, RoundPhase.PREPARING, RoundPhase.VOTING,
                       BudgetRound.opens_at <= now, opened_at=now):
        return False
    row = await session.get(BudgetRound, round_id)
    assert row is not None
    projects = await session.scalar(
        select(func.count()).where(BudgetProject.round_id == round_id))
    if not projects:
        log.warning("budget round %s opened without any project", round_id)
    # a round whose whole window passed while the app was down closes in this same sweep:
    # announcing it as open would only confuse the channel
    if row.closes_at > now:
        notice = BudgetRoundOpened(
            round_id, row.name, row.budget_krw, row.closes_at, int(projects or 0),
            round_url(settings, round_id), key=str(round_id),
        )
        if settings.public_channel_id is not None:
            await enqueue(session, chat_id=settings.public_channel_id, notice=notice, now=now)
        await _tell_creator(session, row, notice, now)
    return True


async def _tell_creator(
    session: AsyncSession, row: BudgetRound, notice: Event, now: datetime
) -> None:
    """The admin who made the round hears what the scheduler did with it (once: a creator who
    also voted already has the results, and the outbox's dedupe key sees that)."""
    kind, _, telegram_id = row.created_by.partition(":")
    if kind == "telegram" and telegram_id.isdigit():
        await enqueue(session, chat_id=int(telegram_id), notice=notice, now=now)


async def close_round(
    session: AsyncSession, round_id: int, now: datetime, settings: Settings
) -> bool:
    """투표 중 → 집계 at `closes_at`, once; the count follows in its own transaction."""
    return await _move(session, round_id, RoundPhase.VOTING, RoundPhase.COUNTING,
                       BudgetRound.closes_at <= now, closed_at=now)


async def count_round(
    session: AsyncSession, round_id: int, now: datetime, settings: Settings
) -> bool:
    """집계 → 결과 공개: count once, store the outcome, tell every voter and the channel.

    The round row is locked first, so a second worker waits and then finds it published.
    """
    row = (await session.scalars(
        select(BudgetRound).where(BudgetRound.id == round_id,
                                  BudgetRound.phase == RoundPhase.COUNTING).with_for_update()
    )).one_or_none()
    if row is None:
        return False
    data = await load_count_data(session, row)
    results = compute_results(data, now, await count_eligible(session, row))
    if not await _move(session, round_id, RoundPhase.COUNTING, RoundPhase.PUBLISHED,
                       true(), results=results, published_at=now):
        return False
    await _publish(session, row, results, now, settings)
    log.info("budget round %s counted: %s of %s projects funded", round_id,
             len(results["selected"]), len(results["projects"]))
    return True


# ----- counting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    id: int
    title: str
    cost_krw: int
    category: str | None
    area: str | None


@dataclass(frozen=True)
class CountData:
    """Everything a count and an export need, read once from the database."""

    round_id: int
    name: str
    budget_krw: int
    ballot_type: BallotType
    max_choices: int | None
    points_total: int | None
    points_per_project: int | None
    rule: str
    tie_break: str
    min_support_percent: int | None
    opens_at: datetime
    closes_at: datetime
    projects: tuple[ProjectRow, ...]
    ballots: tuple[dict[str, int], ...]  # submitted choices, in anonymous order


async def round_projects(session: AsyncSession, round_id: int) -> tuple[ProjectRow, ...]:
    """A round's projects in ballot order."""
    rows = await session.execute(
        select(BudgetProject.id, BudgetProject.title, BudgetProject.cost_krw,
               BudgetProject.category, BudgetProject.area)
        .where(BudgetProject.round_id == round_id)
        .order_by(BudgetProject.position, BudgetProject.id))
    return tuple(ProjectRow(*r) for r in rows)


async def load_count_data(session: AsyncSession, row: BudgetRound) -> CountData:
    projects = await round_projects(session, row.id)
    known = {str(p.id) for p in projects}
    choices = await session.scalars(select(BudgetBallot.choices).where(
        BudgetBallot.round_id == row.id, BudgetBallot.submitted_at.is_not(None)))
    ballots = [clean_choices(c or {}, known, row.id) for c in choices]
    return CountData(
        row.id, row.name, row.budget_krw, BallotType(row.ballot_type), row.max_choices,
        row.points_total, row.points_per_project, row.rule, row.tie_break,
        row.min_support_percent, row.opens_at, row.closes_at, projects,
        tuple(anonymous_order(ballots)),
    )


def clean_choices(choices: dict[str, Any], known: set[str], round_id: int) -> dict[str, int]:
    """Positive points for projects of this round; anything else is dropped (and logged)."""
    kept = {key: int(points) for key, points in choices.items()
            if key in known and isinstance(points, int) and points > 0}
    if len(kept) != len(choices):
        log.warning("a ballot in budget round %s named unknown projects or no points", round_id)
    return kept


def anonymous_order(ballots: Sequence[dict[str, int]]) -> list[dict[str, int]]:
    """Ballots sorted by their content: the order says nothing about who voted, or when."""
    return sorted(ballots, key=lambda b: json.dumps(sorted(b.items(), key=lambda kv: int(kv[0]))))


def build_election(data: CountData) -> Election:
    """The round as a Pabulib election; voter ids are 1, 2, 3… in `anonymous_order`."""
    cumulative = data.ballot_type is BallotType.CUMULATIVE
    vote_type = VoteType.CUMULATIVE if cumulative else VoteType.APPROVAL
    projects = tuple(
        Project(str(p.id), Fraction(p.cost_krw),
                (("name", p.title), ("category", p.category or "none")))
        for p in data.projects)
    ballots = tuple(_ballot(number, choices, cumulative)
                    for number, choices in enumerate(data.ballots, start=1))
    return Election(
        budget=Fraction(data.budget_krw), vote_type=vote_type, projects=projects,
        ballots=ballots, meta=_meta(data, vote_type, len(ballots)),
        project_columns=("project_id", "cost", "name", "category"),
        vote_columns=("voter_id", "vote", "points") if cumulative else ("voter_id", "vote"),
    )


def _ballot(number: int, choices: dict[str, int], cumulative: bool) -> Ballot:
    ids = tuple(sorted(choices, key=int))
    points = tuple(Fraction(choices[i]) for i in ids) if cumulative else None
    return Ballot(str(number), ids, points)


def _meta(data: CountData, vote_type: VoteType, voters: int) -> tuple[tuple[str, str], ...]:
    meta: list[tuple[str, str]] = [
        ("description", data.name), ("country", "Korea"), ("instance", str(data.round_id)),
        ("num_projects", str(len(data.projects))), ("num_votes", str(voters)),
        ("budget", str(data.budget_krw)), ("vote_type", vote_type.value),
        ("rule", data.rule),
        ("date_begin", data.opens_at.astimezone(SEOUL).date().isoformat()),
        ("date_end", deadline_last_day(data.closes_at).isoformat()), ("currency", "KRW"),
        ("language", "ko"),
    ]
    if data.ballot_type is BallotType.CHOOSE_K and data.max_choices:
        meta.append(("max_length", str(data.max_choices)))
    if data.ballot_type is BallotType.APPROVAL_BUDGET:
        meta.append(("max_sum_cost", str(data.budget_krw)))
    if data.ballot_type is BallotType.CUMULATIVE:
        meta += [("max_sum_points", str(data.points_total or 0)),
                 ("max_points", str(data.points_per_project or data.points_total or 0))]
    if data.min_support_percent:
        meta.append(("min_support_percent", str(data.min_support_percent)))
    return tuple(meta)


def count_outcome(data: CountData, election: Election | None = None) -> Outcome | None:
    """The rules' outcome; None when nobody voted (nothing can be funded)."""
    election = election or build_election(data)
    if not election.ballots:
        return None
    return tally(election, data.rule, tie_break=data.tie_break,
                 min_support_percent=data.min_support_percent)


def compute_results(data: CountData, now: datetime, eligible: int) -> dict[str, Any]:
    """The stored outcome: what was funded, with every project's votes and points."""
    outcome = count_outcome(data)
    selected = [int(i) for i in outcome.selected] if outcome else []
    votes = {p.id: 0 for p in data.projects}
    points = {p.id: 0 for p in data.projects}
    for ballot in data.ballots:
        for key, value in ballot.items():
            votes[int(key)] += 1
            points[int(key)] += value
    voters = len(data.ballots)
    projects: list[dict[str, Any]] = [{
        "id": p.id, "title": p.title, "cost": p.cost_krw, "votes": votes[p.id],
        "points": points[p.id], "selected": p.id in selected,
        "supported": _meets_support(votes[p.id], voters, data.min_support_percent),
    } for p in data.projects]
    projects.sort(key=lambda p: (-p["points"], -p["votes"], p["cost"], p["id"]))
    return {
        "version": RESULTS_VERSION, "rule": data.rule, "tie_break": data.tie_break,
        "min_support_percent": data.min_support_percent, "budget": data.budget_krw,
        "ballot_type": data.ballot_type.value, "selected": selected,
        "total_cost": sum(p.cost_krw for p in data.projects if p.id in selected),
        "projects": projects, "ballots": voters, "eligible": eligible,
        "ties": [[int(i) for i in group] for group in outcome.ties] if outcome else [],
        "counted_at": now.isoformat(),
    }


def _meets_support(votes: int, voters: int, percent: int | None) -> bool:
    return percent is None or votes * 100 >= percent * voters


def eligible_condition(eligibility: str, area: str | None) -> ColumnElement[bool]:
    """Who may vote, as SQL (the same rule as `bot.domain.pb.ballot.is_eligible`)."""
    if eligibility == Eligibility.CONTACT:
        return User.phone_hash.is_not(None)
    if eligibility == Eligibility.VERIFIED:
        return User.verified_area == area if area else User.verified_area.is_not(None)
    return true()


async def count_eligible(session: AsyncSession, row: BudgetRound) -> int:
    """How many registered users could have voted at the close (the turnout's denominator)."""
    return int(await session.scalar(
        select(func.count()).select_from(User).where(
            eligible_condition(row.eligibility, row.area))) or 0)


# ----- publishing -----------------------------------------------------------------------------


def round_url(settings: Settings, round_id: int) -> str:
    return f"{settings.public_base_url.rstrip('/')}/budget/{round_id}"


def chart_url(settings: Settings, round_id: int) -> str:
    return f"{round_url(settings, round_id)}/chart.png"


async def _publish(
    session: AsyncSession, row: BudgetRound, results: dict[str, Any], now: datetime,
    settings: Settings,
) -> None:
    """The results, with the chart as a photo, to every voter and to the public channel."""
    by_id = {p["id"]: p for p in results["projects"]}
    count = "points" if results["ballot_type"] == BallotType.CUMULATIVE else "votes"
    notice = BudgetResults(
        row.id, row.name, results["budget"], results["total_cost"], results["ballots"],
        results["eligible"],
        # [title, cost, votes (or points on a cumulative ballot)], in the order funded
        [[by_id[i]["title"], by_id[i]["cost"], by_id[i][count]] for i in results["selected"]],
        round_url(settings, row.id), ballot_type=results["ballot_type"],
        photo_url=chart_url(settings, row.id), key=str(row.id),
    )
    voters = await session.scalars(select(BudgetBallot.user_id).where(
        BudgetBallot.round_id == row.id, BudgetBallot.submitted_at.is_not(None)))
    await enqueue_for_users(session, list(voters), notice, now)
    if settings.public_channel_id is not None:
        await enqueue(session, chat_id=settings.public_channel_id, notice=notice, now=now)
    await _tell_creator(session, row, notice, now)
    record_audit(session, now, SCHEDULER, "budget.publish", f"budget_round:{row.id}",
                 after={"selected": results["selected"], "total_cost": results["total_cost"],
                        "ballots": results["ballots"]})


# ----- the public page and the export ---------------------------------------------------------


@dataclass(frozen=True)
class RoundPage:
    """What the public page shows: the round, its projects and, once published, the results."""

    id: int
    name: str
    phase: RoundPhase
    budget_krw: int
    opens_at: datetime
    closes_at: datetime
    projects: tuple[ProjectRow, ...]
    results: dict[str, Any] | None


async def load_round_page(session: AsyncSession, round_id: int) -> RoundPage | None:
    row = await session.get(BudgetRound, round_id)
    if row is None:
        return None
    published = row.phase == RoundPhase.PUBLISHED
    return RoundPage(row.id, row.name, RoundPhase(row.phase), row.budget_krw, row.opens_at,
                     row.closes_at, await round_projects(session, round_id),
                     row.results if published else None)


class ExportOutcome(StrEnum):
    READY = "ready"
    UNKNOWN_ROUND = "unknown_round"
    NOT_CLOSED = "not_closed"


@dataclass(frozen=True)
class Export:
    outcome: ExportOutcome
    pb_text: str = ""
    csv_bytes: bytes = b""
    ballots: int = 0


async def export_round(
    session: AsyncSession, round_id: int, *, now: datetime, actor: str
) -> Export:
    """The anonymised ballots as a `.pb` file and a CSV (UTF-8 with BOM), after the close.

    Before the close the export is refused, even for admins: partial counts must not leave
    the system while people are still voting. Every export is in the audit log.
    """
    row = await session.get(BudgetRound, round_id)
    if row is None:
        return Export(ExportOutcome.UNKNOWN_ROUND)
    if row.phase not in (RoundPhase.COUNTING, RoundPhase.PUBLISHED):
        return Export(ExportOutcome.NOT_CLOSED)
    data = await load_count_data(session, row)
    record_audit(session, now, actor, "budget.export", f"budget_round:{round_id}",
                 after={"ballots": len(data.ballots)})
    return Export(ExportOutcome.READY, format_pb(build_election(data)), ballots_csv(data),
                  len(data.ballots))


def ballots_csv(data: CountData) -> bytes:
    """One row per ballot (anonymous number), one column per project with its points."""
    return excel_csv(
        ["voter_id", *[f"{p.id} {p.title}" for p in data.projects]],
        ([number, *[choices.get(str(p.id), 0) for p in data.projects]]
         for number, choices in enumerate(data.ballots, start=1)))
