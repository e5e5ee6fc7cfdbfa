"""Texts and buttons of the 주민총회: the assembly as residents see it, the online ballot,
the receipt; the desks' check-in, the staff's totals, the count; the results notice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import AssemblySheets, AssemblyVote
from bot.domain.assembly import USAGE_LINES, Channel, Item, ItemKind, Method, chosen_numbers
from bot.domain.events import AssemblyCounted
from bot.i18n import N_, Translator
from bot.rendering import Rendered, plain_text
from bot.rendering.registry import EventRegistry
from bot.services.assembly import (
    AssemblyView,
    CheckInOutcome,
    CheckInResult,
    CountOutcome,
    CountResult,
    CreateOutcome,
    CreateResult,
    Participation,
    Standing,
    TallyOutcome,
    TallyResult,
    Turnout,
    VoteOutcome,
    VoteResult,
)

ASSEMBLY_TEMPLATES: EventRegistry[str] = EventRegistry()
ASSEMBLY_KEYBOARDS: EventRegistry[InlineKeyboardMarkup | None] = EventRegistry()
KIND_LABELS = {ItemKind.PLAN: N_("Community plan"), ItemKind.PROJECT: N_("Project")}
CHANNEL_LABELS = {Channel.ONLINE: N_("online"), Channel.PAPER: N_("on site"),
                  Channel.COMMITTEE: N_("committee")}
NO_ASSEMBLY = N_("There is no assembly {id}.")
VOTE_REFUSALS: dict[VoteOutcome, str] = {
    VoteOutcome.NOT_VERIFIED: N_(
        "Only verified residents of the 동 can vote online. Confirm where you live with the "
        "code from your 동 office: /verify <code>"),
    VoteOutcome.OTHER_AREA: N_("This assembly is for verified residents of {area} only."),
    VoteOutcome.NOT_OPEN: N_("Online voting is not open now."),
    VoteOutcome.NO_ONLINE: N_("This assembly has no online vote: please vote on site."),
    VoteOutcome.BAD_CHOICE: N_("This button no longer works. Please open /assembly again."),
    VoteOutcome.NOT_FOUND: N_("This assembly no longer exists."),
}
DESK_REFUSALS: dict[CheckInOutcome, str] = {
    CheckInOutcome.UNKNOWN_PERSON: N_(
        "Please type the person's phone number or their verification code."),
    CheckInOutcome.NOT_TODAY: N_("Check-in is open on the on-site day only ({day})."),
    CheckInOutcome.COUNTED: N_("This assembly is counted already."),
    CheckInOutcome.ALREADY: N_("⛔ Has voted already: do not hand out a ballot."),
    CheckInOutcome.NOT_FOUND: N_("There is no such assembly."),
}
TALLY_REFUSALS: dict[TallyOutcome, str] = {
    TallyOutcome.NO_CHANNEL: N_("This assembly does not count that channel."),
    TallyOutcome.COUNTED: N_("This assembly is counted already: its totals are fixed."),
}


def number_text(value: Decimal | int | str) -> str:
    """「1,234」 for a whole number, 「12.5」 otherwise."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def _item_line(t: Translator, item: Item) -> str:
    cost = f" · {t.money(item.cost)}" if item.cost is not None else ""
    return f"{item.number}. [{t.gettext(KIND_LABELS[item.kind])}] {escape(item.title)}{cost}"


def how_counted(t: Translator, view: AssemblyView) -> str:
    """The weights in words, as the card and the page say them."""
    weights = view.weights
    votes = [t.gettext("an online vote {points} points").format(points=number_text(weights.online))
             if weights.online is not None else None,
             t.gettext("an on-site vote {points} points").format(points=number_text(weights.paper))
             if weights.paper is not None else None]
    said = ", ".join(v for v in votes if v)
    if weights.method is Method.SHARES:
        return t.gettext(
            "residents' votes ({votes}) weigh {residents}% and the committee's scores "
            "{committee}%, each as a share of its total").format(
            votes=said, residents=number_text(weights.residents or 0),
            committee=number_text(weights.committee or 0))
    if weights.committee is not None:
        return t.gettext("{votes}, plus the committee's score × {committee}").format(
            votes=said, committee=number_text(weights.committee))
    return said


def _channels_line(t: Translator, view: AssemblyView) -> str:
    lines = []
    if view.online_opens_at is not None and view.online_closes_at is not None:
        lines.append(t.gettext("• Online in this chat: {start} to {until}").format(
            start=t.day(t.local_day(view.online_opens_at)),
            until=t.deadline(view.online_closes_at)))
    if view.onsite_day is not None:
        lines.append(t.gettext("• On site on {day}: {places}").format(
            day=t.day(view.onsite_day), places=escape(", ".join(view.places))))
    return "\n".join(lines)


def card_text(t: Translator, view: AssemblyView) -> str:
    items = "\n".join(_item_line(t, item) for item in view.items)
    budget = (t.gettext("Budget: {amount}").format(amount=t.money(view.budget)) + "\n"
              if view.budget is not None else "")
    return t.gettext(
        "🗳 <b>{title}</b> ({area} 주민총회)\n{items}\n\n{budget}"
        "Each person picks up to {picks} and votes once:\n{channels}\n"
        "Counted: {how}.").format(
        title=escape(view.title), area=escape(view.area), items=items, budget=budget,
        picks=view.picks, channels=_channels_line(t, view), how=how_counted(t, view))


def participation_line(t: Translator, view: AssemblyView, part: Participation) -> str:
    where = (escape(view.places[part.place]) if part.place is not None
             and 0 <= part.place < len(view.places) else t.gettext(CHANNEL_LABELS[part.channel]))
    return t.gettext("You have voted ({where}, {moment}). Receipt: <b>{receipt}</b>").format(
        where=where, moment=t.moment(part.at), receipt=part.receipt)


def standing_view(t: Translator, standing: Standing, now: datetime) -> Rendered:
    """/assembly: the assembly of the resident's 동, their vote, the results."""
    if standing.area is None:
        return Rendered(escape(t.gettext(VOTE_REFUSALS[VoteOutcome.NOT_VERIFIED])))
    view = standing.assembly
    if view is None:
        return Rendered(t.gettext("{area} has no 주민총회 now.").format(
            area=escape(standing.area)))
    if view.result is not None:
        return results_view(t, view)
    text = card_text(t, view)
    if standing.participation is not None:
        return Rendered(f"{text}\n\n{participation_line(t, view, standing.participation)}")
    if view.online_open(now):
        return Rendered(text, _buttons([(t.gettext("🗳 Vote online"),
                                         AssemblyVote(view.id, 0, AssemblyVote.SHOW))]))
    return Rendered(text)


# ----- the ballot -------------------------------------------------------------------------


def ballot(t: Translator, view: AssemblyView, mask: int) -> Rendered:
    chosen = chosen_numbers(mask)
    items = "\n".join(_item_line(t, item) for item in view.items)
    text = t.gettext("🗳 <b>{title}</b>\n{items}\n\nChoose up to {picks}, then press "
                     "「Next」. Chosen: {count} of {picks}.").format(
        title=escape(view.title), items=items, picks=view.picks, count=len(chosen))
    rows = [(f"{'☑️' if item.number in chosen else '⬜'} {item.number}. {item.title}",
             AssemblyVote(view.id, mask, item.number)) for item in view.items]
    if chosen:
        rows.append((t.gettext("Next ▶"), AssemblyVote(view.id, mask, AssemblyVote.REVIEW)))
    return Rendered(text, _buttons(rows))


def too_many(t: Translator, picks: int) -> str:
    return t.gettext("You can choose up to {picks}. Unchoose one first.").format(picks=picks)


def review(t: Translator, view: AssemblyView, mask: int) -> Rendered:
    chosen = set(chosen_numbers(mask))
    lines = "\n".join(f"• {_item_line(t, item)}" for item in view.items
                      if item.number in chosen)
    text = t.gettext("Cast this vote?\n{lines}\nA vote cannot be changed once cast.").format(
        lines=lines)
    return Rendered(text, _buttons([
        (t.gettext("✅ Cast my vote"), AssemblyVote(view.id, mask, AssemblyVote.CAST)),
        (t.gettext("Choose again"), AssemblyVote(view.id, mask, AssemblyVote.SHOW))]))


def cast(t: Translator, result: VoteResult) -> Rendered:
    assert result.participation is not None and result.assembly is not None
    return Rendered(t.gettext(
        "✅ Your vote is in. Receipt: <b>{receipt}</b>\n"
        "Please do not vote again on site: the desk sees that you have voted. The result "
        "will come to you here.").format(receipt=result.participation.receipt))


def vote_refusal(t: Translator, result: VoteResult) -> str:
    if result.outcome is VoteOutcome.ALREADY and result.participation is not None \
            and result.assembly is not None:
        return t.gettext("You have voted already: one vote per person.") + "\n" + \
            plain_text(participation_line(t, result.assembly, result.participation))
    area = result.assembly.area if result.assembly is not None else ""
    return t.gettext(VOTE_REFUSALS.get(result.outcome, VOTE_REFUSALS[VoteOutcome.BAD_CHOICE])
                     ).format(area=area)


# ----- results ----------------------------------------------------------------------------


def result_lines(t: Translator, view: AssemblyView, results: Sequence[Mapping[str, Any]]) -> str:
    channels = view.weights.channels
    lines = []
    for row in results:
        parts = []
        if Channel.ONLINE in channels:
            parts.append(t.gettext("online {n}").format(n=f"{row['online']:,}"))
        if Channel.PAPER in channels:
            parts.append(t.gettext("on site {n}").format(n=f"{row['paper']:,}"))
        if Channel.COMMITTEE in channels:
            parts.append(t.gettext("committee {n}").format(n=number_text(row["committee"])))
        funded = " ✅ " + t.gettext("funded") if row.get("chosen") else ""
        lines.append(t.gettext("{rank}. {title}: {total} points ({parts}){funded}").format(
            rank=row["rank"], title=escape(str(row["title"])), total=number_text(row["total"]),
            parts=" · ".join(parts), funded=funded))
    return "\n".join(lines)


def results_view(t: Translator, view: AssemblyView) -> Rendered:
    head = t.gettext("📊 <b>{title}</b> ({area} 주민총회): the results").format(
        title=escape(view.title), area=escape(view.area))
    rows: list[tuple[str, AssemblyVote | AssemblySheets]] = []
    if view.places:
        rows.append((t.gettext("🧾 The tally sheets"), AssemblySheets(view.id)))
    how = t.gettext("Counted: {how}.").format(how=how_counted(t, view))
    return Rendered(f"{head}\n{result_lines(t, view, view.results)}\n{how}",
                    _buttons(rows) if rows else None)


def sheet_caption(t: Translator, view: AssemblyView, place: int) -> str:
    return t.gettext("🧾 Tally sheet of {place}").format(place=view.places[place])


def no_sheets(t: Translator) -> str:
    return t.gettext("No tally sheet has been entered.")


@ASSEMBLY_TEMPLATES.of(AssemblyCounted)
def _counted(t: Translator, event: AssemblyCounted) -> str:
    top = "\n".join(f"{rank}. {escape(title)}" for rank, title in enumerate(event.top, 1))
    funded = (t.gettext("Funded: {titles}").format(
        titles=escape(", ".join(event.chosen))) + "\n" if event.chosen else "")
    return t.gettext(
        "📊 The {area} 주민총회 ({title}) is counted. Thank you for voting.\n{top}\n{funded}"
        "Every item, with each channel's numbers: {url}").format(
        area=escape(event.area), title=escape(event.title), top=top, funded=funded,
        url=escape(event.page_url))


@ASSEMBLY_KEYBOARDS.of(AssemblyCounted)
def _counted_buttons(t: Translator, event: AssemblyCounted) -> InlineKeyboardMarkup | None:
    return None


def _buttons(rows: Sequence[tuple[str, AssemblyVote | AssemblySheets]]) -> InlineKeyboardMarkup:
    """One button a row: big enough to hit on a small phone."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data.pack())]
                                 for label, data in rows])


# ----- staff ------------------------------------------------------------------------------


def new_usage(t: Translator, problem: str | None = None) -> str:
    usage = t.gettext("To create a 주민총회, one setting a line:")
    lines = escape("\n".join(USAGE_LINES))
    head = (t.gettext("The assembly is not created: {problem}").format(
        problem=escape(problem)) + "\n\n" if problem else "")
    return f"{head}{usage}\n<pre>{lines}</pre>"


def created(t: Translator, result: CreateResult) -> str:
    view = result.assembly
    assert view is not None
    if result.outcome is CreateOutcome.ALREADY_OPEN:
        return t.gettext("{area} has assembly {id} not yet counted. One at a time.").format(
            area=escape(view.area), id=view.id)
    places = "\n".join(f"{index}. {escape(name)}"
                       for index, name in enumerate(view.places, start=1))
    desks = (escape(t.gettext("Desks on the day: /assembly_check {id} <place number> "
                              "<phone or code>").format(id=view.id)) + f"\n{places}"
             if view.places else "")
    return t.gettext("✅ Assembly {id} is created. Residents of {area} see it with "
                     "/assembly.\n\n{card}\n\n{desks}").format(
        id=view.id, area=escape(view.area), card=card_text(t, view), desks=desks).rstrip()


def no_assembly(t: Translator, assembly_id: int) -> str:
    return t.gettext(NO_ASSEMBLY).format(id=assembly_id)


def check_usage(t: Translator) -> str:
    return escape(t.gettext("At the desk: /assembly_check <assembly> <place number> <phone "
                            "number or verification code>"))


def checked(t: Translator, result: CheckInResult) -> str:
    view = result.assembly
    if view is None:
        return t.gettext("There is no such assembly.")
    if result.outcome is CheckInOutcome.CHECKED_IN and result.participation is not None:
        place = result.participation.place or 0
        return t.gettext("✅ May vote on paper. {place}'s roll: {roll} people.").format(
            place=escape(view.places[place]), roll=result.roll)
    if result.outcome is CheckInOutcome.ALREADY and result.participation is not None:
        return t.gettext("⛔ Has voted already: do not hand out a ballot.") + "\n" + \
            participation_line(t, view, result.participation)
    if result.outcome is CheckInOutcome.UNKNOWN_PLACE:
        return place_numbers(t, view)
    text = t.gettext(DESK_REFUSALS[result.outcome])
    return text.format(day=t.day(view.onsite_day) if view.onsite_day else "")


def place_numbers(t: Translator, view: AssemblyView) -> str:
    places = "\n".join(f"{index}. {escape(name)}"
                       for index, name in enumerate(view.places, start=1))
    return t.gettext("The polling places are numbered:\n{places}").format(
        places=places or "-")


def paper_usage(t: Translator) -> str:
    return escape(t.gettext(
        "Send the tally sheet's photo with this caption: /assembly_paper <assembly> <place "
        "number>, then one line per item: <item number> <votes>"))


def tally_entered(t: Translator, result: TallyResult, totals: Mapping[int, Any],
                  place: int | None) -> str:
    view = result.assembly
    if view is None:
        return t.gettext("There is no such assembly.")
    if result.outcome is TallyOutcome.UNKNOWN_PLACE:
        return place_numbers(t, view)
    if result.outcome is TallyOutcome.WRONG:
        return tally_problem(t, result.problem or "")
    if result.outcome is not TallyOutcome.ENTERED:
        return t.gettext(TALLY_REFUSALS[result.outcome])
    numbers = ", ".join(f"{n}: {number_text(v)}" for n, v in sorted(totals.items()))
    if place is None:
        return t.gettext("✅ The committee's scores are entered: {numbers}").format(
            numbers=numbers)
    return t.gettext("✅ {place}'s paper totals are entered ({roll} on the roll): "
                     "{numbers}").format(place=escape(view.places[place]), roll=result.roll,
                                         numbers=numbers)


def committee_usage(t: Translator) -> str:
    return escape(t.gettext("/assembly_committee <assembly>, then one line per item: <item "
                            "number> <score>"))


def count_usage(t: Translator) -> str:
    return escape(t.gettext("/assembly_count <assembly>"))


def counted(t: Translator, result: CountResult, page_url: str) -> str:
    view = result.assembly
    if view is None:
        return t.gettext("There is no such assembly.")
    if result.outcome is CountOutcome.TOO_EARLY:
        return t.gettext("Voting is not over yet. Count after the last day of voting.")
    if result.outcome is CountOutcome.MISSING:
        missing = [t.gettext("the committee's scores") if name == Channel.COMMITTEE.value
                   else escape(name) for name in result.missing]
        return t.gettext("Not counted: totals are missing from {missing}.").format(
            missing=", ".join(missing))
    head = (t.gettext("✅ Counted. {told} participants are told in the chat.").format(
        told=result.told) if result.outcome is CountOutcome.COUNTED
        else t.gettext("This assembly was counted already."))
    return f"{head}\n{result_lines(t, view, view.results)}\n{escape(page_url)}"


def status(t: Translator, view: AssemblyView, turnout: Turnout) -> str:
    places = "\n".join(
        t.gettext("{index}. {place}: {roll} on the roll, totals {entered}").format(
            index=index + 1, place=escape(name), roll=turnout.paper_by_place[index],
            entered=t.gettext("entered") if index in turnout.papers_entered
            else t.gettext("not entered"))
        for index, name in enumerate(view.places))
    committee = ""
    if Channel.COMMITTEE in view.weights.channels:
        committee = t.gettext("Committee's scores: {entered}").format(
            entered=t.gettext("entered") if turnout.committee_entered
            else t.gettext("not entered"))
    return "\n".join(part for part in (
        t.gettext("🗳 Assembly {id}: {title}").format(id=view.id, title=escape(view.title)),
        t.gettext("Online votes: {n}").format(n=turnout.online), places, committee) if part)


def status_usage(t: Translator) -> str:
    return escape(t.gettext("/assembly_status <assembly>"))


def tally_problem(t: Translator, problem: str) -> str:
    return t.gettext("Not entered: {problem}").format(problem=escape(problem))
