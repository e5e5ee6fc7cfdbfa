"""Texts and keyboards of the proposal wizard."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import Endorse, WizardChoice, WizardEdit, WizardStep
from bot.domain.proposals import Part, Rejected, RejectReason
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.proposals import proposal_sections
from bot.services.drafts import DraftView
from bot.services.proposals import SubmitOutcome, SubmitResult
from bot.services.search import SimilarProposal

QUESTIONS: dict[str, str] = {
    "title": N_(
        "<b>1/7 Title</b>\nWhat would you like to change, in one line? (5–80 characters)\n"
        "e.g. 공원 산책로에 가로등을 설치해 주세요"
    ),
    "problem": N_(
        "<b>2/7 Current situation and problem</b>\nWhat is the problem today, and who is affected?"
    ),
    "solution": N_("<b>3/7 What should be done</b>\nWhat exactly should the district do?"),
    "effect": N_("<b>4/7 Expected effect</b>\nWhat will be better when it is done?"),
    "area": N_("<b>5/7 Area</b>\nWhich 동 is it about? You can skip this."),
    "category": N_("<b>6/7 Topic</b>\nWhich topic fits best? You can skip this."),
    "photo": N_("<b>7/7 Photo</b>\nIf you have a photo of the place, send it now. Otherwise skip."),
}
PART_NAMES: dict[Part, str] = {
    Part.TITLE: N_("The title"),
    Part.PROBLEM: N_("The current situation"),
    Part.SOLUTION: N_("The improvement"),
    Part.EFFECT: N_("The expected effect"),
}
MASK_NAMES = {"rrn": N_("resident registration number"), "phone": N_("phone number"),
              "email": N_("e-mail address")}


def intro(t: Translator) -> Rendered:
    return Rendered(t.gettext(
        "Let's write a proposal in seven short steps. Your answers are saved as you go; "
        "type /cancel to stop and continue later."
    ))


def question(t: Translator, step: str, areas: tuple[str, ...], categories: tuple[str, ...]) -> Rendered:
    text = t.gettext(QUESTIONS[step])
    if step in ("area", "category"):
        options = areas if step == "area" else categories
        buttons = [
            InlineKeyboardButton(name, callback_data=WizardChoice(step, i).pack())
            for i, name in enumerate(options)
        ]
        rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        rows.append([_skip(t)])
        return Rendered(text, InlineKeyboardMarkup(rows))
    if step == "photo":
        return Rendered(text, InlineKeyboardMarkup([[_skip(t)]]))
    return Rendered(text)


def _skip(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("Skip ⏭"), callback_data=WizardStep("skip").pack())


def resume_offer(t: Translator, draft: DraftView) -> Rendered:
    title = escape(draft.title) if draft.title else t.gettext("(no title yet)")
    text = t.gettext("You have a proposal in progress: 「{title}」. Continue where you left off?").format(title=title)
    rows = [[
        InlineKeyboardButton(t.gettext("Continue ✍️"), callback_data=WizardStep("resume").pack()),
        InlineKeyboardButton(t.gettext("Start over"), callback_data=WizardStep("restart").pack()),
    ]]
    return Rendered(text, InlineKeyboardMarkup(rows))


def rejected(t: Translator, part: Part, rejection: Rejected) -> str:
    name = t.with_particle(t.gettext(PART_NAMES[part]), "이/가")
    if rejection.reason is RejectReason.EMPTY:
        return t.gettext("{part} looks empty. Please write it in words.").format(part=name)
    if rejection.reason is RejectReason.TOO_SHORT:
        return t.gettext("{part} is too short: please write at least {limit} characters.").format(
            part=name, limit=rejection.limit)
    return t.gettext("{part} is too long: please keep it under {limit} characters.").format(
        part=name, limit=f"{rejection.limit or 0:,}")


def masked(t: Translator, kinds: tuple[str, ...]) -> str:
    names = ", ".join(t.gettext(MASK_NAMES[k]) for k in kinds if k in MASK_NAMES)
    return t.gettext(
        "🔒 We hid personal information ({kinds}) so that it is not published."
    ).format(kinds=names)


def similar(t: Translator, found: list[SimilarProposal]) -> Rendered:
    lines = "\n".join(f"· {escape(s.title)} (공감 {s.endorsement_count})" for s in found)
    text = t.gettext(
        "💡 Similar proposals already exist. You can add your 공감 to one of them instead, "
        "or simply continue writing yours.\n{list}"
    ).format(list=lines)
    rows = [
        [InlineKeyboardButton(t.gettext("👍 공감 to 「{title}」").format(title=s.title[:30]),
                              callback_data=Endorse(s.proposal_id).pack())]
        for s in found
    ]
    return Rendered(text, InlineKeyboardMarkup(rows))


def preview(t: Translator, draft: DraftView) -> Rendered:
    dash = "—"
    body = "\n\n".join([
        f"<b>「{escape(draft.title or dash)}」</b>",
        proposal_sections(t, draft.problem, draft.solution, draft.effect),
        f"📍 {escape(draft.area or dash)} · 🏷 {escape(draft.category or dash)} · "
        + (t.gettext("📷 photo attached") if draft.photo_file_id else t.gettext("no photo")),
    ])
    text = t.gettext("<b>Preview</b> — check it before it is published.") + "\n\n" + body
    edit = [("title", N_("✏️ Title")), ("problem", N_("✏️ Problem")),
            ("solution", N_("✏️ Proposal")), ("effect", N_("✏️ Effect")),
            ("area", N_("✏️ Area")), ("category", N_("✏️ Topic")), ("photo", N_("✏️ Photo"))]
    buttons = [InlineKeyboardButton(t.gettext(label), callback_data=WizardEdit(part).pack())
               for part, label in edit]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    rows.append([
        InlineKeyboardButton(t.gettext("✅ Publish"), callback_data=WizardStep("submit").pack()),
        InlineKeyboardButton(t.gettext("💾 Later"), callback_data=WizardStep("later").pack()),
    ])
    return Rendered(text, InlineKeyboardMarkup(rows))


def submitted(t: Translator, result: SubmitResult, bot_username: str) -> Rendered:
    if result.outcome is SubmitOutcome.PUBLISHED:
        link = f"https://t.me/{bot_username}?start=p{result.proposal_id}"
        return Rendered(t.gettext(
            "🎉 Your proposal #{id} is published! Share this link so neighbours can add their "
            "공감:\n{link}"
        ).format(id=result.proposal_id, link=link))
    if result.outcome is SubmitOutcome.AWAITING_MODERATION:
        return Rendered(t.gettext(
            "Thank you! Your proposal #{id} will be published after a moderator has checked it. "
            "We will tell you."
        ).format(id=result.proposal_id))
    if result.outcome is SubmitOutcome.RATE_LIMITED:
        return Rendered(t.gettext(
            "You have reached today's limit of proposals. Your draft is kept; please publish it "
            "tomorrow with /propose."
        ))
    if result.outcome is SubmitOutcome.INCOMPLETE:
        return Rendered(t.gettext("Some parts are still missing. Please complete them first."))
    return Rendered(t.gettext("There is no draft to publish. Start one with /propose."))


def kept_for_later(t: Translator) -> str:
    return t.gettext("Your draft is saved. Type /propose whenever you want to continue.")


def paused(t: Translator) -> str:
    return t.gettext(
        "It has been a while, so we paused your proposal. The draft is saved: type /propose to "
        "continue."
    )


def use_buttons(t: Translator) -> str:
    return t.gettext("Please use the buttons above, or type /cancel to stop for now.")


def text_please(t: Translator) -> str:
    return t.gettext("Please write your answer as text.")

