"""/propose: the proposal wizard (a ConversationHandler).

Every answer is validated, normalised and saved to the draft in the database at once, so
/cancel, a 24-hour pause or a restart of the bot loses nothing: /propose offers to resume.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import cast

from telegram import Message, Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.buttons import WizardChoice, WizardEdit, WizardStep
from bot.domain.permissions import Action
from bot.domain.places import GeoPoint, PlaceRejection
from bot.domain.proposals import Checked, Origin, Part, check_part, choose_option
from bot.handlers.access import ask
from bot.handlers.answering import answer_query
from bot.handlers.common import pressed, translator_for
from bot.handlers.context import GonggamContext
from bot.handlers.start import MenuLabelFilter
from bot.rendering import Rendered
from bot.rendering import wizard as view
from bot.rendering.common import menu_keyboard, stale_button
from bot.services import drafts
from bot.services.bans import ensure_permitted
from bot.services.drafts import DraftView
from bot.services.proposals import Complaint, SubmitOutcome, SubmitResult, submit_draft
from bot.services.search import find_similar

PRIVATE = filters.ChatType.PRIVATE
PLACE_KEY = "wizard_place"
StepHandlers = list[BaseHandler[Update, GonggamContext, object]]


class Step(IntEnum):
    RESUME = 0
    TITLE = 1
    PROBLEM = 2
    SOLUTION = 3
    EFFECT = 4
    AREA = 5
    CATEGORY = 6
    PHOTO = 7
    PREVIEW = 8
    EDIT = 9


@dataclass(frozen=True)
class Place:
    """Where a resident is in the wizard (the ConversationHandler keeps only the state):
    the step last asked, and the part being changed from the preview, if any."""

    step: Step = Step.TITLE
    editing: Step | None = None
    offered: tuple[int, ...] = ()  # similar proposals shown already (not shown twice)


TEXT_STEPS: dict[Step, Part] = {
    Step.TITLE: Part.TITLE,
    Step.PROBLEM: Part.PROBLEM,
    Step.SOLUTION: Part.SOLUTION,
    Step.EFFECT: Part.EFFECT,
}
NEXT_STEP: dict[Step, Step] = {
    Step.TITLE: Step.PROBLEM,
    Step.PROBLEM: Step.SOLUTION,
    Step.SOLUTION: Step.EFFECT,
    Step.EFFECT: Step.AREA,
    Step.AREA: Step.CATEGORY,
    Step.CATEGORY: Step.PHOTO,
    Step.PHOTO: Step.PREVIEW,
}
PREVIOUS_STEP: dict[Step, Step] = {after: before for before, after in NEXT_STEP.items()}


async def begin(update: Update, context: GonggamContext) -> Step:
    """/propose or the menu button: resume a saved draft or start a new one.

    A banned resident is told so here (`UserBanned`, answered by the error handler), not
    after writing seven steps that cannot be published. Like the other menu buttons, it
    drops any one-message question left open.
    """
    if context.user is None:
        return ConversationHandler.END  # type: ignore[return-value]
    return await _begin(update, context, Origin.RESIDENT)


async def begin_district(update: Update, context: GonggamContext) -> Step:
    """/district_proposal: staff write a 「구 제안」 through the same steps; residents 공감 and
    debate it like any other. Anyone else is told politely that it is for staff."""
    if context.user is None or not await ask(update, context, Action.PROPOSE_AS_DISTRICT):
        return ConversationHandler.END  # type: ignore[return-value]
    return await _begin(update, context, Origin.DISTRICT)


async def _begin(update: Update, context: GonggamContext, origin: Origin) -> Step:
    context.clear_pending()
    _put(context, Place())
    draft = await _permitted_draft(context, origin)
    t = translator_for(update, context)
    if draft is not None and (draft.title or draft.problem):
        await _send(update, view.resume_offer(t, draft))
        return Step.RESUME
    await _start_draft(context)
    await _send(update, view.intro(t, origin))
    return await _ask(update, context, Step.TITLE)


async def _permitted_draft(context: GonggamContext, origin: Origin) -> DraftView | None:
    """The resident's saved draft, once the rules allow them to propose at all, to be
    published as `origin`."""
    user_id, now = context.tracked_user.id, context.services.clock.now()
    async with context.transaction() as session:
        await ensure_permitted(session, user_id, Action.PROPOSE, now)
        await drafts.choose_origin(session, user_id, origin, now)
        return await drafts.load_draft(session, user_id)


async def _start_draft(context: GonggamContext) -> None:
    async with context.transaction() as session:
        await drafts.start_draft(session, context.tracked_user.id, context.services.clock.now())


async def resume_or_restart(update: Update, context: GonggamContext) -> Step:
    button = pressed(update, context, WizardStep)
    if button is None:
        await _stale(update, context)
        return Step.RESUME
    query, choice = button
    await answer_query(query)
    if choice.action == "restart":
        await _start_draft(context)
        return await _ask(update, context, Step.TITLE)
    draft = await _draft(context)
    if draft is None:
        return await _ask(update, context, Step.TITLE)
    return await _ask(update, context, _step_of(draft))


async def receive_text(update: Update, context: GonggamContext) -> Step:
    """A typed answer for the current text step (or an edit from the preview)."""
    step = _current_step(context)
    draft = await _draft(context)
    if draft is None or await _idle(update, context, draft):
        return ConversationHandler.END  # type: ignore[return-value]
    editing = _place(context).editing
    step = step if editing is None else editing
    if step in (Step.AREA, Step.CATEGORY):
        return await _typed_choice(update, context, step)
    if step not in TEXT_STEPS:
        await _send(update, Rendered(view.use_buttons(translator_for(update, context))))
        return _current_step(context)
    return await _text_answer(update, context, step, editing)


async def _text_answer(
    update: Update, context: GonggamContext, step: Step, editing: Step | None
) -> Step:
    """Check and save the text for `step`, then ask the next step (or show the preview)."""
    checked = check_part(TEXT_STEPS[step], cast(Message, update.effective_message).text or "")
    t = translator_for(update, context)
    if not isinstance(checked, Checked):
        await _send(update, Rendered(view.rejected(t, TEXT_STEPS[step], checked)))
        return _current_step(context)
    next_step = NEXT_STEP[step] if editing is None else Step.PREVIEW
    await _save(context, next_step, **{TEXT_STEPS[step].value: checked.text})
    if checked.masked_kinds:
        await _send(update, Rendered(view.masked(t, checked.masked_kinds)))
    if editing is None and await _offered_similar(update, context, step):
        _put(context, replace(_place(context), step=next_step))
        return next_step
    return await _ask(update, context, next_step)


async def choose(update: Update, context: GonggamContext) -> Step:
    """An area or category button."""
    button = pressed(update, context, WizardChoice)
    if button is None:
        await _stale(update, context)
        return _current_step(context)
    query, choice = button
    options = _options(context, choice.field) if choice.field in ("area", "category") else ()
    if not 0 <= choice.index < len(options):
        await answer_query(query, stale_button(translator_for(update, context)), alert=True)
        return _current_step(context)
    await answer_query(query)
    step = Step.AREA if choice.field == "area" else Step.CATEGORY
    return await _store_choice(update, context, step, options[choice.index])


async def skip(update: Update, context: GonggamContext) -> Step:
    """건너뛰기 on an optional step (area, category, photo)."""
    step = _current_step(context)
    if step not in (Step.AREA, Step.CATEGORY, Step.PHOTO):
        await _stale(update, context)
        return step
    await _ack(update)
    field = {Step.AREA: "area", Step.CATEGORY: "category", Step.PHOTO: "photo_file_id"}[step]
    next_step = Step.PREVIEW if _place(context).editing is not None else NEXT_STEP[step]
    await _save(context, next_step, **{field: None})
    return await _ask(update, context, next_step)


async def back(update: Update, context: GonggamContext) -> Step:
    """◀️ 이전: the step before (the preview, when a part is being changed from there)."""
    place = _place(context)
    if place.editing is not None:
        await _ack(update)
        return await _ask(update, context, Step.PREVIEW)
    if place.step not in PREVIOUS_STEP:
        await _stale(update, context)
        return place.step
    await _ack(update)
    return await _ask(update, context, PREVIOUS_STEP[place.step])


async def proceed(update: Update, context: GonggamContext) -> Step:
    """✍️ 그래도 새로 쓸게요 under similar proposals: ask the step that waits."""
    await _ack(update)
    return await _ask(update, context, _current_step(context))


async def receive_location(update: Update, context: GonggamContext) -> Step:
    """A location shared from the reply keyboard: checked against the district and kept in the
    draft; at the 동 step (or the preview) the question comes again with its 동 suggested."""
    location = cast(Message, update.effective_message).location
    district = context.services.settings.district
    checked = (district.check(location.latitude, location.longitude) if location is not None
               else PlaceRejection.INVALID)
    t = translator_for(update, context)
    if not isinstance(checked, GeoPoint):
        await _send(update, Rendered(view.place_rejected(t, checked)))
        return _current_step(context)
    await _save_place(context, checked)
    saved = view.place_saved(t, district.nearest_area(checked))
    await _send(update, Rendered(saved), keyboard=menu_keyboard(t))
    if _current_step(context) in (Step.AREA, Step.PREVIEW):
        return await _ask(update, context, _current_step(context), prompt_place=False)
    return _current_step(context)


async def _no_place(update: Update, context: GonggamContext) -> Step:
    """「⏭ 위치 없이」 on the reply keyboard: the proposal has no place (one sent is removed)."""
    draft = await _draft(context)
    had_place = draft is not None and draft.place is not None
    if had_place:
        await _save_place(context, None)
    t = translator_for(update, context)
    await _send(update, Rendered(view.place_dropped(t, had_place)), keyboard=menu_keyboard(t))
    return await _ask(update, context, Step.AREA, prompt_place=False)


async def receive_photo(update: Update, context: GonggamContext) -> Step:
    step = _current_step(context)
    message = update.effective_message
    if step is not Step.PHOTO or message is None or not message.photo:
        await _send(update, Rendered(view.text_please(translator_for(update, context))))
        return step
    await _save(context, Step.PREVIEW, photo_file_id=message.photo[-1].file_id)
    return await _ask(update, context, Step.PREVIEW)


async def edit_part(update: Update, context: GonggamContext) -> Step:
    names = {"title": Step.TITLE, "problem": Step.PROBLEM, "solution": Step.SOLUTION,
             "effect": Step.EFFECT, "area": Step.AREA, "category": Step.CATEGORY,
             "photo": Step.PHOTO}
    button = pressed(update, context, WizardEdit)
    if button is None or button[1].part not in names:
        await _stale(update, context)
        return _current_step(context)
    query, target = button
    await answer_query(query)
    step = names[target.part]
    _put(context, replace(_place(context), editing=step))
    await _ask(update, context, step)
    return Step.EDIT if step in TEXT_STEPS else step


async def submit(update: Update, context: GonggamContext) -> int:
    """✅ 게시하기. The button is answered after the service: a refusal (a ban) is the answer."""
    return await _finish(update, context, None)


async def ask_complaint_consent(update: Update, context: GonggamContext) -> Step:
    """📮 민원으로 보내기: what a 민원 is, and whether its answer may be public."""
    if update.callback_query is not None:
        await answer_query(update.callback_query)
    await _send(update, view.complaint_consent(translator_for(update, context)))
    return Step.PREVIEW


async def submit_complaint(update: Update, context: GonggamContext) -> int:
    """🌐 / 🔒: send the draft as a 민원, public or not."""
    choice = WizardStep.parse(update.callback_query.data if update.callback_query else None)
    public = choice == WizardStep("complaint_public")
    return await _finish(update, context, Complaint(public=public))


async def review(update: Update, context: GonggamContext) -> Step:
    """◀️ back from the 민원 question to the preview."""
    if update.callback_query is not None:
        await answer_query(update.callback_query)
    return await _ask(update, context, Step.PREVIEW)


async def _finish(update: Update, context: GonggamContext, complaint: Complaint | None) -> int:
    if context.user is None:
        return ConversationHandler.END
    result = await _publish(context, context.user.id, complaint)
    if update.callback_query is not None:
        await answer_query(update.callback_query)
    t = translator_for(update, context)
    policy = context.services.settings.policy
    await _send(update, view.submitted(t, result, context.bot.username, policy),
                keyboard=menu_keyboard(t))  # the menu again, if the location keyboard is up
    if result.outcome is SubmitOutcome.INCOMPLETE:
        return await _ask(update, context, Step.PREVIEW)
    _stop_editing(context)
    return ConversationHandler.END


async def _publish(
    context: GonggamContext, user_id: int, complaint: Complaint | None
) -> SubmitResult:
    services = context.services
    async with context.transaction() as session:
        return await submit_draft(session, user_id, services.clock.now(),
                                  services.settings.policy, services.settings.venues,
                                  complaint=complaint)


async def later(update: Update, context: GonggamContext) -> int:
    """/cancel or ✖️ 취소 (💾 나중에 쓰기 on older previews): stop, keeping the draft."""
    query = update.callback_query
    if query is not None:
        await answer_query(query)
    _stop_editing(context)
    t = translator_for(update, context)
    await _send(update, Rendered(view.kept_for_later(t)), keyboard=menu_keyboard(t))
    return ConversationHandler.END


async def wrong_kind(update: Update, context: GonggamContext) -> Step:
    """A sticker, a voice note or a photo where text is expected."""
    await _send(update, Rendered(view.text_please(translator_for(update, context))))
    return _current_step(context)


async def _typed_choice(update: Update, context: GonggamContext, step: Step) -> Step:
    field = "area" if step is Step.AREA else "category"
    typed = cast(Message, update.effective_message).text or ""
    if step is Step.AREA and view.is_no_place(translator_for(update, context), typed):
        return await _no_place(update, context)
    picked = choose_option(typed, _options(context, field))
    if picked is None:
        await _send(update, Rendered(view.use_buttons(translator_for(update, context))))
        return _current_step(context)
    return await _store_choice(update, context, step, picked)


async def _store_choice(update: Update, context: GonggamContext, step: Step, value: str) -> Step:
    field = "area" if step is Step.AREA else "category"
    next_step = Step.PREVIEW if _place(context).editing is not None else NEXT_STEP[step]
    await _save(context, next_step, **{field: value})
    return await _ask(update, context, next_step)


async def _ask(
    update: Update, context: GonggamContext, step: Step, *, prompt_place: bool = True
) -> Step:
    """Show the question (or the preview) for `step` and remember where we are; the 동 step
    first offers to send the place (unless it was just answered) and suggests its 동."""
    t = translator_for(update, context)
    _put(context, replace(_place(context), step=step))
    if step is Step.PREVIEW:
        _stop_editing(context)
        draft = await _draft(context)
        assert draft is not None
        await _send(update, view.preview(t, draft))
        return Step.PREVIEW
    settings = context.services.settings
    suggested = await _area_prompt(update, context, prompt_place) if step is Step.AREA else None
    await _send(update, view.question(t, step.name.lower(), settings.areas, settings.categories,
                                      editing=_place(context).editing is not None,
                                      suggested=suggested))
    return step


async def _area_prompt(update: Update, context: GonggamContext, prompt_place: bool) -> str | None:
    """Offer the location button (when asked to); the 동 nearest to the place sent, if any."""
    if prompt_place:
        t = translator_for(update, context)
        await _send(update, Rendered(view.place_prompt(t)), keyboard=view.place_keyboard(t))
    draft = await _draft(context)
    if draft is None or draft.place is None:
        return None
    return context.services.settings.district.nearest_area(draft.place)


async def _offered_similar(update: Update, context: GonggamContext, step: Step) -> bool:
    """After the title (and again after the problem), proposals that ask the same, each
    offered once; True if some were shown (the next question then waits for the resident)."""
    draft = await _draft(context)
    if draft is None or step not in (Step.TITLE, Step.PROBLEM):
        return False
    offered = _place(context).offered
    async with context.transaction() as session:
        similar = await find_similar(session, draft.title or "", problem=draft.problem or "",
                                     limit=5, exclude_ids=offered)
    if not similar:
        return False
    shown = offered + tuple(found.proposal_id for found in similar)
    _put(context, replace(_place(context), offered=shown))
    await _send(update, view.similar(translator_for(update, context), similar))
    return True


async def _ack(update: Update) -> None:
    if update.callback_query is not None:
        await answer_query(update.callback_query)


async def _stale(update: Update, context: GonggamContext) -> None:
    """A wizard button from an earlier step: say so instead of doing nothing."""
    if update.callback_query is not None:
        text = view.stale_wizard_button(translator_for(update, context))
        await answer_query(update.callback_query, text, alert=True)


async def _idle(update: Update, context: GonggamContext, draft: DraftView) -> bool:
    if not draft.idle_since(context.services.clock.now()):
        return False
    t = translator_for(update, context)
    await _send(update, Rendered(view.paused(t)), keyboard=menu_keyboard(t))
    return True


async def _save(context: GonggamContext, step: Step, **values: str | None) -> None:
    assert context.user is not None
    async with context.transaction() as session:
        await drafts.save_step(session, context.user.id, context.services.clock.now(),
                               step=step.name.lower(), **values)


async def _save_place(context: GonggamContext, place: GeoPoint | None) -> None:
    assert context.user is not None
    async with context.transaction() as session:
        await drafts.save_place(session, context.user.id, context.services.clock.now(), place)


async def _draft(context: GonggamContext) -> DraftView | None:
    if context.user is None:
        return None
    async with context.transaction() as session:
        return await drafts.load_draft(session, context.user.id)


def _current_step(context: GonggamContext) -> Step:
    return _place(context).step


def _place(context: GonggamContext) -> Place:
    place = context.user_data.get(PLACE_KEY) if context.user_data is not None else None
    return place if isinstance(place, Place) else Place()


def _put(context: GonggamContext, place: Place) -> None:
    if context.user_data is not None:
        context.user_data[PLACE_KEY] = place


def _stop_editing(context: GonggamContext) -> None:
    _put(context, replace(_place(context), editing=None))


def _step_of(draft: DraftView) -> Step:
    try:
        return Step[draft.step.upper()]
    except KeyError:
        return Step.TITLE


def _options(context: GonggamContext, field: str) -> tuple[str, ...]:
    settings = context.services.settings
    return settings.areas if field == "area" else settings.categories


async def _send(update: Update, rendered: Rendered, keyboard: object = None) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_html(rendered.text, reply_markup=rendered.reply_markup or keyboard)  # type: ignore[arg-type]


def register(application: Application) -> None:
    application.add_handler(build(application))


def build(application: Application) -> ConversationHandler:
    text = PRIVATE & filters.TEXT & ~filters.COMMAND
    other = PRIVATE & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    on_step: StepHandlers = [
        MessageHandler(text, receive_text),
        MessageHandler(PRIVATE & filters.LOCATION, receive_location),
        CallbackQueryHandler(choose, pattern=WizardChoice.matches),
        CallbackQueryHandler(skip, pattern=_action("skip")),
        CallbackQueryHandler(back, pattern=_action("back")),
        CallbackQueryHandler(proceed, pattern=_action("continue")),
    ]
    with warnings.catch_warnings():
        # PTB warns that buttons are tracked per chat, not per message; that is intended:
        # the wizard has one live step per resident, whichever message the button is on.
        warnings.filterwarnings("ignore", message=".*per_message=False", category=PTBUserWarning)
        return _conversation(on_step, text, other, application)


def _conversation(
    on_step: StepHandlers, text: filters.BaseFilter, other: filters.BaseFilter,
    application: Application,
) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CommandHandler("propose", begin, filters=PRIVATE),
            CommandHandler("district_proposal", begin_district, filters=PRIVATE),
            MessageHandler(
                PRIVATE & filters.TEXT & MenuLabelFilter(application, "propose"), begin
            ),
        ],
        states=_states(on_step, text),
        fallbacks=_fallbacks(other),
        name="proposal_wizard",
        allow_reentry=True,
    )


def _fallbacks(other: filters.BaseFilter) -> StepHandlers:
    """What every step also takes: /cancel or ✖️ 취소, /propose again, a non-text message."""
    return [
        CommandHandler("cancel", later),
        CallbackQueryHandler(later, pattern=_action("cancel")),
        CommandHandler("propose", begin, filters=PRIVATE),
        CommandHandler("district_proposal", begin_district, filters=PRIVATE),
        MessageHandler(other, wrong_kind),
    ]


def _states(on_step: StepHandlers, text: filters.BaseFilter) -> dict[object, StepHandlers]:
    """What each step listens to: the text steps take `on_step`, the photo step a photo too."""
    return {
        Step.RESUME: [CallbackQueryHandler(resume_or_restart, pattern=WizardStep.matches)],
        **{step: on_step for step in (Step.TITLE, Step.PROBLEM, Step.SOLUTION, Step.EFFECT,
                                      Step.AREA, Step.CATEGORY, Step.EDIT)},
        Step.PHOTO: [MessageHandler(PRIVATE & filters.PHOTO, receive_photo), *on_step],
        Step.PREVIEW: [
            CallbackQueryHandler(edit_part, pattern=WizardEdit.matches),
            CallbackQueryHandler(submit, pattern=_action("submit")),
            *_complaint_handlers(),
            CallbackQueryHandler(later, pattern=_action("later")),
            CallbackQueryHandler(back, pattern=_action("back")),
            MessageHandler(text, receive_text),
            MessageHandler(PRIVATE & filters.LOCATION, receive_location),
        ],
    }


def _complaint_handlers() -> StepHandlers:
    """The preview's 📮 민원으로 보내기, its public-or-not question and the way back."""
    return [
        CallbackQueryHandler(ask_complaint_consent, pattern=_action("complaint")),
        CallbackQueryHandler(submit_complaint, pattern=_action("complaint_public")),
        CallbackQueryHandler(submit_complaint, pattern=_action("complaint_private")),
        CallbackQueryHandler(review, pattern=_action("review")),
    ]


def _action(name: str) -> Callable[[object], bool]:
    """Pattern for the wizard button `name` (skip, back, cancel, …)."""
    return lambda data: WizardStep.parse(data) == WizardStep(name)
