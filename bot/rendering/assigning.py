"""Texts and buttons of `/assign`: departments offered by tap, and what the tap did."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup

from bot.buttons import AssignTo
from bot.i18n import Translator
from bot.rendering import Rendered
from bot.services.departments import AssignChoices, AssignOutcome, AssignResult
from bot.services.head_answers import HeadLinkOutcome, HeadLinkResult


def assign_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /assign <proposal number> [department name or number]\n"
                     "Example: /assign 12 도로과 · without a department you can choose one")


def choose_department(t: Translator, proposal_id: int, choices: AssignChoices) -> Rendered:
    if not choices.departments:
        return Rendered(escape(t.gettext(
            "No departments yet. Add one with /department_add <name>.")))
    title = escape(choices.proposal_title)
    if choices.typed and not choices.matched:
        lead = t.gettext("No department matches 「{typed}」.").format(typed=escape(choices.typed))
    elif choices.typed:
        lead = t.gettext("Several departments match 「{typed}」.").format(
            typed=escape(choices.typed))
    else:
        lead = t.gettext("The default department of the proposal's field comes first.")
    ask = t.gettext("Which department should answer #{id} 「{title}」?").format(
        id=proposal_id, title=title)
    return Rendered(f"{ask}\n{lead}", _department_buttons(proposal_id, choices))


def _department_buttons(proposal_id: int, choices: AssignChoices) -> InlineKeyboardMarkup:
    buttons = [Button(d.name, callback_data=AssignTo(proposal_id, d.id).pack())
               for d in choices.departments]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def assigned(t: Translator, proposal_id: int, result: AssignResult) -> str:
    """HTML: which department got it and until when its link works, or why not."""
    return escape(assign_reply(t, proposal_id, result))


def assign_reply(t: Translator, proposal_id: int, result: AssignResult) -> str:
    """Plain text for every outcome of an assignment."""
    if result.outcome is AssignOutcome.ASSIGNED:
        return _assigned(t, proposal_id, result)
    if result.outcome is AssignOutcome.ALREADY:
        return already_assigned(t, proposal_id, result)
    return {
        AssignOutcome.NOT_FOUND: t.gettext("There is no such proposal."),
        AssignOutcome.WRONG_STATE: t.gettext(
            "Only proposals under review or later can be assigned."),
        AssignOutcome.NO_DEPARTMENT: t.gettext("There is no such active department."),
    }[result.outcome]


def _assigned(t: Translator, proposal_id: int, result: AssignResult) -> str:
    """Which department got the proposal, and until when its reply link works."""
    until = t.deadline(result.link_expires_at) if result.link_expires_at else "—"
    return t.gettext(
        "Proposal #{id} is assigned to {department}. Its reply link works until {until}:\n{url}"
    ).format(id=proposal_id, department=result.department, until=until, url=result.url)


def already_assigned(t: Translator, proposal_id: int, result: AssignResult) -> str:
    """Plain text (a pop-up): a second tap on a department the proposal has already."""
    return t.gettext("#{id} is already assigned to {department}. Its reply link was shown "
                     "above.").format(id=proposal_id, department=result.department)


def head_link_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /head_link <proposal number> — a fresh reply link for the "
                     "district head's office")


def head_link_reply(t: Translator, proposal_id: int, result: HeadLinkResult) -> str:
    """Plain text for every outcome of `/head_link`."""
    if result.outcome is HeadLinkOutcome.SENT:
        return t.gettext("A fresh reply link for #{id} went to {office}; earlier ones no "
                         "longer work:\n{url}").format(id=proposal_id, office=result.office,
                                                       url=result.url)
    return {
        HeadLinkOutcome.NOT_FOUND: t.gettext("There is no such proposal."),
        HeadLinkOutcome.NOT_ROUTED: t.gettext(
            "#{id} has not reached the district head's answer threshold."),
        HeadLinkOutcome.ANSWERED: t.gettext("The district head has already answered #{id}."),
        HeadLinkOutcome.NO_OFFICE: t.gettext(
            "No department is marked as the district head's office: add it with "
            "/department_add <name> office=head."),
    }[result.outcome].format(id=proposal_id)
