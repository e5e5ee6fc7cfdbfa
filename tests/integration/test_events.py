"""Notifications are typed events: every registered event renders in Korean and English, is
stored and read back unchanged, and every kind name rows may carry still resolves."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import OutboxMessage
from bot.domain.debate import DebateSummary, QuotedOpinion, Stance
from bot.domain.events import (
    EVENT_TYPES,
    EVENTS,
    AlmostThere,
    AnswerEscalated,
    AnswerOverdue,
    AnswerPublished,
    AnswerReminderD1,
    AnswerReminderD7,
    AnswerReminderOverdue,
    AssemblyCounted,
    BallotReminder6h,
    BallotReminder48h,
    BroadcastMessage,
    BudgetResults,
    BudgetRoundOpened,
    BudgetVoteOpen,
    ClosingSoon,
    ComplaintRouted,
    ConsultationClosed,
    ConsultationOpened,
    ContentHidden,
    ContentRestored,
    CouncilDrawn,
    CouncilOfferExpired,
    CouncilSeatOffered,
    DebateClosed,
    DebateExtended,
    DebateOpened,
    DebateReminder,
    DebateSummaryReady,
    DepartmentAssigned,
    DepartmentLink,
    Event,
    GovernanceAppointed,
    GovernanceConvened,
    GovernanceDecided,
    GovernancePlaced,
    GovernanceRecommended,
    GovernanceRequestsReached,
    Halfway,
    HeadAnswerOverdue,
    HeadAnswerPublished,
    HeadAnswerRequested,
    InterimMissing,
    InterimRequested,
    MilestoneDue,
    MilestoneLate,
    MilestoneOverdue,
    ModerationComplaint,
    ModerationDissatisfied,
    ModerationHeadOffice,
    ModerationHeadOverdue,
    ModerationInterimMissing,
    ModerationOpinion,
    ModerationOpinionReported,
    ModerationOverdue,
    ModerationPending,
    ModerationReported,
    ModerationReReview,
    ModerationThreshold,
    ModerationWorkgroupUpdate,
    PollResultsReady,
    ProgressRequested,
    ProposalApproved,
    ProposalExpired,
    ProposalMerged,
    ProposalRejected,
    ProposalWithdrawn,
    QuestionAnswered,
    QuestionAsked,
    RecommendationAnswered,
    RecommendationOverdue,
    RecommendationReminder,
    ReReviewDecided,
    StatusChanged,
    ThresholdReached,
    WorkgroupJoined,
    WorkgroupNews,
    WorkgroupUpdateDecided,
    event_from_row,
    required_fields,
)
from bot.i18n import I18n
from bot.rendering.emails import TEMPLATES as EMAIL_TEMPLATES
from bot.rendering.emails import render_email
from bot.rendering.notifications import NotificationRenderer
from bot.services.outbox import enqueue, enqueue_email
from tests.conftest import START

DUE = datetime(2026, 12, 8, 14, 59, tzinfo=UTC)
TITLE = "공원 가로등 설치"
SUMMARY = DebateSummary(
    counts={Stance.FOR: 3, Stance.AGAINST: 1}, percents={Stance.FOR: 75, Stance.AGAINST: 25},
    participants=4, opinions=2, top={Stance.FOR: (QuotedOpinion(9, "밤길이 어두워요", 2),)},
    keywords=("가로등",),
).to_json()

# One sample per registered event: a new event without a sample fails
# test_every_registered_event_has_a_sample.
SAMPLES: dict[type[Event], Event] = {
    GovernanceAppointed: GovernanceAppointed("chair", "https://x/hyeopchi", key="1:chair"),
    GovernanceConvened: GovernanceConvened(1, "extraordinary", DUE, "구청 3층 회의실",
                                           "https://x/hyeopchi/1", key="1"),
    GovernanceRequestsReached: GovernanceRequestsReached(4, 10, ["예산 협의", "긴급 안건"],
                                                         key="1", urgent=True),
    GovernancePlaced: GovernancePlaced(4, TITLE, 1, DUE, "https://x/hyeopchi/1", key="1:4"),
    GovernanceDecided: GovernanceDecided(4, TITLE, 1, "passed", 5, 1, 1, 7,
                                         "https://x/hyeopchi/1", key="3"),
    GovernanceRecommended: GovernanceRecommended(4, TITLE, 2, "내년 예산에 반영해 주세요.", DUE,
                                                 "https://x/hyeopchi/1", key="2"),
    RecommendationReminder: RecommendationReminder(4, TITLE, 2, DUE, False,
                                                   "https://x/hyeopchi/1", key="2:soon"),
    RecommendationOverdue: RecommendationOverdue(4, TITLE, 2, DUE, "https://x/hyeopchi/1",
                                                 key="2"),
    RecommendationAnswered: RecommendationAnswered(4, TITLE, 2, "반영하겠습니다.",
                                                   "https://x/hyeopchi/1", key="2"),
    ProposalApproved: ProposalApproved(4, TITLE, key="4"),
    ProposalRejected: ProposalRejected(4, TITLE, "광고성 글이에요", key="4"),
    ProposalWithdrawn: ProposalWithdrawn(4, TITLE, key="4"),
    AlmostThere: AlmostThere(4, TITLE, 45, 5, key="4"),
    Halfway: Halfway(4, TITLE, 20, 50, key="4"),
    ClosingSoon: ClosingSoon(4, TITLE, 20, 50, 3, key="4"),
    ThresholdReached: ThresholdReached(4, TITLE, 50, DUE, key="4"),
    ProposalExpired: ProposalExpired(4, TITLE, 12, 50, key="4"),
    StatusChanged: StatusChanged(4, TITLE, "under_review", key="4:under_review"),
    ModerationPending: ModerationPending(4, TITLE, flagged=True, excerpt="첫 줄", key="4",
                                         work_item_id=11, work_kind="pending", urgent=True),
    ModerationThreshold: ModerationThreshold(4, TITLE, 50, departments=[[1, "도로과"]],
                                             preselected=1, work_item_id=12,
                                             work_kind="threshold", key="4", urgent=True),
    ModerationReported: ModerationReported("opinion", 8, 4, TITLE, 3, {"spam": 3},
                                           excerpt="광고", work_item_id=13,
                                           work_kind="reported", key="opinion:8:2"),
    ModerationOpinion: ModerationOpinion(4, TITLE, 8, "의견이에요", work_item_id=14,
                                         work_kind="flagged_opinion", key="8", urgent=True),
    ModerationOpinionReported: ModerationOpinionReported(4, TITLE, 8, "의견이에요", "spam",
                                                         key="8", urgent=True),
    ModerationDissatisfied: ModerationDissatisfied(4, TITLE, 7, 10, work_item_id=15,
                                                   work_kind="dissatisfied", key="4"),
    ModerationReReview: ModerationReReview(4, TITLE, "현장을 다시 봐 주세요", key="4"),
    ModerationOverdue: ModerationOverdue(4, TITLE, DUE, "awaiting_answer", 3, key="4:d",
                                         work_item_id=16, work_kind="overdue", urgent=True),
    ContentHidden: ContentHidden("proposal", 4, 4, TITLE, "spam", None, key="proposal:4:t"),
    ContentRestored: ContentRestored("opinion", 8, 4, TITLE, "", "오해였어요", key="opinion:8:t"),
    ProposalMerged: ProposalMerged(5, TITLE, "가로등 더 달아 주세요", key="4:5"),
    DepartmentLink: DepartmentLink(4, TITLE, "https://gonggam.test/r/abc", "도로과", key="4:c"),
    DepartmentAssigned: DepartmentAssigned(4, TITLE, "https://gonggam.test/r/abc", "도로과",
                                           key="4:c", urgent=True),
    AnswerReminderD7: AnswerReminderD7(4, TITLE, DUE, "under_review", 0, key="4:a"),
    AnswerReminderD1: AnswerReminderD1(4, TITLE, DUE, "under_review", 0, key="4:b"),
    AnswerReminderOverdue: AnswerReminderOverdue(4, TITLE, DUE, "awaiting_answer", 2, key="4:c"),
    AnswerOverdue: AnswerOverdue(4, TITLE, DUE, "awaiting_answer", 2, key="4:d"),
    AnswerPublished: AnswerPublished(4, TITLE, "final", "도로과", "https://gonggam.test/p/4",
                                     "설치하겠습니다", decision="accepted", key="4:final:t"),
    ReReviewDecided: ReReviewDecided(4, TITLE, True, key="4"),
    HeadAnswerRequested: HeadAnswerRequested(4, TITLE, "https://gonggam.test/r/t", "구청장실",
                                             1000, DUE, key="4:t"),
    ModerationHeadOffice: ModerationHeadOffice(4, TITLE, 1000, key="4", urgent=True),
    HeadAnswerOverdue: HeadAnswerOverdue(4, TITLE, DUE, "head", 1, key="head:4"),
    ModerationHeadOverdue: ModerationHeadOverdue(4, TITLE, DUE, "head", 1, key="head:4",
                                                 urgent=True),
    HeadAnswerPublished: HeadAnswerPublished(4, TITLE, "구청장실", "https://gonggam.test/p/4",
                                             "적극 추진하겠습니다", "accepted", key="4"),
    DebateOpened: DebateOpened(4, TITLE, "밤길이 어두워요", "가로등을 달아 주세요", DUE,
                               note="예산이 있어요", key="4"),
    DebateReminder: DebateReminder(4, TITLE, DUE, key="4"),
    DebateExtended: DebateExtended(4, TITLE, 3, "의견이 더 필요해요", DUE, key="4"),
    DebateSummaryReady: DebateSummaryReady(4, TITLE, DUE, SUMMARY, key="4"),
    DebateClosed: DebateClosed(4, TITLE, DUE, key="4"),
    PollResultsReady: PollResultsReady(2, "산책로 어디가 좋아요?", 3, [["공원", 2], ["하천", 1]],
                                       key="2"),
    BroadcastMessage: BroadcastMessage(1, "<b>주민총회</b> 안내", key="1"),
    BallotReminder48h: BallotReminder48h(3, "2027 주민참여예산", DUE, 2, True, key="5"),
    BallotReminder6h: BallotReminder6h(3, "2027 주민참여예산", DUE, 2, key="5", urgent=True),
    BudgetRoundOpened: BudgetRoundOpened(3, "2027 주민참여예산", 100_000_000, DUE, 5,
                                         "https://gonggam.test/budget/3", key="3"),
    BudgetResults: BudgetResults(3, "2027 주민참여예산", 100_000_000, 80_000_000, 7, 20,
                                 [["경로당 냉난방기", 30_000_000, 5]],
                                 "https://gonggam.test/budget/3", ballot_type="approval_budget",
                                 photo_url="https://gonggam.test/budget/3/chart.png", key="3"),
    BudgetVoteOpen: BudgetVoteOpen(3, "2027 주민참여예산", 100_000_000, DUE, 5, key="3"),
    QuestionAsked: QuestionAsked(6, "경로당은 몇 시에 열어요?", key="6", work_item_id=9,
                                 work_kind="question", urgent=True),
    QuestionAnswered: QuestionAnswered(6, "경로당은 몇 시에 열어요?", "오전 9시에 열어요.",
                                       key="6", urgent=True),
    CouncilDrawn: CouncilDrawn("신도림동", 1, "0042", "selected", 50, confirm_by=DUE,
                               key="1:0042"),
    CouncilSeatOffered: CouncilSeatOffered("신도림동", 1, "0043", 2, DUE, key="1:43"),
    CouncilOfferExpired: CouncilOfferExpired("신도림동", 1, "0042", key="1:42"),
    ModerationComplaint: ModerationComplaint(4, TITLE, [[1, "도로과"]], work_item_id=17,
                                             work_kind="complaint", key="4", urgent=True),
    WorkgroupJoined: WorkgroupJoined(4, TITLE, key="4:9"),
    ModerationWorkgroupUpdate: ModerationWorkgroupUpdate(4, TITLE, 3, "기초 공사를 봤어요",
                                                         work_item_id=18,
                                                         work_kind="workgroup_update", key="3"),
    WorkgroupNews: WorkgroupNews(4, TITLE, "기초 공사를 봤어요", "https://gonggam.test/p/4",
                                 key="3"),
    WorkgroupUpdateDecided: WorkgroupUpdateDecided(4, TITLE, True, key="3"),
    ConsultationOpened: ConsultationOpened(2, "체육센터 야간 개방", "밤 11시까지 열까요?", DUE,
                                           key="2"),
    ConsultationClosed: ConsultationClosed(2, "체육센터 야간 개방", ["찬성", "반대"], [3, 1],
                                           "https://gonggam.test/consultation/2", key="2"),
    ComplaintRouted: ComplaintRouted(4, TITLE, "도로과", "grievance", DUE, key="4"),
    MilestoneDue: MilestoneDue(4, TITLE, "설계 완료", 1, DUE, "https://gonggam.test/r/abc",
                               key="1:due"),
    MilestoneLate: MilestoneLate(4, TITLE, "설계 완료", 1, DUE, "https://gonggam.test/r/abc",
                                 key="1:late"),
    MilestoneOverdue: MilestoneOverdue(4, TITLE, "설계 완료", 1, DUE, "https://gonggam.test/p/4",
                                       key="1:late"),
    ProgressRequested: ProgressRequested(4, TITLE, "도로과", DUE, "https://gonggam.test/r/abc",
                                         key="4:p"),
    AssemblyCounted: AssemblyCounted("신도림동", 1, "2027 주민총회", "https://x/assembly/1",
                                     ["그늘막", "화단"], ["그늘막"], key="1"),
    InterimRequested: InterimRequested(4, TITLE, DUE, "awaiting_answer", key="4:i"),
    InterimMissing: InterimMissing(4, TITLE, DUE, "awaiting_answer", key="4:m"),
    ModerationInterimMissing: ModerationInterimMissing(4, TITLE, DUE, "awaiting_answer",
                                                       key="4:m", urgent=True),
    AnswerEscalated: AnswerEscalated(4, TITLE, DUE, "awaiting_answer", 2, department="도로과",
                                     key="4:h"),
}

# The kind names of rows written by earlier versions: renaming an event's kind would leave
# such rows undeliverable, so each of them must still resolve.
STORED_KINDS = (
    "proposal_approved", "proposal_rejected", "proposal_withdrawn", "almost_there", "halfway",
    "closing_soon", "threshold_reached", "proposal_expired", "status_changed",
    "moderation_pending", "moderation_threshold", "moderation_reported", "moderation_opinion",
    "moderation_opinion_reported", "moderation_dissatisfied", "moderation_re_review",
    "moderation_overdue", "content_hidden", "content_restored", "proposal_merged",
    "department_link", "department_assigned", "answer_reminder_d7", "answer_reminder_d1",
    "answer_reminder_overdue", "answer_overdue", "answer_published", "re_review_decided",
    "debate_opened", "debate_reminder", "debate_extended", "debate_summary", "debate_closed",
    "poll_results", "broadcast", "budget_reminder_48h", "budget_reminder_6h",
    "budget_round_opened", "budget_results",
)
RENDERER = NotificationRenderer(I18n())
PARAMETRISED = pytest.mark.parametrize("event", list(SAMPLES.values()), ids=lambda e: e.kind)


def test_every_registered_event_has_a_sample() -> None:
    assert set(SAMPLES) == set(EVENTS)
    assert all(type(sample) is cls for cls, sample in SAMPLES.items())


def test_kinds_are_unique_and_every_stored_kind_resolves() -> None:
    assert len(EVENT_TYPES) == len(EVENTS)
    for kind in STORED_KINDS:
        assert EVENT_TYPES[kind].kind == kind


@PARAMETRISED
def test_every_event_renders_in_korean_and_in_english(event: Event) -> None:
    korean = RENDERER.render(event, "ko")
    english = RENDERER.render(event, "en")
    assert korean.text and english.text and korean.text != english.text
    for name in ("title", "name", "question"):
        shown = getattr(event, name, None)
        if shown is not None:
            assert shown in korean.text and shown in english.text


# Every other event comes with buttons: its own, a work item's, or the proposal's.
WITHOUT_BUTTONS = {PollResultsReady, BroadcastMessage, BudgetResults, CouncilOfferExpired,
                   GovernanceAppointed, GovernanceConvened, GovernanceRequestsReached,
                   AssemblyCounted}


@PARAMETRISED
def test_every_event_renders_its_buttons_in_korean_and_in_english(event: Event) -> None:
    for language in ("ko", "en"):
        markup = RENDERER.render(event, language, bot_username="gonggam_bot").reply_markup
        assert (markup is None) == (type(event) in WITHOUT_BUTTONS)
        buttons = [button for row in (markup.inline_keyboard if markup else ()) for button in row]
        assert all(b.text and (b.callback_data or b.url) for b in buttons)


@PARAMETRISED
def test_an_outbox_row_renders_as_its_event_does(event: Event) -> None:
    row = json.loads(json.dumps(event.to_params()))
    assert RENDERER(event.kind, row, "ko") == RENDERER.render(event, "ko")


@PARAMETRISED
def test_stored_parameters_read_back_as_the_same_event(event: Event) -> None:
    row = json.loads(json.dumps(event.to_params()))
    assert event_from_row(event.kind, row, key=event.key, urgent=event.urgent) == event


@PARAMETRISED
def test_a_row_missing_a_required_field_is_refused(event: Event) -> None:
    row = event.to_params()
    required = required_fields(type(event))
    assert required, "every event needs at least one field"
    del row[required[0]]
    with pytest.raises(TypeError):
        event_from_row(event.kind, row)


def test_key_and_urgency_travel_beside_the_fields_not_in_them() -> None:
    event = SAMPLES[ModerationPending]
    assert "key" not in event.to_params() and "urgent" not in event.to_params()
    assert {f.name for f in fields(event)} >= {"key", "urgent"}


def test_optional_extras_are_left_out_until_set() -> None:
    """Rows keep the shape they had: a work item's id and excerpt appear only once added."""
    bare = ModerationPending(4, TITLE, key="4")
    assert bare.to_params() == {"proposal_id": 4, "title": TITLE, "flagged": False}
    posted = bare.replace(work_item_id=3, work_kind="pending")
    assert posted.to_params()["work_item_id"] == 3 and "excerpt" not in posted.to_params()


def test_rows_from_before_a_field_existed_still_read_and_unknown_parameters_are_ignored() -> None:
    old = {"round_id": 3, "name": "2027", "budget": 10, "total_cost": 5, "ballots": 1,
           "eligible": 2, "funded": [["벤치", 5]], "url": "u", "retired_parameter": True}
    event = event_from_row("budget_results", old)
    assert isinstance(event, BudgetResults) and event.ballot_type is None
    assert "retired_parameter" not in event.to_params()


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(KeyError):
        event_from_row("no_such_kind", {})


def test_the_answer_kind_is_stored_under_its_old_name() -> None:
    params = SAMPLES[AnswerPublished].to_params()
    assert params["kind"] == "final" and "answer_kind" not in params


@pytest.mark.parametrize("event_class", list(EMAIL_TEMPLATES), ids=lambda c: c.kind)
def test_every_email_event_renders_a_subject_and_a_body(event_class: type[Event]) -> None:
    subject, body = render_email(SAMPLES[event_class], I18n().get("ko"))
    assert TITLE in body and subject.startswith("[공감]")


async def test_every_event_written_to_the_outbox_reads_back_unchanged(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        for chat_id, event in enumerate(SAMPLES.values(), start=1):
            assert await enqueue(session, chat_id=chat_id, notice=event, now=START)
        await enqueue_email(session, address="road@gu.example", notice=SAMPLES[DepartmentLink],
                            now=START)
    async with sessionmaker() as session:
        rows = (await session.execute(
            select(OutboxMessage.kind, OutboxMessage.params, OutboxMessage.dedupe_key,
                   OutboxMessage.urgent).order_by(OutboxMessage.id))).all()
    assert len(rows) == len(SAMPLES) + 1
    expected = [*SAMPLES.values(), SAMPLES[DepartmentLink]]
    for (kind, params, dedupe_key, urgent), event in zip(rows, expected, strict=True):
        assert event_from_row(kind, params, key=event.key, urgent=urgent) == event
        assert dedupe_key.startswith(f"{event.kind}:{event.key}:")
