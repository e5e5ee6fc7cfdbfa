"""Texts and keyboards of the proposal wizard."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.buttons import Endorse, OpenProposal, WizardChoice, WizardEdit, WizardStep
from bot.domain.places import PlaceRejection, map_url
from bot.domain.policy import Policy
from bot.domain.proposals import LIMITS, Origin, Part, Rejected, RejectReason
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.proposals import proposal_sections
from bot.services.drafts import DraftView
from bot.services.proposals import SubmitOutcome, SubmitResult
from bot.services.search import SimilarProposal

QUESTIONS: dict[str, str] = {
    "title": N_(
        "<b>1/7 Title</b>\nWhat would you like to change, in one line?\n"
        "e.g. 공원 산책로에 가로등을 설치해 주세요"
    ),
    "problem": N_(
        "<b>2/7 Current situation and problem</b>\nWhat is the problem today, and who is affected?"
    ),
    "solution": N_("<b>3/7 What should be done</b>\nWhat exactly should the district do?"),
    "effect": N_("<b>4/7 Expected effect</b>\nWhat will be better when it is done?"),
    "area": N_("<b>5/7 Area</b>\nWhich 동 is it about? You can skip this."),
    "category": N_("<b>6/7 Topic</b>\nWhich topic fits best? You can skip this."),
    "photo": N_(
        "<b>7/7 Photo</b>\nIf you have a photo of the place, send it now. Otherwise skip."
    ),
}
PART_NAMES: dict[Part, str] = {
    Part.TITLE: N_("The title"),
    Part.PROBLEM: N_("The current situation"),
    Part.SOLUTION: N_("The improvement"),
    Part.EFFECT: N_("The expected effect"),
}
SEND_PLACE = N_("📍 Send location")
NO_PLACE = N_("⏭ Without a place")
MASK_NAMES = {"rrn": N_("resident registration number"), "phone": N_("phone number"),
              "email": N_("e-mail address")}


def intro(t: Translator, origin: Origin = Origin.RESIDENT) -> Rendered:
    text = t.gettext(
        "Let's write a proposal in seven short steps. Your answers are saved as you go; "
        "type /cancel to stop and continue later."
    )
    return Rendered("\n\n".join([district_line(t), text]) if origin is Origin.DISTRICT
                    else text)


def district_line(t: Translator) -> str:
    """What a 「구 제안」 is, to the staff member writing one."""
    return t.gettext("🏛 This will be published as a district proposal (「구 제안」): residents "
                     "see that the district put it forward, and 공감 and debate it like any "
                     "other.")


def question(
    t: Translator, step: str, areas: tuple[str, ...], categories: tuple[str, ...],
    *, editing: bool = False, suggested: str | None = None,
) -> Rendered:
    """The question of `step` with its length limit, its choices, and 이전 / 취소 (이전 leads
    back to the preview when a part is changed from there). `suggested`: the 동 of the place
    shared, offered first."""
    text = t.gettext(QUESTIONS[step])
    part = next((p for p in Part if p.value == step), None)
    if part is not None:
        text += "\n" + limit_line(t, part)
    rows: list[list[InlineKeyboardButton]] = []
    if step in ("area", "category"):
        options = areas if step == "area" else categories
        buttons = [
            InlineKeyboardButton(name, callback_data=WizardChoice(step, i).pack())
            for i, name in enumerate(options)
        ]
        per_row = _per_row(options)
        rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    if step == "area" and suggested in areas:
        text += "\n" + t.gettext("📍 The place you shared is near {area}.").format(area=suggested)
        rows.insert(0, [InlineKeyboardButton(
            t.gettext("📍 {area} (suggested)").format(area=suggested),
            callback_data=WizardChoice("area", areas.index(suggested)).pack())])
    if step in ("area", "category", "photo"):
        rows.append([_skip(t)])
    rows.append(_navigation(t, first=step == "title" and not editing))
    return Rendered(text, InlineKeyboardMarkup(rows))


def place_prompt(t: Translator) -> str:
    """Before the 동 question: the place can be sent from a phone, and it will be published."""
    return t.gettext(
        "📍 On a phone you can tap 「📍 Send location」 below: we suggest the 동 of that place.\n"
        "🔓 A place you send is published with the proposal as a map link (to about 10 m)."
    )


def place_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """A reply keyboard, since only it can ask for a location (an inline button cannot)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t.gettext(SEND_PLACE), request_location=True)],
         [KeyboardButton(t.gettext(NO_PLACE))]],
        resize_keyboard=True, one_time_keyboard=True,
    )


def is_no_place(t: Translator, text: str) -> bool:
    return text.strip() == t.gettext(NO_PLACE)


def place_saved(t: Translator, area: str | None) -> str:
    if area is None:
        return t.gettext("📍 We keep the place you sent with your proposal.")
    return t.gettext(
        "📍 We keep the place you sent with your proposal. It is near {area}."
    ).format(area=area)


def place_dropped(t: Translator, had_place: bool) -> str:
    if had_place:
        return t.gettext("The place you sent is removed: the proposal will have none.")
    return t.gettext("Fine, without a place.")


def place_rejected(t: Translator, rejection: PlaceRejection) -> str:
    if rejection is PlaceRejection.OUTSIDE:
        return t.gettext(
            "That place is outside our district, so we cannot keep it. Please send a place in "
            "the district, or continue without one."
        )
    return t.gettext("We could not read that location. Please send it again, or continue "
                     "without one.")


def _per_row(labels: tuple[str, ...]) -> int:
    """How many choices a row holds on a 360 px phone without a label wrapping inside a word:
    three of 4 syllables (구로1동) fit, three of 5 (교통·주차) do not."""
    longest = max((len(label) for label in labels), default=0)
    return 3 if longest <= 4 else 2 if longest <= 9 else 1


def limit_line(t: Translator, part: Part) -> str:
    """What may be written, said before the resident types (the numbers are the domain's)."""
    minimum, maximum = LIMITS[part]
    name = t.with_particle(t.gettext(PART_NAMES[part]), "은/는")
    return t.gettext("✏️ {part} can be {minimum} to {maximum} characters long.").format(
        part=name, minimum=minimum, maximum=f"{maximum:,}")


def _navigation(t: Translator, *, first: bool = False) -> list[InlineKeyboardButton]:
    """◀️ 이전 (not on the first step) and ✖️ 취소: every step has a way back and a way out."""
    cancel = InlineKeyboardButton(t.gettext("✖️ Cancel"), callback_data=WizardStep("cancel").pack())
    if first:
        return [cancel]
    back = InlineKeyboardButton(t.gettext("◀️ Back"), callback_data=WizardStep("back").pack())
    return [back, cancel]


def _skip(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t.gettext("Skip ⏭"), callback_data=WizardStep("skip").pack())


def resume_offer(t: Translator, draft: DraftView) -> Rendered:
    title = escape(draft.title) if draft.title else t.gettext("(no title yet)")
    text = t.gettext(
        "You have a proposal in progress: 「{title}」. Continue where you left off?"
    ).format(title=title)
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
    """Proposals like the one being written: read one, add 공감 to it, or write one's own."""
    lines = "\n".join(
        f"{n}. {escape(s.title)} (공감 {s.endorsement_count})" for n, s in enumerate(found, 1)
    )
    text = t.gettext(
        "💡 Similar proposals already exist. Read them first: if one asks the same, add your "
        "공감 to it instead. If yours is different, tap 「✍️ Write my own anyway」.\n{list}"
    ).format(list=lines)
    rows = [
        [InlineKeyboardButton(t.gettext("📄 Read {n}").format(n=n),
                              callback_data=OpenProposal(s.proposal_id).pack()),
         InlineKeyboardButton(t.gettext("👍 공감 to {n}").format(n=n),
                              callback_data=Endorse(s.proposal_id).pack())]
        for n, s in enumerate(found, 1)
    ]
    rows.append([InlineKeyboardButton(t.gettext("✍️ Write my own anyway"),
                                      callback_data=WizardStep("continue").pack())])
    return Rendered(text, InlineKeyboardMarkup(rows))


def preview(t: Translator, draft: DraftView) -> Rendered:
    dash = "—"
    body = "\n\n".join([
        f"<b>「{escape(draft.title or dash)}」</b>",
        proposal_sections(t, draft.problem, draft.solution, draft.effect),
        f"📍 {escape(draft.area or dash)} · 🏷 {escape(draft.category or dash)} · "
        + (t.gettext("📷 photo attached") if draft.photo_file_id else t.gettext("no photo"))
        + _map_line(t, draft),
    ])
    text = t.gettext("<b>Preview</b> — check it before it is published.") + "\n\n" + body
    if draft.origin is Origin.DISTRICT:
        text = district_line(t) + "\n\n" + text
    edit = [("title", N_("✏️ Title")), ("problem", N_("✏️ Problem")),
            ("solution", N_("✏️ Proposal")), ("effect", N_("✏️ Effect")),
            ("area", N_("✏️ Area")), ("category", N_("✏️ Topic")), ("photo", N_("✏️ Photo"))]
    buttons = [InlineKeyboardButton(t.gettext(label), callback_data=WizardEdit(part).pack())
               for part, label in edit]
    # Two a row, and 게시하기 alone: at 360 px more labels a row wrap inside a word (제/목).
    # ✖️ 취소 keeps the draft, as 💾 나중에 쓰기 did.
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([
        InlineKeyboardButton(t.gettext("✅ Publish"), callback_data=WizardStep("submit").pack()),
    ])
    if draft.origin is Origin.RESIDENT:  # a 구 제안 is the district's, not a 민원 to it
        rows.append([InlineKeyboardButton(t.gettext("📮 Send as a 민원 instead"),
                                          callback_data=WizardStep("complaint").pack())])
    rows.append(_navigation(t))
    return Rendered(text, InlineKeyboardMarkup(rows))


def complaint_consent(t: Translator) -> Rendered:
    """What a 민원 is, and the one question it asks: may the answer be public?"""
    text = t.gettext(
        "📮 <b>Send as a 민원</b>\n"
        "A 민원 gathers no 공감: staff sort it and pass it to the department in charge, which "
        "must answer within the period the law sets for its kind, not counting weekends and "
        "holidays. The answer comes to you here.\n\n"
        "May we also show it with the answer on a public page? Personal data is hidden either "
        "way."
    )
    rows = [
        [InlineKeyboardButton(t.gettext("🌐 Yes, it may be public"),
                              callback_data=WizardStep("complaint_public").pack())],
        [InlineKeyboardButton(t.gettext("🔒 No, only for me"),
                              callback_data=WizardStep("complaint_private").pack())],
        [InlineKeyboardButton(t.gettext("◀️ Back to the preview"),
                              callback_data=WizardStep("review").pack())],
    ]
    return Rendered(text, InlineKeyboardMarkup(rows))


def _map_line(t: Translator, draft: DraftView) -> str:
    """The place sent, as the published map link (the coordinates are not written out)."""
    if draft.place is None:
        return ""
    link = escape(map_url(draft.place, draft.title or draft.area or ""))
    label = t.gettext("See the place on the map")
    return f'\n🗺 <a href="{link}">{label}</a>'


def submitted(t: Translator, result: SubmitResult, bot_username: str, policy: Policy) -> Rendered:
    if result.outcome is SubmitOutcome.PUBLISHED:
        link = f"https://t.me/{bot_username}?start=p{result.proposal_id}"
        return Rendered(t.gettext(
            "🎉 Your proposal #{id} is published! Share this link so neighbours can add their "
            "공감:\n{link}"
        ).format(id=result.proposal_id, link=link) + "\n\n" + what_happens_next(t, policy))
    if result.outcome is SubmitOutcome.AWAITING_MODERATION:
        return Rendered(t.gettext(
            "Thank you! Your proposal #{id} will be published after a moderator has checked it. "
            "We will tell you."
        ).format(id=result.proposal_id) + "\n\n" + what_happens_next(t, policy))
    if result.outcome is SubmitOutcome.COMPLAINT_RECEIVED:
        return Rendered(t.gettext(
            "📮 Your 민원 #{id} is received. Once staff have passed it to the department in "
            "charge, we will tell you which one and by when it must answer."
        ).format(id=result.proposal_id))
    if result.outcome is SubmitOutcome.RATE_LIMITED:
        return Rendered(t.gettext(
            "You have reached today's limit of proposals. Your draft is kept; please publish it "
            "tomorrow with /propose."
        ))
    if result.outcome is SubmitOutcome.INCOMPLETE:
        return Rendered(t.gettext("Some parts are still missing. Please complete them first."))
    return Rendered(t.gettext("There is no draft to publish. Start one with /propose."))


def what_happens_next(t: Translator, policy: Policy) -> str:
    """The road ahead of a published proposal, in the policy's numbers."""
    return t.gettext(
        "<b>What happens next</b>\n"
        "① When {threshold} residents add their 공감 within {days} days, the responsible "
        "department checks within {review_days} days whether it can be done.\n"
        "② If it can, residents debate it for {debate_days} days, and the department answers "
        "within {answer_days} days after the debate.\n"
        "③ We tell you here in this chat at every step."
    ).format(threshold=policy.endorsement_threshold, days=policy.collection_days,
             review_days=policy.review_days, debate_days=policy.debate_days,
             answer_days=policy.answer_days)


def stale_wizard_button(t: Translator) -> str:
    """A wizard button pressed where it no longer applies (an old step, an ended wizard)."""
    return t.gettext(
        "This button belongs to an earlier step of writing a proposal. "
        "Type /propose to continue your draft."
    )


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

