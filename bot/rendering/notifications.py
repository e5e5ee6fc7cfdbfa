"""Texts of outbox notices, rendered at delivery time in the recipient's language."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import OpenProposal
from bot.domain.digest import DIGEST_KIND
from bot.domain.events import (
    AboutProposal,
    AlmostThere,
    AnswerClock,
    AnswerEscalated,
    AnswerOverdue,
    AnswerPublished,
    AnswerReminderD1,
    AnswerReminderD7,
    AnswerReminderOverdue,
    BudgetResults,
    ClosingSoon,
    DebateClosed,
    DepartmentAssigned,
    DepartmentLink,
    Event,
    Halfway,
    HeadAnswerOverdue,
    HeadAnswerPublished,
    HeadAnswerRequested,
    InterimMissing,
    InterimRequested,
    LinksToBot,
    ModerationComplaint,
    ModerationDissatisfied,
    ModerationHeadOffice,
    ModerationHeadOverdue,
    ModerationInterimMissing,
    ModerationOpinion,
    ModerationOverdue,
    ModerationPending,
    ModerationReported,
    ModerationReReview,
    ModerationThreshold,
    ModerationWorkgroupUpdate,
    ProposalApproved,
    ProposalExpired,
    ProposalRejected,
    ProposalWithdrawn,
    ReReviewDecided,
    StatusChanged,
    ThresholdReached,
    WorkItemEvent,
    event_from_row,
)
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import N_, I18n, Translator
from bot.rendering import Rendered
from bot.rendering.answers import DISSATISFACTION_REASONS, rating_buttons
from bot.rendering.assembly import ASSEMBLY_KEYBOARDS, ASSEMBLY_TEMPLATES
from bot.rendering.ballots import BALLOT_KEYBOARDS, BALLOT_TEMPLATES
from bot.rendering.broadcasts import BROADCAST_TEMPLATES
from bot.rendering.budget import BUDGET_KEYBOARDS, BUDGET_TEMPLATES, results_photo
from bot.rendering.complaints import COMPLAINT_TEMPLATES
from bot.rendering.consultations import CONSULTATION_KEYBOARDS, CONSULTATION_TEMPLATES
from bot.rendering.council import COUNCIL_KEYBOARDS, COUNCIL_TEMPLATES
from bot.rendering.debates import DEBATE_TEMPLATES
from bot.rendering.digest import DigestItem, digest_message
from bot.rendering.governance import GOVERNANCE_TEMPLATES
from bot.rendering.labels import status_label
from bot.rendering.milestones import MILESTONE_TEMPLATES
from bot.rendering.moderation import MODERATION_TEMPLATES, work_item_keyboard
from bot.rendering.polls import POLL_TEMPLATES
from bot.rendering.questions import QUESTION_KEYBOARDS, QUESTION_TEMPLATES
from bot.rendering.registry import EventRegistry
from bot.rendering.workgroups import WORKGROUP_TEMPLATES

log = logging.getLogger(__name__)
TEMPLATES: EventRegistry[str] = EventRegistry()
Keyboard = InlineKeyboardMarkup | None
# Kinds that bring their own buttons; any other notice about a proposal offers to open it.
KEYBOARDS: EventRegistry[Keyboard] = EventRegistry()


def _title(event: AboutProposal) -> str:
    return escape(event.title)


DECISIONS = {
    "feasible": N_("can be reviewed: a debate opens"),
    "not_feasible": N_("found not feasible"),
    "accepted": N_("accepted"),
    "partial": N_("partly accepted"),
    "rejected": N_("not accepted"),
    "long_term": N_("to be reviewed in the long term"),
}
ANSWER_KINDS = {
    "feasibility": N_("review result"),
    "interim": N_("interim answer"),
    "final": N_("final answer"),
    "progress": N_("progress update"),
}


@TEMPLATES.of(AnswerPublished)
def _answer(t: Translator, event: AnswerPublished) -> str:
    kind = t.with_particle(t.gettext(ANSWER_KINDS.get(event.answer_kind, "final")), "을/를")
    head = t.gettext("📨 {department} posted a {kind} on 「{title}」").format(
        department=escape(event.department), kind=kind, title=_title(event))
    if event.decision in DECISIONS:
        head += f": <b>{t.gettext(DECISIONS[event.decision])}</b>"
    label = t.gettext("Full answer:")
    full = [f"{label} {event.url}"] if event.url else []  # none: the whole answer is here
    return "\n\n".join([head, *_answer_figures(t, event), escape(event.summary), *full])


def _answer_figures(t: Translator, event: AnswerPublished) -> list[str]:
    """The decision's plan in one line each, only what the department filled in."""
    lines = _expected_answer(t, event)
    if event.completes_by is not None:
        lines.append(t.gettext("📅 To be completed by {date}").format(
            date=t.deadline(event.completes_by)))
    if event.budget_krw:
        lines.append(t.gettext("💰 Budget: {amount}").format(amount=t.money(event.budget_krw)))
    if event.percent is not None:
        lines.append(t.gettext("📊 Progress: {percent}%").format(percent=event.percent))
    return ["\n".join(lines + _steps(t, event))] if lines or event.steps else []


def _steps(t: Translator, event: AnswerPublished) -> list[str]:
    """The plan a final answer promised, or the steps a progress update reached."""
    if not event.steps:
        return []
    label = (t.gettext("✅ Steps reached:") if event.answer_kind == "progress"
             else t.gettext("🗓 The plan:"))
    return [label, *(f"· {_day(t, day)}{escape(step)}" for day, step in event.steps)]


def _day(t: Translator, iso: str) -> str:
    return f"{t.day(date.fromisoformat(iso))} " if iso else ""


def _expected_answer(t: Translator, event: AnswerPublished) -> list[str]:
    """An interim answer's date for the final one, and where it moved from."""
    if event.answer_expected is None:
        return []
    after = t.deadline(event.answer_expected)
    if event.answer_expected_before is None:
        return [t.gettext("📅 Final answer expected on {date}").format(date=after)]
    before = t.deadline(event.answer_expected_before)
    # ko: 「…에서 {after}」 where {after} carries its particle (1월 20일(수)로)
    return [t.gettext("📅 The expected answer date moved from {before} to {after}.").format(
        before=before, after=t.with_particle(after, "으로/로"))]


@TEMPLATES.of(DepartmentLink)
def _department_link(t: Translator, event: DepartmentLink) -> str:
    return t.gettext(
        "📥 {department}: please review proposal #{id} 「{title}」 and answer here "
        "(no Telegram needed):\n{url}"
    ).format(department=escape(event.department), id=event.proposal_id, title=_title(event),
             url=event.url)


@TEMPLATES.of(DepartmentAssigned)
def _department_assigned(t: Translator, event: DepartmentAssigned) -> str:
    return t.gettext(
        "🏛 #{id} 「{title}」 was assigned to {department}. Reply link:\n{url}"
    ).format(department=escape(event.department), id=event.proposal_id, title=_title(event),
             url=event.url)


def _answer_clock(message: str) -> Callable[[Translator, AnswerClock], str]:
    """A reminder or overdue notice: `message` with the proposal, the due date and the days
    overdue filled in."""
    def render(t: Translator, event: AnswerClock) -> str:
        return t.gettext(message).format(title=_title(event), id=event.proposal_id,
                                         due=t.deadline(event.due), days=event.days)
    return render


TEMPLATES.add(AnswerReminderD7, _answer_clock(
    N_("⏰ One week left to answer proposal #{id} 「{title}」: due {due}.")))
TEMPLATES.add(AnswerReminderD1, _answer_clock(
    N_("⏰ Tomorrow is the last day to answer proposal #{id} 「{title}」: due {due}.")))
TEMPLATES.add(AnswerReminderOverdue, _answer_clock(
    N_("❗ The answer to proposal #{id} 「{title}」 is {days} days overdue (due {due}).")))
TEMPLATES.add(ModerationOverdue, _answer_clock(
    N_("❗ Overdue: #{id} 「{title}」 has had no answer since {due} ({days} days).")))
TEMPLATES.add(InterimRequested, _answer_clock(
    N_("📝 Half of the answer period of proposal #{id} 「{title}」 has passed (due {due}). "
       "Please post an interim answer on the reply page: what is being done and the date you "
       "expect to give the final answer.")))
TEMPLATES.add(InterimMissing, _answer_clock(
    N_("❗ Proposal #{id} 「{title}」 has no interim answer three days before its answer "
       "deadline ({due}); its public page now says so.")))
TEMPLATES.add(ModerationInterimMissing, _answer_clock(
    N_("📝 No interim answer: #{id} 「{title}」 is due {due} and the department has said "
       "nothing since the debate closed.")))
TEMPLATES.add(AnswerEscalated, _answer_clock(
    N_("❗ The answer to proposal #{id} 「{title}」 is {days} days overdue (due {due}); the "
       "department head has been told.")))
TEMPLATES.add(AnswerOverdue, _answer_clock(
    N_("The department's answer to 「{title}」 is late (due {due}). "
       "We keep reminding them every week and will tell you when it comes.")))


@TEMPLATES.of(ModerationDissatisfied)
def _dissatisfied(t: Translator, event: ModerationDissatisfied) -> str:
    head = t.gettext(
        "⚠️ #{id} 「{title}」: {dissatisfied} of {total} residents are not satisfied with the "
        "answer. Please consider a re-review."
    ).format(id=event.proposal_id, title=_title(event), dissatisfied=event.dissatisfied,
             total=event.total)
    return "\n\n".join([head, *_dissatisfaction_reasons(t, event)])


def _dissatisfaction_reasons(t: Translator, event: ModerationDissatisfied) -> list[str]:
    """Residents per reason so far, then a few of the sentences they typed."""
    counts = [t.gettext("{reason}: {count}").format(
                  reason=t.gettext(DISSATISFACTION_REASONS[code]), count=count)
              for code, count in event.reasons.items() if code in DISSATISFACTION_REASONS]
    if not counts:
        return []
    lines = [t.gettext("Why, so far:"), *(f"· {line}" for line in counts)]
    lines += [f"「{escape(note)}」" for note in event.notes]
    return ["\n".join(lines)]


@TEMPLATES.of(ModerationReReview)
def _re_review_asked(t: Translator, event: ModerationReReview) -> str:
    return t.gettext(
        "🔁 The author of #{id} 「{title}」 asks for a re-review: {reason}"
    ).format(id=event.proposal_id, title=_title(event), reason=escape(event.reason))


@TEMPLATES.of(HeadAnswerRequested)
def _head_answer_requested(t: Translator, event: HeadAnswerRequested) -> str:
    return t.gettext(
        "🏛 {office}: proposal #{id} 「{title}」 has {count} endorsements, so the district head "
        "answers it. Please answer by {due} here (no Telegram needed):\n{url}"
    ).format(office=escape(event.department), id=event.proposal_id, title=_title(event),
             count=f"{event.count:,}", due=t.deadline(event.due), url=event.url)


@TEMPLATES.of(ModerationHeadOffice)
def _head_office_missing(t: Translator, event: ModerationHeadOffice) -> str:
    return t.gettext(
        "🏛 #{id} 「{title}」 has {count} endorsements: the district head's office must answer, "
        "but no department is marked as the head's office. Add it with {command} and its "
        "reply link goes out at once."
    ).format(id=event.proposal_id, title=_title(event), count=f"{event.count:,}",
             command=escape(t.gettext("/department_add <name> office=head")))


@TEMPLATES.of(HeadAnswerPublished)
def _head_answer(t: Translator, event: HeadAnswerPublished) -> str:
    head = t.gettext("🏛 The district head answered 「{title}」").format(title=_title(event))
    if event.decision in DECISIONS:
        head += f": <b>{t.gettext(DECISIONS[event.decision])}</b>"
    full = t.gettext("Full answer:")
    return "\n\n".join([head, escape(event.summary), f"{full} {event.url}"])


TEMPLATES.add(HeadAnswerOverdue, _answer_clock(
    N_("🏛 The district head's answer to 「{title}」 is late (due {due}). We keep reminding the "
       "office every week and will tell you when it comes.")))
TEMPLATES.add(ModerationHeadOverdue, _answer_clock(
    N_("❗ Overdue: the district head's answer to #{id} 「{title}」 was due {due} ({days} days). "
       "/head_link {id} sends the office a fresh link.")))


@TEMPLATES.of(ReReviewDecided)
def _re_review_decided(t: Translator, event: ReReviewDecided) -> str:
    return (
        t.gettext("🔁 「{title}」 goes back to the department for a new review.")
        if event.approved else
        t.gettext("「{title}」 stays not feasible after the re-review.")
    ).format(title=_title(event))


@TEMPLATES.of(ProposalExpired)
def _expired(t: Translator, event: ProposalExpired) -> str:
    return t.gettext(
        "⏰ The endorsement period of 「{title}」 has ended with {count} of {threshold} "
        "endorsements, so it is closed. Thank you for taking part."
    ).format(title=_title(event), count=event.count, threshold=event.threshold)


@TEMPLATES.of(DebateClosed)
def _debate_closed(t: Translator, event: DebateClosed) -> str:
    return t.gettext(
        "🗳 The debate on 「{title}」 has closed. The department must answer by {due}."
    ).format(title=_title(event), due=t.deadline(event.answer_due))


@TEMPLATES.of(ThresholdReached)
def _endorsement_reached(t: Translator, event: ThresholdReached) -> str:
    return t.gettext(
        "🎉 「{title}」 has {count} endorsements! The department now reviews it. "
        "Review due: {due}"
    ).format(title=_title(event), count=event.count, due=t.deadline(event.review_due))


@TEMPLATES.of(AlmostThere)
def _almost_there(t: Translator, event: AlmostThere) -> str:
    return t.gettext(
        "📣 Only {missing} more 공감 and 「{title}」 goes to the department."
    ).format(title=_title(event), missing=event.missing)


@TEMPLATES.of(Halfway)
def _halfway(t: Translator, event: Halfway) -> str:
    return t.gettext(
        "⏳ Half of the endorsement period of 「{title}」 is over: {count}/{threshold} so far."
    ).format(title=_title(event), count=event.count, threshold=event.threshold)


@TEMPLATES.of(ClosingSoon)
def _closing_soon(t: Translator, event: ClosingSoon) -> str:
    return t.gettext(
        "⏳ {days} days left for 「{title}」, with {count}/{threshold} endorsements. "
        "Share it with your neighbours!"
    ).format(title=_title(event), days=event.days, count=event.count,
             threshold=event.threshold)


@TEMPLATES.of(ProposalWithdrawn)
def _withdrawn(t: Translator, event: ProposalWithdrawn) -> str:
    return t.gettext(
        "The author has withdrawn 「{title}」. Thank you for your 공감."
    ).format(title=_title(event))


@TEMPLATES.of(ProposalApproved)
def _approved(t: Translator, event: ProposalApproved) -> str:
    return t.gettext(
        "✅ 「{title}」 has been checked and published. Now gather 공감!"
    ).format(title=_title(event))


@TEMPLATES.of(ProposalRejected)
def _rejected(t: Translator, event: ProposalRejected) -> str:
    return t.gettext(
        "「{title}」 could not be published. Reason: {reason}"
    ).format(title=_title(event), reason=escape(event.reason))


@TEMPLATES.of(StatusChanged)
def _status_changed(t: Translator, event: StatusChanged) -> str:
    return t.gettext(
        "🔔 「{title}」 is now: {status}."
    ).format(title=_title(event), status=status_label(t, ProposalStatus(event.status)))


@TEMPLATES.of(ModerationThreshold)
def _assign_a_department(t: Translator, event: ModerationThreshold) -> str:
    return t.gettext(
        "📋 #{id} 「{title}」 reached {count} endorsements: please assign a department."
    ).format(id=event.proposal_id, title=_title(event), count=event.count)


@KEYBOARDS.of(AnswerPublished)
def _answer_buttons(t: Translator, event: AnswerPublished) -> Keyboard:
    """A final answer asks whether it satisfies; other answers offer the proposal."""
    return rating_buttons(t, event.proposal_id) if event.answer_kind == "final" else (
        _open_button(t, event))


def _work_item_buttons(t: Translator, event: WorkItemEvent) -> Keyboard:
    """A notice posted as a work item carries the item's buttons; without an item, the
    proposal's."""
    if event.work_item_id is None:
        return _open_button(t, event)
    return work_item_keyboard(t, event)


for _work_item in (ModerationPending, ModerationThreshold, ModerationReported, ModerationOpinion,
                   ModerationDissatisfied, ModerationReReview, ModerationOverdue,
                   ModerationComplaint, ModerationWorkgroupUpdate):
    KEYBOARDS.add(_work_item, _work_item_buttons)
KEYBOARDS.add(ModerationInterimMissing, _work_item_buttons)  # the answer window's D-3 check
KEYBOARDS.add(ModerationHeadOffice, _work_item_buttons)  # the head's answer tier
KEYBOARDS.add(ModerationHeadOverdue, _work_item_buttons)

# The other areas' templates and buttons live beside their texts.
TEMPLATES.include(DEBATE_TEMPLATES)
TEMPLATES.include(POLL_TEMPLATES)
TEMPLATES.include(MODERATION_TEMPLATES)
TEMPLATES.include(BROADCAST_TEMPLATES)
TEMPLATES.include(BALLOT_TEMPLATES)
KEYBOARDS.include(BALLOT_KEYBOARDS)
TEMPLATES.include(BUDGET_TEMPLATES)
KEYBOARDS.include(BUDGET_KEYBOARDS)
TEMPLATES.include(QUESTION_TEMPLATES)
TEMPLATES.include(COUNCIL_TEMPLATES)
KEYBOARDS.include(COUNCIL_KEYBOARDS)
TEMPLATES.include(ASSEMBLY_TEMPLATES)
TEMPLATES.include(GOVERNANCE_TEMPLATES)
TEMPLATES.include(MILESTONE_TEMPLATES)
TEMPLATES.include(COMPLAINT_TEMPLATES)
TEMPLATES.include(WORKGROUP_TEMPLATES)
TEMPLATES.include(CONSULTATION_TEMPLATES)
KEYBOARDS.include(CONSULTATION_KEYBOARDS)
KEYBOARDS.include(ASSEMBLY_KEYBOARDS)
KEYBOARDS.include(QUESTION_KEYBOARDS)


def _open_button(t: Translator, event: Event) -> Keyboard:
    """The buttons of a notice without its own: the proposal it is about, if any."""
    if not isinstance(event, AboutProposal):
        return None
    button = InlineKeyboardButton(
        t.gettext("View the proposal"), callback_data=OpenProposal(event.proposal_id).pack()
    )
    return InlineKeyboardMarkup([[button]])


def _photo(event: Event, text: str) -> str | None:
    """The picture a notice goes out with (the results chart), its text as the caption."""
    return results_photo(event, text) if isinstance(event, BudgetResults) else None


class NotificationRenderer:
    """Turns an event into a message in the recipient's language: the one registry of
    templates (and buttons) per event class, used by the dispatcher for outbox rows."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n

    def __call__(self, kind: str, params: dict[str, Any], language: str,
                 bot_username: str | None = None) -> Rendered:
        """An outbox row's message: its parameters are read back as the event they were
        written from; `bot_username` is the dispatcher's, for links into the bot."""
        if kind == DIGEST_KIND:  # several rows as one message (bot/domain/digest.py)
            return self.render_digest(params["items"], language, bot_username)
        return self.render(event_from_row(kind, params), language, bot_username)

    def render_digest(self, items: list[dict[str, Any]], language: str,
                      bot_username: str | None = None) -> Rendered:
        """Rows' notices (each its `kind` and `params`) as one daily digest, in their order;
        a row that no longer renders is left out rather than holding back the others."""
        entries = []
        for item in items:
            try:
                event = event_from_row(item["kind"], item["params"])
                entries.append(self._digest_item(event, language, bot_username))
            except (KeyError, TypeError, ValueError):
                log.exception("a digest item (%s) cannot be rendered", item.get("kind"))
        return digest_message(self._i18n.get(language), entries)

    def _digest_item(self, event: Event, language: str, bot_username: str | None) -> DigestItem:
        rendered = self.render(event, language, bot_username)
        if isinstance(event, AboutProposal):
            return DigestItem(rendered.text, proposal=(event.proposal_id, event.title))
        rows = rendered.reply_markup.inline_keyboard if rendered.reply_markup else ()
        return DigestItem(rendered.text, button=rows[0][0] if rows and rows[0] else None)

    def render(self, event: Event, language: str, bot_username: str | None = None) -> Rendered:
        """The event's message and buttons (and photo)."""
        if isinstance(event, LinksToBot) and bot_username is not None:
            event = event.replace(bot_username=bot_username)
        t = self._i18n.get(language)
        text = TEMPLATES.render(t, event)
        if type(event) in KEYBOARDS:
            return Rendered(text, KEYBOARDS.render(t, event), photo=_photo(event, text))
        return Rendered(text, _open_button(t, event), photo=_photo(event, text))
