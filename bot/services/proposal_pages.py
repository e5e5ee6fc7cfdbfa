"""The department reply page and the public proposal page, each read in a fixed few statements.

A page is read in one transaction of three SELECTs whatever the proposal's history: the
proposal with its department, debate extension, debate summary and satisfaction counts; its
history; its answers on both tracks. Once the 협치회의 could take it up, one more reads its
agenda items, and once a final answer came, two more read the plan it promised and the
워킹그룹's published reports. Everything else the page says (the
deadline and whether 재심의 restarted it, the date the latest 중간답변 expects, whether one
came in the answer window, the head's decision, the timeline) is derived from those rows
here, not asked of the database again.

The reads are synchronous functions of a `Connection`, so a page can run them in one hop on
a read lane (`bot.db.engine.FastLane`) as well as inside an async session (`load_*_page`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import BindParameter, Connection, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import (
    Answer,
    Consultation,
    DebateExtension,
    DebateSummaryRow,
    Department,
    GovernanceItem,
    Milestone,
    Proposal,
    ProposalEvent,
    ReplyLink,
    SatisfactionVote,
    WorkgroupUpdate,
)
from bot.db.prepared import PreparedSelect
from bot.domain.answer_clock import (
    DeadlineFacts,
    DeadlineRules,
    Extension,
    NamedDeadline,
    answer_steps,
    interim_missing,
)
from bot.domain.answer_clock import named_deadline as name_deadline
from bot.domain.answers import AnswerKind, overdue_days
from bot.domain.complaints import RECEIVED
from bot.domain.consultations import ASKED
from bot.domain.deadlines import BusinessCalendar
from bot.domain.debate import DebateSummary, plain_summary
from bot.domain.lifecycle import ProposalStatus
from bot.domain.milestones import StepState, days_late, step_state
from bot.domain.policy import Policy
from bot.domain.proposals import Kind, Origin, shown_to_all
from bot.domain.tiers import HEAD_TRACK
from bot.domain.timeline import (
    Actor,
    AgendaStep,
    AnswerStep,
    Entry,
    PlanStep,
    StateChange,
    timeline,
)
from bot.services.answers import (
    ALLOWED,
    HEAD_KINDS,
    TOKEN_HASHES,
    FoundLink,
    LinkView,
    found_link,
    link_columns,
    token_hashes,
)
from bot.services.browse import PUBLIC_STATUSES, HistoryItem, ProposalCard
from bot.services.deadline_views import RE_REVIEW_NOTE
from bot.services.drafts import place_of

S = ProposalStatus
OVERDUE_STATES = (S.UNDER_REVIEW, S.AWAITING_ANSWER)
PLANNED_STATES = frozenset({S.ANSWERED, S.IN_PROGRESS, S.COMPLETED})
# a proposal the 협치회의 can take up (bot/domain/governance.py PLACEABLE), or took up
AGENDA_STATES = frozenset({S.IN_DEBATE, S.AWAITING_ANSWER, S.ANSWERED, S.IN_PROGRESS,
                           S.COMPLETED})
# the first entry of a timeline whose row never gathered 공감
TIMELINE_OPENINGS = {Kind.COMPLAINT.value: RECEIVED, Kind.CONSULTATION.value: ASKED}
PROPOSAL_ID: BindParameter[int] = bindparam("proposal_id")
# A row of the page's statements, read by column name: a named tuple on the SQLite fast
# lane (bot.db.prepared), a SQLAlchemy Row elsewhere.
PageRow = Any


@dataclass(frozen=True)
class AnswerView:
    id: int
    kind: AnswerKind
    decision: str | None
    text: str
    official_name: str
    department_name: str
    created_at: datetime
    expected_completion: date | None
    budget_krw: int | None
    percent: int | None
    head: bool = False  # 「구청장 답변」, shown apart from the department's


@dataclass(frozen=True)
class MilestoneView:
    """A step of the plan as the pages show it: promised against what happened."""

    position: int
    due_on: date
    title: str
    reached_at: datetime | None
    flagged: bool  # the deadline machine found it late (and told the followers)
    state: StepState = StepState.PLANNED  # on the day the page was read
    days_late: int = 0
    reached_on: date | None = None  # the local day it was reached


@dataclass(frozen=True)
class ReportView:
    """A 워킹그룹 report staff published."""

    at: datetime
    text: str


@dataclass(frozen=True)
class ProposalPage:
    card: ProposalCard
    answers: tuple[AnswerView, ...]
    deadline: NamedDeadline | None  # the one that matters now, named and explained
    overdue_days: int
    allowed: frozenset[AnswerKind]
    head_office_required: bool
    department_name: str | None
    debate_summary: str | None
    satisfied: int
    dissatisfied: int
    # the head's answer tier: its answers, its deadline, whether it has answered
    head_answers: tuple[AnswerView, ...] = ()
    head_due: datetime | None = None
    head_answered: bool = False
    expected_answer: date | None = None  # by the latest 중간답변
    interim_missing: bool = False  # 「중간답변 없음」: none by D-3 of the answer window
    milestones: tuple[MilestoneView, ...] = ()  # the plan an accepting answer promised
    timeline: tuple[Entry, ...] = ()  # every step, promised against what happened
    reports: tuple[ReportView, ...] = ()  # the 워킹그룹's published reports

    @property
    def due(self) -> datetime | None:
        return self.deadline.at if self.deadline is not None else None

    @property
    def open_steps(self) -> frozenset[int]:
        """The numbers of the plan's steps not reached yet."""
        return frozenset(m.position for m in self.milestones if m.reached_at is None)


@dataclass(frozen=True)
class ReplyRead:
    """What the reply page read in its one transaction: the link and its proposal's page."""

    found: FoundLink
    page: ProposalPage

    @property
    def link(self) -> LinkView:
        return self.found.view


@dataclass(frozen=True)
class PageRules:
    """What the pages' deadlines follow from: the policy and the business calendar."""

    policy: Policy
    calendar: BusinessCalendar


@dataclass(frozen=True)
class _Event:
    at: datetime
    status: ProposalStatus
    note: str | None
    actor_id: int | None = None


def read_public_page(
    connection: Connection, proposal_id: int, now: datetime, rules: PageRules, *,
    department: bool = False,
) -> ProposalPage | None:
    """The public page of a proposal; None if it is missing or not public. The `department`
    answering it reads a 민원 whose resident did not make it public too."""
    row = PROPOSAL_READ.first(connection, {PROPOSAL_ID.key: proposal_id})
    if row is None or row.status not in PUBLIC_STATUSES:
        return None
    if not department and not shown_to_all(row.kind, bool(row.complaint_public)):
        return None
    return _read_page(connection, row, now, rules)


def read_reply_page(
    connection: Connection, token: str, now: datetime, rules: PageRules, secret_key: str,
    previous_key: str | None = None,
) -> ReplyRead | None:
    """The link behind `token` and its proposal's page as the department sees it; None alike
    for unknown, expired and revoked tokens. The link is read with its proposal's row, so
    the page takes one statement more than the public page, not two."""
    hashes = token_hashes(token, secret_key, previous_key)
    if hashes is None:
        return None
    row = REPLY_READ.first(connection, hashes)
    found = found_link(row, hashes, now)
    if row is None or found is None:
        return None
    assert row.status in PUBLIC_STATUSES, "a live link always points at a public proposal"
    page = _read_page(connection, row, now, rules, with_timeline=False)
    return ReplyRead(found, for_link(page, found.view))


def _read_page(
    connection: Connection, row: Any, now: datetime, rules: PageRules, *,
    with_timeline: bool = True,
) -> ProposalPage:
    """The page of the proposal in `row` (of `_proposal_columns`): its history and answers;
    the public page's timeline unless `with_timeline` is off (the reply page has none)."""
    params = {PROPOSAL_ID.key: row.id}
    events = [_Event(at, S(status), note, actor_id)
              for at, status, note, actor_id in EVENTS_READ.rows(connection, params)]
    answers = [_answer_view(a) for a in ANSWERS_READ.rows(connection, params)]
    agenda = tuple(AgendaStep(a.placed_at, a.decided_at, a.outcome)
                   for a in AGENDA_READ.rows(connection, params)
                   ) if S(row.status) in AGENDA_STATES else ()
    asked = (CONSULTATION_READ.first(connection, params)
             if row.kind == Kind.CONSULTATION else None)  # the question this row carries
    consultation = asked.id if asked is not None else None
    if S(row.status) not in PLANNED_STATES:  # no plan nor 워킹그룹 before a final answer
        return _page(row, events, answers, (), (), now, rules, agenda,
                     consultation=consultation, with_timeline=with_timeline)
    today = now.astimezone(rules.policy.timezone).date()
    steps = tuple(_milestone_view(m, today, rules.policy.timezone)
                  for m in MILESTONES_READ.rows(connection, params))
    reports = tuple(ReportView(r.created_at, r.text)
                    for r in REPORTS_READ.rows(connection, params))
    return _page(row, events, answers, steps, reports, now, rules, agenda,
                 consultation=consultation, with_timeline=with_timeline)


def for_link(page: ProposalPage, link: LinkView) -> ProposalPage:
    """The page as the link's office may answer it: the head's office answers once, a final
    answer, in any state."""
    if link.head:
        return replace(page, allowed=frozenset() if page.head_answered else HEAD_KINDS)
    return page


async def load_reply_page(
    session: AsyncSession, link: LinkView, now: datetime, policy: Policy,
    calendar: BusinessCalendar,
) -> ProposalPage:
    """The reply page inside `session`'s transaction (the forms' POSTs read it there)."""
    rules = PageRules(policy, calendar)
    page = await session.run_sync(lambda sync: read_public_page(
        sync.connection(), link.proposal_id, now, rules, department=True))
    assert page is not None, "a live link always points at a public proposal"
    return for_link(page, link)


async def load_public_page(
    session: AsyncSession, proposal_id: int, now: datetime, policy: Policy,
    calendar: BusinessCalendar,
) -> ProposalPage | None:
    """The public page inside `session`'s transaction."""
    rules = PageRules(policy, calendar)
    return await session.run_sync(
        lambda sync: read_public_page(sync.connection(), proposal_id, now, rules))


def _proposal_columns() -> tuple[Any, ...]:
    """The proposal's columns with its department, extension, summary and satisfaction."""
    def votes(satisfied: bool) -> Any:
        return (select(func.count()).select_from(SatisfactionVote)
                .where(SatisfactionVote.proposal_id == Proposal.id,
                       SatisfactionVote.satisfied.is_(satisfied))
                .scalar_subquery())

    p = Proposal
    return (
        p.id, p.author_id, p.title, p.problem, p.solution, p.effect, p.area, p.category,
        p.status, p.hidden, p.endorsement_count, p.photo_file_id, p.published_at,
        p.collect_until, p.review_due, p.debate_closes_at, p.answer_due,
        p.offline_channel, p.merged_into_id, p.latitude, p.longitude, p.head_answer_due,
        p.head_answered_at, p.late_endorse_until, p.origin, p.kind, p.complaint_public,
        p.created_at,
        Department.name.label("department_name"),
        DebateExtension.days.label("extension_days"),
        DebateExtension.reason.label("extension_reason"),
        DebateSummaryRow.data.label("summary"),
        votes(True).label("satisfied"),
        votes(False).label("dissatisfied"),
    )


def _with_facts(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    """`query` joined to what `_proposal_columns` reads beside the proposal."""
    return (query
            .outerjoin(Department, Department.id == Proposal.department_id)
            .outerjoin(DebateExtension, DebateExtension.proposal_id == Proposal.id)
            .outerjoin(DebateSummaryRow, DebateSummaryRow.proposal_id == Proposal.id))


def _proposal_query() -> Select[*tuple[Any, ...]]:
    return _with_facts(select(*_proposal_columns())).where(Proposal.id == PROPOSAL_ID)


def _reply_query() -> Select[*tuple[Any, ...]]:
    """The reply link behind a token's hashes, with its proposal's row as `_proposal_query`
    reads it: the link's department is an alias, the proposal's is `Department`."""
    link_department = aliased(Department)
    return (
        _with_facts(
            select(*link_columns(link_department), *_proposal_columns())
            .select_from(ReplyLink)
            .join(link_department, link_department.id == ReplyLink.department_id)
            .join(Proposal, Proposal.id == ReplyLink.proposal_id))
        .where(TOKEN_HASHES)
    )


def _events_query() -> Select[datetime, str, str | None, int | None]:
    return (select(ProposalEvent.at, ProposalEvent.to_status, ProposalEvent.note,
                   ProposalEvent.actor_id)
            .where(ProposalEvent.proposal_id == PROPOSAL_ID)
            .order_by(ProposalEvent.at, ProposalEvent.id))


def _answers_query() -> Select[*tuple[Any, ...]]:
    """Both tracks' answers, oldest first."""
    return (select(Answer.id, Answer.kind, Answer.decision, Answer.text, Answer.official_name,
                   Department.name.label("department_name"), Answer.created_at,
                   Answer.expected_completion, Answer.budget_krw, Answer.percent, Answer.track)
            .join(Department, Department.id == Answer.department_id)
            .where(Answer.proposal_id == PROPOSAL_ID)
            .order_by(Answer.created_at, Answer.id))


def _milestones_query() -> Select[*tuple[Any, ...]]:
    return (select(Milestone.position, Milestone.due_on, Milestone.title, Milestone.reached_at,
                   Milestone.flagged_at)
            .where(Milestone.proposal_id == PROPOSAL_ID)
            .order_by(Milestone.position))


def _consultation_query() -> Select[*tuple[Any, ...]]:
    return select(Consultation.id).where(Consultation.proposal_id == PROPOSAL_ID)


def _agenda_query() -> Select[*tuple[Any, ...]]:
    return (select(GovernanceItem.placed_at, GovernanceItem.decided_at, GovernanceItem.outcome)
            .where(GovernanceItem.proposal_id == PROPOSAL_ID)
            .order_by(GovernanceItem.placed_at, GovernanceItem.id))


def _reports_query() -> Select[*tuple[Any, ...]]:
    return (select(WorkgroupUpdate.created_at, WorkgroupUpdate.text)
            .where(WorkgroupUpdate.proposal_id == PROPOSAL_ID,
                   WorkgroupUpdate.status == "approved")
            .order_by(WorkgroupUpdate.created_at, WorkgroupUpdate.id))


# Built once: a statement executed again as the same object reuses its compiled form whole,
# where an equal one built per request is compiled from the cache but adapted column by column.
PROPOSAL_QUERY = _proposal_query()
REPLY_QUERY = _reply_query()
EVENTS_QUERY = _events_query()
ANSWERS_QUERY = _answers_query()
MILESTONES_QUERY = _milestones_query()
REPORTS_QUERY = _reports_query()
AGENDA_QUERY = _agenda_query()
CONSULTATION_QUERY = _consultation_query()
# ... and on the SQLite fast lane they skip SQLAlchemy's execution altogether (bot.db.prepared).
PROPOSAL_READ = PreparedSelect(PROPOSAL_QUERY)
REPLY_READ = PreparedSelect(REPLY_QUERY)
EVENTS_READ = PreparedSelect(EVENTS_QUERY)
ANSWERS_READ = PreparedSelect(ANSWERS_QUERY)
MILESTONES_READ = PreparedSelect(MILESTONES_QUERY)
REPORTS_READ = PreparedSelect(REPORTS_QUERY)
AGENDA_READ = PreparedSelect(AGENDA_QUERY)
CONSULTATION_READ = PreparedSelect(CONSULTATION_QUERY)


def _milestone_view(row: PageRow, today: date, tz: tzinfo) -> MilestoneView:
    reached = row.reached_at.astimezone(tz).date() if row.reached_at else None
    return MilestoneView(row.position, row.due_on, row.title, row.reached_at,
                         row.flagged_at is not None, step_state(row.due_on, reached, today),
                         days_late(row.due_on, reached, today), reached)


def _answer_view(row: PageRow) -> AnswerView:
    return AnswerView(row.id, AnswerKind(row.kind), row.decision, row.text, row.official_name,
                      row.department_name, row.created_at, row.expected_completion,
                      row.budget_krw, row.percent, head=row.track == HEAD_TRACK)


def _page(
    row: PageRow, events: Sequence[_Event], answers: Sequence[AnswerView],
    steps: tuple[MilestoneView, ...], reports: tuple[ReportView, ...], now: datetime,
    rules: PageRules, agenda: tuple[AgendaStep, ...] = (), *, consultation: int | None = None,
    with_timeline: bool = True,
) -> ProposalPage:
    status = S(row.status)
    card = replace(_card(row, events, answers, rules), consultation=consultation)
    threshold = rules.policy.head_answer_threshold
    return ProposalPage(
        card=card,
        answers=tuple(a for a in answers if not a.head),
        deadline=card.deadline,
        overdue_days=overdue_days(card.deadline.at if card.deadline else None, now)
        if status in OVERDUE_STATES else 0,
        allowed=ALLOWED.get(status, frozenset()),
        head_office_required=bool(threshold and row.endorsement_count >= threshold),
        department_name=row.department_name,
        debate_summary=plain_summary(DebateSummary.from_json(row.summary))
        if row.summary else None,
        satisfied=int(row.satisfied),
        dissatisfied=int(row.dissatisfied),
        head_answers=tuple(a for a in answers if a.head),
        head_due=row.head_answer_due,
        head_answered=row.head_answered_at is not None,
        expected_answer=card.expected_answer,
        interim_missing=status is S.AWAITING_ANSWER and _interim_missing(row, answers, now,
                                                                          rules.calendar),
        milestones=steps,
        timeline=tuple(_timeline(row, events, answers, steps, reports, agenda, now, rules))
        if with_timeline else (),
        reports=reports,
    )


def _timeline(
    row: PageRow, events: Sequence[_Event], answers: Sequence[AnswerView],
    steps: Sequence[MilestoneView], reports: Sequence[ReportView],
    agenda: Sequence[AgendaStep], now: datetime, rules: PageRules,
) -> list[Entry]:
    changes = [StateChange(e.at, e.status, e.note,
                           by_moderator=e.actor_id is not None and e.actor_id != row.author_id)
               for e in events]
    said = [AnswerStep(a.created_at, a.kind, a.decision, a.department_name, a.official_name,
                       a.expected_completion, a.percent, head=a.head) for a in answers]
    plan = [PlanStep(m.position, m.due_on, m.title, m.reached_at) for m in steps]
    opening = TIMELINE_OPENINGS.get(row.kind, S.COLLECTING.value)
    received = row.published_at if row.kind == Kind.PROPOSAL else row.created_at
    return timeline(received, _proposer(row), changes, said, plan, row.answer_due, now,
                    rules.policy.timezone, opening=opening,
                    reports=[report.at for report in reports], agenda=agenda)



def _proposer(row: PageRow) -> Actor:
    if row.origin == Origin.DISTRICT:
        return Actor.DISTRICT
    return Actor.MODERATOR if row.offline_channel is not None else Actor.RESIDENT


def _card(
    row: PageRow, events: Sequence[_Event], answers: Sequence[AnswerView], rules: PageRules
) -> ProposalCard:
    """The card as a visitor without an account sees it (no 공감, mute or report of theirs)."""
    head = [a for a in answers if a.head]
    return ProposalCard(
        row.id, row.author_id, row.title, row.problem, row.solution, row.effect, row.area,
        row.category, S(row.status), row.hidden, row.endorsement_count, row.photo_file_id,
        row.published_at, row.collect_until, row.review_due, row.debate_closes_at,
        row.answer_due, tuple(HistoryItem(e.at, e.status) for e in events),
        viewer_endorsed=False, viewer_muted=False, offline_channel=row.offline_channel,
        merged_into_id=row.merged_into_id, viewer_reported=False,
        place=place_of(row.latitude, row.longitude),
        deadline=_deadline(row, events, rules),
        expected_answer=_expected_answer(answers),
        head_answer_due=row.head_answer_due,
        head_answered=row.head_answered_at is not None,
        head_decision=max(head, key=lambda a: a.id).decision
        if head and row.head_answered_at is not None else None,
        late_endorse_until=row.late_endorse_until,
        district=row.origin == Origin.DISTRICT and row.kind == Kind.PROPOSAL,
        complaint=row.kind == Kind.COMPLAINT,
    )


def _deadline(
    row: PageRow, events: Sequence[_Event], rules: PageRules
) -> NamedDeadline | None:
    """As `deadline_views.deadline_of`, from the rows already read."""
    status = S(row.status)
    restarted = status is S.UNDER_REVIEW and _latest_review_note(events) == RE_REVIEW_NOTE
    extension = (Extension(row.extension_days, row.extension_reason)
                 if status is S.IN_DEBATE and row.extension_days is not None else None)
    facts = DeadlineFacts(status, row.review_due, row.debate_closes_at, row.answer_due,
                          review_restarted=restarted, extension=extension)
    return name_deadline(facts, DeadlineRules(rules.policy.answer_days, rules.calendar))


def _latest_review_note(events: Sequence[_Event]) -> str | None:
    """The note of the latest move into review (events come oldest first)."""
    return next((e.note for e in reversed(events) if e.status is S.UNDER_REVIEW), None)


def _expected_answer(answers: Sequence[AnswerView]) -> date | None:
    """As `deadline_views.expected_answer_date`: what the latest 중간답변 expects."""
    interims = [a for a in answers if a.kind is AnswerKind.INTERIM]
    latest = max(interims, key=lambda a: (a.created_at, a.id), default=None)
    return latest.expected_completion if latest is not None else None


def _interim_missing(
    row: PageRow, answers: Sequence[AnswerView], now: datetime, calendar: BusinessCalendar
) -> bool:
    """「중간답변 없음」, as `answer_steps.has_interim` and `steps_of` decide it."""
    closes, due = row.debate_closes_at, row.answer_due
    if closes is None or due is None:
        return False
    came = any(a.kind is AnswerKind.INTERIM and a.created_at >= closes for a in answers)
    return interim_missing(answer_steps(closes, due, calendar), now, came)
