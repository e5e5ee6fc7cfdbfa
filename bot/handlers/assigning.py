"""`/assign <proposal> [department]` and its buttons: assignment by name, number or tap.

One department named (by number, or by name with spacing and the 과/팀 suffix forgiven)
is assigned at once; none, several or nothing typed offers the departments as buttons,
the category's default first. A tapped button assigns only if the proposal does not have
that department already, so a double tap keeps the reply link the first tap showed.
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import AssignTo
from bot.domain.permissions import Action
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Press, Said, Turn, on_message, on_press
from bot.rendering import Rendered
from bot.rendering import assigning as view
from bot.services import departments, head_answers
from bot.services.departments import AssignOutcome, AssignResult


@permitted(Action.ASSIGN)
@on_message
async def assign(said: Said) -> None:
    args = said.args
    if not args or not args[0].isdigit():
        await said.reply(view.assign_usage(said.t))
        return
    proposal_id, typed = int(args[0]), " ".join(args[1:])
    async with said.context.transaction() as session:
        choices = await departments.assignment_choices(session, proposal_id, typed)
    if choices is not None and choices.assignable and choices.single is None:
        await said.send(view.choose_department(said.t, proposal_id, choices))
        return
    single = choices.single if choices is not None else None  # else: the service says why not
    result = await _assign(said, proposal_id, single.id if single is not None else 0)
    await said.reply_html(view.assigned(said.t, proposal_id, result))


@permitted(Action.ASSIGN)
@on_press(AssignTo)
async def assign_pressed(press: Press[AssignTo]) -> None:
    proposal_id = press.data.proposal_id
    result = await _assign(press, proposal_id, press.data.department_id, unless_already=True)
    if result.outcome is AssignOutcome.ALREADY:
        await press.alert(view.already_assigned(press.t, proposal_id, result))
        return
    await press.show(Rendered(view.assigned(press.t, proposal_id, result)))


async def _assign(
    turn: Turn, proposal_id: int, department_id: int, *, unless_already: bool = False
) -> AssignResult:
    settings = turn.context.services.settings
    async with turn.context.transaction() as session:
        return await departments.assign_department(
            session, proposal_id, department_id, now=turn.now, policy=settings.policy,
            venues=settings.venues, secret_key=settings.secret_key,
            smtp_url=settings.smtp_url, actor=actor_of(turn.update),
            unless_already=unless_already,
        )


@permitted(Action.ASSIGN)
@on_message
async def head_link(said: Said) -> None:
    """/head_link <proposal> — a fresh reply link for the district head's office."""
    args = said.args
    if len(args) != 1 or not args[0].isdigit():
        await said.reply(view.head_link_usage(said.t))
        return
    settings = said.context.services.settings
    async with said.context.transaction() as session:
        result = await head_answers.reissue_head_link(
            session, int(args[0]), said.now, policy=settings.policy, venues=settings.venues,
            secret_key=settings.secret_key, smtp_url=settings.smtp_url)
    await said.reply(view.head_link_reply(said.t, int(args[0]), result))


def register(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(assign_pressed, pattern=AssignTo.matches))
    application.add_handler(CommandHandler("assign", assign, filters=filters.ChatType.PRIVATE))
    application.add_handler(CommandHandler("head_link", head_link,
                                           filters=filters.ChatType.PRIVATE))
