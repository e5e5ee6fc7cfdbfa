"""Texts of rating answers and asking for 재심의, and of the staff commands for departments,
reply links and debates. All plain text: the usage lines hold <placeholders>, not HTML."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import OpenProposal, RateAnswer, RatingReason
from bot.domain.policy import Policy
from bot.domain.satisfaction import LISTED_REASONS, REASON_TEXT_LIMITS, ReasonProblem
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.services.answers import RatingOutcome, ReasonOutcome, ReasonResult, ReReviewOutcome
from bot.services.debates import ExtendOutcome, OpenOutcome
from bot.services.departments import DepartmentView

# Why a final answer disappointed (bot.domain.satisfaction): the residents' one-tap labels,
# and OTHER as the moderators read it.
DISSATISFACTION_REASONS: dict[str, str] = {
    "late": N_("The answer came late"),
    "vague": N_("The answer is vague"),
    "off_topic": N_("It misses the proposal"),
    "not_done": N_("Nothing gets done"),
    "other": N_("Other (typed)"),
}
TYPE_REASON, SKIP_REASON = "type", "skip"


def rating_reply(t: Translator, outcome: RatingOutcome, satisfied: bool) -> str:
    """The toast on 🙂 / 🙁: what was recorded, or why nothing was."""
    if outcome is RatingOutcome.RECORDED:
        return (t.gettext("Recorded: satisfied. Thank you for telling us.") if satisfied
                else t.gettext("Recorded: not satisfied. Thank you for telling us."))
    if outcome is RatingOutcome.UNCHANGED:
        return (t.gettext("Already recorded: satisfied.") if satisfied
                else t.gettext("Already recorded: not satisfied."))
    return {
        RatingOutcome.NOT_ANSWERED: t.gettext("There is no final answer to rate yet."),
        RatingOutcome.NOT_ENDORSER: t.gettext(
            "Only residents who followed this proposal can rate its answer."),
    }[outcome]


def rating_buttons(
    t: Translator, proposal_id: int, chosen: bool | None = None
) -> InlineKeyboardMarkup:
    """🙂 / 🙁 under a final answer, the resident's choice (`chosen`) marked ✓."""
    def choice(label: str, satisfied: bool) -> InlineKeyboardButton:
        mark = "✓ " if chosen is satisfied else ""
        return InlineKeyboardButton(mark + t.gettext(label),
                                    callback_data=RateAnswer(proposal_id, int(satisfied)).pack())

    return InlineKeyboardMarkup([
        [choice(N_("🙂 Satisfied"), True), choice(N_("🙁 Not satisfied"), False)],
        [InlineKeyboardButton(t.gettext("View the proposal"),
                              callback_data=OpenProposal(proposal_id).pack())],
    ])


def shows_rating(markup: InlineKeyboardMarkup | None, proposal_id: int) -> bool:
    """Whether a message's buttons are this proposal's 🙂 / 🙁 (a notice, not a card)."""
    buttons = markup.inline_keyboard if markup is not None else ()
    return any(isinstance(parsed := RateAnswer.parse(button.callback_data), RateAnswer)
               and parsed.proposal_id == proposal_id for row in buttons for button in row)


def why_question(t: Translator, proposal_id: int, policy: Policy) -> Rendered:
    """After 🙁: what happens when many are dissatisfied, and why (optional) in one tap."""
    text = "\n\n".join([
        t.gettext("🙁 What disappointed you? Tap one, or write it in a sentence. "
                  "You can also skip this."),
        t.gettext("When at least {min} residents have rated the answer and more than "
                  "{percent}% of them are not satisfied, the moderators ask the department "
                  "to review it again, with your reasons.").format(
            min=policy.dissatisfaction_min_responses,
            percent=policy.dissatisfaction_percent),
    ])
    reasons = [InlineKeyboardButton(t.gettext(DISSATISFACTION_REASONS[r.value]),
                                    callback_data=RatingReason(proposal_id, r.value).pack())
               for r in LISTED_REASONS]
    rows = [reasons[i:i + 2] for i in range(0, len(reasons), 2)]
    rows.append([
        InlineKeyboardButton(t.gettext("✍️ Write it"),
                             callback_data=RatingReason(proposal_id, TYPE_REASON).pack()),
        InlineKeyboardButton(t.gettext("Skip"),
                             callback_data=RatingReason(proposal_id, SKIP_REASON).pack()),
    ])
    return Rendered(text, InlineKeyboardMarkup(rows))


def reason_prompt(t: Translator) -> str:
    return t.gettext(
        "✍️ Please write in one sentence ({low} to {high} characters) what disappointed you. "
        "Phone numbers and e-mail addresses are masked before it is kept. /cancel stops."
    ).format(low=REASON_TEXT_LIMITS[0], high=REASON_TEXT_LIMITS[1])


def reason_skipped(t: Translator) -> str:
    return t.gettext("All right. Thank you for rating the answer.")


def reason_reply(t: Translator, result: ReasonResult) -> str:
    """What became of a reason given by a tap or a sentence."""
    if result.outcome is ReasonOutcome.RECORDED:
        return t.gettext("Thank you. Your reason is passed on with your rating.")
    if result.outcome is ReasonOutcome.NOT_DISSATISFIED:
        return t.gettext("A reason goes with a 🙁 rating, and this answer has none from you "
                         "now, so nothing was added.")
    return {
        ReasonProblem.EMPTY: t.gettext("Please write a sentence with words in it."),
        ReasonProblem.TOO_SHORT: t.gettext(
            "A little longer, please: at least {low} characters.").format(
            low=REASON_TEXT_LIMITS[0]),
        ReasonProblem.TOO_LONG: t.gettext(
            "That is too long: {high} characters at most. Please shorten it.").format(
            high=REASON_TEXT_LIMITS[1]),
    }[result.problem or ReasonProblem.EMPTY]


def re_review_usage(t: Translator) -> str:
    return t.gettext("Usage: /rereview <proposal number> <reason>")


def re_review_reply(t: Translator, outcome: ReReviewOutcome) -> str:
    return {
        ReReviewOutcome.REQUESTED: t.gettext("Your request for a re-review is with the "
                                             "moderators. We will tell you their decision."),
        ReReviewOutcome.ALREADY: t.gettext("A re-review can be asked for only once."),
        ReReviewOutcome.NOT_ALLOWED: t.gettext(
            "Only the author of a proposal found not feasible can ask, with a reason of at least "
            "10 characters."),
    }[outcome]


def department_list(t: Translator, found: list[DepartmentView]) -> str:
    lines = [f"{d.id}. {d.name}" + (" 🏛" if d.head_office else "") for d in found]
    empty = t.gettext("No departments yet. Add one with /department_add <name>.")
    return "\n".join(lines) or empty


def department_add_usage(t: Translator) -> str:
    return t.gettext("Usage: /department_add <name> [chat=<chat id>] [mail=<e-mails>] "
                     "[head=<department head's e-mail>] [office=head]")


def department_head_usage(t: Translator) -> str:
    return t.gettext("Usage: /department_head <department number> <e-mail>|- (the department "
                     "head is e-mailed when a final answer is overdue; - removes the address)")


def department_head_set(t: Translator, name: str | None, address: str | None) -> str:
    """Plain text (said.reply): the department's name as typed by an admin."""
    if name is None:
        return t.gettext("There is no department with that number. See /departments.")
    if address is None:
        return t.gettext("{department} has no department head's e-mail now.").format(
            department=name)
    return t.gettext("When a final answer of {department} is overdue, {address} will be "
                     "told the day after the department.").format(department=name, address=address)


def department_added(
    t: Translator, department_id: int, name: str, routed: int = 0, *, existed: bool = False
) -> str:
    """`안전총괄과를 추가했어요. 부서 번호는 3번이에요.`: the name, then the number; for the
    head's office, how many proposals that waited for it got their reply links. A name taken
    already is said so (nothing changed)."""
    if existed:
        return t.gettext("There is already a department named {department} (number {id}); "
                         "nothing was changed.").format(department=name, id=department_id)
    added = t.gettext("Added the department {department} (number {id}).").format(
        department=t.with_particle(name, "을/를"), id=department_id)
    if not routed:
        return added
    return added + "\n" + t.ngettext(
        "🏛 {count} proposal waiting for the district head's answer got its reply link.",
        "🏛 {count} proposals waiting for the district head's answer got their reply links.",
        routed).format(count=routed)


def re_review_decide_usage(t: Translator) -> str:
    return t.gettext("Usage: /rereview_decide <proposal number> yes|no")


def re_review_decided(t: Translator, done: bool) -> str:
    if not done:
        return t.gettext("There is no open re-review request for that proposal.")
    return t.gettext("Decision recorded.")


def debate_open_usage(t: Translator) -> str:
    return t.gettext("Usage: /debate_open <proposal number>")


def debate_open_reply(t: Translator, outcome: OpenOutcome) -> str:
    if outcome is not OpenOutcome.OPENED:
        return t.gettext("Only a proposal under department review can open a debate.")
    return t.gettext("The debate is open.")


def debate_extend_usage(t: Translator) -> str:
    return t.gettext("Usage: /debate_extend <proposal number> <days 1-14> <reason>")


def debate_extend_reply(t: Translator, outcome: ExtendOutcome) -> str:
    return {
        ExtendOutcome.EXTENDED: t.gettext("Extended. Participants are told."),
        ExtendOutcome.ALREADY_EXTENDED: t.gettext("A debate can be extended only once."),
        ExtendOutcome.INVALID_DAYS: t.gettext("Extend by 1 to 14 days."),
        ExtendOutcome.NO_REASON: t.gettext("Please give a reason."),
        ExtendOutcome.NOT_IN_DEBATE: t.gettext("That proposal is not in debate."),
    }[outcome]


def opinion_hide_usage(t: Translator) -> str:
    return t.gettext("Usage: /opinion_hide <opinion number> <reason>, "
                     "/opinion_restore <opinion number>")


def opinion_hidden_or_restored(t: Translator, done: bool) -> str:
    return t.gettext("Done.") if done else t.gettext("There is no such opinion.")
