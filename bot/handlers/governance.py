"""The 협치회의: /hyeopchi (anyone: the public page); /hyeopchi_request and /hyeopchi_vote
(members); /hyeopchi_attend and /hyeopchi_decide (the 위원장 or admins); /hyeopchi_member,
/hyeopchi_meeting, /hyeopchi_agenda, /hyeopchi_minutes, /hyeopchi_recommend and
/hyeopchi_response (admins; the last for the 구청장's office).

Who is a member or the 위원장 is the services' question (the roles live in their table);
the admins' commands go through `permitted`.
"""

from __future__ import annotations

from telegram.ext import Application, CommandHandler, filters

from bot.domain.council import as_number
from bot.domain.governance import (
    CHOICE_WORDS,
    MAX_MINUTES,
    MAX_NAME,
    MAX_REASON,
    MAX_RECOMMENDATION,
    MAX_RESPONSE,
    ROLE_WORDS,
    GovernanceInputError,
    parse_convening,
)
from bot.domain.permissions import Action
from bot.handlers.access import permits, permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Said, on_message
from bot.rendering import governance as view
from bot.services import consultations, governance
from bot.services.governance import Clockwork

PRIVATE = filters.ChatType.PRIVATE
MAX_TELEGRAM_ID_DIGITS = 15


def _telegram_id(word: str) -> int | None:
    return int(word) if word.isdecimal() and len(word) <= MAX_TELEGRAM_ID_DIGITS else None


def _two_numbers(said: Said) -> tuple[int | None, int | None]:
    """The meeting's and the item's (or proposal's) numbers, the first two words."""
    numbers = [as_number(word) for word in said.args[:2]] + [None, None]
    return numbers[0], numbers[1]


def _rest(said: Said, skip: int) -> str:
    """The command's text after its first `skip` words (lines kept)."""
    text = (said.message.text or "").split(None, skip + 1)
    return text[skip + 1].strip() if len(text) > skip + 1 else ""


@on_message
async def show(said: Said) -> None:
    """/hyeopchi: where the 협치회의's public page is."""
    url = governance.page_url(said.context.services.settings.venues)
    await said.reply_html(view.overview_link(said.t, url))


@permitted(Action.GOVERNANCE_ADMIN)
@on_message
async def member(said: Said) -> None:
    """`/hyeopchi_member <telegram id> <위원장|위원|해촉> <name>`."""
    args = said.args
    telegram_id = _telegram_id(args[0]) if args else None
    word = ROLE_WORDS.get(args[1].lower()) if len(args) > 1 else None
    name = " ".join(args[2:])[:MAX_NAME]
    if telegram_id is None or word is None:
        await said.reply_html(view.usage(said.t, "member"))
        return
    async with said.context.transaction() as session:
        result = await governance.appoint(
            session, telegram_id=telegram_id, word=word, name=name,
            venues=said.context.services.settings.venues, actor=actor_of(said.update),
            now=said.now)
    await said.reply_html(view.appointed(said.t, result))


@permitted(Action.GOVERNANCE_ADMIN)
@on_message
async def meeting(said: Said) -> None:
    """`/hyeopchi_meeting <정기|임시> <YYYY-MM-DD> <HH:MM> <place>`."""
    settings = said.context.services.settings
    try:
        convening = parse_convening(said.args, settings.policy.timezone, said.now)
    except GovernanceInputError as error:
        await said.reply_html(view.problem(said.t, error.problem))
        return
    async with said.context.transaction() as session:
        result = await governance.convene(session, convening, venues=settings.venues,
                                          actor=actor_of(said.update), now=said.now)
    url = governance.page_url(settings.venues, result.meeting.id)
    await said.reply_html(view.convened(said.t, result, url))


@on_message
async def request(said: Said) -> None:
    """`/hyeopchi_request <reason>`: a member asks for an extraordinary meeting."""
    reason = _rest(said, 0)
    if not reason or len(reason) > MAX_REASON:
        await said.reply_html(view.usage(said.t, "request"))
        return
    async with said.context.transaction() as session:
        result = await governance.request_meeting(
            session, user_id=said.user_id, reason=reason,
            venues=said.context.services.settings.venues, now=said.now)
    await said.reply_html(view.requested(said.t, result))


@permitted(Action.GOVERNANCE_ADMIN)
@on_message
async def agenda(said: Said) -> None:
    """`/hyeopchi_agenda <meeting> <proposal number>` (or `의견 <consultation number>`): 상정."""
    meeting_id, proposal_id = _two_numbers(said)
    asked = as_number(said.args[2]) if len(said.args) == 3 and said.args[1] == "의견" else None
    if meeting_id is None or (proposal_id is None and asked is None):
        await said.reply_html(view.usage(said.t, "agenda"))
        return
    async with said.context.transaction() as session:
        subject = (proposal_id if asked is None  # else the row that carries the consultation
                   else await consultations.proposal_of(session, asked)) or 0
        result = await governance.place_on_agenda(
            session, meeting_id=meeting_id, proposal_id=subject,
            venues=said.context.services.settings.venues, actor=actor_of(said.update),
            now=said.now)
    await said.reply_html(view.placed(said.t, result, meeting_id, subject))


@on_message
async def attend(said: Said) -> None:
    """`/hyeopchi_attend <meeting> <telegram id…>` (the 위원장 or admins)."""
    meeting_id = as_number(said.args[0]) if said.args else None
    ids = [_telegram_id(word.strip(",")) for word in said.args[1:]]
    if meeting_id is None or not ids or None in ids:
        await said.reply_html(view.usage(said.t, "attend"))
        return
    async with said.context.transaction() as session:
        result = await governance.record_attendance(
            session, meeting_id=meeting_id, telegram_ids=[i for i in ids if i is not None],
            by_user=said.user_id, is_admin=permits(said.context, Action.GOVERNANCE_ADMIN),
            actor=actor_of(said.update), now=said.now)
    await said.reply_html(view.attended(said.t, result, meeting_id))


@on_message
async def vote(said: Said) -> None:
    """`/hyeopchi_vote <meeting> <item> <찬성|반대|기권>` (members present)."""
    meeting_id, number = _two_numbers(said)
    choice = CHOICE_WORDS.get(said.args[2].lower()) if len(said.args) > 2 else None
    if meeting_id is None or number is None or choice is None:
        await said.reply_html(view.usage(said.t, "vote"))
        return
    async with said.context.transaction() as session:
        result = await governance.vote(session, meeting_id=meeting_id, number=number,
                                       user_id=said.user_id, choice=choice, now=said.now)
    await said.reply_html(view.voted(said.t, result, meeting_id, number))


@on_message
async def decide(said: Said) -> None:
    """`/hyeopchi_decide <meeting> <item>` (the 위원장 or admins)."""
    meeting_id, number = _two_numbers(said)
    if meeting_id is None or number is None:
        await said.reply_html(view.usage(said.t, "decide"))
        return
    async with said.context.transaction() as session:
        result = await governance.decide(
            session, meeting_id=meeting_id, number=number, by_user=said.user_id,
            is_admin=permits(said.context, Action.GOVERNANCE_ADMIN),
            venues=said.context.services.settings.venues, actor=actor_of(said.update),
            now=said.now)
    await said.reply_html(view.decided(said.t, result, meeting_id, number))


@permitted(Action.GOVERNANCE_ADMIN)
@on_message
async def minutes(said: Said) -> None:
    """`/hyeopchi_minutes <meeting>`, then the minutes from the next line."""
    lines = (said.message.text or "").split("\n", 1)
    words = lines[0].split()
    meeting_id = as_number(words[1]) if len(words) > 1 else None
    text = lines[1].strip() if len(lines) > 1 else ""
    if meeting_id is None or not text or len(text) > MAX_MINUTES:
        await said.reply_html(view.usage(said.t, "minutes"))
        return
    async with said.context.transaction() as session:
        outcome = await governance.write_minutes(session, meeting_id=meeting_id, text=text,
                                                 actor=actor_of(said.update), now=said.now)
    url = governance.page_url(said.context.services.settings.venues, meeting_id)
    await said.reply_html(view.minutes_written(said.t, outcome, meeting_id, url))


@permitted(Action.GOVERNANCE_ADMIN)
@on_message
async def recommend(said: Said) -> None:
    """`/hyeopchi_recommend <meeting> <item> <text>`: a 권고 to the 구청장."""
    meeting_id, number = _two_numbers(said)
    text = _rest(said, 2)
    if meeting_id is None or number is None or not text or len(text) > MAX_RECOMMENDATION:
        await said.reply_html(view.usage(said.t, "recommend"))
        return
    services = said.context.services
    clockwork = Clockwork(services.settings.policy.recommendation_response_days,
                          services.calendar, services.settings.policy.timezone,
                          services.settings.smtp_url)
    async with said.context.transaction() as session:
        result = await governance.recommend(
            session, meeting_id=meeting_id, number=number, text=text, clockwork=clockwork,
            venues=services.settings.venues, actor=actor_of(said.update), now=said.now)
    await said.reply_html(view.recommended(said.t, result, meeting_id, number))


@permitted(Action.GOVERNANCE_ADMIN)
@on_message
async def response(said: Said) -> None:
    """`/hyeopchi_response <recommendation> <text>`: the 구청장's office's answer."""
    recommendation_id = as_number(said.args[0]) if said.args else None
    text = _rest(said, 1)
    if recommendation_id is None or not text or len(text) > MAX_RESPONSE:
        await said.reply_html(view.usage(said.t, "response"))
        return
    async with said.context.transaction() as session:
        outcome = await governance.respond(
            session, recommendation_id=recommendation_id, text=text,
            venues=said.context.services.settings.venues, actor=actor_of(said.update),
            now=said.now)
    await said.reply_html(view.responded(said.t, outcome, recommendation_id))


def register(application: Application) -> None:
    """Commands only; before the fallbacks like the other features."""
    commands = {
        "hyeopchi": show, "hyeopchi_member": member, "hyeopchi_meeting": meeting,
        "hyeopchi_request": request, "hyeopchi_agenda": agenda, "hyeopchi_attend": attend,
        "hyeopchi_vote": vote, "hyeopchi_decide": decide, "hyeopchi_minutes": minutes,
        "hyeopchi_recommend": recommend, "hyeopchi_response": response,
    }
    for name, handler in commands.items():
        application.add_handler(CommandHandler(name, handler, filters=PRIVATE))

