"""Texts and keyboards of the participatory-budget ballot (/budget) and its reminders.

Every ballot screen carries the running line (선택 3개 · 1억 2,000만 원 / 예산 3억 원 ·
남은 예산 1억 8,000만 원), amounts through the translator's money format. Buttons are big,
one project a row, with ✅ on the chosen ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import BallotPage, BallotSubmit, BallotTap
from bot.domain.events import BallotReminder, BallotReminder6h, BallotReminder48h
from bot.domain.pb.ballot import (
    Action,
    BallotSummary,
    BallotType,
    Ineligible,
    Refusal,
    RefusalReason,
    summarize,
)
from bot.i18n import N_, Translator
from bot.rendering import Answer, Rendered
from bot.rendering.common import stale_button
from bot.rendering.registry import EventRegistry
from bot.services.ballots import (
    PAGE_SIZE,
    BallotOutcome,
    BallotResult,
    BallotState,
    LatestBallot,
    LatestResults,
    ProjectLine,
    RoundBrief,
    RoundView,
)

DESCRIPTION_CHARS = 80
BUTTON_TITLE_CHARS = 20  # the cost follows the title, so the button still fits a phone
POINTS_TITLE_CHARS = 10  # the middle of three buttons on a cumulative ballot
CHOSEN_TITLE_CHARS = 12  # the “chosen so far” line under the ballot
ALERT_TITLE_CHARS = 40  # a refusal alert (200 characters at most)
CHOSEN, NOT_CHOSEN = "✅", "⬜"

REFUSALS: dict[RefusalReason, str] = {
    RefusalReason.OVER_BUDGET: N_(
        "This would go over the budget by {amount}. Please remove another project first."),
    RefusalReason.TOO_MANY_CHOICES: N_(
        "You can choose at most {limit} projects. Please remove one first."),
    RefusalReason.TOO_MANY_POINTS: N_(
        "You have used all {limit} points. Please take a point from another project first."),
    RefusalReason.TOO_MANY_ON_ONE: N_("At most {limit} points can go to one project."),
    RefusalReason.UNKNOWN_PROJECT: N_(
        "This ballot has changed since this message. Here is the current one."),
    RefusalReason.WRONG_ACTION: N_(
        "This ballot has changed since this message. Here is the current one."),
}
# A refused tap names the project it was about, so the resident sees what to do next.
TAP_REFUSALS: dict[RefusalReason, str] = {
    RefusalReason.OVER_BUDGET: N_(
        "Adding 「{title}」 ({cost}) would go over the budget by {amount}. "
        "Budget left: {remaining}."),
    RefusalReason.TOO_MANY_CHOICES: N_(
        "You have already chosen {limit} projects, the most allowed. To choose 「{title}」, "
        "please remove one first."),
    RefusalReason.TOO_MANY_POINTS: N_(
        "All {limit} points are used. To give 「{title}」 a point, please take one from "
        "another project first."),
    RefusalReason.TOO_MANY_ON_ONE: N_(
        "「{title}」 already has {limit} points, the most one project can get."),
}
INELIGIBLE: dict[Ineligible, str] = {
    Ineligible.NEEDS_CONTACT: N_(
        "Only residents who have shared their phone number can vote. Please share it with "
        "the button below, then open /budget again."),
    Ineligible.NEEDS_VERIFICATION: N_(
        "Only verified residents can vote in this round. You can get a verification code at "
        "your community centre (주민센터)."),
    Ineligible.OTHER_AREA: N_("This vote is only for verified residents of {area}."),
}


# ----- running line and rules -----------------------------------------------------------------


def running_line(t: Translator, summary: BallotSummary) -> str:
    """The line always shown under the ballot: what is chosen and what is left."""
    if summary.ballot_type is BallotType.CUMULATIVE:
        return t.gettext("Used {used} / {total} points").format(
            used=summary.points_used, total=summary.points_total or 0)
    if summary.ballot_type is BallotType.CHOOSE_K:
        return t.gettext("Chosen {count} / at most {limit}").format(
            count=summary.count, limit=summary.max_choices or 0)
    return t.gettext("Chosen {count} · {total} / budget {budget} · {remaining} left").format(
        count=summary.count, total=t.money(summary.total_cost), budget=t.money(summary.budget),
        remaining=t.money(summary.remaining_budget))


def rule_hint(t: Translator, round_: RoundView) -> str:
    rules = round_.rules
    if rules.ballot_type is BallotType.CUMULATIVE:
        return t.gettext(
            "Give your {total} points to the projects you like, at most {per} to one project."
        ).format(total=rules.points_total or 0, per=rules.points_per_project or 0)
    if rules.ballot_type is BallotType.CHOOSE_K:
        return t.gettext("Choose up to {limit} projects.").format(limit=rules.max_choices or 0)
    return t.gettext("Choose projects whose total cost fits in the budget of {budget}.").format(
        budget=t.money(rules.budget))


def refusal_text(t: Translator, refusal: Refusal) -> str:
    return t.gettext(REFUSALS[refusal.reason]).format(
        amount=t.money(refusal.over_by), limit=refusal.limit)


def tap_refusal_text(
    t: Translator, refusal: Refusal, state: BallotState | None, project_id: int
) -> str:
    """A refused tap, naming the project and (over the budget) the money still left."""
    project = state.round.project(project_id) if state is not None else None
    message = TAP_REFUSALS.get(refusal.reason)
    if project is None or state is None or message is None:
        return refusal_text(t, refusal)
    # an alert holds 200 characters: a long title is shortened, not the advice
    return t.gettext(message).format(
        title=_short(project.title, ALERT_TITLE_CHARS), cost=t.money(project.cost),
        amount=t.money(refusal.over_by), remaining=t.money(state.summary.remaining_budget),
        limit=refusal.limit)


def ineligible_text(t: Translator, reason: Ineligible, round_: RoundView | None) -> str:
    area = escape(round_.area) if round_ is not None and round_.area else ""
    return t.gettext(INELIGIBLE[reason]).format(area=area)


# ----- the ballot -----------------------------------------------------------------------------


def ballot_view(t: Translator, state: BallotState) -> Rendered:
    """One page of projects to choose from, the running line and the submit button."""
    round_ = state.round
    page = round_.clamp_page(state.page)
    lines = [
        f"💰 <b>{escape(round_.name)}</b>",
        rule_hint(t, round_),
        t.gettext("Voting closes {deadline}.").format(deadline=t.deadline(round_.closes_at)),
        "",
    ]
    first = page * PAGE_SIZE
    for number, project in enumerate(round_.page(page), start=first + 1):
        lines.append(_project_line(t, number, project, state.draft.get(project.id, 0), round_))
    if round_.page_count > 1:
        lines.append(t.gettext("Page {page} of {pages}").format(
            page=page + 1, pages=round_.page_count))
    lines += ["", f"<b>{running_line(t, state.summary)}</b>"]
    chosen = chosen_line(t, round_, state.draft)
    if chosen:
        lines.append(chosen)
    if state.has_unsent_changes:
        lines.append(t.gettext(
            "Your submitted ballot still counts until you submit these changes."))
    return Rendered("\n".join(lines), _ballot_keyboard(t, state, page, first))


def chosen_line(t: Translator, round_: RoundView, draft: dict[int, int]) -> str:
    """What is chosen on every page (short titles), so no choice hides on another page."""
    names = []
    for project in round_.projects:
        points = draft.get(project.id, 0)
        if not points:
            continue
        name = _short(project.title, CHOSEN_TITLE_CHARS)
        if round_.rules.ballot_type is BallotType.CUMULATIVE:
            name += " " + t.ngettext("{n} point", "{n} points", points).format(n=points)
        names.append(escape(name))
    if not names:
        return ""
    return t.gettext("Chosen: {projects}").format(projects=", ".join(names))


def confirm_view(t: Translator, state: BallotState) -> Rendered:
    """The summary before submitting, with the confirmation buttons."""
    round_ = state.round
    lines = [t.gettext("📨 Please check your ballot for 「{name}」:").format(
        name=escape(round_.name)), ""]
    lines += _chosen_lines(t, round_, state.draft)
    lines += ["", f"<b>{running_line(t, state.summary)}</b>", ""]
    if round_.changeable:
        lines.append(t.gettext("You can change it until the vote closes ({deadline}).").format(
            deadline=t.deadline(round_.closes_at)))
    else:
        lines.append(t.gettext("Once submitted, it cannot be changed."))
    lines.append(t.gettext("Submit this ballot?"))
    keyboard = InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("✅ Yes, submit"), callback_data=BallotSubmit(
            round_.id, round_.version, 1).pack())],
        [InlineKeyboardButton(t.gettext("✏️ Keep choosing"),
                              callback_data=BallotPage(round_.id, round_.version, -1, 1).pack())],
    ])
    return Rendered("\n".join(lines), keyboard)


def receipt_view(t: Translator, state: BallotState, *, just_submitted: bool) -> Rendered:
    """The receipt: code, choices, time in KST, and whether it can still be changed."""
    round_ = state.round
    head = (t.gettext("🧾 Your ballot for 「{name}」 is recorded. Thank you!") if just_submitted
            else t.gettext("🧾 You have already submitted your ballot for 「{name}」."))
    lines = [head.format(name=escape(round_.name)), ""]
    lines.append(t.gettext("Receipt code: {code}").format(
        code=f"<code>{escape(state.receipt or '')}</code>"))
    lines += _chosen_lines(t, round_, state.choices or {})
    chosen = summarize(round_.rules, round_.costs, state.choices or {})
    lines += ["", f"<b>{running_line(t, chosen)}</b>"]
    if state.submitted_at is not None:
        lines.append(t.gettext("Submitted: {when}").format(when=t.moment(state.submitted_at)))
    if round_.changeable:
        lines.append(t.gettext("You can change it until the vote closes ({deadline}).").format(
            deadline=t.deadline(round_.closes_at)))
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("✏️ Change my ballot"),
            callback_data=BallotPage(round_.id, round_.version, 0, 1).pack())]])
        return Rendered("\n".join(lines), keyboard)
    lines.append(t.gettext("It can no longer be changed."))
    return Rendered("\n".join(lines))


def project_details(t: Translator, project: ProjectLine) -> str:
    """The alert for a project's name button on a cumulative ballot (at most 200 characters)."""
    text = f"{project.title} — {t.money(project.cost)}\n{project.description}"
    return text if len(text) <= 200 else text[:199] + "…"


# ----- choosing a round, nothing open, closed -------------------------------------------------


def pick_round(t: Translator, rounds: list[RoundBrief]) -> Rendered:
    rows = [[InlineKeyboardButton(
        t.gettext("{name} (until {deadline})").format(name=r.name,
                                                     deadline=t.deadline(r.closes_at)),
        callback_data=BallotPage(r.id, 0, -1, 0).pack())] for r in rounds]
    return Rendered(t.gettext("💰 Several votes are open. Which one would you like?"),
                    InlineKeyboardMarkup(rows))


def nothing_open(
    t: Translator, upcoming: RoundBrief | None, latest: LatestResults | None = None,
    results_url: str | None = None,
) -> str:
    """No vote open: when the next one opens, and the latest results (with what became of
    this person's ballot if it was never sent)."""
    lines = [t.gettext("💰 No participatory-budget vote is open right now.")]
    if upcoming is not None:
        lines.append(t.gettext("The next one, 「{name}」, opens {when}.").format(
            name=escape(upcoming.name), when=t.moment(upcoming.opens_at)))
    if latest is not None and results_url:
        lines += ["", t.gettext("📊 The results of 「{name}」 are out:").format(
            name=escape(latest.name)), results_url]
        if latest.ballot is LatestBallot.DRAFT_ONLY:
            lines.append(t.gettext("Your ballot in this vote was started but never submitted, "
                                   "so it did not count."))
        elif latest.ballot is LatestBallot.CHANGES_UNSENT:
            lines.append(t.gettext("Your last changes were not submitted, so your earlier "
                                   "ballot is the one that counted."))
    if upcoming is None and latest is None:
        lines.append(t.gettext("Please check again later."))
    return "\n".join(lines)


def closed_text(t: Translator, round_: RoundView | None, now: datetime) -> str:
    if round_ is not None and now < round_.opens_at and round_.phase != "counting":
        return t.gettext("The vote 「{name}」 opens {when}.").format(
            name=escape(round_.name), when=t.moment(round_.opens_at))
    if round_ is None:
        return t.gettext("This vote is no longer open.")
    return t.gettext("The vote 「{name}」 closed {deadline}. Ballots can no longer be cast or "
                     "changed.").format(name=escape(round_.name),
                                        deadline=t.deadline(round_.closes_at))


def stale_text(t: Translator) -> str:
    return t.gettext(REFUSALS[RefusalReason.UNKNOWN_PROJECT])


def locked_text(t: Translator) -> str:
    return t.gettext("You have already submitted your ballot, and this vote does not allow "
                     "changes.")


def empty_text(t: Translator) -> str:
    return t.gettext("Please choose at least one project first.")


# ----- how a ballot button is answered, by outcome -------------------------------------------

STALE_REFUSALS = frozenset({RefusalReason.UNKNOWN_PROJECT, RefusalReason.WRONG_ACTION})


def tap_answer(t: Translator, result: BallotResult, project_id: int) -> Answer | None:
    """A tap saved (the ballot redrawn) or refused by the rules (a ballot changed since the
    message is redrawn too); None for the refusals every ballot button shares."""
    if result.outcome is BallotOutcome.REFUSED and result.refusal is not None:
        stale = result.refusal.reason in STALE_REFUSALS and result.state is not None
        return Answer(tap_refusal_text(t, result.refusal, result.state, project_id), alert=True,
                      redraw=ballot_view(t, result.state) if stale and result.state else None)
    if result.outcome is BallotOutcome.OK and result.state is not None:
        return Answer(redraw=ballot_view(t, result.state))
    return None


def submit_answer(t: Translator, result: BallotResult, *, confirmed: bool) -> Answer | None:
    """📨 (the summary to confirm) or ✅ (the receipt); None for the shared refusals."""
    answer = SUBMIT_ANSWERS.get(result.outcome)
    return None if answer is None else answer(t, result, confirmed)


def _submitted(t: Translator, result: BallotResult, confirmed: bool) -> Answer | None:
    if result.state is None:
        return None
    return Answer(redraw=receipt_view(t, result.state, just_submitted=True) if confirmed
                  else confirm_view(t, result.state))


def _same(t: Translator, result: BallotResult, confirmed: bool) -> Answer | None:
    if result.state is None:
        return None
    return Answer(already_recorded(t),
                  redraw=receipt_view(t, result.state, just_submitted=confirmed))


def _empty(t: Translator, result: BallotResult, confirmed: bool) -> Answer | None:
    return Answer(empty_text(t), alert=True)


def _refused(t: Translator, result: BallotResult, confirmed: bool) -> Answer | None:
    return None if result.refusal is None else Answer(refusal_text(t, result.refusal), alert=True)


SUBMIT_ANSWERS: dict[BallotOutcome, Callable[[Translator, BallotResult, bool], Answer | None]] = {
    BallotOutcome.OK: _submitted,
    BallotOutcome.SAME: _same,
    BallotOutcome.EMPTY: _empty,
    BallotOutcome.REFUSED: _refused,
}


def press_refusal(t: Translator, result: BallotResult, now: datetime) -> Answer:
    """A press that cannot act: why, and the message redrawn as things are now."""
    state = result.state
    if result.outcome is BallotOutcome.CLOSED:
        text = closed_text(t, result.round, now)
        return Answer(text, alert=True, redraw=Rendered(text))
    if result.outcome is BallotOutcome.NOT_ELIGIBLE and result.ineligible is not None:
        return Answer(ineligible_text(t, result.ineligible, result.round), alert=True)
    if result.outcome is BallotOutcome.STALE and state is not None:
        return Answer(stale_text(t), alert=True, redraw=ballot_view(t, state))
    if result.outcome is BallotOutcome.LOCKED and state is not None:
        return Answer(locked_text(t), alert=True,
                      redraw=receipt_view(t, state, just_submitted=False))
    return Answer(stale_button(t), alert=True)


def already_recorded(t: Translator) -> str:
    return t.gettext("Your ballot is already recorded.")


def share_phone_label(t: Translator) -> str:
    return t.gettext("📱 Share my phone number")


# ----- reminders (outbox) ---------------------------------------------------------------------


BALLOT_TEMPLATES: EventRegistry[str] = EventRegistry()
BALLOT_KEYBOARDS: EventRegistry[InlineKeyboardMarkup | None] = EventRegistry()


def _reminder(message: str, changed: str) -> Callable[[Translator, BallotReminder], str]:
    """`message` for a started ballot, `changed` for a submitted one whose changes were not
    sent."""
    def render(t: Translator, event: BallotReminder) -> str:
        return t.gettext(changed if event.changed else message).format(
            name=escape(event.name), deadline=t.deadline(event.closes_at))
    return render


def continue_keyboard(t: Translator, event: BallotReminder) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("🗳 Continue my ballot"),
        callback_data=BallotPage(event.round_id, 0, -1, 1).pack())]])


BALLOT_TEMPLATES.add(BallotReminder48h, _reminder(N_(
    "⏰ Two days left to vote in 「{name}」 (until {deadline}). Your ballot is started but "
    "not submitted yet. Tap below to finish it."), N_(
    "⏰ Two days left to vote in 「{name}」 (until {deadline}). You changed your ballot but "
    "did not submit the changes: your earlier ballot still counts. Tap below to submit "
    "them.")))
BALLOT_TEMPLATES.add(BallotReminder6h, _reminder(N_(
    "⏰ Only 6 hours left to vote in 「{name}」 (until {deadline}). Your ballot is not "
    "submitted yet: tap below to finish it."), N_(
    "⏰ Only 6 hours left to vote in 「{name}」 (until {deadline}). Your changes are not "
    "submitted: your earlier ballot still counts. Tap below to submit them.")))
BALLOT_KEYBOARDS.add(BallotReminder48h, continue_keyboard)
BALLOT_KEYBOARDS.add(BallotReminder6h, continue_keyboard)


# ----- helpers --------------------------------------------------------------------------------


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _project_line(
    t: Translator, number: int, project: ProjectLine, points: int, round_: RoundView
) -> str:
    if round_.rules.ballot_type is BallotType.CUMULATIVE:
        mark = t.ngettext("{n} point", "{n} points", points).format(n=points) if points else "▫️"
        head = f"{number}. <b>{escape(project.title)}</b> — {t.money(project.cost)} · {mark}"
    else:
        mark = CHOSEN if points else NOT_CHOSEN
        head = f"{mark} {number}. <b>{escape(project.title)}</b> — {t.money(project.cost)}"
    description = _short(project.description, DESCRIPTION_CHARS)
    return f"{head}\n    {escape(description)}" if description else head


def _chosen_lines(t: Translator, round_: RoundView, choices: dict[int, int]) -> list[str]:
    lines = []
    for project in round_.projects:
        points = choices.get(project.id, 0)
        if not points:
            continue
        line = f"• {escape(project.title)} — {t.money(project.cost)}"
        if round_.rules.ballot_type is BallotType.CUMULATIVE:
            line += " · " + t.ngettext("{n} point", "{n} points", points).format(n=points)
        lines.append(line)
    return lines


def _ballot_keyboard(
    t: Translator, state: BallotState, page: int, first: int
) -> InlineKeyboardMarkup:
    round_ = state.round
    rows = [
        _project_row(t, round_, project, state.draft.get(project.id, 0), number, page)
        for number, project in enumerate(round_.page(page), start=first + 1)
    ]
    navigation = []
    if page > 0:
        navigation.append(InlineKeyboardButton(
            t.gettext("◀ Previous"),
            callback_data=BallotPage(round_.id, round_.version, page - 1, 1).pack()))
    if page < round_.page_count - 1:
        navigation.append(InlineKeyboardButton(
            t.gettext("Next ▶"),
            callback_data=BallotPage(round_.id, round_.version, page + 1, 1).pack()))
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton(
        t.gettext("📨 Submit my ballot"),
        callback_data=BallotSubmit(round_.id, round_.version, 0).pack())])
    return InlineKeyboardMarkup(rows)


def _project_row(
    t: Translator, round_: RoundView, project: ProjectLine, points: int, number: int, page: int
) -> list[InlineKeyboardButton]:
    def button(label: str, action: str) -> InlineKeyboardButton:
        data = BallotTap(round_.id, round_.version, project.id, action, page).pack()
        return InlineKeyboardButton(label, callback_data=data)

    cost = t.money(project.cost)
    if round_.rules.ballot_type is BallotType.CUMULATIVE:
        title = _short(project.title, POINTS_TITLE_CHARS)
        return [button("➖", Action.REMOVE),
                button(f"{number}. {title} · {points} · {cost}", "i"),
                button("➕", Action.ADD)]
    mark = CHOSEN if points else NOT_CHOSEN
    title = _short(project.title, BUTTON_TITLE_CHARS)
    return [button(f"{mark} {number}. {title} · {cost}", Action.TOGGLE)]
