"""Screens of the staff's proposal lists in /admin: a page of ten lines with filters, order and
page jumps, the staff view of one proposal with its actions, and the bulk actions' questions
and summaries. Every button carries the list's code so that ↩️ goes back to the same page."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AdminBulk, AdminList, AdminMenu, AdminPick, AdminProposal, MergeConfirm
from bot.domain.admin_lists import (
    STATUSES,
    ListQuery,
    Sort,
    page_count,
    page_jumps,
)
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.labels import (
    ANSWER_KIND_LABELS,
    DECISION_LABELS,
    HIDDEN_TEXT,
    status_label,
)
from bot.rendering.moderation import reason_label, reason_rows
from bot.services.admin_lists import BulkResult, StaffLine, StaffProposal
from bot.services.departments import DepartmentView

Button = InlineKeyboardButton
Rows = list[list[Button]]
LINE_BUTTONS_PER_ROW = 5
ASSIGNABLE = frozenset({ProposalStatus.UNDER_REVIEW, ProposalStatus.IN_DEBATE,
                        ProposalStatus.AWAITING_ANSWER, ProposalStatus.NOT_FEASIBLE})
SORT_LABELS: dict[Sort, str] = {
    Sort.NEWEST: N_("Newest"),
    Sort.ENDORSED: N_("Most 공감"),
    Sort.OLDEST: N_("Oldest"),
    Sort.DEADLINE: N_("Nearest deadline"),
}
BULK_LABELS: dict[str, str] = {
    "approve": N_("✅ Approve ({count})"),
    "reject": N_("🚫 Reject ({count})"),
    "assign": N_("🏛 Assign ({count})"),
}


def _list(query: ListQuery, action: str = "show") -> str:
    return AdminList(action, query.code()).pack()


def _chunks(buttons: list[Button], size: int) -> Rows:
    return [buttons[i:i + size] for i in range(0, len(buttons), size)]


# ----- the list -------------------------------------------------------------------------------


def line_text(t: Translator, line: StaffLine) -> str:
    title = t.gettext(HIDDEN_TEXT) if line.hidden else escape(line.title)
    due = (" · " + t.gettext("until {when}").format(when=t.deadline(line.due))
           if line.due is not None else "")
    return (f"#{line.id} {title}\n   {status_label(t, line.status)} · "
            f"공감 {line.endorsement_count}{due}")


def describe(t: Translator, query: ListQuery, areas: Sequence[str],
             categories: Sequence[str], keyword: str | None) -> str:
    """The filters in force, in one line."""
    parts = [status_label(t, query.status)] if query.status is not None else []
    for index, names in ((query.area, areas), (query.category, categories)):
        if index is not None and index < len(names):
            parts.append(escape(names[index]))
    if query.overdue:
        parts.append(t.gettext("overdue"))
    if query.waiting:
        parts.append(t.gettext("waiting on us, longest first"))
    if query.keyword and keyword:
        parts.append(t.gettext("「{keyword}」").format(keyword=escape(keyword)))
    return " · ".join(parts) or t.gettext("all proposals")


def proposal_list(t: Translator, query: ListQuery, lines: list[StaffLine], total: int,
                  description: str, selected: frozenset[int]) -> Rendered:
    title = t.gettext("📋 Proposals ({count}) · {filters}").format(count=total,
                                                                    filters=description)
    body = "\n".join(line_text(t, line) for line in lines) or t.gettext("Nothing here.")
    if query.selecting:
        body += "\n\n" + t.ngettext("{count} selected.", "{count} selected.",
                                    len(selected)).format(count=len(selected))
    rows = [*_line_buttons(query, lines, selected), *_pager(t, query, total),
            *_bulk_rows(t, query, selected), *_order_rows(t, query), *_filter_rows(t, query),
            [Button(t.gettext("↩️ Back"), callback_data=AdminMenu("menu", "-", 0).pack())]]
    return Rendered(f"<b>{title}</b>\n\n{body}", InlineKeyboardMarkup([r for r in rows if r]))


def _line_buttons(query: ListQuery, lines: list[StaffLine], selected: frozenset[int]) -> Rows:
    if query.selecting:
        buttons = [Button(("☑ " if line.id in selected else "☐ ") + f"#{line.id}",
                          callback_data=AdminPick(line.id, query.code()).pack())
                   for line in lines]
    else:
        buttons = [Button(f"#{line.id}", callback_data=AdminProposal(
            line.id, "view", 0, query.code()).pack()) for line in lines]
    return _chunks(buttons, LINE_BUTTONS_PER_ROW)


def _pager(t: Translator, query: ListQuery, total: int) -> Rows:
    pages = page_count(total)
    if pages == 1:
        return []
    jumps = [Button(f"·{p + 1}·" if p == query.page else str(p + 1),
                    callback_data=_list(query.at(p))) for p in page_jumps(query.page, pages)]
    typed = Button(t.gettext("🔢 Page…"), callback_data=_list(query, "page"))
    return [jumps, [typed]]


def _order_rows(t: Translator, query: ListQuery) -> Rows:
    buttons = [Button(("✓ " if sort is query.sort else "") + t.gettext(label),
                      callback_data=_list(query.but(sort=sort)))
               for sort, label in SORT_LABELS.items()]
    return _chunks(buttons, 4)


def _filter_rows(t: Translator, query: ListQuery) -> Rows:
    toggles = [Button(("✓ " if query.overdue else "") + t.gettext("⏰ Overdue"),
                      callback_data=_list(query.but(overdue=not query.overdue))),
               Button(("✓ " if query.waiting else "") + t.gettext("⌛ Waiting longest"),
                      callback_data=_list(query.but(waiting=not query.waiting)))]
    pickers = [Button(t.gettext("🔍 Search"), callback_data=_list(query, "search")),
               Button(t.gettext("🏷 Status"), callback_data=_list(query, "status")),
               Button(t.gettext("📍 동"), callback_data=_list(query, "area")),
               Button(t.gettext("🗂 분야"), callback_data=_list(query, "category"))]
    clear = [Button(t.gettext("✖ All proposals"), callback_data=_list(ListQuery()))]
    return [pickers, toggles, clear]


def _bulk_rows(t: Translator, query: ListQuery, selected: frozenset[int]) -> Rows:
    if not query.bulk_actions:
        return []
    if not query.selecting:
        return [[Button(t.gettext("☑ Select several"),
                        callback_data=_list(query.choosing(True)))]]
    actions = [Button(t.gettext(BULK_LABELS[action]).format(count=len(selected)),
                      callback_data=AdminBulk(action, 0 if action == "approve" else -1, 0,
                                              query.code()).pack())
               for action in query.bulk_actions]
    whole = Button(t.gettext("☑ This whole page"),
                   callback_data=AdminPick(0, query.code()).pack())
    done = Button(t.gettext("Stop selecting"), callback_data=_list(query.choosing(False)))
    return [actions, [whole, done]]


def picker(t: Translator, query: ListQuery, kind: str, areas: Sequence[str],
           categories: Sequence[str]) -> Rendered:
    """Pick a status, a 동 or a 분야 for the list (or any: the filter is dropped); button
    labels are plain text, not HTML."""
    if kind == "status":
        choices = [(status_label(t, s), query.but(status=s)) for s in STATUSES]
        everything = query.but(status=None)
    elif kind == "area":
        choices = [(a, query.but(area=i)) for i, a in enumerate(areas)]
        everything = query.but(area=None)
    else:
        choices = [(c, query.but(category=i)) for i, c in enumerate(categories)]
        everything = query.but(category=None)
    buttons = [Button(label, callback_data=_list(chosen)) for label, chosen in choices]
    rows = [*_chunks(buttons, 2), [Button(t.gettext("Any"), callback_data=_list(everything))],
            [Button(t.gettext("↩️ Back"), callback_data=_list(query))]]
    return Rendered(t.gettext("Which one?"), InlineKeyboardMarkup(rows))


def search_prompt(t: Translator) -> str:
    return t.gettext("Type a proposal number or a keyword.")


def page_prompt(t: Translator, pages: int) -> str:
    return t.gettext("Type a page number from 1 to {pages}.").format(pages=pages)


def page_refused(t: Translator, pages: int) -> str:
    return t.gettext("There is no such page. Type a number from 1 to {pages}.").format(
        pages=pages)


# ----- one proposal ---------------------------------------------------------------------------


def staff_card(t: Translator, found: StaffProposal, query: ListQuery) -> Rendered:
    line = found.line
    lines = [f"<b>#{line.id} 「{escape(line.title)}」</b>",
             t.gettext("Status: {status} · 공감 {count}").format(
                 status=status_label(t, line.status), count=line.endorsement_count),
             t.gettext("Next deadline: {due}").format(
                 due=t.deadline(line.due) if line.due else t.gettext("none")),
             t.gettext("동 · 분야: {area} · {category}").format(
                 area=escape(found.area or "—"), category=escape(found.category or "—")),
             t.gettext("Department: {name}").format(
                 name=escape(found.department or t.gettext("none yet"))),
             t.gettext("Answers: {answers}").format(answers=_answers(t, found))]
    if line.hidden:
        lines.append(t.gettext("🙈 Hidden: {reason}").format(
            reason=escape(reason_label(t, found.hidden_reason or ""))))
    excerpt = escape(found.problem[:300], quote=False)
    text = "\n".join(lines) + f"\n\n<blockquote>{excerpt}</blockquote>"
    return Rendered(text, InlineKeyboardMarkup(_card_rows(t, found, query)))


def _answers(t: Translator, found: StaffProposal) -> str:
    if not found.answers:
        return t.gettext("none yet")
    return ", ".join(
        t.gettext(ANSWER_KIND_LABELS.get(a.kind, a.kind))
        + (f" ({t.gettext(DECISION_LABELS[a.decision])})" if a.decision in DECISION_LABELS
           else "") + f" {t.moment(a.created_at)}" for a in found.answers)


def _card_rows(t: Translator, found: StaffProposal, query: ListQuery) -> Rows:
    pid, code = found.line.id, query.code()

    def act(label: str, action: str) -> Button:
        return Button(t.gettext(label), callback_data=AdminProposal(pid, action, 0, code).pack())

    rows: Rows = []
    if found.pending_item:
        rows.append([act(N_("✅ Approve"), "approve"), act(N_("🚫 Reject…"), "reasons")])
    if found.line.status in ASSIGNABLE:
        rows.append([act(N_("🏛 Assign a department"), "assign")])
    rows.append([act(N_("↩️ Restore"), "restore") if found.line.hidden
                 else act(N_("🙈 Hide…"), "hides"), act(N_("🔗 Merge…"), "merge")])
    rows.append([Button(t.gettext("↩️ Back to the list"), callback_data=_list(query))])
    return rows


def reasons(t: Translator, proposal_id: int, query: ListQuery, action: str) -> Rendered:
    """The existing reasons to reject (`reject`) or to hide (`hide`) a proposal."""
    rows = reason_rows(t, lambda index: AdminProposal(proposal_id, action, index,
                                                       query.code()).pack())
    rows.append([Button(t.gettext("↩️ Back"), callback_data=AdminProposal(
        proposal_id, "view", 0, query.code()).pack())])
    ask = (t.gettext("Why is #{id} not published?") if action == "reject"
           else t.gettext("Why should #{id} be hidden?"))
    return Rendered(ask.format(id=proposal_id), InlineKeyboardMarkup(rows))


def merge_target_prompt(t: Translator, proposal_id: int) -> str:
    """Plain text: asks for the proposal that #id duplicates."""
    return t.gettext("🔗 Which proposal does #{id} duplicate? Send the number of the proposal to "
                     "keep: #{id}'s 공감 move there and its endorsers are told. /cancel stops."
                     ).format(id=proposal_id)


def merge_target_refused(t: Translator) -> str:
    return t.gettext("Please send just the number of the proposal to keep, e.g. 12, or /cancel.")


def merge_question(t: Translator, source: StaffProposal, target: StaffProposal) -> Rendered:
    """One confirmation that names both proposals and the 공감 that would move."""
    text = t.gettext("Merge #{a} into #{b}?\n· #{a} 「{a_title}」\n· #{b} 「{b_title}」\n"
                     "#{a}'s {count} 공감 move to #{b}, and #{a} is closed as a duplicate."
                     ).format(
        a=source.line.id, a_title=escape(source.line.title), b=target.line.id,
        b_title=escape(target.line.title), count=source.line.endorsement_count)
    confirm = MergeConfirm(source.line.id, target.line.id).pack()
    return Rendered(text, InlineKeyboardMarkup([[
        Button(t.gettext("✅ Merge"), callback_data=confirm),
        Button(t.gettext("✖️ Cancel"), callback_data=AdminProposal(
            source.line.id, "view", 0, ListQuery().code()).pack())]]))


def back_to_card(t: Translator, proposal_id: int, query: ListQuery) -> list[Button]:
    return [Button(t.gettext("↩️ Back"),
                   callback_data=AdminProposal(proposal_id, "view", 0, query.code()).pack())]


def with_rows(rows: Sequence[Sequence[Button]], last: list[Button]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([*rows, last])


def not_found(t: Translator) -> str:
    return t.gettext("There is no such proposal.")


def stale(t: Translator) -> str:
    return t.gettext("This button is not valid any more. Please open the list again.")


# ----- bulk actions ---------------------------------------------------------------------------


def bulk_reasons(t: Translator, query: ListQuery, count: int) -> Rendered:
    rows = reason_rows(t, lambda index: AdminBulk("reject", index, 0, query.code()).pack())
    rows.append([Button(t.gettext("↩️ Back"), callback_data=_list(query))])
    return Rendered(t.ngettext("Why are these {count} not published?",
                               "Why are these {count} not published?", count).format(count=count),
                    InlineKeyboardMarkup(rows))


def bulk_departments(t: Translator, query: ListQuery, found: list[DepartmentView],
                     count: int) -> Rendered:
    buttons = [Button(d.name, callback_data=AdminBulk("assign", d.id, 0, query.code()).pack())
               for d in found]
    rows = [*_chunks(buttons, 2), [Button(t.gettext("↩️ Back"), callback_data=_list(query))]]
    return Rendered(t.ngettext("Which department should answer these {count}?",
                               "Which department should answer these {count}?", count
                               ).format(count=count), InlineKeyboardMarkup(rows))


def bulk_question(t: Translator, query: ListQuery, action: str, arg: int, count: int,
                  detail: str) -> Rendered:
    """「12건을 승인할까요?」 with 「예」 and 「아니요」."""
    questions = {
        "approve": t.ngettext("Approve {count} proposal?", "Approve {count} proposals?", count),
        "reject": t.ngettext("Reject {count} proposal ({detail})?",
                             "Reject {count} proposals ({detail})?", count),
        "assign": t.ngettext("Assign {count} proposal to {detail}?",
                             "Assign {count} proposals to {detail}?", count),
    }
    rows = [[Button(t.gettext("Yes"), callback_data=AdminBulk(action, arg, 1,
                                                               query.code()).pack()),
             Button(t.gettext("No"), callback_data=_list(query))]]
    return Rendered(questions[action].format(count=count, detail=escape(detail)),
                    InlineKeyboardMarkup(rows))


def bulk_summary(t: Translator, query: ListQuery, action: str, result: BulkResult) -> Rendered:
    done = {
        "approve": t.ngettext("{count} approved.", "{count} approved.", result.done),
        "reject": t.ngettext("{count} rejected.", "{count} rejected.", result.done),
        "assign": t.ngettext("{count} assigned.", "{count} assigned.", result.done),
    }[action].format(count=result.done)
    if result.skipped:
        done += " " + t.ngettext(
            "{count} skipped: another moderator handled it first, or it had moved on.",
            "{count} skipped: other moderators handled them first, or they had moved on.",
            result.skipped).format(count=result.skipped)
    rows = [[Button(t.gettext("↩️ Back to the list"),
                    callback_data=_list(query.choosing(False)))]]
    return Rendered(done, InlineKeyboardMarkup(rows))


def nothing_selected(t: Translator) -> str:
    return t.gettext("Select at least one line first.")
