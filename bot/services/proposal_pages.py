"""The department reply page and the public proposal page, each read in two statements.

A page is read in one transaction of two SELECTs, whatever the proposal's state and however
long its history: the proposal with its department, debate extension, debate summary and
satisfaction counts (on the reply page, found through its link); then its history, one
UNION ALL of rows tagged by part (`HistoryPart`): its state changes and its answers on both
tracks, and the parts its state and kind can show: the 협치회의's agenda items once it could
be taken up, the plan an accepting answer promised and the 워킹그룹's published reports once
a final answer came, the consultation a consultation's row carries. Everything else the page
says (the deadline and whether 재심의 restarted it, the date the latest 중간답변 expects,
whether one came in the answer window, the head's decision, the timeline) is derived from
those rows here, not asked of the database again.

The reads are synchronous functions of a `Connection`, so a page can run them in one hop on
a read lane (`bot.db.engine.FastLane`) as well as inside an async session (`load_*_page`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import IntEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Connection,
    Date,
    Integer,
    Label,
    Select,
    String,
    Text,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, aliased
from sqlalchemy.types import TypeEngine

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
from bot.db.types import PublishedString, PublishedText, UTCDateTime
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


class HistoryPart(IntEnum):
    """What a row of the history statement is about; its parts come in this order."""

    EVENT = 0  # a state change
    ANSWER = 1  # on either track
    AGENDA = 2  # a 협치회의 agenda item
    STEP = 3  # a step of the plan
    REPORT = 4  # a 워킹그룹 report staff published
    CONSULTATION = 5  # the 「구가 묻습니다」 question the row carries


# The history statement's columns. A slot has one type on every part's row, and the type is
# what converts its values (a timestamp, a date, a published text masked on the way out), so
# a column goes only in a slot of its own type; a part leaves the slots it has nothing for
# NULL (cast to the slot's type: PostgreSQL types a UNION's bare NULLs as text). Which column
# each part puts where: the `_*_part` functions.
SLOTS: dict[str, TypeEngine[Any]] = {
    "at": UTCDateTime(),  # when it happened; a part's rows are ordered by it, then by `seq`
    "seq": Integer(),  # the row's id; a step's position
    "done_at": UTCDateTime(),  # an agenda item decided, a step reached
    "flagged_at": UTCDateTime(),  # a step found late
    "status": String(),  # an event's new state
    "note": Text(),
    "actor_id": Integer(),
    "kind": String(),  # an answer's
    "decision": String(),
    "text": PublishedText(),  # an answer's, a report's
    "official_name": PublishedString(40),
    "office": String(),  # the answering department's name
    "day": Date(),  # the completion an answer expects; a step's due day
    "budget_krw": BigInteger(),
    "percent": Integer(),
    "track": String(),
    "outcome": String(),  # an agenda item's decision
    "title": PublishedString(200),  # a step's
}


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
    def answers_and_progress(self) -> tuple[list[AnswerView], list[AnswerView]]:
        """The answers, and apart from them the progress updates (the public page's two
        lists), in one pass."""
        answers: list[AnswerView] = []
        progress: list[AnswerView] = []
        for answer in self.answers:
            (progress if answer.kind == AnswerKind.PROGRESS else answers).append(answer)
        return answers, progress

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
    """The page of the proposal in `row` (of `_proposal_columns`) with its history; the
    public page's timeline unless `with_timeline` is off (the reply page has none)."""
    parts = _read_history(connection, row)
    tz = rules.policy.timezone
    today = now.astimezone(tz).date()
    return _page(
        row, [_event(e) for e in parts[HistoryPart.EVENT]],
        [_answer_view(a) for a in parts[HistoryPart.ANSWER]],
        tuple(_milestone_view(m, today, tz) for m in parts[HistoryPart.STEP]),
        tuple(ReportView(r.at, r.text) for r in parts[HistoryPart.REPORT]), now, rules,
        tuple(_agenda_step(a) for a in parts[HistoryPart.AGENDA]),
        consultation=next((c.seq for c in parts[HistoryPart.CONSULTATION]), None),
        with_timeline=with_timeline)


def _read_history(connection: Connection, row: PageRow) -> list[list[PageRow]]:
    """The history of the proposal in `row` as its page shows it, indexed by `HistoryPart`
    (each part in its order); the parts its state and kind never show are empty."""
    parts: list[list[PageRow]] = [[] for _ in range(len(HistoryPart))]
    read = history_read(parts_shown(S(row.status), row.kind))
    for history_row in read.rows(connection, {PROPOSAL_ID.key: row.id}):
        parts[history_row.part].append(history_row)
    return parts


def parts_shown(status: ProposalStatus, kind: str) -> frozenset[HistoryPart]:
    """The parts of its history a page shows for a proposal in `status` of `kind`."""
    parts = {HistoryPart.EVENT, HistoryPart.ANSWER}
    if status in AGENDA_STATES:
        parts.add(HistoryPart.AGENDA)
    if status in PLANNED_STATES:  # no plan nor 워킹그룹 before a final answer
        parts |= {HistoryPart.STEP, HistoryPart.REPORT}
    if kind == Kind.CONSULTATION:  # the question this row carries
        parts.add(HistoryPart.CONSULTATION)
    return frozenset(parts)


@cache
def history_read(parts: frozenset[HistoryPart]) -> PreparedSelect:
    """The history statement reading `parts`, built and compiled once for each set a page
    asks for (a handful: `parts_shown`)."""
    return PreparedSelect(_history_query(parts))


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


def _history_query(parts: frozenset[HistoryPart]) -> Select[*tuple[Any, ...]]:
    """`parts` of what is recorded about a proposal, by part, each in its order."""
    history = union_all(*(PART_QUERIES[part]() for part in sorted(parts))).subquery("history")
    return (select(*history.c)
            .order_by(history.c.part, history.c.at, history.c.seq))


def _slots(
    part: HistoryPart, **columns: ColumnElement[Any] | QueryableAttribute[Any]
) -> list[Label[Any]]:
    """`part`'s row in the history's columns: `columns` fill their slots, NULL the rest."""
    if unknown := columns.keys() - SLOTS.keys():
        raise ValueError(f"no such slot: {sorted(unknown)}")
    return [literal_column(str(part.value), Integer).label("part"), *(
        (type_coerce(columns[name], type_) if name in columns else cast(null(), type_))
        .label(name) for name, type_ in SLOTS.items())]


def _events_part() -> Select[*tuple[Any, ...]]:
    e = ProposalEvent
    return (select(*_slots(HistoryPart.EVENT, at=e.at, seq=e.id, status=e.to_status,
                           note=e.note, actor_id=e.actor_id))
            .where(e.proposal_id == PROPOSAL_ID))


def _answers_part() -> Select[*tuple[Any, ...]]:
    """Both tracks' answers."""
    a = Answer
    return (select(*_slots(HistoryPart.ANSWER, at=a.created_at, seq=a.id, kind=a.kind,
                           decision=a.decision, text=a.text, official_name=a.official_name,
                           office=Department.name, day=a.expected_completion,
                           budget_krw=a.budget_krw, percent=a.percent, track=a.track))
            .join(Department, Department.id == a.department_id)
            .where(a.proposal_id == PROPOSAL_ID))


def _agenda_part() -> Select[*tuple[Any, ...]]:
    g = GovernanceItem
    return (select(*_slots(HistoryPart.AGENDA, at=g.placed_at, seq=g.id, done_at=g.decided_at,
                           outcome=g.outcome))
            .where(g.proposal_id == PROPOSAL_ID))


def _steps_part() -> Select[*tuple[Any, ...]]:
    """The plan's steps, by position (`at` is NULL on every one)."""
    m = Milestone
    return (select(*_slots(HistoryPart.STEP, seq=m.position, day=m.due_on, title=m.title,
                           done_at=m.reached_at, flagged_at=m.flagged_at))
            .where(m.proposal_id == PROPOSAL_ID))


def _reports_part() -> Select[*tuple[Any, ...]]:
    w = WorkgroupUpdate
    return (select(*_slots(HistoryPart.REPORT, at=w.created_at, seq=w.id, text=w.text))
            .where(w.proposal_id == PROPOSAL_ID, w.status == "approved"))


def _consultation_part() -> Select[*tuple[Any, ...]]:
    c = Consultation
    return (select(*_slots(HistoryPart.CONSULTATION, seq=c.id))
            .where(c.proposal_id == PROPOSAL_ID))


PART_QUERIES: dict[HistoryPart, Callable[[], Select[*tuple[Any, ...]]]] = {
    HistoryPart.EVENT: _events_part,
    HistoryPart.ANSWER: _answers_part,
    HistoryPart.AGENDA: _agenda_part,
    HistoryPart.STEP: _steps_part,
    HistoryPart.REPORT: _reports_part,
    HistoryPart.CONSULTATION: _consultation_part,
}
# Built once (the history's statements too, by `history_read`): a statement executed again as
# the same object reuses its compiled form whole, where an equal one built per request is
# compiled from the cache but adapted column by column.
PROPOSAL_QUERY = _proposal_query()
REPLY_QUERY = _reply_query()
# ... and on the SQLite fast lane they skip SQLAlchemy's execution altogether (bot.db.prepared).
PROPOSAL_READ = PreparedSelect(PROPOSAL_QUERY)
REPLY_READ = PreparedSelect(REPLY_QUERY)


def _event(row: PageRow) -> _Event:
    """An EVENT row of the history (`_events_part`)."""
    return _Event(row.at, S(row.status), row.note, row.actor_id)


def _answer_view(row: PageRow) -> AnswerView:
    """An ANSWER row of the history (`_answers_part`)."""
    return AnswerView(row.seq, AnswerKind(row.kind), row.decision, row.text, row.official_name,
                      row.office, row.at, row.day, row.budget_krw, row.percent,
                      head=row.track == HEAD_TRACK)


def _agenda_step(row: PageRow) -> AgendaStep:
    """An AGENDA row of the history (`_agenda_part`)."""
    return AgendaStep(row.at, row.done_at, row.outcome)


def _milestone_view(row: PageRow, today: date, tz: tzinfo) -> MilestoneView:
    """A STEP row of the history (`_steps_part`)."""
    reached = row.done_at.astimezone(tz).date() if row.done_at else None
    return MilestoneView(row.seq, row.day, row.title, row.done_at,
                         row.flagged_at is not None, step_state(row.day, reached, today),
                         days_late(row.day, reached, today), reached)


def _page(
    row: PageRow, events: Sequence[_Event], answers: Sequence[AnswerView],
    steps: tuple[MilestoneView, ...], reports: tuple[ReportView, ...], now: datetime,
    rules: PageRules, agenda: tuple[AgendaStep, ...] = (), *, consultation: int | None = None,
    with_timeline: bool = True,
) -> ProposalPage:
    status = S(row.status)
    card = _card(row, events, answers, rules, consultation)
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
    row: PageRow, events: Sequence[_Event], answers: Sequence[AnswerView], rules: PageRules,
    consultation: int | None,
) -> ProposalCard:
    """The card as a visitor without an account sees it (no 공감, mute or report of theirs);
    `consultation`: the question the row carries."""
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
        consultation=consultation,
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
