"""Tables of 공감 (DESIGN.md §6). Later features add their tables in their own migrations."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import (
    PublishedJSON,
    PublishedString,
    PublishedText,
    UTCDateTime,
    mask_on_assignment,
)
from bot.domain.lifecycle import ProposalStatus
from bot.domain.pb.ballot import Eligibility
from bot.domain.permissions import Role
from bot.domain.proposals import Kind, Origin

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Texts others see are Published* columns: masked when set, written and read (bot.db.types).
event.listen(Base, "mapper_configured", mask_on_assignment, propagate=True)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(8), default="ko")
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default=Role.RESIDENT)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    verified_area: Mapped[str | None] = mapped_column(String(40))
    muted_all: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # polls (migration 0005): the resident opted in to quick priority polls with /polls
    polls_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # verification/broadcasts (migration 0008): when a /verify code made them a verified resident
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # moderation (migration 0007): a ban refuses new content until then (year 9999: permanent)
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ban_reason: Mapped[str | None] = mapped_column(String(200))
    # resident's journey (migration 0012): hear of budget rounds; non-urgent news once a day
    budget_news: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    contact_emails: Mapped[str | None] = mapped_column(Text)
    head_office: Mapped[bool] = mapped_column(Boolean, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # answers that cannot slip (migration 0015): an overdue answer's second escalation step
    head_email: Mapped[str | None] = mapped_column(String(254))


class CategoryDepartment(Base):
    """The department a category's proposals go to by default."""

    __tablename__ = "category_departments"

    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))


class ReplyLink(Base):
    """A department's signed way in: only the token's keyed hash is stored."""

    __tablename__ = "reply_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # head's answer tier (migration 0014): "department", or "head" for the head's office
    track: Mapped[str] = mapped_column(String(16), default="department",
                                       server_default="department")


class Answer(Base):
    """Everything a department publishes; never updated (corrections are new rows)."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("reply_links.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str | None] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(PublishedText())
    official_name: Mapped[str] = mapped_column(PublishedString(40))
    expected_completion: Mapped[date | None] = mapped_column(Date)
    budget_krw: Mapped[int | None] = mapped_column(BigInteger)
    percent: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # head's answer tier (migration 0014): "department", or "head" (「구청장 답변」)
    track: Mapped[str] = mapped_column(String(16), default="department",
                                       server_default="department")


class SatisfactionVote(Base):
    """An endorser's 만족 / 불만족 with the final answer (changeable, one per person)."""

    __tablename__ = "satisfaction_votes"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    satisfied: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # resident's journey (migration 0012): why dissatisfied, a listed reason or a masked sentence
    reason_code: Mapped[str | None] = mapped_column(String(16))
    reason_text: Mapped[str | None] = mapped_column(String(300))


class ReReviewRequest(Base):
    """The author's one request for 재심의 of a NOT_FEASIBLE proposal."""

    __tablename__ = "re_review_requests"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(PublishedText())  # the moderators read it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved: Mapped[bool | None] = mapped_column(Boolean)


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_status_collect_until", "status", "collect_until"),
        Index("ix_proposals_status_debate_closes_at", "status", "debate_closes_at"),
        # migration 0017: the pages of /admin's staff lists (bot/services/admin_lists.py)
        Index("ix_proposals_status_endorsement_count", "status", "endorsement_count"),
        Index("ix_proposals_status_review_due", "status", "review_due"),
        Index("ix_proposals_status_answer_due", "status", "answer_due"),
        Index("ix_proposals_area_category", "area", "category"),
        # migration 0018: the deadline machine's probe and batches read every deadline
        # column by status through an index (bot/services/deadlines.py)
        Index("ix_proposals_status_halfway_at", "status", "halfway_at"),
        Index("ix_proposals_status_closing_soon_at", "status", "closing_soon_at"),
        Index("ix_proposals_status_next_reminder_at", "status", "next_reminder_at"),
        Index("ix_proposals_status_debate_reminder_at", "status", "debate_reminder_at"),
        Index("ix_proposals_status_answer_step_at", "status", "answer_step_at"),
        Index("ix_proposals_head_reminder_at", "head_reminder_at"),
        # migration 0026: the progress requests after an accepting answer
        Index("ix_proposals_status_progress_due_at", "status", "progress_due_at"),
        # migration 0028: the yearly report reads a year of proposals by when they came
        Index("ix_proposals_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(PublishedString(120))
    problem: Mapped[str] = mapped_column(PublishedText())
    solution: Mapped[str] = mapped_column(PublishedText())
    effect: Mapped[str] = mapped_column(PublishedText())
    area: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(24), default=ProposalStatus.COLLECTING)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    endorsement_count: Mapped[int] = mapped_column(Integer, default=0)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collect_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    halfway_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closing_soon_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dissatisfaction_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    debate_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # debates (migration 0004): the start of D-3, cleared once the reminder went out
    debate_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # moderation (migration 0007): why it is hidden, where a duplicate went, paper intake
    hidden_reason: Mapped[str | None] = mapped_column(String(24))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    offline_channel: Mapped[str | None] = mapped_column(String(16))
    offline_contact: Mapped[str | None] = mapped_column(String(120))  # masked display form only
    offline_contact_hash: Mapped[str | None] = mapped_column(String(64))
    # call-backs (migration 0016): the contact, encrypted with CONTACT_KEY, kept only with the
    # resident's consent and erased (NULL) once the proposal is closed and nobody waits a call
    offline_contact_secret: Mapped[str | None] = mapped_column(Text)
    # resident's journey (migration 0012): a place shared as a Telegram location
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # head's answer tier (migration 0014): routed once to the head's office, its own clock;
    # 공감 still counted after the review started, while a higher tier is configured
    head_routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    head_answer_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    head_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    head_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late_endorse_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # answers that cannot slip (migration 0015): the answer window's next one-off step
    answer_step_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # promises kept (migration 0026): when the department is next asked for a progress update
    progress_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # district proposals (migration 0027): "resident", or "district" for a 「구 제안」
    origin: Mapped[str] = mapped_column(String(12), default=Origin.RESIDENT,
                                        server_default=Origin.RESIDENT.value)
    # 민원 (migration 0028): "proposal", or "complaint" (answered without 공감, triaged by
    # staff into a kind of the 민원처리법, public only with the resident's consent)
    kind: Mapped[str] = mapped_column(String(12), default=Kind.PROPOSAL,
                                      server_default=Kind.PROPOSAL.value)
    complaint_kind: Mapped[str | None] = mapped_column(String(16))
    complaint_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # text messages (migration 0034): with the resident's consent at intake, their news goes
    # by 알림톡/SMS: the contact encrypted with CONTACT_KEY, erased like the call-back one;
    # when the provider refuses the number, the news goes on the call-back list instead
    offline_text_secret: Mapped[str | None] = mapped_column(Text)
    offline_text_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProposalDraft(Base):
    """A proposal being written: one per user, saved after every step, kept on /cancel."""

    __tablename__ = "proposal_drafts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(120))
    problem: Mapped[str | None] = mapped_column(Text)
    solution: Mapped[str | None] = mapped_column(Text)
    effect: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # district proposals (migration 0027): written by staff with /district_proposal
    origin: Mapped[str] = mapped_column(String(12), default=Origin.RESIDENT,
                                        server_default=Origin.RESIDENT.value)


class ProposalTerm(Base):
    """Search index: the weighted terms of a proposal's title and problem."""

    __tablename__ = "proposal_terms"
    __table_args__ = (Index("ix_proposal_terms_term", "term", "proposal_id"),)

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)


class Report(Base):
    """A resident's report of a proposal or an opinion; one per person and item."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("user_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProposalEvent(Base):
    """History: one row per state change, never updated."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)


class Endorsement(Base):
    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Subscription(Base):
    """Who follows a proposal; `muted` keeps the row (and the history) but stops pushes."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A message that a committed change owes somebody; the dispatcher delivers it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), default="telegram", server_default="telegram")
    chat_id: Mapped[int] = mapped_column(BigInteger)
    address: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(48))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # verification/broadcasts (migration 0008): the broadcast this message belongs to
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True
    )
    # staff queue (migration 0013): the work item this is a copy of, in one staff chat
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_items.id", ondelete="SET NULL"), index=True
    )


class InboundUpdate(Base):
    """Every Telegram update, stored before Telegram is told it arrived (migration 0010).

    The raw `payload` is kept only while the update waits to be handled (so a crash means
    "handled after the restart"), then erased; the row stays a week as the redelivery
    guard. `handled_at` is set in the same transaction as the update's first write, so an
    update has its effect once even when it is handled twice. `worker` is the process that
    stored it, which takes it back at once after a crash.
    """

    __tablename__ = "inbound_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    worker: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class AuditEntry(Base):
    """Append-only record of staff and department actions."""

    __tablename__ = "audit_log"
    # "what happened to this subject", newest first: the /audit filter and the report
    # threshold's "since the last restore" (migration 0009)
    __table_args__ = (Index("ix_audit_log_subject_action", "subject", "action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# ----- debates (migration 0004) -------------------------------------------------------------


class DebateStance(Base):
    """A resident's 찬성 / 반대 / 중립 in a debate; the latest choice counts."""

    __tablename__ = "debate_stances"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    stance: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Opinion(Base):
    """An opinion written in chat or posted in the debate's forum topic."""

    __tablename__ = "opinions"
    __table_args__ = (Index("ix_opinions_proposal_id_created_at", "proposal_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(PublishedText())
    source: Mapped[str] = mapped_column(String(8), default="chat")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # moderation (migration 0007): why a moderator or the report threshold hid it
    hidden_reason: Mapped[str | None] = mapped_column(String(24))


class OpinionLike(Base):
    """One 👍 per person and opinion."""

    __tablename__ = "opinion_likes"

    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("opinions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DebateSummaryRow(Base):
    """The closing summary, written once in the closing transaction."""

    __tablename__ = "debate_summaries"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(PublishedJSON())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DebateExtension(Base):
    """A moderator's one extension of a debate (the primary key makes it once)."""

    __tablename__ = "debate_extensions"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(PublishedText())
    moderator: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DebateForumTopic(Base):
    """The debate's forum topic: requested by the service, created and closed by ForumMirror."""

    __tablename__ = "debate_forum_topics"
    __table_args__ = (UniqueConstraint("chat_id", "thread_id"),)

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# ----- polls (migration 0005) ---------------------------------------------------------------


class Poll(Base):
    """A quick priority poll (엠보팅 style), sent as native Telegram polls to many chats."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    announced: Mapped[bool] = mapped_column(Boolean, default=False)


class PollCopy(Base):
    """One native poll message in one chat: pending until sent, stopped after the close."""

    __tablename__ = "poll_copies"
    __table_args__ = (UniqueConstraint("poll_id", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_poll_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # set when the send was attempted; without a message id the chat could not be reached
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PollVote(Base):
    """A resident's current choice in a poll, whichever copy it came from (latest wins)."""

    __tablename__ = "poll_votes"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # the copy the latest answer came from: a retraction on another copy does not erase it
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("poll_copies.id", ondelete="SET NULL"))
    option_ids: Mapped[list[int]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# ----- participatory budget (migration 0006) ------------------------------------------------


class RoundPhase(StrEnum):
    """준비 → 투표 중 → 집계 → 결과 공개."""

    PREPARING = "preparing"
    VOTING = "voting"
    COUNTING = "counting"
    PUBLISHED = "published"


class BudgetRound(Base):
    """A participatory-budget vote: its rules, window and, once counted, its stored outcome."""

    __tablename__ = "budget_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(PublishedString(200))
    budget_krw: Mapped[int] = mapped_column(BigInteger)
    ballot_type: Mapped[str] = mapped_column(String(24))
    max_choices: Mapped[int | None] = mapped_column(Integer)  # k of choose-k
    points_total: Mapped[int | None] = mapped_column(Integer)  # n of cumulative
    points_per_project: Mapped[int | None] = mapped_column(Integer)  # m of cumulative
    eligibility: Mapped[str] = mapped_column(String(16), default=Eligibility.EVERYONE)
    # with VERIFIED: only residents verified in this 동 (None: any verified resident)
    area: Mapped[str | None] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(24))
    tie_break: Mapped[str] = mapped_column(String(16), default="cheapest")
    min_support_percent: Mapped[int | None] = mapped_column(Integer)
    changeable: Mapped[bool] = mapped_column(Boolean, default=True)
    phase: Mapped[str] = mapped_column(String(16), default=RoundPhase.PREPARING, index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    # the stored outcome: selected project ids, total cost, counts, turnout, tie-breaks used
    results: Mapped[dict[str, Any] | None] = mapped_column(PublishedJSON())


class BudgetProject(Base):
    """A project on a round's ballot, entered by an admin or imported from an accepted proposal."""

    __tablename__ = "budget_projects"
    __table_args__ = (UniqueConstraint("round_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("budget_rounds.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(PublishedString(200))
    description: Mapped[str] = mapped_column(PublishedText(), default="")
    cost_krw: Mapped[int] = mapped_column(BigInteger)
    area: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str | None] = mapped_column(String(40))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class BudgetBallot(Base):
    """One eligible person's ballot in a round: the working draft (saved on every tap) and,
    once submitted, the counted choices. One row per person and round, by constraint."""

    __tablename__ = "budget_ballots"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("budget_rounds.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # {project id as string: points}; approval and choose-k ballots give each choice 1
    draft: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    choices: Mapped[dict[str, int] | None] = mapped_column(JSON)
    draft_page: Mapped[int] = mapped_column(Integer, default=0)
    receipt: Mapped[str | None] = mapped_column(String(16))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminded_48h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_6h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())



# ----- moderation (migration 0007) ----------------------------------------------------------


class WorkItem(Base):
    """Something the moderators must act on, posted with buttons in the moderators' chat.

    The first moderator who acts claims it (`UPDATE … WHERE claimed_by IS NULL`); the message
    is then edited to say who did what. `params` keeps what the message needs to be drawn
    again (titles, department choices), so rendering needs no further queries.
    """

    __tablename__ = "work_items"
    __table_args__ = (Index("ix_work_items_claimed_at_created_at", "claimed_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claimed_by_name: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    action: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)


# ----- call-backs and residents' questions (migration 0016) ---------------------------------


class CallbackItem(Base):
    """A notice the author of an offline proposal would get, to be told by phone: the event
    as an outbox row would carry it (`kind`, `params`), rendered when staff open the list."""

    __tablename__ = "callback_items"
    __table_args__ = (Index("ix_callback_items_done_at_created_at", "done_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class StaffQuestion(Base):
    """A resident's question to the staff (「운영진에게 묻기」) and the answer it got; the
    resident's text is kept as given, staff see it masked."""

    __tablename__ = "staff_questions"
    __table_args__ = (Index("ix_staff_questions_user_id_created_at", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    work_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_items.id", ondelete="SET NULL"))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))



# ----- verification codes, broadcasts (migration 0008) --------------------------------------


class VerificationBatch(Base):
    """One admin's batch of single-use codes for a 동 (the codes themselves are never stored)."""

    __tablename__ = "verification_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))


class VerificationCode(Base):
    """A code's keyed hash; `used_at` is set once, by a guarded UPDATE."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("verification_batches.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    area: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VerificationFailure(Base):
    """A wrong /verify attempt, kept so that the hourly limit survives a restart."""

    __tablename__ = "verification_failures"
    __table_args__ = (Index("ix_verification_failures_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Broadcast(Base):
    """An admin's message to many residents: a draft until confirmed, then sent via the outbox."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text_html: Mapped[str] = mapped_column(Text)
    audience: Mapped[str | None] = mapped_column(String(16))
    audience_value: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    admin_chat_id: Mapped[int] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    excluded_muted: Mapped[int] = mapped_column(Integer, default=0)
    excluded_unreachable: Mapped[int] = mapped_column(Integer, default=0)
    reported: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SendBudget(Base):
    """The bot's share of Telegram's rate, booked by every replica (bot/send_budget.py): the
    next free slot and the end of a 429 pause, in microseconds since the epoch. One row."""

    __tablename__ = "send_budget"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    next_slot: Mapped[int] = mapped_column(BigInteger)
    paused_until: Mapped[int] = mapped_column(BigInteger)


class SendBudgetChat(Base):
    """A chat's next free slot (microseconds since the epoch), while it is in the future or
    recent; older rows are deleted (a missing row means the chat may be written to now).

    A group's row also keeps its latest slots, oldest first, as many as it may have in a
    minute (20): the next may not come within a minute of the first of them. They live on the
    row a booking locks, so two replicas booking the same group at once cannot both count
    the minute from what they read before the other's booking committed.
    """

    __tablename__ = "send_budget_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_slot: Mapped[int] = mapped_column(BigInteger, index=True)
    # PostgreSQL only books from these tables; SQLite has them, unused (bot/send_budget.py)
    recent_slots: Mapped[list[int] | None] = mapped_column(
        ARRAY(BigInteger).with_variant(JSON(), "sqlite"))


# ----- the 주민자치회 members' recruitment (migration 0021) ----------------------------------


class CouncilRecruitment(Base):
    """A 동's call for 주민자치회 members: seats, reserves, the application window. The
    lottery among those who complete the 주민자치학교 runs from the completers' table
    (`python -m bot sortition`)."""

    __tablename__ = "council_recruitments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(40), index=True)
    seats: Mapped[int] = mapped_column(Integer)
    reserves: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    # migration 0024: the composition rules (`QuotaRule.as_json` each); None: Seoul's
    rules: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON())


class CouncilApplication(Base):
    """A resident's application (its id is the public applicant number), the features the
    composition rules need (age band, sex), the consent to their use for this lottery only,
    and whether the 주민자치학교 was completed (recorded by staff). A withdrawn application
    keeps its row and number, so applying again is the same application."""

    __tablename__ = "council_applications"
    __table_args__ = (UniqueConstraint("user_id", "recruitment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recruitment_id: Mapped[int] = mapped_column(
        ForeignKey("council_recruitments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    age_band: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(8))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(120))
    # migration 0022: what the draw made of it (`bot.domain.council.Outcome`), a reserve's rank
    outcome: Mapped[str | None] = mapped_column(String(16))
    reserve_rank: Mapped[int | None] = mapped_column(Integer)
    # migration 0023: a seat offered (drawn, or moved up from the reserves), to be confirmed
    # by `confirm_by` (the deadline machine's `council_offer`), then accepted or declined
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CouncilDraw(Base):
    """The members' lottery of one call, drawn in the bot (`bot.domain.lottery`): prepared
    (the inputs published with the commitment, the secret kept until the draw, the library's
    distribution) and then drawn (the room's randomness and the record anyone re-runs with
    `python -m bot sortition verify`)."""

    __tablename__ = "council_draws"

    recruitment_id: Mapped[int] = mapped_column(
        ForeignKey("council_recruitments.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON())
    commitment: Mapped[str] = mapped_column(String(64))
    secret: Mapped[str] = mapped_column(String(64))  # hex; revealed in the record
    distribution: Mapped[dict[str, Any]] = mapped_column(JSON())
    library: Mapped[str] = mapped_column(String(64))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    prepared_by: Mapped[str] = mapped_column(String(120))
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drawn_by: Mapped[str | None] = mapped_column(String(120))


class Assembly(Base):
    """A 동's 주민총회 (`bot.domain.assembly`): the agenda, the voting channels and their
    weights, the online window and the on-site day with its polling places; once counted,
    the result (frozen, as the public page and the open data show it)."""

    __tablename__ = "assemblies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(PublishedString(80))
    items: Mapped[list[dict[str, Any]]] = mapped_column(PublishedJSON())
    picks: Mapped[int] = mapped_column(Integer)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON())
    online_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    online_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    onsite_day: Mapped[date | None] = mapped_column(Date())
    places: Mapped[list[str]] = mapped_column(PublishedJSON())
    budget: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(120))
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(PublishedJSON())


class AssemblyParticipation(Base):
    """One person's part in an assembly: online (with their receipt) or checked in at a
    polling place by the roll. What they chose is not here: ballots are kept apart."""

    __tablename__ = "assembly_participations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    place: Mapped[int | None] = mapped_column(Integer)  # paper: the polling place's index
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    receipt: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AssemblyRollKey(Base):
    """What identifies a participant (their account, their phone's keyed hash, their
    verification code): one key counts once per assembly, across every channel."""

    __tablename__ = "assembly_roll_keys"

    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("assembly_participations.id", ondelete="CASCADE"), index=True)


class AssemblyBallot(Base):
    """An online ballot: the items chosen, with nothing that says whose it is."""

    __tablename__ = "assembly_ballots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    choices: Mapped[list[int]] = mapped_column(JSON())


class AssemblyTally(Base):
    """Totals staff entered: a polling place's paper votes per item (with the tally sheet's
    photo) or the committee's scores. Every entry is kept; the latest of a place counts."""

    __tablename__ = "assembly_tallies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assembly_id: Mapped[int] = mapped_column(
        ForeignKey("assemblies.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    place: Mapped[int | None] = mapped_column(Integer)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON())  # item number -> votes or score
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    entered_by: Mapped[str] = mapped_column(String(120))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Milestone(Base):
    """A step of the plan an accepting answer promised: its day, and when it was reached.

    `remind_at` and `overdue_at` are the deadline machine's: each is cleared by the guarded
    UPDATE that acts on it, so a reminder and an overdue flag happen once each."""

    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("proposal_id", "position"),
        Index("ix_milestones_remind_at", "remind_at"),
        Index("ix_milestones_overdue_at", "overdue_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)  # its number in the plan, from 1
    due_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(PublishedString(200))
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # shown late publicly
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reached_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"))


class WorkgroupMember(Base):
    """A resident staff attached to a proposal being carried out: its 워킹그룹."""

    __tablename__ = "workgroup_members"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(120))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkgroupUpdate(Base):
    """What a 워킹그룹 member reports on the work: `pending` until staff approve it (then the
    followers and the public page get it) or reject it."""

    __tablename__ = "workgroup_updates"
    __table_args__ = (Index("ix_workgroup_updates_proposal_id", "proposal_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(PublishedText())
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="pending")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(120))


class GovernanceMember(Base):
    """A member of the 협치회의 (bot/domain/governance.py): 위원장 or 위원, appointed by an
    admin; a dismissed member keeps the row (dismissed_at), so past votes keep their name."""

    __tablename__ = "governance_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(PublishedString(40))
    role: Mapped[str] = mapped_column(String(12))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    appointed_by: Mapped[str] = mapped_column(String(64))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class GovernanceMeeting(Base):
    """A regular or extraordinary meeting: when and where, and its minutes once written."""

    __tablename__ = "governance_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    place: Mapped[str] = mapped_column(PublishedString(80))
    convened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    convened_by: Mapped[str] = mapped_column(String(64))
    minutes: Mapped[str | None] = mapped_column(PublishedText())
    minutes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class GovernanceRequest(Base):
    """A member's request for an extraordinary meeting; open until one is convened."""

    __tablename__ = "governance_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("governance_members.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(PublishedString(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_meetings.id", ondelete="SET NULL"))


class GovernanceItem(Base):
    """An agenda item (상정): a proposal (`item_kind`; the district's consultations later) on
    a meeting's agenda, and, once decided, the count that decided it."""

    __tablename__ = "governance_items"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),
                      UniqueConstraint("meeting_id", "item_kind", "proposal_id",
                                       name="uq_governance_items_subject"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("governance_meetings.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    item_kind: Mapped[str] = mapped_column(String(16), default="proposal")
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(PublishedString(150))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    placed_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(12))
    members: Mapped[int | None] = mapped_column(Integer)  # at the decision
    present: Mapped[int | None] = mapped_column(Integer)
    yes: Mapped[int | None] = mapped_column(Integer)
    no: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)


class GovernanceAttendance(Base):
    """A member present at a meeting."""

    __tablename__ = "governance_attendance"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("governance_meetings.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("governance_members.id", ondelete="CASCADE"), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class GovernanceVote(Base):
    """One member's vote on an agenda item: one each (the primary key)."""

    __tablename__ = "governance_votes"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("governance_items.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("governance_members.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(12))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GovernanceRecommendation(Base):
    """A 권고 to the 구청장 from a passed item (조례 §8②), its response clock and the
    office's response. `alarm_at` is the next thing the deadline machine owes: the reminder,
    then the overdue notice; each is claimed by a guarded UPDATE, so each happens once."""

    __tablename__ = "governance_recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("governance_items.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(PublishedText())
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    made_by: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    alarm_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response: Mapped[str | None] = mapped_column(PublishedText())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_by: Mapped[str | None] = mapped_column(String(64))


class Consultation(Base):
    """「구가 묻습니다」: a question the district puts to residents, tied to a proposal row of
    kind `consultation` (its title and background; after the close, the department's reply
    link, answers and clock). `state`: scheduled, open, closed."""

    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_state_opens_at", "state", "opens_at"),
        Index("ix_consultations_state_closes_at", "state", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    question: Mapped[str] = mapped_column(PublishedString(200))
    options: Mapped[list[str]] = mapped_column(PublishedJSON())
    arguments: Mapped[list[str]] = mapped_column(PublishedJSON())
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    audience: Mapped[str] = mapped_column(String(12))
    audience_value: Mapped[str | None] = mapped_column(String(40))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"))
    photo_file_id: Mapped[str | None] = mapped_column(String(200))
    document_file_id: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="scheduled")
    result: Mapped[list[int] | None] = mapped_column(JSON())  # votes per option, at the close
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsultationVote(Base):
    """One resident's vote, changeable until the close."""

    __tablename__ = "consultation_votes"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    choice: Mapped[int] = mapped_column(Integer)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsultationOpinion(Base):
    """An opinion under the choice its writer made (masked, public)."""

    __tablename__ = "consultation_opinions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    choice: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(PublishedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KakaoAccount(Base):
    """A KakaoTalk channel user (migration 0032): their botUserKey only as a keyed hash, the
    공감 user they are (a Kakao-only one has a synthetic `telegram_id`, bot/domain/kakao.py),
    their turns (each a synthetic update id) and what the last answer showed them, so that a
    button they press next finds the message it belongs to; the process holding their turn
    now, and until when (migration 0035: one replica at a time runs a resident's turns)."""

    __tablename__ = "kakao_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    turns: Mapped[int] = mapped_column(BigInteger, default=0)
    conversation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    turn_token: Mapped[str | None] = mapped_column(String(32))
    turn_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class KakaoHeldNotice(Base):
    """A push for a Kakao-only resident, held until their next message shows it (a Kakao
    chatbot cannot write first): the outbox row's kind, parameters and language, rendered by
    the same notification renderer as a Telegram push."""

    __tablename__ = "kakao_held_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# ----- account links (migration 0033) ---------------------------------------------------------


class AccountLinkCode(Base):
    """A one-time code that links a KakaoTalk and a Telegram account (bot/domain/
    account_links.py): shown by `user_id`'s account, kept as a keyed hash, used once."""

    __tablename__ = "account_link_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccountLinkFailure(Base):
    """A wrong link code entered, kept so that the hourly limit survives a restart."""

    __tablename__ = "account_link_failures"
    __table_args__ = (Index("ix_account_link_failures_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


# ----- text messages: 알림톡 with an SMS fallback (migration 0034) -------------------------------


class TextContact(Base):
    """A Kakao-only resident's number for 알림톡 (SMS when it cannot go), given in the settings
    with their consent: encrypted with CONTACT_KEY, a keyed hash to find it, the masked form
    to show; deleted when they take it back. `refused_at`: the provider refused the number."""

    __tablename__ = "text_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    number_secret: Mapped[str] = mapped_column(Text)
    number_hash: Mapped[str] = mapped_column(String(64), index=True)
    masked: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refused_code: Mapped[str | None] = mapped_column(String(16))


class TextDelivery(Base):
    """What became of one text: the outbox row, the provider and its message id, how it went
    (alimtalk, sms or lms) and its planned fallback, its status (accepted, delivered,
    undelivered, unreported, duplicate, rejected, failed, retry), the provider's code, its
    cost in won (the daily cap adds them up by `created_at`) and when the final report came."""

    __tablename__ = "text_deliveries"
    __table_args__ = (Index("ix_text_deliveries_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox.id", ondelete="SET NULL"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    fallback: Mapped[str | None] = mapped_column(String(8))  # sms or lms, if the 알림톡 fails
    status: Mapped[str] = mapped_column(String(12))
    error_code: Mapped[str | None] = mapped_column(String(16))
    cost_won: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
