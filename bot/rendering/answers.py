"""Texts of rating answers and asking for 재심의, and of the staff commands for departments,
reply links and debates. All plain text: the usage lines hold <placeholders>, not HTML."""

from __future__ import annotations

from bot.i18n import Translator
from bot.services.answers import RatingOutcome, ReReviewOutcome
from bot.services.debates import ExtendOutcome, OpenOutcome
from bot.services.departments import AssignOutcome, AssignResult, DepartmentView


def rating_reply(t: Translator, outcome: RatingOutcome) -> str:
    return {
        RatingOutcome.RECORDED: t.gettext("Thank you for telling us."),
        RatingOutcome.NOT_ANSWERED: t.gettext("There is no final answer to rate yet."),
        RatingOutcome.NOT_ENDORSER: t.gettext(
            "Only residents who followed this proposal can rate its answer."),
    }[outcome]


def re_review_usage(t: Translator) -> str:
    return t.gettext("Usage: /rereview <proposal number> <reason>")


def re_review_reply(t: Translator, outcome: ReReviewOutcome) -> str:
    return {
        ReReviewOutcome.REQUESTED: t.gettext("Your request for a re-review is with the "
                                             "moderators. We will tell you their decision."),
        ReReviewOutcome.ALREADY: t.gettext("A re-review can be asked for only once."),
        ReReviewOutcome.NOT_ALLOWED: t.gettext(
            "Only the author of a proposal found not feasible can ask, with a reason of at least "
            "10 characters."),
    }[outcome]


def department_list(t: Translator, found: list[DepartmentView]) -> str:
    lines = [f"{d.id}. {d.name}" + (" 🏛" if d.head_office else "") for d in found]
    empty = t.gettext("No departments yet. Add one with /department_add <name>.")
    return "\n".join(lines) or empty


def department_add_usage(t: Translator) -> str:
    return t.gettext("Usage: /department_add <name> [chat=<chat id>] [mail=<e-mails>]")


def department_added(t: Translator, department_id: int, name: str) -> str:
    """`안전총괄과를 추가했어요. 부서 번호는 3번이에요.`: the name, then the number."""
    return t.gettext("Added the department {department} (number {id}).").format(
        department=t.with_particle(name, "을/를"), id=department_id)


def assign_usage(t: Translator) -> str:
    return t.gettext("Usage: /assign <proposal number> <department number>")


def assign_reply(t: Translator, proposal_id: int, result: AssignResult) -> str:
    if result.outcome is AssignOutcome.ASSIGNED:
        return _assigned(t, proposal_id, result)
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


def re_review_decide_usage(t: Translator) -> str:
    return t.gettext("Usage: /rereview_decide <proposal number> yes|no")


def re_review_decided(t: Translator, done: bool) -> str:
    if not done:
        return t.gettext("There is no open re-review request for that proposal.")
    return t.gettext("Decision recorded.")


def debate_open_usage(t: Translator) -> str:
    return t.gettext("Usage: /debate_open <proposal number>")


def debate_open_reply(t: Translator, outcome: OpenOutcome) -> str:
    if outcome is not OpenOutcome.OPENED:
        return t.gettext("Only a proposal under department review can open a debate.")
    return t.gettext("The debate is open.")


def debate_extend_usage(t: Translator) -> str:
    return t.gettext("Usage: /debate_extend <proposal number> <days 1-14> <reason>")


def debate_extend_reply(t: Translator, outcome: ExtendOutcome) -> str:
    return {
        ExtendOutcome.EXTENDED: t.gettext("Extended. Participants are told."),
        ExtendOutcome.ALREADY_EXTENDED: t.gettext("A debate can be extended only once."),
        ExtendOutcome.INVALID_DAYS: t.gettext("Extend by 1 to 14 days."),
        ExtendOutcome.NO_REASON: t.gettext("Please give a reason."),
        ExtendOutcome.NOT_IN_DEBATE: t.gettext("That proposal is not in debate."),
    }[outcome]


def opinion_hide_usage(t: Translator) -> str:
    return t.gettext("Usage: /opinion_hide <opinion number> <reason>, "
                     "/opinion_restore <opinion number>")


def opinion_hidden_or_restored(t: Translator, done: bool) -> str:
    return t.gettext("Done.") if done else t.gettext("There is no such opinion.")
