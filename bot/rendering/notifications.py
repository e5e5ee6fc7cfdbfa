"""Texts of outbox notices, rendered at delivery time in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import OpenProposal, RateAnswer
from bot.domain.events import (
    AlmostThere,
    AnswerOverdue,
    AnswerPublished,
    AnswerReminderD1,
    AnswerReminderD7,
    AnswerReminderOverdue,
    ClosingSoon,
    DebateClosed,
    DepartmentAssigned,
    DepartmentLink,
    Event,
    Halfway,
    ModerationDissatisfied,
    ModerationOverdue,
    ModerationReReview,
    ModerationThreshold,
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
from bot.rendering.labels import status_label

Template = Callable[[Translator, dict[str, Any]], str]


def _title(p: dict[str, Any]) -> str:
    return escape(str(p["title"]))


def _when(t: Translator, p: dict[str, Any], key: str) -> str:
    return t.deadline(datetime.fromisoformat(p[key]))


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


def _answer(t: Translator, p: dict[str, Any]) -> str:
    kind = t.with_particle(t.gettext(ANSWER_KINDS.get(p["kind"], "final")), "을/를")
    decision = p.get("decision")
    head = t.gettext("📨 {department} posted a {kind} on 「{title}」").format(
        department=escape(p["department"]), kind=kind, title=_title(p))
    if decision in DECISIONS:
        head += f": <b>{t.gettext(DECISIONS[decision])}</b>"
    full = t.gettext("Full answer:")
    return f"{head}\n\n{escape(p['summary'])}\n\n{full} {p['url']}"


def _reminder(t: Translator, p: dict[str, Any], message: str) -> str:
    return t.gettext(message).format(title=_title(p), id=p["proposal_id"],
                                     due=_when(t, p, "due"), days=p.get("days", 0))


TEMPLATES: dict[type[Event], Template] = {
    AnswerPublished: _answer,
    DepartmentLink: lambda t, p: t.gettext(
        "📥 {department}: please review proposal #{id} 「{title}」 and answer here "
        "(no Telegram needed):\n{url}"
    ).format(department=escape(p["department"]), id=p["proposal_id"], title=_title(p),
             url=p["url"]),
    DepartmentAssigned: lambda t, p: t.gettext(
        "🏛 #{id} 「{title}」 was assigned to {department}. Reply link:\n{url}"
    ).format(department=escape(p["department"]), id=p["proposal_id"], title=_title(p),
             url=p["url"]),
    AnswerReminderD7: lambda t, p: _reminder(
        t, p, N_("⏰ One week left to answer proposal #{id} 「{title}」: due {due}.")),
    AnswerReminderD1: lambda t, p: _reminder(
        t, p, N_("⏰ Tomorrow is the last day to answer proposal #{id} 「{title}」: due {due}.")),
    AnswerReminderOverdue: lambda t, p: _reminder(
        t, p, N_("❗ The answer to proposal #{id} 「{title}」 is {days} days overdue (due {due}).")),
    ModerationOverdue: lambda t, p: _reminder(
        t, p, N_("❗ Overdue: #{id} 「{title}」 has had no answer since {due} ({days} days).")),
    AnswerOverdue: lambda t, p: _reminder(
        t, p, N_("The department's answer to 「{title}」 is late (due {due}). "
        "We keep reminding them every week and will tell you when it comes.")),
    ModerationDissatisfied: lambda t, p: t.gettext(
        "⚠️ #{id} 「{title}」: {dissatisfied} of {total} residents are not satisfied with the "
        "answer. Please consider a re-review."
    ).format(id=p["proposal_id"], title=_title(p), dissatisfied=p["dissatisfied"],
             total=p["total"]),
    ModerationReReview: lambda t, p: t.gettext(
        "🔁 The author of #{id} 「{title}」 asks for a re-review: {reason}"
    ).format(id=p["proposal_id"], title=_title(p), reason=escape(p["reason"])),
    ReReviewDecided: lambda t, p: (
        t.gettext("🔁 「{title}」 goes back to the department for a new review.")
        if p["approved"] else
        t.gettext("「{title}」 stays not feasible after the re-review.")
    ).format(title=_title(p)),
    ProposalExpired: lambda t, p: t.gettext(
        "⏰ The endorsement period of 「{title}」 has ended with {count} of {threshold} "
        "endorsements, so it is closed. Thank you for taking part."
    ).format(title=_title(p), count=p["count"], threshold=p["threshold"]),
    DebateClosed: lambda t, p: t.gettext(
        "🗳 The debate on 「{title}」 has closed. The department must answer by {due}."
    ).format(title=_title(p), due=_when(t, p, "answer_due")),
    ThresholdReached: lambda t, p: t.gettext(
        "🎉 「{title}」 has {count} endorsements! The department now reviews it. "
        "Review due: {due}"
    ).format(title=_title(p), count=p["count"], due=_when(t, p, "review_due")),
    AlmostThere: lambda t, p: t.gettext(
        "📣 Only {missing} more 공감 and 「{title}」 goes to the department."
    ).format(title=_title(p), missing=p["missing"]),
    Halfway: lambda t, p: t.gettext(
        "⏳ Half of the endorsement period of 「{title}」 is over: {count}/{threshold} so far."
    ).format(title=_title(p), count=p["count"], threshold=p["threshold"]),
    ClosingSoon: lambda t, p: t.gettext(
        "⏳ {days} days left for 「{title}」, with {count}/{threshold} endorsements. "
        "Share it with your neighbours!"
    ).format(title=_title(p), days=p["days"], count=p["count"], threshold=p["threshold"]),
    ProposalWithdrawn: lambda t, p: t.gettext(
        "The author has withdrawn 「{title}」. Thank you for your 공감."
    ).format(title=_title(p)),
    ProposalApproved: lambda t, p: t.gettext(
        "✅ 「{title}」 has been checked and published. Now gather 공감!"
    ).format(title=_title(p)),
    ProposalRejected: lambda t, p: t.gettext(
        "「{title}」 could not be published. Reason: {reason}"
    ).format(title=_title(p), reason=escape(str(p["reason"]))),
    StatusChanged: lambda t, p: t.gettext(
        "🔔 「{title}」 is now: {status}."
    ).format(title=_title(p), status=status_label(t, ProposalStatus(p["status"]))),
    ModerationThreshold: lambda t, p: t.gettext(
        "📋 #{id} 「{title}」 reached {count} endorsements: please assign a department."
    ).format(id=p["proposal_id"], title=_title(p), count=p["count"]),
}

# ----- debates: templates live beside the debate texts ---------------------------------------
from bot.rendering.debates import DEBATE_TEMPLATES

TEMPLATES.update(DEBATE_TEMPLATES)

# Kinds that bring their own buttons (filled in below, beside their templates).
Keyboard = Callable[[Translator, dict[str, Any]], InlineKeyboardMarkup | None]
KEYBOARDS: dict[type[Event], Keyboard] = {}


class NotificationRenderer:
    """Turns an event into a message in the recipient's language: the one registry of
    templates (and buttons) per event class, used by the dispatcher for outbox rows."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n

    def __call__(self, kind: str, params: dict[str, Any], language: str) -> Rendered:
        """An outbox row's message: its parameters are read back as the event they were
        written from; parameters the event does not know (the dispatcher's `bot_username`)
        stay available to the templates."""
        event = event_from_row(kind, params)
        return self.render(event, language, extras=params)

    def render(
        self, event: Event, language: str, extras: dict[str, Any] | None = None
    ) -> Rendered:
        """The event's message; `extras` are delivery details beside its fields."""
        template = TEMPLATES.get(type(event))
        if template is None:
            raise KeyError(f"no template for event {type(event).__name__}")
        t = self._i18n.get(language)
        params = {**(extras or {}), **event.to_params()}
        keyboard = KEYBOARDS.get(type(event))
        if keyboard is not None:
            return Rendered(template(t, params), keyboard(t, params))
        if isinstance(event, WorkItemEvent) and event.work_item_id is not None:
            # moderation: a work item carries its own buttons
            return Rendered(template(t, params), work_item_keyboard(t, params))
        markup = _rating_buttons(t, params) if _is_final(event) else _open_button(t, params)
        return Rendered(template(t, params), markup, photo=params.get("photo_url"))


def _is_final(event: Event) -> bool:
    return isinstance(event, AnswerPublished) and event.answer_kind == "final"


def _rating_buttons(t: Translator, params: dict[str, Any]) -> InlineKeyboardMarkup:
    proposal_id = int(params["proposal_id"])
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("🙂 Satisfied"),
                              callback_data=RateAnswer(proposal_id, 1).pack()),
         InlineKeyboardButton(t.gettext("🙁 Not satisfied"),
                              callback_data=RateAnswer(proposal_id, 0).pack())],
        [InlineKeyboardButton(t.gettext("View the proposal"),
                              callback_data=OpenProposal(proposal_id).pack())],
    ])


def _open_button(t: Translator, params: dict[str, Any]) -> InlineKeyboardMarkup | None:
    proposal_id = params.get("proposal_id")
    if not isinstance(proposal_id, int):
        return None
    button = InlineKeyboardButton(
        t.gettext("View the proposal"), callback_data=OpenProposal(proposal_id).pack()
    )
    return InlineKeyboardMarkup([[button]])

# ----- polls: the results template lives beside the poll texts ------------------------------
from bot.rendering.polls import POLL_TEMPLATES

TEMPLATES.update(POLL_TEMPLATES)

# ----- moderation: work item buttons and the notices of hiding and merging ------------------
from bot.rendering.moderation import MODERATION_TEMPLATES, work_item_keyboard

TEMPLATES.update(MODERATION_TEMPLATES)

# ----- broadcasts: the admin's message, as written ------------------------------------------
from bot.rendering.broadcasts import BROADCAST_TEMPLATES

TEMPLATES.update(BROADCAST_TEMPLATES)

# ----- participatory-budget ballot: reminders with a button to continue the ballot ---------
from bot.rendering.ballots import BALLOT_KEYBOARDS, BALLOT_TEMPLATES

TEMPLATES.update(BALLOT_TEMPLATES)
KEYBOARDS.update(BALLOT_KEYBOARDS)

# ----- budget rounds: the opening and results notices live beside the round texts -------------
from bot.rendering.budget import BUDGET_KEYBOARDS, BUDGET_TEMPLATES

TEMPLATES.update(BUDGET_TEMPLATES)
KEYBOARDS.update(BUDGET_KEYBOARDS)
