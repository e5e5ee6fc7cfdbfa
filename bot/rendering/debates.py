"""Texts and keyboards of debates: the card's debate panel, opinions, replies, notices, forum."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import (
    DebateOpinions,
    DebateStanceChoice,
    DebateWrite,
    LikeOpinion,
    OpenProposal,
    ReportOpinion,
    ReportOpinionReason,
)
from bot.domain.deadlines import days_left, format_dday
from bot.domain.debate import (
    STANCE_ORDER,
    DebateSummary,
    Leaning,
    OpinionSort,
    Stance,
    leaning,
)
from bot.domain.events import (
    AboutProposal,
    DebateExtended,
    DebateOpened,
    DebateReminder,
    DebateSummaryReady,
    ModerationOpinion,
    ModerationOpinionReported,
)
from bot.domain.reports import REPORT_REASONS
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.registry import EventRegistry
from bot.services.debates import (
    DebateTally,
    LikeOutcome,
    OpinionOutcome,
    OpinionPage,
    StanceOutcome,
)

STANCE_LABELS: dict[Stance, str] = {
    Stance.FOR: N_("⭕ For"),
    Stance.AGAINST: N_("❌ Against"),
    Stance.NEUTRAL: N_("➖ Neutral"),
}
SORT_LABELS: dict[OpinionSort, str] = {
    OpinionSort.NEWEST: N_("🆕 Newest"),
    OpinionSort.TOP: N_("👍 Most 공감"),
    OpinionSort.BALANCED: N_("⚖️ Balanced"),
}
REASON_LABELS: dict[str, str] = {
    "spam": N_("Spam or advertising"),
    "abuse": N_("Abusive language"),
    "personal": N_("Personal information"),
    "offtopic": N_("Not about our district"),
    "duplicate": N_("Said already (duplicate)"),
}
TOPIC_TITLE_LIMIT = 128


def stance_label(t: Translator, stance: Stance) -> str:
    return t.gettext(STANCE_LABELS[stance])


def tally_line(t: Translator, counts: dict[Stance, int]) -> str:
    return " · ".join(f"{stance_label(t, s)} {counts.get(s, 0)}" for s in STANCE_ORDER)


def debate_lines(
    t: Translator, closes_at: datetime | None, now: datetime, tally: DebateTally | None
) -> list[str]:
    """The card's debate panel: D-day, live counts and the viewer's choice."""
    lines = []
    if closes_at is not None:
        remaining = format_dday(days_left(closes_at, now))
        lines.append(t.gettext("🗳 Debate {dday}").format(dday=remaining))
    if tally is not None:
        lines.append(tally_line(t, tally.counts))
        lines.append(t.gettext("{people} taking part · {opinions} opinions").format(
            people=tally.participants, opinions=tally.opinions))
        if tally.viewer_stance is not None:
            lines.append(t.gettext("Your stance: {stance}").format(
                stance=stance_label(t, tally.viewer_stance)))
    return lines


def debate_rows(
    t: Translator, proposal_id: int, tally: DebateTally | None
) -> list[list[InlineKeyboardButton]]:
    """Stance buttons (the current choice ticked) and the opinion buttons."""
    chosen = tally.viewer_stance if tally is not None else None
    stances = [
        InlineKeyboardButton(
            ("✓ " if s is chosen else "") + stance_label(t, s),
            callback_data=DebateStanceChoice(proposal_id, s.value).pack(),
        )
        for s in STANCE_ORDER
    ]
    opinions = [
        InlineKeyboardButton(t.gettext("✍️ Write an opinion"),
                             callback_data=DebateWrite(proposal_id, 1).pack()),
        InlineKeyboardButton(t.gettext("💬 View opinions"),
                             callback_data=DebateOpinions(proposal_id, "bal", 0).pack()),
    ]
    return [stances, opinions]


def closed_text(t: Translator, closes_at: datetime | None) -> str:
    if closes_at is None:
        return t.gettext("This proposal is not in debate.")
    return t.gettext("The debate has closed ({when}). Thank you for taking part.").format(
        when=t.deadline(closes_at))


def stance_reply(
    t: Translator, outcome: StanceOutcome, stance: Stance, closes_at: datetime | None
) -> str:
    if outcome is StanceOutcome.CLOSED:
        return closed_text(t, closes_at)
    if outcome is StanceOutcome.NOT_FOUND:
        return t.gettext("This proposal cannot be found.")
    if outcome is StanceOutcome.UNCHANGED:
        return t.gettext("Your stance is already {stance}.").format(stance=stance_label(t, stance))
    return t.gettext("Your stance: {stance}. You can change it until the debate closes.").format(
        stance=stance_label(t, stance))


def opinion_prompt(t: Translator, proposal_id: int, title: str) -> Rendered:
    text = t.gettext(
        "✍️ Write your opinion on 「{title}」 in one message (10 to 1,000 characters)."
    ).format(title=escape(title))
    cancel = InlineKeyboardButton(t.gettext("✖ Cancel"),
                                  callback_data=DebateWrite(proposal_id, 0).pack())
    return Rendered(text, InlineKeyboardMarkup([[cancel]]))


def opinion_reply(t: Translator, outcome: OpinionOutcome, closes_at: datetime | None) -> str:
    texts = {
        OpinionOutcome.POSTED: t.gettext("💬 Your opinion is posted. Thank you!"),
        OpinionOutcome.HELD: t.gettext(
            "Your opinion will be shown after a moderator has checked it."),
        OpinionOutcome.DUPLICATE: t.gettext("You have just posted the same opinion."),
        OpinionOutcome.EMPTY: t.gettext("Please write your opinion in words."),
        OpinionOutcome.TOO_SHORT: t.gettext(
            "Please write at least 10 characters. Send it again, a little longer."),
        OpinionOutcome.TOO_LONG: t.gettext(
            "Please keep it to 1,000 characters. Send a shorter version."),
        OpinionOutcome.NOT_FOUND: t.gettext("This proposal cannot be found."),
    }
    if outcome is OpinionOutcome.CLOSED:
        return closed_text(t, closes_at)
    return texts[outcome]


def opinion_answer(
    t: Translator, outcome: OpinionOutcome, proposal_id: int, closes_at: datetime | None
) -> Rendered:
    """The reply to a written opinion; once it is recorded, with a way to the list."""
    markup = None
    if outcome in (OpinionOutcome.POSTED, OpinionOutcome.DUPLICATE, OpinionOutcome.HELD):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            t.gettext("💬 View opinions"),
            callback_data=DebateOpinions(proposal_id, "new", 0).pack())]])
    return Rendered(opinion_reply(t, outcome, closes_at), markup)


def writing_cancelled(t: Translator) -> str:
    return t.gettext("Cancelled. Nothing was posted.")


def opinion_report_reply(t: Translator, recorded: bool) -> str:
    if not recorded:
        return t.gettext("You have already reported this opinion.")
    return t.gettext("Thank you. The moderators will look at it.")


def like_reply(t: Translator, outcome: LikeOutcome, count: int) -> str:
    texts = {
        LikeOutcome.LIKED: t.gettext("👍 {count}"),
        LikeOutcome.ALREADY: t.gettext("You have already given this opinion a 👍."),
        LikeOutcome.OWN: t.gettext("You cannot 👍 your own opinion."),
        LikeOutcome.NOT_FOUND: t.gettext("This opinion is no longer shown."),
    }
    return texts[outcome].format(count=count)


def opinions_page(t: Translator, page: OpinionPage, now: datetime) -> Rendered:
    tally = page.tally
    head = [f"<b>💬 「{escape(tally.title)}」</b>",
            *debate_lines(t, tally.closes_at if tally.open else None, now, tally)]
    if not tally.open:
        head.append(closed_text(t, tally.closes_at))
    start = page.page * 5
    if page.items:
        body = "\n\n".join(
            f"<b>{start + i + 1}.</b> {stance_label(t, o.stance)} · 👍 {o.likes}"
            f" · {t.moment(o.created_at)}\n{escape(o.text)}"
            for i, o in enumerate(page.items)
        )
    else:
        body = t.gettext("No opinions yet. Be the first to write one.")
    rows: list[list[InlineKeyboardButton]] = []
    here = (tally.proposal_id, page.sort.value, page.page)
    rows += [[
        InlineKeyboardButton(f"👍 {start + i + 1}", callback_data=LikeOpinion(o.id, *here).pack()),
        InlineKeyboardButton(f"🚩 {start + i + 1}", callback_data=ReportOpinion(o.id).pack()),
    ] for i, o in enumerate(page.items) if not o.mine]
    nav = []
    pid = tally.proposal_id
    if page.page > 0:
        nav.append(InlineKeyboardButton(t.gettext("◀ Previous"), callback_data=DebateOpinions(
            pid, page.sort.value, page.page - 1).pack()))
    if page.has_next:
        nav.append(InlineKeyboardButton(t.gettext("Next ▶"), callback_data=DebateOpinions(
            pid, page.sort.value, page.page + 1).pack()))
    rows.append(nav)
    rows.append([
        InlineKeyboardButton(("· " if s is page.sort else "") + t.gettext(label),
                             callback_data=DebateOpinions(pid, s.value, 0).pack())
        for s, label in SORT_LABELS.items()
    ])
    if tally.open:
        rows.append([InlineKeyboardButton(t.gettext("✍️ Write an opinion"),
                                          callback_data=DebateWrite(pid, 1).pack())])
    rows.append([InlineKeyboardButton(t.gettext("View the proposal"),
                                      callback_data=OpenProposal(pid).pack())])
    return Rendered("\n".join(head) + "\n\n" + body, InlineKeyboardMarkup([r for r in rows if r]))


def report_reasons(t: Translator, opinion_id: int) -> Rendered:
    rows = [[InlineKeyboardButton(t.gettext(REASON_LABELS[r]),
                                  callback_data=ReportOpinionReason(opinion_id, r).pack())]
            for r in REPORT_REASONS]
    return Rendered(t.gettext("Why are you reporting this opinion?"), InlineKeyboardMarkup(rows))


def summary_body(t: Translator, summary: DebateSummary) -> str:
    """Stance shares, participation, recurring words and the most-endorsed opinions."""
    lines = [
        " · ".join(f"{stance_label(t, s)} {summary.counts.get(s, 0)} "
                   f"({summary.percents.get(s, 0)}%)" for s in STANCE_ORDER),
        t.gettext("{people} took part · {opinions} opinions").format(
            people=summary.participants, opinions=summary.opinions),
    ]
    verdict = leaning_line(t, summary.counts)
    if verdict:
        lines.insert(0, verdict)
    if summary.keywords:
        lines.append(t.gettext("Often mentioned: {words}").format(
            words=escape(", ".join(summary.keywords))))
    for stance in STANCE_ORDER:
        quotes = summary.top.get(stance, ())
        if quotes:
            lines.append(f"\n<b>{stance_label(t, stance)}</b>")
            lines += [f"· {escape(q.text)} (👍 {q.likes})" for q in quotes]
    return "\n".join(lines)


def leaning_line(t: Translator, counts: Mapping[Stance, int]) -> str:
    """Which side has more: a tie says so instead of naming a side; empty with neither."""
    pro, con = counts.get(Stance.FOR, 0), counts.get(Stance.AGAINST, 0)
    side = leaning(counts)
    if side is Leaning.TIED:
        return t.gettext("⚖️ For and against are tied ({count} each).").format(count=pro)
    if side is Leaning.FOR:
        return t.gettext("More residents are for it ({more} to {fewer}).").format(
            more=pro, fewer=con)
    if side is Leaning.AGAINST:
        return t.gettext("More residents are against it ({more} to {fewer}).").format(
            more=con, fewer=pro)
    return ""


DEBATE_TEMPLATES: EventRegistry[str] = EventRegistry()


def _title(event: AboutProposal) -> str:
    return escape(event.title)


@DEBATE_TEMPLATES.of(DebateOpened)
def _opened(t: Translator, event: DebateOpened) -> str:
    if event.department is not None:
        return _review_result_and_invitation(t, event, event.department)
    lines = [
        t.gettext("🗳 The debate on 「{title}」 is open until {when}. Are you for or against? "
                  "Tell us on the proposal card.").format(title=_title(event),
                                                          when=t.deadline(event.closes_at)),
        *_answer_after(t, event.answer_due),
        "\n" + _proposal_summary(t, event),
    ]
    if event.note:
        lines.append("\n" + t.gettext("Department's note: {note}").format(note=escape(event.note)))
    return "\n".join(lines)


def _answer_after(t: Translator, answer_due: datetime | None) -> list[str]:
    """The answer deadline the debate's close will set, when the event carries it."""
    if answer_due is None:
        return []
    return [t.gettext("After the debate, the department must answer by {when}.").format(
        when=t.deadline(answer_due))]


def _proposal_summary(t: Translator, event: DebateOpened) -> str:
    """What the debate is about, labelled: unlabelled, it read as part of the invitation."""
    return t.gettext("The proposal in short: {summary}").format(summary=escape(event.summary))


def _review_result_and_invitation(t: Translator, event: DebateOpened, department: str) -> str:
    """The department's review result first (with its note, once), then the invitation."""
    parts = [t.gettext("📨 {department} has reviewed 「{title}」: <b>it can be done, so a debate "
                       "opens</b>.").format(department=escape(department), title=_title(event))]
    if event.note:
        parts.append(t.gettext("Department's note: {note}").format(note=escape(event.note)))
    parts.append(" ".join([
        t.gettext("🗳 The debate is open until {when}. Are you for or against? Tell us on the "
                  "proposal card.").format(when=t.deadline(event.closes_at)),
        *_answer_after(t, event.answer_due)]))
    parts.append(_proposal_summary(t, event))
    if event.url:
        parts.append(f"{t.gettext('Full answer:')} {event.url}")
    return "\n\n".join(parts)


@DEBATE_TEMPLATES.of(DebateSummaryReady)
def _summary(t: Translator, event: DebateSummaryReady) -> str:
    head = t.gettext("🗳 The debate on 「{title}」 has closed. The department must answer "
                     "by {due}.").format(title=_title(event), due=t.deadline(event.answer_due))
    return head + "\n\n" + summary_body(t, DebateSummary.from_json(event.summary))


@DEBATE_TEMPLATES.of(DebateReminder)
def _closing(t: Translator, event: DebateReminder) -> str:
    return t.gettext(
        "⏳ The debate on 「{title}」 closes {when}. You endorsed it: tell us what you think!"
    ).format(title=_title(event), when=t.deadline(event.closes_at))


@DEBATE_TEMPLATES.of(DebateExtended)
def _extended(t: Translator, event: DebateExtended) -> str:
    extended = t.gettext(
        "🗳 The debate on 「{title}」 is extended by {days} days, until {when}. Reason: {reason}"
    ).format(title=_title(event), days=event.days, when=t.deadline(event.closes_at),
             reason=escape(event.reason))
    return "\n".join([extended, *_answer_after(t, event.answer_due)])


@DEBATE_TEMPLATES.of(ModerationOpinion)
def _opinion_held(t: Translator, event: ModerationOpinion) -> str:
    return t.gettext(
        "🕒 An opinion (no. {opinion}) on #{id} 「{title}」 was held by the language check: {text}"
    ).format(opinion=event.opinion_id, id=event.proposal_id, title=_title(event),
             text=escape(event.text))


@DEBATE_TEMPLATES.of(ModerationOpinionReported)
def _opinion_reported(t: Translator, event: ModerationOpinionReported) -> str:
    return t.gettext(
        "🚩 An opinion (no. {opinion}) on #{id} 「{title}」 was reported ({reason}): {text}"
    ).format(opinion=event.opinion_id, id=event.proposal_id, title=_title(event),
             reason=escape(event.reason), text=escape(event.text))


def topic_title(proposal_id: int, title: str) -> str:
    name = f"#{proposal_id} {title}"
    return name if len(name) <= TOPIC_TITLE_LIMIT else name[: TOPIC_TITLE_LIMIT - 1] + "…"


def topic_opening(
    t: Translator, title: str, problem: str, solution: str, closes_at: datetime | None
) -> str:
    when = t.deadline(closes_at) if closes_at else "—"
    return "\n\n".join([
        t.gettext("🗳 Debate: 「{title}」 (until {when})").format(title=escape(title), when=when),
        escape(problem), escape(solution),
        t.gettext("Messages in this topic are recorded as opinions (10 to 1,000 characters). "
                  "Choose For or Against on the proposal card in a private chat with the bot."),
    ])


def topic_result(t: Translator, summary: DebateSummary | None, answer_due: datetime | None) -> str:
    head = t.gettext("🗳 The debate has closed.")
    if answer_due is not None:
        head += " " + t.gettext("The department must answer by {due}.").format(
            due=t.deadline(answer_due))
    return head if summary is None else head + "\n\n" + summary_body(t, summary)
