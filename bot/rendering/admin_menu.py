"""Screens of the /admin menu: the main menu, and one screen (with pages) per section."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AdminItem, AdminList, AdminMenu, AdminProposal
from bot.domain.admin_lists import ListQuery, Sort
from bot.domain.lifecycle import ProposalStatus
from bot.i18n import N_, Translator
from bot.rendering import Rendered, audit_log
from bot.rendering.labels import HIDDEN_TEXT, status_label
from bot.rendering.moderation import item_summary
from bot.rendering.stats import summary as stats_summary
from bot.services.admin_overview import (
    BatchLine,
    BroadcastLine,
    PollLine,
    ProposalLine,
    RoundLine,
)
from bot.services.audit import AuditPageRows
from bot.services.departments import DepartmentView
from bot.services.stats import Stats
from bot.services.work_items import WorkItemView

Button = InlineKeyboardButton
PAGE_SIZE = 5
NONE = "-"
PAGE_LABEL = "page"  # the 「2/7쪽」 button between ◀ and ▶: pressing it changes nothing

PHASE_LABELS = {
    "preparing": N_("preparing"),
    "voting": N_("voting"),
    "counting": N_("counting"),
    "published": N_("results published"),
}


SECTION_LABELS: dict[str, str] = {
    "queue": N_("📥 Work items"),
    "proposals": N_("📋 Proposals"),
    "overdue": N_("⏰ Overdue"),
    "departments": N_("🏛 Departments"),
    "taxonomy": N_("🏷 Categories, areas"),
    "rounds": N_("💰 Budget rounds"),
    "polls": N_("📊 Polls"),
    "moderation": N_("🧹 Moderation"),
    "codes": N_("🔑 Verification codes"),
    "stats": N_("📈 Statistics"),
    "broadcasts": N_("📣 Broadcasts"),
    "exports": N_("📦 Exports"),
    "audit": N_("🧾 Audit log"),
    "roles": N_("👥 Roles"),
    "callbacks": N_("📞 Tell them by phone"),
}


def main_menu(t: Translator, sections: Sequence[str], open_items: int) -> Rendered:
    """`sections`: the keys of the sections the viewer's role may open, in menu order."""
    buttons = [Button(t.gettext(SECTION_LABELS[key]),
                      callback_data=AdminMenu(key, NONE, 0).pack()) for key in sections]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    text = t.gettext("🛠 <b>Administration</b>\nOpen work items: {count}").format(count=open_items)
    return Rendered(text, InlineKeyboardMarkup(rows))


def _nav(t: Translator, section: str, detail: str, page: int, total: int,
         back: str = "menu") -> list[list[Button]]:
    row = []
    if page > 0:
        row.append(Button("◀", callback_data=AdminMenu(section, detail, page - 1).pack()))
    if total > PAGE_SIZE:
        pages = -(-total // PAGE_SIZE)
        row.append(Button(t.gettext("{page}/{pages}").format(page=page + 1, pages=pages),
                          callback_data=AdminMenu(PAGE_LABEL, NONE, page).pack()))
    if (page + 1) * PAGE_SIZE < total:
        row.append(Button("▶", callback_data=AdminMenu(section, detail, page + 1).pack()))
    return [row, [Button(t.gettext("↩️ Back"), callback_data=AdminMenu(back, NONE, 0).pack())]]


def _screen(t: Translator, title: str, lines: list[str], nav: list[list[Button]],
            extra: list[list[Button]] | None = None, empty: str | None = None) -> Rendered:
    body = "\n".join(lines) if lines else (empty or t.gettext("Nothing here."))
    rows = [r for r in (extra or []) + nav if r]
    return Rendered(f"<b>{title}</b>\n\n{body}", InlineKeyboardMarkup(rows))


def _proposal_line(t: Translator, line: ProposalLine) -> str:
    title = t.gettext(HIDDEN_TEXT) if line.hidden else escape(line.title)
    mark = " 📮" if line.offline else ""
    return f"#{line.id} {title} · 공감 {line.endorsement_count}{mark}"


def queue(t: Translator, items: list[WorkItemView], total: int, page: int) -> Rendered:
    """A page of open items, a numbered button per line to open the item itself."""
    numbered = list(enumerate(items, start=page * PAGE_SIZE + 1))
    lines = [f"{n}. {item_summary(t, item)} · {t.moment(item.created_at)}"
             for n, item in numbered]
    opens = [[Button(str(n), callback_data=AdminItem(item.id, page).pack())
              for n, item in numbered]]
    return _screen(t, t.gettext("📥 Open work items ({count})").format(count=total), lines,
                   _nav(t, "queue", NONE, page, total), opens,
                   empty=t.gettext("Nothing waits. Well done!"))


def queue_item(t: Translator, item: Rendered, page: int) -> Rendered:
    """A work item opened from the queue: its text and buttons as every staff chat got them,
    and ↩️ back to the queue's page (kept when the item is handled)."""
    rows = list(item.reply_markup.inline_keyboard) if item.reply_markup else []
    back = Button(t.gettext("↩️ Back to the list"),
                  callback_data=AdminMenu("queue", NONE, page).pack())
    return Rendered(item.text, InlineKeyboardMarkup([*rows, [back]]))


def status_overview(t: Translator, counts: dict[ProposalStatus, int]) -> Rendered:
    """Each status opens its list of ten lines a page (filters, order, search in it)."""
    buttons = [Button(f"{status_label(t, status)} ({n})",
                      callback_data=AdminList("show", ListQuery(status=status).code()).pack())
               for status, n in counts.items() if n]
    everything = Button(t.gettext("📋 All proposals · 🔍 search"),
                        callback_data=AdminList("show", ListQuery().code()).pack())
    rows = [[b] for b in buttons] + ([[everything]] if buttons else [])
    empty = t.gettext("Pick a status.") if rows else t.gettext("No proposals yet.")
    return _screen(t, t.gettext("📋 Proposals by status"), [], _nav(t, "proposals", NONE, 0, 0),
                   rows, empty=empty)


def proposals_page(t: Translator, status: ProposalStatus, lines: list[ProposalLine], total: int,
                   page: int) -> Rendered:
    title = t.gettext("📋 {status} ({count})").format(status=status_label(t, status), count=total)
    return _screen(t, title, [_proposal_line(t, line) for line in lines],
                   _nav(t, "proposals", status.value, page, total, back="proposals"))


def overdue(t: Translator, lines: list[ProposalLine], total: int, page: int) -> Rendered:
    shown = [
        _proposal_line(t, line) + "\n   " + t.gettext("due {due} · {department}").format(
            due=t.moment(line.due) if line.due else "—",
            department=escape(line.department or t.gettext("no department")))
        for line in lines
    ]
    code = ListQuery(overdue=True, sort=Sort.DEADLINE).code()
    opens = [[Button(f"#{line.id}", callback_data=AdminProposal(line.id, "view", 0, code).pack())
              for line in lines]]
    return _screen(t, t.gettext("⏰ Overdue answers ({count})").format(count=total), shown,
                   _nav(t, "overdue", NONE, page, total), opens,
                   empty=t.gettext("No answer is overdue."))


def departments(t: Translator, found: list[DepartmentView], page: int) -> Rendered:
    """By name (then number), whatever order the database's collation gives."""
    ordered = sorted(found, key=lambda d: (d.name, d.id))
    part = ordered[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [f"{d.id}. {escape(d.name)}" + (" 🏛" if d.head_office else "") for d in part]
    return _screen(t, t.gettext("🏛 Departments ({count})").format(count=len(found)), lines,
                   _nav(t, "departments", NONE, page, len(found)),
                   empty=t.gettext("No departments yet. Add one with /department_add."))


def taxonomy(t: Translator, categories: tuple[str, ...], areas: tuple[str, ...],
             defaults: dict[str, str]) -> Rendered:
    none = t.gettext("(none)")
    category_lines = [f"· {escape(c)} → {escape(defaults[c]) if c in defaults else none}"
                      for c in categories]
    lines = [t.gettext("<b>Categories</b> (→ default department)"), *category_lines, "",
             t.gettext("<b>Areas</b>"), escape(", ".join(areas))]
    return _screen(t, t.gettext("🏷 Categories and areas"), lines,
                   _nav(t, "taxonomy", NONE, 0, 0))


def rounds(t: Translator, found: list[RoundLine], total: int, page: int) -> Rendered:
    lines = [f"{r.id}. {escape(r.name)} · {t.gettext(PHASE_LABELS.get(r.phase, r.phase))}\n   "
             f"{t.moment(r.opens_at)} – {t.moment(r.closes_at)}" for r in found]
    return _screen(t, t.gettext("💰 Budget rounds ({count})").format(count=total), lines,
                   _nav(t, "rounds", NONE, page, total), empty=t.gettext("No rounds yet."))


def polls(t: Translator, found: list[PollLine], total: int, page: int) -> Rendered:
    lines = [f"{p.id}. {escape(p.question)} · "
             + (t.gettext("closed") if p.closed
                else t.gettext("until {when}").format(when=t.moment(p.closes_at)))
             for p in found]
    return _screen(t, t.gettext("📊 Polls ({count})").format(count=total), lines,
                   _nav(t, "polls", NONE, page, total), empty=t.gettext("No polls yet."))


BROADCAST_STATES = {
    "sending": N_("sending"),
    "done": N_("sent"),
    "cancelled": N_("cancelled"),
}


def codes(t: Translator, found: list[BatchLine], total: int, page: int) -> Rendered:
    lines = [t.gettext("{id}. {area} · {used}/{size} used · until {when}").format(
        id=b.id, area=escape(b.area), used=b.used, size=b.size, when=t.moment(b.expires_at))
        for b in found]
    usage = escape(t.gettext("/codes_new <동> <count> <days> makes a new batch."))
    return _screen(t, t.gettext("🔑 Verification codes ({count})").format(count=total),
                   [*lines, "", usage] if lines else [usage],
                   _nav(t, "codes", NONE, page, total))


def broadcasts(t: Translator, found: list[BroadcastLine], total: int, page: int) -> Rendered:
    lines = [f"{b.id}. {t.moment(b.created_at)} · "
             + t.ngettext("{n} recipient", "{n} recipients", b.recipients).format(n=b.recipients)
             + f" · {t.gettext(BROADCAST_STATES.get(b.status, b.status))}" for b in found]
    usage = escape(t.gettext("/broadcast writes a new message to residents."))
    return _screen(t, t.gettext("📣 Broadcasts ({count})").format(count=total),
                   [*lines, "", usage] if lines else [usage],
                   _nav(t, "broadcasts", NONE, page, total))


def statistics(t: Translator, stats: Stats, page_url: str) -> Rendered:
    body = stats_summary(t, stats, page_url) + "\n\n" + escape(
        t.gettext("/stats also sends the weekly chart."))
    rows = [row for row in _nav(t, "stats", NONE, 0, 0) if row]
    return Rendered(body, InlineKeyboardMarkup(rows))


def exports(t: Translator, data_url: str) -> Rendered:
    lines = [escape(t.gettext("/export proposals|answers|debates|rounds|departments [csv|json]")),
             escape(t.gettext("Example: /export proposals csv")),
             t.gettext("Open data for everyone: {url}").format(url=escape(data_url))]
    return _screen(t, t.gettext("📦 Exports"), lines, _nav(t, "exports", NONE, 0, 0))


def audit(t: Translator, shown: AuditPageRows) -> Rendered:
    lines = [audit_log.entry(t, row) for row in shown.rows]
    usage = escape(t.gettext("/audit action=… actor=… subject=… filters the log."))
    total = shown.total
    return _screen(t, t.gettext("🧾 Audit log ({count})").format(count=total),
                   [*lines, "", usage] if lines else [usage],
                   _nav(t, "audit", NONE, shown.page, total))


def roles_help(t: Translator) -> Rendered:
    lines = [escape(t.gettext("/staff lists admins and moderators.")),
             escape(t.gettext("/grant <telegram id> moderator|admin gives a role.")),
             escape(t.gettext("/revoke <telegram id> makes them a resident again."))]
    return _screen(t, t.gettext("👥 Roles"), lines, _nav(t, "roles", NONE, 0, 0))


def moderation_help(t: Translator) -> Rendered:
    lines = [escape(line) for line in (
        t.gettext("/hide p|o <number> <reason> · /restore p|o <number> "
                  "(p=proposal, o=opinion)"),
        t.gettext("Example: /hide p 12 advertising"),
        t.gettext("/approve <number> · /reject <number> <reason>"),
        t.gettext("/merge <duplicate> <number to keep>"),
        t.gettext("/ban <telegram id> <days|permanent> <reason> · /unban <telegram id>"),
        t.gettext("/offline: a proposal received on paper, by phone or at a 동 주민센터"),
        t.gettext("/callbacks: news to phone to residents who proposed offline"),
        t.gettext("/district_proposal: write a district proposal (「구 제안」) for residents "
                  "to 공감 and debate"),
    )]
    return _screen(t, t.gettext("🧹 Moderation commands"), lines,
                   _nav(t, "moderation", NONE, 0, 0))
