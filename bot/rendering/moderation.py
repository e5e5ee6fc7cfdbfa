"""Texts and buttons of moderation: work items, hide/restore notices, merges, bans, roles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape, unescape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AdminMenu, AnswerQuestion, ReportReason, WorkAct
from bot.domain.complaints import KINDS, LEGAL_NAMES, route_argument
from bot.domain.events import (
    ContentHidden,
    ContentRestored,
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
    ProposalMerged,
    QuestionAsked,
    WorkItemEvent,
)
from bot.i18n import N_, Translator
from bot.rendering import Rendered, plain_text
from bot.rendering.proposals import REASON_LABELS, proposal_sections
from bot.rendering.proposals import report_reasons as plain_report_reasons
from bot.rendering.registry import EventRegistry
from bot.services.bans import BanOutcome
from bot.services.browse import ProposalCard
from bot.services.hiding import (
    AUTOMATIC_REASON,
    HIDE_REASONS,
    PROPOSAL,
    HideOutcome,
)
from bot.services.moderation import (
    ActOutcome,
    ActResult,
    MergeOutcome,
    MergeResult,
    OfflineForm,
    chosen_department,
    masked_contact,
)
from bot.services.work_items import WorkItemView, WorkKind

Button = InlineKeyboardButton
TELEGRAM_TEXT_LIMIT = 4096  # characters after entity parsing, counted in UTF-16 code units

ACTION_LABELS: dict[str, str] = {
    "approve": N_("approved"),
    "reject": N_("rejected"),
    "publish": N_("published"),
    "keep": N_("kept hidden"),
    "restore": N_("restored"),
    "assign": N_("department assigned"),
    "remind": N_("reminded again"),
    "noted": N_("noted"),
    "accept": N_("re-review accepted"),
    "decline": N_("re-review declined"),
    "answer": N_("answered"),
    "route": N_("민원 routed"),
}
KIND_LABELS: dict[WorkKind, str] = {
    WorkKind.PENDING: N_("Proposal to approve"),
    WorkKind.FLAGGED_OPINION: N_("Opinion held by the language check"),
    WorkKind.REPORTED: N_("Hidden after reports"),
    WorkKind.THRESHOLD: N_("Threshold reached: assign a department"),
    WorkKind.OVERDUE: N_("Overdue answer"),
    WorkKind.RE_REVIEW: N_("Re-review request"),
    WorkKind.DISSATISFIED: N_("Residents not satisfied"),
    WorkKind.QUESTION: N_("A resident's question"),
    WorkKind.INTERIM_MISSING: N_("No interim answer"),
    WorkKind.HEAD_OFFICE: N_("No head's office"),
    WorkKind.HEAD_OVERDUE: N_("The head's answer is overdue"),
    WorkKind.COMPLAINT: N_("민원 to route"),
    WorkKind.WORKGROUP_UPDATE: N_("워킹그룹 report to publish"),
}
HIDDEN_REASON_LABELS: dict[str, str] = {
    **REASON_LABELS,
    AUTOMATIC_REASON: N_("reported by several residents"),
}


def reason_label(t: Translator, code: str, text: str = "") -> str:
    """A hide or reject reason as people read it.

    A known code's label, else the moderator's text.
    """
    if code in HIDDEN_REASON_LABELS:
        return t.gettext(HIDDEN_REASON_LABELS[code])
    return text or t.gettext("against the operating rules")


# ----- work item buttons ----------------------------------------------------------------------


def work_item_keyboard(t: Translator, event: WorkItemEvent) -> InlineKeyboardMarkup | None:
    """The buttons of a freshly posted work item (the dispatcher's renderer calls this)."""
    if event.work_item_id is None or event.work_kind not in WORK_KINDS:
        return None
    if isinstance(event, ModerationThreshold):
        return item_keyboard(t, WorkKind(event.work_kind), event.work_item_id,
                             event.departments, event.preselected)
    return item_keyboard(t, WorkKind(event.work_kind), event.work_item_id)


def open_item_keyboard(t: Translator, item: WorkItemView) -> InlineKeyboardMarkup | None:
    """The buttons of an open work item again (the reject reasons' ↩️ Back)."""
    return item_keyboard(t, item.kind, item.id, item.params.get("departments", []),
                         item.params.get("preselected"))


def item_keyboard(t: Translator, kind: WorkKind, item_id: int,
                  departments: Sequence[Sequence[Any]] = (),
                  preselected: int | None = None) -> InlineKeyboardMarkup | None:
    """A work item's buttons by its kind; `departments` ([id, name] each) and the
    `preselected` one are the choices of a threshold item."""
    if kind is WorkKind.THRESHOLD:
        return _departments(item_id, departments, preselected)
    return _KEYBOARDS[kind](t, item_id)


def navigation_rows(markup: InlineKeyboardMarkup | None) -> list[list[Button]]:
    """The /admin menu's rows of an item opened from the queue (↩️ back to the list): they
    stay when the item's own buttons change or go."""
    rows = markup.inline_keyboard if markup is not None else ()
    return [list(row) for row in rows
            if row and all(AdminMenu.matches(b.callback_data) for b in row)]


def with_navigation(markup: InlineKeyboardMarkup | None,
                    current: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """`markup` followed by the navigation rows of the message's `current` buttons."""
    rows = [*(markup.inline_keyboard if markup is not None else ()), *navigation_rows(current)]
    return InlineKeyboardMarkup(rows) if rows else None


def reason_rows(t: Translator, data: Callable[[int], str]) -> list[list[Button]]:
    """A button per hide / reject reason; `data` gives the button data of a reason's index."""
    return [[Button(t.gettext(REASON_LABELS[code]), callback_data=data(index))]
            for index, code in enumerate(HIDE_REASONS)]


def reject_reasons_keyboard(t: Translator, item_id: int) -> InlineKeyboardMarkup:
    rows = reason_rows(t, lambda index: WorkAct(item_id, "reject", index).pack())
    rows.append([Button(t.gettext("✍️ Other reason"),
                        callback_data=WorkAct(item_id, "other", 0).pack())])
    rows.append([Button(t.gettext("↩️ Back"), callback_data=WorkAct(item_id, "back", 0).pack())])
    return InlineKeyboardMarkup(rows)


def _two(t: Translator, item_id: int, first: tuple[str, str], second: tuple[str, str]
         ) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        Button(t.gettext(first[0]), callback_data=WorkAct(item_id, first[1], 0).pack()),
        Button(t.gettext(second[0]), callback_data=WorkAct(item_id, second[1], 0).pack()),
    ]])


def _departments(
    item_id: int, departments: Sequence[Sequence[Any]], preselected: int | None
) -> InlineKeyboardMarkup | None:
    """One button per active department, the category's default first and ticked; none yet:
    no buttons (/department_add, /assign)."""
    buttons = [
        Button(("✅ " if department_id == preselected else "") + str(name),
               callback_data=WorkAct(item_id, "assign", int(department_id)).pack())
        for department_id, name in sorted(departments, key=lambda d: d[0] != preselected)
    ]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(rows) if rows else None


WORK_KINDS = frozenset(str(kind) for kind in WorkKind)
Keyboard = Callable[[Translator, int], InlineKeyboardMarkup]
_KEYBOARDS: dict[WorkKind, Keyboard] = {
    WorkKind.PENDING: lambda t, i: _two(t, i, (N_("✅ Approve"), "approve"),
                                        (N_("🚫 Reject…"), "reasons")),
    WorkKind.FLAGGED_OPINION: lambda t, i: _two(t, i, (N_("✅ Publish"), "publish"),
                                                (N_("🙈 Keep hidden"), "keep")),
    WorkKind.REPORTED: lambda t, i: _two(t, i, (N_("↩️ Restore"), "restore"),
                                         (N_("🙈 Keep hidden"), "keep")),
    WorkKind.OVERDUE: lambda t, i: _two(t, i, (N_("🔔 Remind again"), "remind"),
                                        (N_("📝 Noted"), "noted")),
    WorkKind.RE_REVIEW: lambda t, i: _two(t, i, (N_("✅ Accept"), "accept"),
                                          (N_("❌ Decline"), "decline")),
    WorkKind.DISSATISFIED: lambda t, i: _noted(t, i),
    WorkKind.INTERIM_MISSING: lambda t, i: _noted(t, i),
    WorkKind.HEAD_OFFICE: lambda t, i: _noted(t, i),
    WorkKind.HEAD_OVERDUE: lambda t, i: _noted(t, i),
    WorkKind.QUESTION: lambda t, i: InlineKeyboardMarkup([[
        Button(t.gettext("💬 Answer"), callback_data=AnswerQuestion(i).pack())]]),
    WorkKind.COMPLAINT: lambda t, i: _complaint_kinds(t, i),
    WorkKind.WORKGROUP_UPDATE: lambda t, i: _two(t, i, (N_("✅ Publish"), "publish"),
                                                 (N_("🙈 Keep back"), "keep")),
}


def _complaint_kinds(t: Translator, item_id: int) -> InlineKeyboardMarkup:
    """A 민원's triage, first step: its kind (the law's names; the 처리기간 follows), or not a
    민원 at all."""
    kinds = [Button(LEGAL_NAMES[kind], callback_data=WorkAct(item_id, "ckind", n).pack())
             for n, kind in enumerate(KINDS)]
    rows = [kinds[i:i + 2] for i in range(0, len(kinds), 2)]
    rows.append([Button(t.gettext("🚫 Reject…"), callback_data=WorkAct(item_id, "reasons",
                                                                      0).pack())])
    return InlineKeyboardMarkup(rows)


def complaint_departments_keyboard(
    t: Translator, item: WorkItemView, position: int
) -> InlineKeyboardMarkup:
    """The second step: the department, for the kind at `position` (named on top)."""
    kind = KINDS[position] if 0 <= position < len(KINDS) else KINDS[0]
    buttons = [Button(str(name), callback_data=WorkAct(
        item.id, "route", route_argument(int(department_id), kind)).pack())
        for department_id, name in item.params.get("departments", [])]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Button(t.gettext("↩️ Back ({kind})").format(kind=LEGAL_NAMES[kind]),
                        callback_data=WorkAct(item.id, "back", 0).pack())])
    return InlineKeyboardMarkup(rows)


def _noted(t: Translator, item_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        Button(t.gettext("📝 Noted"), callback_data=WorkAct(item_id, "noted", 0).pack())]])


def handled_line(t: Translator, name: str, action: str, at: datetime, detail: str = "") -> str:
    """「처리: 김모더 · 부서 배정 (도로과) · 11월 27일 14:05」: `detail` says what was chosen
    (the department, the reject reason), so the chat keeps the decision, not just its kind."""
    label = t.gettext(ACTION_LABELS.get(action, N_("noted")))
    if detail:
        label = f"{label} ({escape(detail)})"
    return t.gettext("Handled: {name} · {action} · {when}").format(
        name=escape(name), action=label, when=t.moment(at))


def item_handled_line(
    t: Translator, item: WorkItemView, argument: int = 0, *, no_effect: bool = False
) -> str:
    """`handled_line` of a claimed item; `no_effect`: the state had moved on already."""
    line = handled_line(t, item.claimed_by_name or "", item.action or "",
                        item.claimed_at or item.created_at, handled_detail(item, argument))
    return f"{line} {no_change_mark(t)}" if no_effect else line


def handled_detail(item: WorkItemView, argument: int = 0) -> str:
    """What the moderator chose: the assigned department or the reject reason, both kept as
    the item's note (an item assigned before the note named the department: by the button's
    `argument`)."""
    if item.action == "assign":
        return item.note or chosen_department(item, argument)
    if item.action in ("reject", "route"):
        return item.note or ""
    return ""


def with_handled_line(original_html: str, original_plain: str, line: str) -> str:
    """The item's text with the handled line appended, within Telegram's 4096 characters.

    When it would not fit, the original body is cut (as plain text, so no HTML tag is split)
    and ends with 「…」; the handled line is never shortened."""
    line_units = _utf16_units(unescape(line))
    if _utf16_units(original_plain) + 2 + line_units <= TELEGRAM_TEXT_LIMIT:
        return f"{original_html}\n\n{line}"
    room = max(0, TELEGRAM_TEXT_LIMIT - 2 - line_units - 1)  # 1 for the 「…」
    return f"{escape(_cut_to_units(original_plain, room), quote=False)}…\n\n{line}"


def handled_copy(original_html: str, line: str) -> str:
    """Another staff chat's copy of a handled item: its text, re-rendered, with the line."""
    return with_handled_line(original_html, plain_text(original_html), line)


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_to_units(text: str, room: int) -> str:
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > room:
            return text[:index]
    return text


def already_handled(t: Translator, item: WorkItemView) -> str:
    if item.claimed_at is None or item.action is None:
        return t.gettext("This item is no longer open.")
    return t.gettext("Already handled by {name} ({action}, {when}).").format(
        name=item.claimed_by_name or "?",
        action=t.gettext(ACTION_LABELS.get(item.action, "noted")),
        when=t.moment(item.claimed_at))


EVENT_KINDS: dict[WorkKind, str] = {
    WorkKind.PENDING: ModerationPending.kind,
    WorkKind.FLAGGED_OPINION: ModerationOpinion.kind,
    WorkKind.REPORTED: ModerationReported.kind,
    WorkKind.THRESHOLD: ModerationThreshold.kind,
    WorkKind.OVERDUE: ModerationOverdue.kind,
    WorkKind.RE_REVIEW: ModerationReReview.kind,
    WorkKind.DISSATISFIED: ModerationDissatisfied.kind,
    WorkKind.HEAD_OFFICE: ModerationHeadOffice.kind,
    WorkKind.HEAD_OVERDUE: ModerationHeadOverdue.kind,
    WorkKind.QUESTION: QuestionAsked.kind,
    WorkKind.INTERIM_MISSING: ModerationInterimMissing.kind,
    WorkKind.COMPLAINT: ModerationComplaint.kind,
    WorkKind.WORKGROUP_UPDATE: ModerationWorkgroupUpdate.kind,
}


def notice_of(item: WorkItemView) -> tuple[str, dict[str, Any]]:
    """The outbox kind and parameters the item was posted with, buttons included."""
    params = {**item.params, "work_item_id": item.id, "work_kind": str(item.kind)}
    return EVENT_KINDS[item.kind], params


def item_summary(t: Translator, item: WorkItemView) -> str:
    """One line of the /admin queue."""
    title = escape(str(item.params.get("title", "")))
    proposal_id = item.params.get("proposal_id", "")
    return f"{t.gettext(KIND_LABELS[item.kind])} · #{proposal_id} 「{title}」"


# ----- outbox templates ----------------------------------------------------------------------


MODERATION_TEMPLATES: EventRegistry[str] = EventRegistry()


def _what(t: Translator, target: str) -> str:
    return t.gettext("proposal") if target == PROPOSAL else t.gettext("opinion")


def _reasons(t: Translator, counts: dict[str, int]) -> str:
    return ", ".join(f"{reason_label(t, code)} {n}" for code, n in counts.items())


@MODERATION_TEMPLATES.of(ContentRestored)
def _restored(t: Translator, event: ContentRestored) -> str:
    """The author's notice; the moderator's reason is shown only when one was given."""
    reason = event.reason_text or ""
    if not reason:
        return t.gettext("Your {what} 「{title}」 is visible again. Thank you for waiting."
                         ).format(what=_what(t, event.target), title=escape(event.title))
    return t.gettext(
        "Your {what} 「{title}」 is visible again. Reason: {reason}. Thank you for waiting."
    ).format(what=_what(t, event.target), title=escape(event.title), reason=escape(reason))


def excerpt_block(event: WorkItemEvent) -> str:
    """The first lines of the text in question (masked when the item was posted), quoted."""
    text = event.excerpt or ""
    return f"\n\n<blockquote>{escape(text, quote=False)}</blockquote>" if text else ""


@MODERATION_TEMPLATES.of(ModerationReported)
def _hidden_after_reports(t: Translator, event: ModerationReported) -> str:
    return (
        t.gettext("🚩 Proposal #{id} 「{title}」 was hidden after {count} reports ({reasons}). "
                  "Restore it, or keep it hidden?")
        if event.target == PROPOSAL else
        t.gettext("🚩 An opinion on #{id} 「{title}」 was hidden after {count} reports "
                  "({reasons}). Restore it, or keep it hidden?")
    ).format(id=event.proposal_id, title=escape(event.title), count=event.count,
             reasons=_reasons(t, event.reasons)) + excerpt_block(event)


@MODERATION_TEMPLATES.of(ModerationComplaint)
def _complaint(t: Translator, event: ModerationComplaint) -> str:
    return t.gettext(
        "📮 New 민원 #{id} 「{title}」: choose its kind (its 처리기간 follows from it), then the "
        "department that answers it."
    ).format(id=event.proposal_id, title=escape(event.title)) + excerpt_block(event)


@MODERATION_TEMPLATES.of(ModerationWorkgroupUpdate)
def _workgroup_update(t: Translator, event: ModerationWorkgroupUpdate) -> str:
    return t.gettext(
        "🛠 A 워킹그룹 member reports on #{id} 「{title}」. Publish it to the followers and the "
        "public page?"
    ).format(id=event.proposal_id, title=escape(event.title)) + "\n\n" + escape(event.text)


@MODERATION_TEMPLATES.of(ModerationPending)
def _pending(t: Translator, event: ModerationPending) -> str:
    return t.gettext(
        "🕒 New proposal #{id} 「{title}」 waits for approval{flag}."
    ).format(id=event.proposal_id, title=escape(event.title),
             flag=t.gettext(" (flagged by the language check)") if event.flagged else ""
             ) + excerpt_block(event)


@MODERATION_TEMPLATES.of(ContentHidden)
def _hidden(t: Translator, event: ContentHidden) -> str:
    return t.gettext(
        "Your {what} 「{title}」 is hidden for now under our operating rules. Reason: {reason}. "
        "It is kept, not deleted, and a moderator can show it again."
    ).format(what=_what(t, event.target), title=escape(event.title),
             reason=escape(reason_label(t, event.reason, event.reason_text or "")))


@MODERATION_TEMPLATES.of(ProposalMerged)
def _merged(t: Translator, event: ProposalMerged) -> str:
    return t.gettext(
        "「{title}」 was merged with a very similar proposal, 「{target}」. "
        "Your 공감 now counts there."
    ).format(title=escape(event.title), target=escape(event.target_title))


# ----- replies to moderators and residents ----------------------------------------------------


def ban_notice(t: Translator, until: datetime, reason: str, permanent: bool) -> str:
    """What a banned resident is told when they try to add something."""
    if permanent:
        head = t.gettext("Sorry, you cannot post, report or endorse any more.")
    else:
        head = t.gettext("Sorry, you cannot post, report or endorse until {when}.").format(
            when=t.moment(until))
    return head + " " + t.gettext("Reason: {reason}").format(reason=escape(reason))


def hidden_own_card(t: Translator, card: ProposalCard) -> Rendered:
    """What the author of a hidden proposal sees: their own text under a short banner
    (everyone else sees only that the post is hidden)."""
    banner = t.gettext("🙈 Hidden under our operating rules. The moderators will check it "
                       "and tell you the result.")
    head = f"<b>「{escape(card.title)}」</b> #{card.id}"
    return Rendered(f"{banner}\n\n{head}\n\n"
                    + proposal_sections(t, card.problem, card.solution, card.effect))


# ----- reporting: the reason choice can be cancelled -------------------------------------------

REPORT_CANCEL = "cancel"


def report_reasons(t: Translator, proposal_id: int) -> Rendered:
    """The reasons to report a proposal, and 「취소」 to back out."""
    shown = plain_report_reasons(t, proposal_id)
    rows = list(shown.reply_markup.inline_keyboard) if shown.reply_markup else []
    cancel = Button(t.gettext("Cancel"),
                    callback_data=ReportReason(proposal_id, REPORT_CANCEL).pack())
    return Rendered(shown.text, InlineKeyboardMarkup([*rows, [cancel]]))


def report_cancelled(t: Translator) -> str:
    return t.gettext("Cancelled. Nothing was reported.")


# ----- replies to the moderation commands and work item buttons (plain text) ------------------


def hide_usage(t: Translator) -> str:
    return t.gettext("Usage: /hide p|o <number> <reason> "
                     "(p=proposal, o=opinion)\nExample: /hide p 12 advertising")


def restore_usage(t: Translator) -> str:
    return t.gettext("Usage: /restore p|o <number> [reason] (p=proposal, o=opinion)\n"
                     "Example: /restore o 34")


def hide_reply(t: Translator, outcome: HideOutcome, *, hiding: bool) -> str:
    if outcome is HideOutcome.NOT_FOUND:
        return t.gettext("There is nothing with that number.")
    if outcome is HideOutcome.UNCHANGED:
        return (t.gettext("It is already hidden.") if hiding
                else t.gettext("It is not hidden."))
    return (t.gettext("Hidden. The author has been told why.") if hiding
            else t.gettext("Visible again. The author has been told."))


def decide_pending_usage(t: Translator) -> str:
    return t.gettext("Usage: /approve <number>, /reject <number> <reason>")


def pending_decided(t: Translator, *, done: bool, approving: bool) -> str:
    if not done:
        return t.gettext("That proposal is not waiting for moderation.")
    return (t.gettext("Published. The author has been told.") if approving
            else t.gettext("Not published. The author has been told why."))


def merge_usage(t: Translator) -> str:
    return t.gettext("Usage: /merge <duplicate number> <number to keep>")


def merge_reply(t: Translator, result: MergeResult, source: int, target: int) -> str:
    texts = {
        MergeOutcome.MERGED: t.gettext(
            "Merged #{a} into #{b}: {moved} 공감 moved, #{b} now has {count}. "
            "The endorsers have been told."),
        MergeOutcome.SAME: t.gettext("A proposal cannot be merged into itself."),
        MergeOutcome.NOT_FOUND: t.gettext("There is no proposal with one of those numbers."),
        MergeOutcome.SOURCE_NOT_COLLECTING: t.gettext(
            "Only a proposal that is still gathering 공감 can be merged away (#{a})."),
        MergeOutcome.TARGET_HIDDEN: t.gettext("#{b} is hidden: merge into a visible proposal."),
        MergeOutcome.TARGET_CLOSED: t.gettext(
            "#{b} is closed: merge into a proposal that is still open."),
    }
    return texts[result.outcome].format(a=source, b=target, moved=result.moved,
                                        count=result.count)


def ban_usage(t: Translator) -> str:
    return t.gettext("Usage: /ban <telegram id> <days|permanent> <reason>\n"
                     "Example: /ban 123456789 7 repeated advertising")


def ban_reply(t: Translator, outcome: BanOutcome) -> str:
    return {
        BanOutcome.BANNED: t.gettext(
            "Banned. Their new posts, reports and 공감 are refused; what they wrote stays."),
        BanOutcome.STAFF: t.gettext("Moderators and admins cannot be banned."),
        BanOutcome.UNKNOWN_USER: t.gettext("Nobody with that Telegram id has used the bot."),
        BanOutcome.INVALID: ban_usage(t) + "\n" + t.gettext("Days: 1 to 3650."),
    }[outcome]


def unban_usage(t: Translator) -> str:
    return t.gettext("Usage: /unban <telegram id>")


def unban_reply(t: Translator, outcome: BanOutcome) -> str:
    return {
        BanOutcome.UNBANNED: t.gettext("The ban is lifted."),
        BanOutcome.NOT_BANNED: t.gettext("That person is not banned."),
        BanOutcome.UNKNOWN_USER: t.gettext("Nobody with that Telegram id has used the bot."),
    }[outcome]


def offline_usage(t: Translator) -> str:
    return t.gettext(
        "Send the form in one message:\n/offline 종이|전화|주민센터\n제목: …\n내용: …\n"
        "동: …\n분야: …\n이름: …\n연락처: …\n(동 and 분야 are optional; title 5 to 80 "
        "characters, content at least 10; 동 and 분야 must be ones the bot knows.)") + "\n" \
        + t.gettext("If the resident uses this bot, add 텔레그램: <telegram id> instead of "
                    "이름 and 연락처: they become the author and get the updates.") + "\n" \
        + t.gettext("If the resident agrees to be phoned with its news, add 연락 동의: 예: the "
                    "contact is then kept encrypted until the proposal is closed, and its news "
                    "waits for you in /callbacks.") + "\n" \
        + t.gettext("If the resident agrees to get its news by KakaoTalk message or text "
                    "at a mobile number, add 문자 동의: 예: the number is then kept encrypted "
                    "until the proposal is closed and used for nothing else.")


def offline_unknown_resident(t: Translator, telegram_id: int | None) -> str:
    return t.gettext(
        "Nobody with Telegram id {id} has used the bot, so nothing was published. Check "
        "the number, or leave out 텔레그램 and give 이름 and 연락처.").format(id=telegram_id)


def offline_done(t: Translator, proposal_id: int, form: OfflineForm) -> str:
    if form.telegram_id is not None:
        return t.gettext(
            "Proposal #{id} is published, marked as received offline. The resident ({telegram}) "
            "is its author and will get its updates; no contact is kept."
        ).format(id=proposal_id, telegram=form.telegram_id)
    if form.texts:
        return t.gettext(
            "Proposal #{id} is published, marked as received offline. The resident agreed to "
            "get its news by KakaoTalk message or text: the number is kept encrypted until the "
            "proposal is closed ({contact}). If it cannot be reached, the news waits for you "
            "in /callbacks."
        ).format(id=proposal_id, contact=masked_contact(form.name, form.contact))
    if form.callback:
        return t.gettext(
            "Proposal #{id} is published, marked as received offline. The resident agreed to "
            "be phoned: the contact is kept encrypted until the proposal is closed, and each "
            "piece of news for them waits in /callbacks ({contact})."
        ).format(id=proposal_id, contact=masked_contact(form.name, form.contact))
    return t.gettext(
        "Proposal #{id} is published, marked as received offline. Contact kept only as: {contact}"
    ).format(id=proposal_id, contact=masked_contact(form.name, form.contact))


def item_missing(t: Translator) -> str:
    return t.gettext("This item does not exist.")


def button_expired(t: Translator) -> str:
    return t.gettext("This button is not valid any more.")


def own_reason_hint(t: Translator, proposal_id: int) -> str:
    return t.gettext("Write your own reason with /reject {id} <reason>.").format(id=proposal_id)


def reject_reason_text(t: Translator, reason: str) -> str:
    """The label of a hide/reject reason, as the author reads it."""
    return t.gettext(REASON_LABELS[reason])


def closed_item(t: Translator, item: WorkItemView | None) -> str:
    """A work item button pressed when the item is gone or handled already."""
    return item_missing(t) if item is None else already_handled(t, item)


ACT_REFUSALS: dict[ActOutcome, Callable[[Translator, WorkItemView | None], str]] = {
    ActOutcome.INVALID: lambda t, _item: button_expired(t),
    ActOutcome.NOT_FOUND: lambda t, _item: item_missing(t),
    ActOutcome.ALREADY_HANDLED: closed_item,
}


def act_refusal(t: Translator, result: ActResult) -> str | None:
    """The pop-up for a work item action that did not run; None when it ran."""
    if result.outcome is not ActOutcome.INVALID and result.item is None:
        return item_missing(t)
    refuse = ACT_REFUSALS.get(result.outcome)
    return None if refuse is None else refuse(t, result.item)


def act_reply(t: Translator, outcome: ActOutcome) -> str:
    if outcome is ActOutcome.DONE:
        return t.gettext("Done.")
    return t.gettext("Recorded, but nothing changed: it had already moved on.")


def no_change_mark(t: Translator) -> str:
    return t.gettext("(no change)")
