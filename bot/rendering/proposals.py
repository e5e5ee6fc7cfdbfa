"""Texts and keyboards for proposals: cards, lists, 공감 replies and 'my activity'."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import quote

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.buttons import (
    Endorse,
    ListFilters,
    ListPage,
    MuteProposal,
    OpenProposal,
    ReportProposal,
    ReportReason,
    Unendorse,
    WithdrawProposal,
)
from bot.domain.answer_clock import ANSWER_PENDING
from bot.domain.answers import overdue_days
from bot.domain.deadlines import days_left, format_dday
from bot.domain.lifecycle import ProposalStatus
from bot.domain.places import map_url
from bot.domain.proposals import progress_bar
from bot.domain.reports import REPORT_REASONS
from bot.domain.tiers import accepts_late_endorsement
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.deadlines import deadline_line, expected_answer_line
from bot.rendering.debates import debate_lines, debate_rows  # debates
from bot.rendering.labels import DECISION_LABELS, HIDDEN_TEXT, moderation_marks, status_label
from bot.services.browse import Page, ProposalCard, ProposalSummary, Sort
from bot.services.debates import DebateTally  # debates
from bot.services.proposals import EndorseOutcome, WithdrawOutcome

S = ProposalStatus
SORT_LABELS: dict[Sort, str] = {
    Sort.POPULAR: N_("🔥 Popular"),
    Sort.NEWEST: N_("🆕 Newest"),
    Sort.CLOSING: N_("⏳ Closing soon"),
}
REASON_LABELS: dict[str, str] = {
    "spam": N_("Spam or advertising"),
    "abuse": N_("Abusive language"),
    "personal": N_("Personal information"),
    "offtopic": N_("Not about our district"),
    "duplicate": N_("Duplicate proposal"),
}




def dday(summary_deadline: datetime | None, status: ProposalStatus, now: datetime) -> str:
    if status is not ProposalStatus.COLLECTING or summary_deadline is None:
        return ""
    return format_dday(days_left(summary_deadline, now))


def tally(count: int, threshold: int) -> str:
    return f"{progress_bar(count, threshold)} {count}/{threshold}"


def list_line(t: Translator, n: int, item: ProposalSummary, threshold: int, now: datetime) -> str:
    title = t.gettext(HIDDEN_TEXT) if item.hidden else escape(item.title)
    facts = [tally(item.endorsement_count, threshold)]
    if remaining := dday(item.collect_until, item.status, now):
        facts.append(remaining)
    facts.append(status_label(t, item.status))
    return f"<b>{n}. {title}</b>\n    {' · '.join(facts)}"


def proposal_list(
    t: Translator, page: Page, sort: str, filter_: str, threshold: int, now: datetime,
    heading: str,
) -> Rendered:
    if not page.items:
        body = t.gettext("No proposals here yet. Why not write the first one? /propose")
    else:
        start = page.page * 5
        body = "\n\n".join(
            list_line(t, start + i + 1, item, threshold, now) for i, item in enumerate(page.items)
        )
    rows = [[
        InlineKeyboardButton(
            str(page.page * 5 + i + 1), callback_data=OpenProposal(item.id).pack()
        )
        for i, item in enumerate(page.items)
    ]]
    nav = []
    if page.page > 0:
        nav.append(InlineKeyboardButton(
            t.gettext("◀ Previous"), callback_data=ListPage(sort, filter_, page.page - 1).pack()
        ))
    if page.has_next:
        nav.append(InlineKeyboardButton(
            t.gettext("Next ▶"), callback_data=ListPage(sort, filter_, page.page + 1).pack()
        ))
    rows.append(nav)
    rows.append([
        InlineKeyboardButton(
            ("· " if s.value == sort and filter_ == "all" else "") + t.gettext(label),
            callback_data=ListPage(s.value, "all", 0).pack(),
        )
        for s, label in SORT_LABELS.items()
    ])
    rows.append([
        InlineKeyboardButton(t.gettext("📍 My area"), callback_data=ListFilters("area").pack()),
        InlineKeyboardButton(
            t.gettext("📋 By status"), callback_data=ListFilters("status").pack()
        ),
        InlineKeyboardButton(t.gettext("🔍 Search"), callback_data=ListFilters("search").pack()),
    ])
    text = f"<b>{escape(heading)}</b>\n\n{body}"
    return Rendered(text, InlineKeyboardMarkup([row for row in rows if row]))


def area_picker(t: Translator, areas: tuple[str, ...], sort: str) -> Rendered:
    buttons = [
        InlineKeyboardButton(area, callback_data=ListPage(sort, f"a{i}", 0).pack())
        for i, area in enumerate(areas)
    ]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return Rendered(t.gettext("Which 동 do you live in?"), InlineKeyboardMarkup(rows))


def status_picker(t: Translator, sort: str) -> Rendered:
    shown = [S.COLLECTING, S.UNDER_REVIEW, S.IN_DEBATE, S.AWAITING_ANSWER, S.ANSWERED,
             S.IN_PROGRESS, S.COMPLETED, S.NOT_FEASIBLE, S.EXPIRED]
    buttons = [
        InlineKeyboardButton(
            status_label(t, status), callback_data=ListPage(sort, f"s{i}", 0).pack()
        )
        for i, status in enumerate(shown)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return Rendered(t.gettext("Which stage would you like to see?"), InlineKeyboardMarkup(rows))


STATUS_FILTERS: tuple[ProposalStatus, ...] = (
    S.COLLECTING, S.UNDER_REVIEW, S.IN_DEBATE, S.AWAITING_ANSWER, S.ANSWERED, S.IN_PROGRESS,
    S.COMPLETED, S.NOT_FEASIBLE, S.EXPIRED,
)


def search_prompt(t: Translator) -> str:
    return t.gettext("Type a word to search for, for example: 가로등, 주차, 놀이터")


def search_results(
    t: Translator, keyword: str, items: list[ProposalSummary], threshold: int, now: datetime
) -> Rendered:
    if not items:
        text = t.gettext("Nothing found for 「{keyword}」.").format(keyword=escape(keyword))
        return Rendered(text)
    heading = t.gettext("Results for 「{keyword}」").format(keyword=escape(keyword))
    body = "\n\n".join(list_line(t, i + 1, item, threshold, now) for i, item in enumerate(items))
    buttons = [
        InlineKeyboardButton(str(i + 1), callback_data=OpenProposal(item.id).pack())
        for i, item in enumerate(items)
    ]
    return Rendered(f"<b>{heading}</b>\n\n{body}", InlineKeyboardMarkup([buttons]))


def card(
    t: Translator, card: ProposalCard, viewer_id: int, threshold: int, now: datetime,
    bot_username: str, public_url: str | None = None, debate: DebateTally | None = None,
) -> Rendered:
    """The full proposal: its four parts, state, deadlines, history and the actions.

    `debate` (live stance counts) is shown while IN_DEBATE when the caller loaded it.
    """
    if card.hidden:
        return Rendered(f"<b>#{card.id}</b>\n{t.gettext(HIDDEN_TEXT)}")
    keyboard = _card_keyboard(t, card, viewer_id, bot_username, public_url, debate, now=now)
    return Rendered(_card_text(t, card, threshold, now, debate), keyboard)


def _card_text(
    t: Translator, card: ProposalCard, threshold: int, now: datetime,
    debate: DebateTally | None = None,
) -> str:
    lines = [f"<b>「{escape(card.title)}」</b> #{card.id}"]
    state = status_label(t, card.status)
    if remaining := dday(card.collect_until, card.status, now):
        state += f" · {remaining}"
    lines.append(t.gettext("Status: {state}").format(state=state))
    lines.append(t.gettext("공감 {tally}").format(tally=tally(card.endorsement_count, threshold)))
    lines += _deadline_lines(t, card, now)
    lines += _tier_lines(t, card, now)  # the tiers above the threshold
    if card.status is S.IN_DEBATE:  # debates: D-day and live counts per stance
        lines += debate_lines(t, card.debate_closes_at, now, debate)
    where = " · ".join(x for x in (card.area and f"📍 {escape(card.area)}",
                                  card.category and f"🏷 {escape(card.category)}") if x)
    if where:
        lines.append(where)
    lines += moderation_marks(t, card.offline_channel, card.merged_into_id,  # moderation
                              card.district, card.complaint)
    body = proposal_sections(t, card.problem, card.solution, card.effect)
    history = "\n".join(
        f"· {t.moment(item.at)} — {status_label(t, item.status)}" for item in card.history[-6:]
    )
    parts = ["\n".join(lines), body]
    if history:
        heading = t.gettext("History")
        parts.append(f"<b>{heading}</b>\n{history}")
    return "\n\n".join(parts)


def proposal_sections(t: Translator, problem: str | None, solution: str | None,
                      effect: str | None) -> str:
    """The three body parts under their headings (the card and the wizard's preview)."""
    sections = [
        (t.gettext("Current situation and problem"), problem),
        (t.gettext("What should be done"), solution),
        (t.gettext("Expected effect"), effect),
    ]
    return "\n\n".join(f"<b>{heading}</b>\n{escape(text or '—')}" for heading, text in sections)


def _deadline_lines(t: Translator, card: ProposalCard, now: datetime) -> list[str]:
    lines = []
    due = card.review_due if card.status is S.UNDER_REVIEW else card.answer_due
    if card.status in (S.UNDER_REVIEW, S.AWAITING_ANSWER) and (late := overdue_days(due, now)):
        lines.append(t.gettext("❗ Answer overdue by {days} days").format(days=late))
    if card.status is S.COLLECTING and card.collect_until:
        lines.append(t.gettext("공감 until {when}").format(when=t.deadline(card.collect_until)))
    if card.deadline is not None:  # one deadline, named, with why it is the one it is
        lines.append(deadline_line(t, card.deadline, quote=escape))
    if card.expected_answer is not None and card.status in ANSWER_PENDING:
        lines.append("📅 " + expected_answer_line(t, card.expected_answer))
    return lines


def _tier_lines(t: Translator, card: ProposalCard, now: datetime) -> list[str]:
    """Until when 공감 still count after the review started, and 「구청장 답변」."""
    lines = []
    until = card.late_endorse_until
    if card.status is not S.COLLECTING and until is not None \
            and accepts_late_endorsement(card.status, until, now):
        lines.append(t.gettext("공감 until {when}").format(when=t.deadline(until)))
    return lines + _head_lines(t, card)


def _head_lines(t: Translator, card: ProposalCard) -> list[str]:
    """「구청장 답변」: its decision once published, else its deadline once routed."""
    if card.head_answered:
        decision = DECISION_LABELS.get(card.head_decision or "")
        if decision is None:
            return [t.gettext("🏛 District head's answer published")]
        return [t.gettext("🏛 District head's answer: {decision}").format(
            decision=t.gettext(decision))]
    if card.head_answer_due is not None:
        return [t.gettext("🏛 District head's answer due {when}").format(
            when=t.deadline(card.head_answer_due))]
    return []


def _card_keyboard(
    t: Translator, card: ProposalCard, viewer_id: int, bot_username: str,
    public_url: str | None = None, debate: DebateTally | None = None,
    now: datetime | None = None,
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if card.status is S.IN_DEBATE:  # debates: 찬성 / 반대 / 중립 and the opinion buttons
        rows += debate_rows(t, card.id, debate)
    if not card.is_author(viewer_id) and (endorse := _endorse_button(t, card, now)):
        rows.append([endorse])
    link = f"https://t.me/{bot_username}?start=p{card.id}"
    share = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(card.title)}"
    mute = (
        InlineKeyboardButton(
            t.gettext("🔔 Notify me"), callback_data=MuteProposal(card.id, 0).pack()
        )
        if card.viewer_muted
        else InlineKeyboardButton(
            t.gettext("🔕 Mute"), callback_data=MuteProposal(card.id, 1).pack()
        )
    )
    rows.append([InlineKeyboardButton(t.gettext("📤 Share"), url=share), mute]
                if not card.private_complaint else [mute])  # nobody else may open it
    report = t.gettext("🚩 Reported") if card.viewer_reported else t.gettext("🚩 Report")
    actions = [InlineKeyboardButton(report, callback_data=ReportProposal(card.id).pack())]
    if card.status is S.COLLECTING and card.is_author(viewer_id):
        actions.append(InlineKeyboardButton(
            t.gettext("🗑 Withdraw"), callback_data=WithdrawProposal(card.id, 0).pack()
        ))
    rows.append(actions)
    if card.place is not None:  # the place sent in the wizard: published, as a map link
        rows.append([InlineKeyboardButton(t.gettext("🗺 See the place on the map"),
                                          url=map_url(card.place, card.title))])
    if public_url is not None and not card.private_complaint:
        rows.append([InlineKeyboardButton(t.gettext("🌐 Answers and progress on the web"),
                                          url=f"{public_url}/p/{card.id}")])
    return InlineKeyboardMarkup(rows)


def _endorse_button(
    t: Translator, card: ProposalCard, now: datetime | None
) -> InlineKeyboardButton | None:
    """공감 (or taking it back) while collecting; after the review started, 공감 while a
    higher tier still counts them (bot/domain/tiers.py), and no taking back."""
    endorse = InlineKeyboardButton(t.gettext("👍 공감"), callback_data=Endorse(card.id).pack())
    if card.status is S.COLLECTING:
        return InlineKeyboardButton(t.gettext("↩️ Take back my 공감"),
                                    callback_data=Unendorse(card.id).pack()) \
            if card.viewer_endorsed else endorse
    late = now is not None and accepts_late_endorsement(card.status, card.late_endorse_until, now)
    return endorse if late and not card.viewer_endorsed else None


def endorse_reply(t: Translator, outcome: EndorseOutcome, count: int, threshold: int) -> str:
    """The short answer shown on the button tap (a toast)."""
    texts = {
        EndorseOutcome.ENDORSED: t.gettext("You endorsed this. {count}/{threshold} so far."),
        EndorseOutcome.THRESHOLD_REACHED: t.gettext(
            "Thank you! {count} endorsements: it now goes to the department."
        ),
        EndorseOutcome.ALREADY: t.gettext("You have already endorsed this."),
        EndorseOutcome.WITHDRAWN: t.gettext("Your 공감 is taken back."),
        EndorseOutcome.NOT_ENDORSED: t.gettext("You had not endorsed this."),
        EndorseOutcome.NOT_COLLECTING: t.gettext(
            "This proposal is no longer gathering 공감. The card shows where it is now."
        ),
        EndorseOutcome.OWN_PROPOSAL: t.gettext("You cannot endorse your own proposal."),
        EndorseOutcome.NEEDS_CONTACT: t.gettext(
            "Please share your phone number once to endorse (only a coded form is kept)."
        ),
        EndorseOutcome.NOT_FOUND: t.gettext("This proposal cannot be found."),
    }
    return texts[outcome].format(count=count, threshold=threshold)


def report_reasons(t: Translator, proposal_id: int) -> Rendered:
    rows = [
        [InlineKeyboardButton(
            t.gettext(REASON_LABELS[r]), callback_data=ReportReason(proposal_id, r).pack()
        )]
        for r in REPORT_REASONS
    ]
    return Rendered(t.gettext("Why are you reporting this proposal?"), InlineKeyboardMarkup(rows))


def withdraw_confirmation(t: Translator, proposal_id: int, title: str) -> Rendered:
    text = t.gettext(
        "Withdraw 「{title}」? Everyone who endorsed it will be told. This cannot be undone."
    ).format(title=escape(title))
    rows = [[
        InlineKeyboardButton(
            t.gettext("Yes, withdraw"), callback_data=WithdrawProposal(proposal_id, 1).pack()
        ),
        InlineKeyboardButton(
            t.gettext("No, keep it"), callback_data=OpenProposal(proposal_id).pack()
        ),
    ]]
    return Rendered(text, InlineKeyboardMarkup(rows))


def proposal_not_found(t: Translator) -> str:
    return t.gettext("This proposal cannot be found, or it has been hidden.")


def withdraw_reply(t: Translator, outcome: WithdrawOutcome) -> str:
    texts = {
        WithdrawOutcome.WITHDRAWN: t.gettext("Your proposal has been withdrawn."),
        WithdrawOutcome.NOT_AUTHOR: t.gettext("Only the author can withdraw a proposal."),
        WithdrawOutcome.NOT_COLLECTING: t.gettext(
            "It can no longer be withdrawn: it has moved on from gathering 공감."
        ),
        WithdrawOutcome.NOT_FOUND: proposal_not_found(t),
    }
    return texts[outcome]


def sort_heading(t: Translator, sort: Sort) -> str:
    return t.gettext(SORT_LABELS[sort])


def mute_reply(t: Translator, muted: bool) -> str:
    return (t.gettext("Notifications for this proposal are off.") if muted
            else t.gettext("Notifications for this proposal are on."))


def already_reported(t: Translator) -> str:
    return t.gettext("You have already reported this proposal.")


def report_reply(t: Translator, recorded: bool) -> str:
    if not recorded:
        return already_reported(t)
    return t.gettext("Thank you. The moderators will look at it.")


def share_contact_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """The one-button keyboard that shares the resident's own phone number."""
    button = KeyboardButton(t.gettext("📱 Share my phone number"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def share_own_number(t: Translator) -> str:
    return t.gettext("Please share your own number with the button below.")


def number_stored(t: Translator) -> str:
    return t.gettext("Thank you. Your number is stored only in coded form.")


def my_activity(
    t: Translator, mine: list[ProposalSummary], endorsed: list[ProposalSummary], threshold: int,
    now: datetime,
) -> Rendered:
    sections = []
    if mine:
        lines = "\n\n".join(list_line(t, i + 1, p, threshold, now) for i, p in enumerate(mine))
        heading = t.gettext("My proposals")
        sections.append(f"<b>{heading}</b>\n{lines}")
    if endorsed:
        offset = len(mine)
        lines = "\n\n".join(
            list_line(t, offset + i + 1, p, threshold, now) for i, p in enumerate(endorsed)
        )
        heading = t.gettext("Proposals I endorsed")
        sections.append(f"<b>{heading}</b>\n{lines}")
    if not sections:
        return Rendered(t.gettext(
            "You have no proposals or endorsements yet. "
            "Browse with /proposals or write one with /propose."
        ))
    everything = mine + endorsed
    buttons = [
        InlineKeyboardButton(str(i + 1), callback_data=OpenProposal(p.id).pack())
        for i, p in enumerate(everything)
    ]
    rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
    rows += [
        [InlineKeyboardButton(t.gettext("🗑 Withdraw no. {n}").format(n=i + 1),
                              callback_data=WithdrawProposal(p.id, 0).pack())]
        for i, p in enumerate(mine)
        if p.status is S.COLLECTING
    ]
    return Rendered("\n\n".join(sections), InlineKeyboardMarkup(rows))
