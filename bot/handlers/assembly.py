"""The 주민총회: /assembly and its online ballot (residents); /assembly_new,
/assembly_committee, /assembly_count (admins); /assembly_check, /assembly_paper (a photo of
the tally sheet with the command as its caption) and /assembly_status (the polling places'
staff, moderators).

The ballot keeps nothing between taps: the chosen items ride on the buttons
(`AssemblyVote`), and only 「투표하기」 writes. Every press re-checks the window, the resident's
verified 동 and whether they have voted, here or at a polling place.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.buttons import AssemblySheets, AssemblyVote
from bot.domain.assembly import AgendaError, chosen_numbers, parse_agenda, parse_tally
from bot.domain.council import as_number
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.rendering import assembly as view
from bot.services import assembly
from bot.services.assembly import AssemblyView, VoteOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
PAPER_CAPTION = filters.CaptionRegex(r"^/assembly_paper(@\w+)?(\s|$)")


@permitted(Action.VOTE_ASSEMBLY)
@on_message
async def show_assembly(said: Said) -> None:
    """/assembly: the 주민총회 of the resident's 동, their vote, or the results."""
    async with said.context.transaction() as session:
        standing = await assembly.standing(session, said.user_id)
    await said.send(view.standing_view(said.t, standing, said.now))


@permitted(Action.VOTE_ASSEMBLY)
@on_press(AssemblyVote)
async def ballot_step(press: Press[AssemblyVote]) -> None:
    """A tap on the ballot: choose or unchoose an item, review, or cast the vote."""
    target = press.data
    if target.action == AssemblyVote.CAST:
        await _cast(press)
        return
    async with press.context.transaction() as session:
        allowed = await assembly.may_vote(session, assembly_id=target.assembly_id,
                                          user_id=press.user_id, now=press.now)
    if allowed.outcome is not VoteOutcome.VOTED or allowed.assembly is None:
        await press.alert(view.vote_refusal(press.t, allowed))
        return
    await _redraw_ballot(press, allowed.assembly)


async def _redraw_ballot(press: Press[AssemblyVote], found: AssemblyView) -> None:
    target, t = press.data, press.t
    mask = _toggled(target, found)
    if mask is None:
        await press.alert(view.vote_refusal(t, assembly.VoteResult(VoteOutcome.BAD_CHOICE)))
    elif len(chosen_numbers(mask)) > found.picks:
        await press.alert(view.too_many(t, found.picks))
    elif target.action == AssemblyVote.REVIEW and mask:
        await press.show(view.review(t, found, mask))
    else:
        await press.show(view.ballot(t, found, mask))


def _toggled(target: AssemblyVote, found: AssemblyView) -> int | None:
    """The chosen items after this tap; None for a mask or an item no ballot could send."""
    numbers = {item.number for item in found.items}
    if target.chosen < 0 or not set(chosen_numbers(target.chosen)) <= numbers:
        return None
    if target.action in (AssemblyVote.SHOW, AssemblyVote.REVIEW):
        return target.chosen
    if target.action not in numbers:
        return None
    return target.chosen ^ (1 << (target.action - 1))


async def _cast(press: Press[AssemblyVote]) -> None:
    target = press.data
    async with press.context.transaction() as session:
        result = await assembly.vote_online(
            session, assembly_id=target.assembly_id, user_id=press.user_id,
            chosen=chosen_numbers(max(target.chosen, 0)), now=press.now)
    log.info("assembly %s online vote: %s", target.assembly_id, result.outcome)
    if result.outcome is VoteOutcome.VOTED:
        await press.show(view.cast(press.t, result))
        return
    await press.alert(view.vote_refusal(press.t, result))


@on_press(AssemblySheets)
async def send_sheets(press: Press[AssemblySheets]) -> None:
    """「현장 집계표 보기」: anyone may see the sheets behind the paper totals."""
    async with press.context.transaction() as session:
        found = await assembly.assembly(session, press.data.assembly_id)
        sheets = await assembly.sheet_photos(session, press.data.assembly_id)
    if found is None or not sheets:
        await press.alert(view.no_sheets(press.t))
        return
    await press.ack()
    message = press.query.message
    for place, photo in sheets:
        await press.context.bot.send_photo(message.chat.id if message else press.user_id,
                                           photo, caption=view.sheet_caption(press.t, found,
                                                                             place))


# ----- staff ------------------------------------------------------------------------------


@permitted(Action.ASSEMBLY_ADMIN)
@on_message
async def create(said: Said) -> None:
    """`/assembly_new <동> <name>`, then one setting a line (see `USAGE_LINES`)."""
    settings = said.context.services.settings
    today = said.now.astimezone(settings.policy.timezone).date()
    try:
        agenda = parse_agenda(said.message.text or "", settings.areas, today)
    except AgendaError as error:
        await said.reply_html(view.new_usage(said.t, str(error) if said.args else None))
        return
    async with said.context.transaction() as session:
        result = await assembly.create(session, agenda, tz=settings.policy.timezone,
                                       actor=actor_of(said.update), now=said.now)
    await said.reply_html(view.created(said.t, result))


def _assembly_and_place(words: list[str]) -> tuple[int | None, int | None]:
    """The assembly's number and a polling place's (1-based on screen, 0-based here)."""
    numbers = [as_number(word) for word in words[1:3]] + [None, None]
    place = numbers[1] - 1 if numbers[1] is not None and numbers[1] > 0 else None
    return numbers[0], place


@permitted(Action.ASSEMBLY_DESK)
@on_message
async def check_in(said: Said) -> None:
    """`/assembly_check <assembly> <place> <phone or code>`: may this person vote on paper?
    The phone number is hashed at once and never logged."""
    words = (said.message.text or "").split()
    assembly_id, place = _assembly_and_place(words)
    if assembly_id is None or place is None or len(words) < 4:
        await said.reply_html(view.check_usage(said.t))
        return
    services = said.context.services
    async with said.context.transaction() as session:
        result = await assembly.check_in(
            session, assembly_id=assembly_id, place=place, typed=" ".join(words[3:]),
            secret_key=services.settings.secret_key, tz=services.settings.policy.timezone,
            actor=actor_of(said.update), now=said.now)
    log.info("assembly %s check-in at place %s: %s", assembly_id, place, result.outcome)
    await said.reply_html(view.checked(said.t, result))


@permitted(Action.ASSEMBLY_DESK)
@on_message
async def paper_without_photo(said: Said) -> None:
    """/assembly_paper typed as text: the totals come with the tally sheet's photo."""
    await said.reply_html(view.paper_usage(said.t))


@permitted(Action.ASSEMBLY_DESK)
@on_message
async def enter_paper(said: Said) -> None:
    """A photo of the tally sheet, captioned `/assembly_paper <assembly> <place>` and one
    line per item."""
    lines = (said.message.caption or "").splitlines()
    assembly_id, place = _assembly_and_place(lines[0].split() if lines else [])
    photos = said.message.photo
    if assembly_id is None or place is None or not photos:
        await said.reply_html(view.paper_usage(said.t))
        return
    totals = await _tally_lines(said, lines[1:], scores=False)
    if totals is None:
        return
    async with said.context.transaction() as session:
        result = await assembly.enter_paper(
            session, assembly_id=assembly_id, place=place,
            totals={n: int(v) for n, v in totals.items()}, photo_file_id=photos[-1].file_id,
            actor=actor_of(said.update), now=said.now)
    await said.reply_html(view.tally_entered(said.t, result, totals, place))


async def _tally_lines(said: Said, lines: list[str], *, scores: bool) -> dict[int, Decimal] | None:
    """The totals, or None after telling staff which line is wrong."""
    try:
        return parse_tally(lines, scores=scores)
    except AgendaError as error:
        usage = view.committee_usage(said.t) if scores else view.paper_usage(said.t)
        await said.reply_html(f"{view.tally_problem(said.t, str(error))}\n{usage}")
        return None


@permitted(Action.ASSEMBLY_ADMIN)
@on_message
async def enter_committee(said: Said) -> None:
    """`/assembly_committee <assembly>`, then one line per item: its score."""
    lines = (said.message.text or "").splitlines()
    assembly_id, _ = _assembly_and_place(lines[0].split() if lines else [])
    if assembly_id is None:
        await said.reply_html(view.committee_usage(said.t))
        return
    scores = await _tally_lines(said, lines[1:], scores=True)
    if scores is None:
        return
    async with said.context.transaction() as session:
        result = await assembly.enter_committee(
            session, assembly_id=assembly_id, scores=scores, actor=actor_of(said.update),
            now=said.now)
    await said.reply_html(view.tally_entered(said.t, result, scores, None))


@permitted(Action.ASSEMBLY_ADMIN)
@on_message
async def count(said: Said) -> None:
    """`/assembly_count <assembly>`: once, when every channel's totals are in."""
    assembly_id, _ = _assembly_and_place((said.message.text or "").split())
    if assembly_id is None:
        await said.reply_html(view.count_usage(said.t))
        return
    settings = said.context.services.settings
    page_url = assembly.assembly_page_url(settings.venues.public_base_url, assembly_id)
    async with said.context.transaction() as session:
        result = await assembly.count_assembly(
            session, assembly_id=assembly_id, tz=settings.policy.timezone, page_url=page_url,
            actor=actor_of(said.update), now=said.now)
    await said.reply_html(view.counted(said.t, result, page_url))


@permitted(Action.ASSEMBLY_DESK)
@on_message
async def show_status(said: Said) -> None:
    """`/assembly_status <assembly>`: the rolls and what has been entered."""
    assembly_id, _ = _assembly_and_place((said.message.text or "").split())
    if assembly_id is None:
        await said.reply_html(view.status_usage(said.t))
        return
    async with said.context.transaction() as session:
        found = await assembly.assembly(session, assembly_id)
        turnout = await assembly.turnout(session, found) if found is not None else None
    if found is None or turnout is None:
        await said.reply_html(view.no_assembly(said.t, assembly_id))
        return
    await said.reply_html(view.status(said.t, found, turnout))


def register(application: Application) -> None:
    """Before the fallbacks, whose catch-all answers unknown buttons as stale."""
    commands = {
        "assembly": show_assembly, "assembly_new": create, "assembly_check": check_in,
        "assembly_paper": paper_without_photo, "assembly_committee": enter_committee,
        "assembly_count": count, "assembly_status": show_status,
    }
    for name, handler in commands.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))
    application.add_handler(MessageHandler(PRIVATE & filters.PHOTO & PAPER_CAPTION,
                                           enter_paper))
    application.add_handler(CallbackQueryHandler(ballot_step, pattern=AssemblyVote.matches))
    application.add_handler(CallbackQueryHandler(send_sheets, pattern=AssemblySheets.matches))
