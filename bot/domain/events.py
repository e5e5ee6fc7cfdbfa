"""What a change tells people: one frozen dataclass per notification.

Services build these and write them to the outbox; rendering turns them into messages at
delivery time, in the recipient's language. An outbox row stores the event's `kind` and its
fields as JSON (`to_params`); `event_from_row` reads them back, so rows written before a
restart (or by an older version) still render. The `kind` strings are stable names: they
are stored in rows and in dedupe keys, so never rename one.

`key` (the notice's identity, part of the outbox dedupe key) and `urgent` (delivered even
in quiet hours and to people who muted everything) travel beside the fields, not in them.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from dataclasses import replace as copy_with
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar, get_type_hints, runtime_checkable

_OMIT_IF_NONE = "omit_if_none"
_STORED_AS = "stored_as"

E = TypeVar("E", bound="Event")


# An optional field marked `metadata={_OMIT_IF_NONE: True}` (always keyword-only, default
# None) is left out of the stored parameters while it is None, so rows keep the shape they
# had before it existed. It is spelled out with `field(...)` at each use rather than through
# a helper so that type checkers see it as keyword-only.


@dataclass(frozen=True)
class Event:
    """One notification; subclasses name their `kind` and declare their fields."""

    kind: ClassVar[str] = ""
    key: str = field(default="", kw_only=True, metadata={"envelope": True})
    urgent: bool = field(default=False, kw_only=True, metadata={"envelope": True})

    def to_params(self) -> dict[str, Any]:
        """The fields as JSON-ready parameters (datetimes as ISO strings)."""
        params: dict[str, Any] = {}
        for spec in _data_fields(type(self)):
            value = getattr(self, spec.name)
            if value is None and spec.metadata.get(_OMIT_IF_NONE):
                continue
            if isinstance(value, datetime):
                value = value.isoformat()
            params[_stored_name(spec)] = value
        return params

    @classmethod
    def from_params(cls: type[E], params: dict[str, Any], *, key: str = "",
                    urgent: bool = False) -> E:
        """The event back from stored parameters; unknown parameters are ignored, a missing
        required one raises TypeError."""
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for spec in _data_fields(cls):
            if _stored_name(spec) in params:
                value = params[_stored_name(spec)]
                if isinstance(value, str) and _is_datetime(hints[spec.name]):
                    value = datetime.fromisoformat(value)
                values[spec.name] = value
        return cls(**values, key=key, urgent=urgent)

    def replace(self: E, **changes: Any) -> E:
        """A copy with some fields changed (a work item adds its id and an excerpt)."""
        return copy_with(self, **changes)


def _data_fields(cls: type[Event]) -> list[Any]:
    return [spec for spec in fields(cls) if not spec.metadata.get("envelope")]


def _stored_name(spec: Any) -> str:
    """A field's parameter name: its own, unless it would clash with the class's `kind`."""
    return str(spec.metadata.get(_STORED_AS, spec.name))


def _is_datetime(hint: Any) -> bool:
    return hint is datetime or datetime in getattr(hint, "__args__", ())


def required_fields(cls: type[Event]) -> list[str]:
    """The fields a stored row must carry for this event."""
    return [spec.name for spec in _data_fields(cls)
            if spec.default is MISSING and spec.default_factory is MISSING]


@runtime_checkable
class AboutProposal(Protocol):
    """An event about one proposal (most are): its message can offer to open it."""

    @property
    def proposal_id(self) -> int: ...

    @property
    def title(self) -> str: ...


# ----- proposals: the 공감 window ------------------------------------------------------------


@dataclass(frozen=True)
class ProposalApproved(Event):
    kind: ClassVar[str] = "proposal_approved"
    proposal_id: int
    title: str


@dataclass(frozen=True)
class ProposalRejected(Event):
    kind: ClassVar[str] = "proposal_rejected"
    proposal_id: int
    title: str
    reason: str


@dataclass(frozen=True)
class ProposalWithdrawn(Event):
    kind: ClassVar[str] = "proposal_withdrawn"
    proposal_id: int
    title: str


@dataclass(frozen=True)
class AlmostThere(Event):
    kind: ClassVar[str] = "almost_there"
    proposal_id: int
    title: str
    count: int
    missing: int


@dataclass(frozen=True)
class Halfway(Event):
    kind: ClassVar[str] = "halfway"
    proposal_id: int
    title: str
    count: int
    threshold: int


@dataclass(frozen=True)
class ClosingSoon(Event):
    kind: ClassVar[str] = "closing_soon"
    proposal_id: int
    title: str
    count: int
    threshold: int
    days: int


@dataclass(frozen=True)
class ThresholdReached(Event):
    kind: ClassVar[str] = "threshold_reached"
    proposal_id: int
    title: str
    count: int
    review_due: datetime


@dataclass(frozen=True)
class ProposalExpired(Event):
    kind: ClassVar[str] = "proposal_expired"
    proposal_id: int
    title: str
    count: int
    threshold: int


@dataclass(frozen=True)
class StatusChanged(Event):
    kind: ClassVar[str] = "status_changed"
    proposal_id: int
    title: str
    status: str


# ----- moderation: work items in the moderators' chat and what authors hear -----------------


@dataclass(frozen=True)
class WorkItemEvent(Event):
    """A notice posted as a moderators' work item: the item adds its id, its kind (for the
    buttons) and, for some kinds, an excerpt of the text in question."""

    excerpt: str | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})
    work_item_id: int | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})
    work_kind: str | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})


@dataclass(frozen=True)
class ModerationPending(WorkItemEvent):
    kind: ClassVar[str] = "moderation_pending"
    proposal_id: int
    title: str
    flagged: bool = False


@dataclass(frozen=True)
class ModerationComplaint(WorkItemEvent):
    """A 민원 to triage: its kind (the 처리기간 follows) and the department to route it to."""

    kind: ClassVar[str] = "moderation_complaint"
    proposal_id: int
    title: str
    departments: list[list[Any]] = field(default_factory=list)  # [id, name] per department


@dataclass(frozen=True)
class ComplaintRouted(Event):
    """To the resident: their 민원 went to a department, which answers by `due`."""

    kind: ClassVar[str] = "complaint_routed"
    proposal_id: int
    title: str
    department: str
    complaint_kind: str
    due: datetime


@dataclass(frozen=True)
class ModerationThreshold(WorkItemEvent):
    kind: ClassVar[str] = "moderation_threshold"
    proposal_id: int
    title: str
    count: int
    flagged: bool = False
    departments: list[list[Any]] = field(default_factory=list)  # [id, name] per department
    preselected: int | None = None


@dataclass(frozen=True)
class ModerationReported(WorkItemEvent):
    kind: ClassVar[str] = "moderation_reported"
    target: str  # "proposal" or "opinion"
    target_id: int
    proposal_id: int
    title: str
    count: int
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ModerationOpinion(WorkItemEvent):
    kind: ClassVar[str] = "moderation_opinion"
    proposal_id: int
    title: str
    opinion_id: int
    text: str


@dataclass(frozen=True)
class ModerationOpinionReported(Event):
    kind: ClassVar[str] = "moderation_opinion_reported"
    proposal_id: int
    title: str
    opinion_id: int
    text: str
    reason: str


@dataclass(frozen=True)
class ModerationDissatisfied(WorkItemEvent):
    kind: ClassVar[str] = "moderation_dissatisfied"
    proposal_id: int
    title: str
    dissatisfied: int
    total: int
    # why, so far: residents per reason code (bot.domain.satisfaction) and a few typed reasons
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ModerationReReview(WorkItemEvent):
    kind: ClassVar[str] = "moderation_re_review"
    proposal_id: int
    title: str
    reason: str


@dataclass(frozen=True)
class ContentVisibility(Event):
    """Fields shared by the author's hidden and visible-again notices."""

    target: str  # "proposal" or "opinion"
    target_id: int
    proposal_id: int
    title: str
    reason: str = ""  # a reason code
    reason_text: str | None = None  # the moderator's own words


@dataclass(frozen=True)
class ContentHidden(ContentVisibility):
    kind: ClassVar[str] = "content_hidden"


@dataclass(frozen=True)
class ContentRestored(ContentVisibility):
    kind: ClassVar[str] = "content_restored"


@dataclass(frozen=True)
class ProposalMerged(Event):
    kind: ClassVar[str] = "proposal_merged"
    proposal_id: int  # the proposal it was merged into
    title: str
    target_title: str


# ----- departments and answers ----------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentNotice(Event):
    """Fields shared by the department's reply link and the moderators' copy."""

    proposal_id: int
    title: str
    url: str
    department: str


@dataclass(frozen=True)
class DepartmentLink(DepartmentNotice):
    kind: ClassVar[str] = "department_link"


@dataclass(frozen=True)
class DepartmentAssigned(DepartmentNotice):
    kind: ClassVar[str] = "department_assigned"


@dataclass(frozen=True)
class AnswerClock(Event):
    """Fields shared by the answer reminders and overdue notices."""

    proposal_id: int
    title: str
    due: datetime
    stage: str = ""
    days: int = 0  # days overdue


@dataclass(frozen=True)
class AnswerReminderD7(AnswerClock):
    kind: ClassVar[str] = "answer_reminder_d7"


@dataclass(frozen=True)
class AnswerReminderD1(AnswerClock):
    kind: ClassVar[str] = "answer_reminder_d1"


@dataclass(frozen=True)
class AnswerReminderOverdue(AnswerClock):
    kind: ClassVar[str] = "answer_reminder_overdue"


@dataclass(frozen=True)
class AnswerOverdue(AnswerClock):
    kind: ClassVar[str] = "answer_overdue"


@dataclass(frozen=True)
class ModerationOverdue(AnswerClock, WorkItemEvent):
    kind: ClassVar[str] = "moderation_overdue"


@dataclass(frozen=True)
class InterimRequested(AnswerClock):
    """The middle of the answer window and no 중간답변 yet: the department is asked for one."""

    kind: ClassVar[str] = "interim_requested"


@dataclass(frozen=True)
class InterimMissing(AnswerClock):
    """D-3 and still no 중간답변: the department's e-mail is told it now shows publicly."""

    kind: ClassVar[str] = "interim_missing"


@dataclass(frozen=True)
class ModerationInterimMissing(AnswerClock, WorkItemEvent):
    kind: ClassVar[str] = "moderation_interim_missing"


@dataclass(frozen=True)
class AnswerEscalated(AnswerClock):
    """The final answer is overdue: an e-mail to the department head (`department` names the
    office they lead)."""

    kind: ClassVar[str] = "answer_escalated"
    department: str = ""


ANSWER_REMINDERS: dict[str, type[AnswerClock]] = {
    "d7": AnswerReminderD7,
    "d1": AnswerReminderD1,
    "overdue": AnswerReminderOverdue,
}


@dataclass(frozen=True)
class AnswerPublished(Event):
    kind: ClassVar[str] = "answer_published"
    proposal_id: int
    title: str
    answer_kind: str = field(metadata={_STORED_AS: "kind"})  # feasibility, interim, final…
    department: str
    url: str
    summary: str
    decision: str | None = None
    # only what the department filled in: the end of the expected completion day, the budget
    completes_by: datetime | None = field(default=None, kw_only=True,
                                          metadata={_OMIT_IF_NONE: True})
    budget_krw: int | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})
    percent: int | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})
    # an interim answer: the end of the day the final answer is expected, and the one the
    # previous interim answer gave when this one moves it
    answer_expected: datetime | None = field(default=None, kw_only=True,
                                             metadata={_OMIT_IF_NONE: True})
    answer_expected_before: datetime | None = field(default=None, kw_only=True,
                                                    metadata={_OMIT_IF_NONE: True})
    # the plan's steps a final answer promised, or the steps a progress update reached: each
    # [its day (ISO) or "", what it is]
    steps: list[list[str]] | None = field(default=None, kw_only=True,
                                          metadata={_OMIT_IF_NONE: True})


@dataclass(frozen=True)
class ReReviewDecided(Event):
    kind: ClassVar[str] = "re_review_decided"
    proposal_id: int
    title: str
    approved: bool


# ----- the district head's answer tier (bot/domain/tiers.py) ---------------------------------


@dataclass(frozen=True)
class HeadAnswerRequested(DepartmentNotice):
    """To the head's office: its own reply link, the 공감 count and its deadline."""

    kind: ClassVar[str] = "head_answer_requested"
    count: int
    due: datetime


@dataclass(frozen=True)
class ModerationHeadOffice(WorkItemEvent):
    """No department is marked as the head's office: the moderators are asked to add one."""

    kind: ClassVar[str] = "moderation_head_office"
    proposal_id: int
    title: str
    count: int


@dataclass(frozen=True)
class HeadAnswerPublished(Event):
    """To the followers: 「구청장 답변」 was published."""

    kind: ClassVar[str] = "head_answer_published"
    proposal_id: int
    title: str
    office: str
    url: str
    summary: str
    decision: str | None = None


@dataclass(frozen=True)
class HeadAnswerOverdue(AnswerClock):
    """To the followers, once: 「구청장 답변」 is late."""

    kind: ClassVar[str] = "head_answer_overdue"


@dataclass(frozen=True)
class ModerationHeadOverdue(AnswerClock, WorkItemEvent):
    """To the moderators, once: the head's office has not answered by its deadline."""

    kind: ClassVar[str] = "moderation_head_overdue"


# ----- debates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DebateOpened(Event):
    kind: ClassVar[str] = "debate_opened"
    proposal_id: int
    title: str
    summary: str
    solution: str
    closes_at: datetime
    note: str = ""  # the department's feasibility note
    # who found it feasible and where the full answer is: the review result comes first in
    # the invitation, so the proposal's followers hear of both in one message
    department: str | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})
    url: str | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})
    # the answer deadline the close will set (issue #15: one deadline, and what follows it)
    answer_due: datetime | None = field(default=None, kw_only=True,
                                        metadata={_OMIT_IF_NONE: True})


@dataclass(frozen=True)
class DebateReminder(Event):
    kind: ClassVar[str] = "debate_reminder"
    proposal_id: int
    title: str
    closes_at: datetime


@dataclass(frozen=True)
class DebateExtended(Event):
    kind: ClassVar[str] = "debate_extended"
    proposal_id: int
    title: str
    days: int
    reason: str
    closes_at: datetime
    # the answer deadline the moved close will set
    answer_due: datetime | None = field(default=None, kw_only=True,
                                        metadata={_OMIT_IF_NONE: True})


@dataclass(frozen=True)
class DebateSummaryReady(Event):
    kind: ClassVar[str] = "debate_summary"
    proposal_id: int
    title: str
    answer_due: datetime
    summary: dict[str, Any]  # DebateSummary.to_json()


@dataclass(frozen=True)
class DebateClosed(Event):
    """No longer written (every follower now gets `DebateSummaryReady`); kept so that rows
    queued before that change still render."""

    kind: ClassVar[str] = "debate_closed"
    proposal_id: int
    title: str
    answer_due: datetime


# ----- polls, broadcasts, participatory budget ----------------------------------------------


@dataclass(frozen=True)
class PollResultsReady(Event):
    kind: ClassVar[str] = "poll_results"
    poll_id: int
    question: str
    voters: int
    options: list[list[Any]]  # [text, votes] per option


@dataclass(frozen=True)
class BroadcastMessage(Event):
    kind: ClassVar[str] = "broadcast"
    broadcast_id: int
    text: str  # the admin's words as Telegram HTML


@dataclass(frozen=True)
class BallotReminder(Event):
    """Fields shared by the 48-hour and 6-hour reminders of an unsubmitted ballot."""

    round_id: int
    name: str
    closes_at: datetime
    count: int  # projects in the draft
    changed: bool = False  # a submitted ballot with unsubmitted changes


@dataclass(frozen=True)
class BallotReminder48h(BallotReminder):
    kind: ClassVar[str] = "budget_reminder_48h"


@dataclass(frozen=True)
class BallotReminder6h(BallotReminder):
    kind: ClassVar[str] = "budget_reminder_6h"


@dataclass(frozen=True)
class LinksToBot(Event):
    """A notice whose message links to a private chat with the bot. The bot's username is
    known only at delivery (None until the bot has asked Telegram), so the dispatcher adds it
    then; like `key` it is never stored."""

    bot_username: str | None = field(default=None, kw_only=True, metadata={"envelope": True})


@dataclass(frozen=True)
class BudgetRoundOpened(LinksToBot):
    kind: ClassVar[str] = "budget_round_opened"
    round_id: int
    name: str
    budget: int
    closes_at: datetime
    projects: int
    url: str


@dataclass(frozen=True)
class BudgetVoteOpen(Event):
    """To a resident who asked for budget news (and may vote in the round): it is open."""

    kind: ClassVar[str] = "budget_vote_open"
    round_id: int
    name: str
    budget: int
    closes_at: datetime
    projects: int


@dataclass(frozen=True)
class BudgetResults(Event):
    kind: ClassVar[str] = "budget_results"
    round_id: int
    name: str
    budget: int
    total_cost: int
    ballots: int
    eligible: int
    funded: list[list[Any]]  # [title, cost, votes or points] in the order funded
    url: str
    ballot_type: str | None = None  # rows queued before ballot types existed have none
    photo_url: str | None = None
    # [title, cost, votes or points, why (an `Unfunded` value), money left at its turn or
    # None] per project not funded; rows queued before reasons existed have none
    unfunded: list[list[Any]] | None = field(default=None, kw_only=True,
                                             metadata={_OMIT_IF_NONE: True})
    # to the owner of a ballot the count did not take: "draft" (never submitted) or
    # "changes" (changed after submitting: the earlier choices counted)
    unsent: str | None = field(default=None, kw_only=True, metadata={_OMIT_IF_NONE: True})


# ----- 「운영진에게 묻기」: a resident's question and the staff's answer ------------------------


@dataclass(frozen=True)
class QuestionAsked(WorkItemEvent):
    """A resident's question, posted to the staff queue with 💬 답하기; `text` is masked."""

    kind: ClassVar[str] = "staff_question"
    question_id: int
    text: str


@dataclass(frozen=True)
class QuestionAnswered(Event):
    """The staff's answer, to the resident who asked (`question`: their own words, cut)."""

    kind: ClassVar[str] = "staff_question_answered"
    question_id: int
    question: str
    answer: str


@dataclass(frozen=True)
class CouncilDrawn(Event):
    """The members' lottery, to each completer: selected, a reserve (with its rank) or not
    drawn (`bot.domain.council.Outcome`)."""

    kind: ClassVar[str] = "council_drawn"
    area: str
    recruitment_id: int
    number: str
    outcome: str
    seats: int
    reserve_rank: int | None = field(default=None, kw_only=True,
                                     metadata={_OMIT_IF_NONE: True})
    confirm_by: datetime | None = field(default=None, kw_only=True,
                                        metadata={_OMIT_IF_NONE: True})  # a seat to confirm


@dataclass(frozen=True)
class CouncilSeatOffered(Event):
    """A seat left empty, offered to the next reserve who keeps the composition rules."""

    kind: ClassVar[str] = "council_seat_offered"
    area: str
    recruitment_id: int
    number: str
    reserve_rank: int
    confirm_by: datetime


@dataclass(frozen=True)
class CouncilOfferExpired(Event):
    """A seat not confirmed by its deadline: it goes to the next reserve."""

    kind: ClassVar[str] = "council_offer_expired"
    area: str
    recruitment_id: int
    number: str


@dataclass(frozen=True)
class AssemblyCounted(Event):
    """A 주민총회 counted, to everyone who took part in the chat: the first items and the
    projects funded, and the page with every channel's numbers."""

    kind: ClassVar[str] = "assembly_counted"
    area: str
    assembly_id: int
    title: str
    page_url: str
    top: list[str]
    chosen: list[str]


@dataclass(frozen=True)
class MilestoneNotice(Event):
    """A step of the plan an accepting answer promised (`position` in the plan, `due` the
    end of its day); `url` is where to act: a fresh reply link for the department, the public
    page for followers."""

    proposal_id: int
    title: str
    step: str
    position: int
    due: datetime
    url: str


@dataclass(frozen=True)
class MilestoneDue(MilestoneNotice):
    """To the department, a few days before a step's day."""

    kind: ClassVar[str] = "milestone_due"


@dataclass(frozen=True)
class MilestoneLate(MilestoneNotice):
    """To the department: a step's day passed without it being reached; shown publicly."""

    kind: ClassVar[str] = "milestone_late"


@dataclass(frozen=True)
class MilestoneOverdue(MilestoneNotice):
    """To the followers: a promised step is late."""

    kind: ClassVar[str] = "milestone_overdue"


@dataclass(frozen=True)
class ProgressRequested(Event):
    """To the department: no progress update for a while on work it accepted."""

    kind: ClassVar[str] = "progress_requested"
    proposal_id: int
    title: str
    department: str
    since: datetime  # the last update (or the accepting answer)
    url: str


@dataclass(frozen=True)
class WorkgroupJoined(Event):
    """To a resident staff attached to the work on a proposal: how to report on it."""

    kind: ClassVar[str] = "workgroup_joined"
    proposal_id: int
    title: str


@dataclass(frozen=True)
class ModerationWorkgroupUpdate(WorkItemEvent):
    """A 워킹그룹 member's report, for staff to publish or not."""

    kind: ClassVar[str] = "moderation_workgroup_update"
    proposal_id: int
    title: str
    update_id: int
    text: str


@dataclass(frozen=True)
class WorkgroupNews(Event):
    """To the followers: the 워킹그룹's report on the work, once staff approved it."""

    kind: ClassVar[str] = "workgroup_news"
    proposal_id: int
    title: str
    text: str
    url: str


@dataclass(frozen=True)
class WorkgroupUpdateDecided(Event):
    """To the member who reported: published, or not."""

    kind: ClassVar[str] = "workgroup_update_decided"
    proposal_id: int
    title: str
    approved: bool


@dataclass(frozen=True)
class GovernanceAppointed(Event):
    """To a person appointed to the 협치회의 (`role`: a `bot.domain.governance.Role` value)
    or dismissed from it (`role` "dismiss")."""

    kind: ClassVar[str] = "governance_appointed"
    role: str
    url: str


@dataclass(frozen=True)
class GovernanceConvened(Event):
    """To every member: a meeting is convened (`meeting_kind`: regular or extraordinary)."""

    kind: ClassVar[str] = "governance_convened"
    meeting_id: int
    meeting_kind: str
    starts_at: datetime
    place: str
    url: str


@dataclass(frozen=True)
class GovernanceRequestsReached(Event):
    """To the staff: a third of the members ask for an extraordinary meeting."""

    kind: ClassVar[str] = "governance_requests_reached"
    requests: int
    members: int
    reasons: list[str]


@dataclass(frozen=True)
class GovernancePlaced(Event):
    """To a proposal's followers: it is on a 협치회의 agenda (상정)."""

    kind: ClassVar[str] = "governance_placed"
    proposal_id: int
    title: str
    meeting_id: int
    starts_at: datetime
    url: str


@dataclass(frozen=True)
class GovernanceDecided(Event):
    """To a proposal's followers: the 협치회의 decided its item (`outcome`: passed or
    rejected) with these votes of the members present."""

    kind: ClassVar[str] = "governance_decided"
    proposal_id: int
    title: str
    meeting_id: int
    outcome: str
    yes: int
    no: int
    abstain: int
    present: int
    url: str


@dataclass(frozen=True)
class GovernanceRecommended(Event):
    """To a proposal's followers and the head's office: a 권고 to the 구청장, answered by
    `due`."""

    kind: ClassVar[str] = "governance_recommended"
    proposal_id: int
    title: str
    recommendation_id: int
    text: str
    due: datetime
    url: str


@dataclass(frozen=True)
class RecommendationReminder(Event):
    """To the head's office (or the staff): a 권고's answer is due soon, or (`overdue`) late."""

    kind: ClassVar[str] = "governance_recommendation_reminder"
    proposal_id: int
    title: str
    recommendation_id: int
    due: datetime
    overdue: bool
    url: str


@dataclass(frozen=True)
class RecommendationOverdue(Event):
    """To a proposal's followers: the 구청장's office has not answered the 권고 in time."""

    kind: ClassVar[str] = "governance_recommendation_overdue"
    proposal_id: int
    title: str
    recommendation_id: int
    due: datetime
    url: str


@dataclass(frozen=True)
class RecommendationAnswered(Event):
    """To a proposal's followers: the 구청장's office answered the 권고."""

    kind: ClassVar[str] = "governance_recommendation_answered"
    proposal_id: int
    title: str
    recommendation_id: int
    response: str
    url: str


@dataclass(frozen=True)
class ConsultationOpened(Event):
    """To the audience: the district asks a question, with a button to read and vote."""

    kind: ClassVar[str] = "consultation_opened"
    consultation_id: int
    title: str
    question: str
    closes_at: datetime


@dataclass(frozen=True)
class ConsultationClosed(Event):
    """To the participants: the votes per option, and the page."""

    kind: ClassVar[str] = "consultation_closed"
    consultation_id: int
    title: str
    options: list[str]
    votes: list[int]
    url: str


EVENTS: tuple[type[Event], ...] = (
    ConsultationOpened, ConsultationClosed,
    GovernanceAppointed, GovernanceConvened, GovernanceRequestsReached, GovernancePlaced,
    GovernanceDecided, GovernanceRecommended, RecommendationReminder, RecommendationOverdue,
    RecommendationAnswered,
    WorkgroupJoined, ModerationWorkgroupUpdate, WorkgroupNews, WorkgroupUpdateDecided,
    ModerationComplaint, ComplaintRouted,
    MilestoneDue, MilestoneLate, MilestoneOverdue, ProgressRequested,
    QuestionAsked, QuestionAnswered, CouncilDrawn, CouncilSeatOffered, CouncilOfferExpired,
    AssemblyCounted,
    ProposalApproved, ProposalRejected, ProposalWithdrawn, AlmostThere, Halfway, ClosingSoon,
    ThresholdReached, ProposalExpired, StatusChanged,
    ModerationPending, ModerationThreshold, ModerationReported, ModerationOpinion,
    ModerationOpinionReported, ModerationDissatisfied, ModerationReReview, ModerationOverdue,
    ContentHidden, ContentRestored, ProposalMerged,
    DepartmentLink, DepartmentAssigned, AnswerReminderD7, AnswerReminderD1,
    AnswerReminderOverdue, AnswerOverdue, AnswerPublished, ReReviewDecided,
    HeadAnswerRequested, ModerationHeadOffice, HeadAnswerPublished, HeadAnswerOverdue,
    ModerationHeadOverdue,
    DebateOpened, DebateReminder, DebateExtended, DebateSummaryReady, DebateClosed,
    PollResultsReady, BroadcastMessage, BallotReminder48h, BallotReminder6h,
    BudgetRoundOpened, BudgetResults, BudgetVoteOpen,
    InterimRequested, InterimMissing, ModerationInterimMissing, AnswerEscalated,
)
EVENT_TYPES: dict[str, type[Event]] = {cls.kind: cls for cls in EVENTS}


def event_from_row(kind: str, params: dict[str, Any], *, key: str = "",
                   urgent: bool = False) -> Event:
    """The event an outbox row holds; KeyError for a kind no event has."""
    return EVENT_TYPES[kind].from_params(params, key=key, urgent=urgent)
