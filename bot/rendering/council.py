"""Texts and buttons of the 주민자치회 recruitment: the call, the consent, the answers, the
receipt, withdrawing; and the staff's replies (opening a call, completers, the table)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import CouncilApply, CouncilOfferAnswer, CouncilWithdraw
from bot.domain.council import (
    AGE_BANDS,
    MAX_RESERVES,
    MAX_SEATS,
    SEXES,
    Outcome,
    Step,
    applicant_number,
    resident_rule,
)
from bot.domain.events import CouncilDrawn, CouncilOfferExpired, CouncilSeatOffered
from bot.domain.lottery import LotteryRecord, Unmet, describe_rule, describe_unmet
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.registry import EventRegistry
from bot.services.council import (
    Application,
    ApplyOutcome,
    ApplyResult,
    CompletersResult,
    OpenOutcome,
    OpenResult,
    Recruitment,
    RulesOutcome,
    Standing,
)
from bot.services.council_draw import DrawOutcome, OfferOutcome, OfferResult, PrepareOutcome

COUNCIL_TEMPLATES: EventRegistry[str] = EventRegistry()
COUNCIL_KEYBOARDS: EventRegistry[InlineKeyboardMarkup | None] = EventRegistry()
NO_CALL = N_("There is no call {id}.")
SEX_LABELS = {"여": N_("Woman"), "남": N_("Man")}
REFUSALS: dict[ApplyOutcome, str] = {
    ApplyOutcome.CLOSED: N_("Applications for this call are closed."),
    ApplyOutcome.NOT_VERIFIED: N_(
        "Only verified residents of the 동 can apply. Confirm where you live with the code "
        "from your 동 office: /verify <code>"),
    ApplyOutcome.OTHER_AREA: N_("This call is for verified residents of {area} only."),
    ApplyOutcome.BAD_CHOICE: N_("This button no longer works. Please open /council again."),
}
OPEN_PROBLEMS: dict[OpenOutcome, str] = {
    OpenOutcome.UNKNOWN_AREA: N_("There is no 동 called {area}. Choose one of: {areas}"),
    OpenOutcome.BAD_SEATS: N_("The seats must be from 1 to {max_seats}."),
    OpenOutcome.BAD_RESERVES: N_("The reserves must be from 0 to {max_reserves}."),
    OpenOutcome.BAD_DAY: N_("The last day of applications cannot be in the past."),
    OpenOutcome.ALREADY_OPEN: N_("{area} already has an open call. One call at a time."),
}


def _call(t: Translator, recruitment: Recruitment) -> str:
    return t.gettext(
        "🏛 <b>{area} 주민자치회: members wanted</b>\n"
        "{seats} members (and {reserves} reserves), drawn by a public lottery among the "
        "applicants who complete the 주민자치학교. Apply until {until}."
    ).format(area=escape(recruitment.area), seats=recruitment.seats,
             reserves=recruitment.reserves, until=t.deadline(recruitment.closes_at))


def standing_view(t: Translator, standing: Standing) -> Rendered:
    """/council: the open call of the resident's 동 and their application, or why not."""
    if standing.area is None:  # HTML: `<code>` is escaped (a pop-up shows it as it is)
        return Rendered(escape(t.gettext(REFUSALS[ApplyOutcome.NOT_VERIFIED])))
    recruitment = standing.recruitment
    if recruitment is None:
        return Rendered(t.gettext("{area} has no open call for 주민자치회 members now.").format(
            area=escape(standing.area)))
    application = standing.application
    if not standing.open and application is not None:
        return Rendered(_closed_call(t, recruitment, application))
    if application is None or application.withdrawn:
        return Rendered(_call(t, recruitment), _keyboard([
            (t.gettext("✍️ Apply"), CouncilApply(recruitment.id, Step.CONSENT))]))
    line = _application_line(t, application.number, application.age_band, application.sex)
    return Rendered(f"{_call(t, recruitment)}\n\n{line}", _applied_keyboard(t, recruitment.id))


def _closed_call(t: Translator, recruitment: Recruitment, application: Application) -> str:
    """A closed call the resident applied to: their number and, once drawn, the result."""
    closed = t.gettext("🏛 Applications for the {area} 주민자치회 closed ({until}).").format(
        area=escape(recruitment.area), until=t.deadline(recruitment.closes_at))
    if application.withdrawn:
        withdrawn = t.gettext("You withdrew your application.")
        return f"{closed}\n{withdrawn}"
    line = _application_line(t, application.number, application.age_band, application.sex)
    results = {
        Outcome.SELECTED: t.gettext("The lottery's result: selected."),
        Outcome.RESERVE: t.gettext("The lottery's result: reserve number {rank}.").format(
            rank=application.reserve_rank),
        Outcome.NOT_DRAWN: t.gettext("The lottery's result: not drawn this time."),
    }
    result = (results.get(Outcome(application.outcome)) if application.outcome
              else t.gettext("The lottery has not been drawn yet."))
    return f"{closed}\n{line}\n{result}"


def consent(t: Translator, recruitment: Recruitment) -> Rendered:
    """Personal information protection: what is asked, what for, who sees it, the right to
    refuse (PIPA §15); the call's own rules."""
    rules = ", ".join(resident_rule(rule) for rule in recruitment.rules)
    text = t.gettext(
        "To apply, please agree to how your answers are used.\n"
        "• Asked: your age band and your sex.\n"
        "• Used for: this lottery's composition rules only ({rules}), and nothing else.\n"
        "• Seen by: the district's staff who run the lottery. The published draw shows only "
        "your applicant number with your age band and sex: no name, no contact.\n"
        "• You may refuse: then you cannot apply to this lottery, and nothing else changes.\n"
        "• If you withdraw, your application leaves the draw.").format(rules=escape(rules))
    return Rendered(text, _keyboard([
        (t.gettext("✅ Agree and continue"), CouncilApply(recruitment.id, Step.AGE)),
        (t.gettext("Back"), CouncilApply(recruitment.id, Step.CALL))]))


def ask_age(t: Translator, recruitment_id: int) -> Rendered:
    buttons = [(band, CouncilApply(recruitment_id, Step.SEX, age=index))
               for index, band in enumerate(AGE_BANDS)]
    return Rendered(t.gettext("Your age band?"), _keyboard(buttons))


def ask_sex(t: Translator, recruitment_id: int, age: int) -> Rendered:
    buttons = [(t.gettext(SEX_LABELS[sex]), CouncilApply(recruitment_id, Step.REVIEW, age, i))
               for i, sex in enumerate(SEXES)]
    return Rendered(t.gettext("Your sex?"), _keyboard(buttons))


def review(t: Translator, recruitment_id: int, age: int, sex: int) -> Rendered:
    lines = t.gettext("Apply with these answers?\nAge band: {age}\nSex: {sex}").format(
        age=AGE_BANDS[age], sex=t.gettext(SEX_LABELS[SEXES[sex]]))
    return Rendered(lines, _keyboard([
        (t.gettext("✅ Apply"), CouncilApply(recruitment_id, Step.SUBMIT, age, sex)),
        (t.gettext("Choose again"), CouncilApply(recruitment_id, Step.AGE))]))


def receipt(t: Translator, result: ApplyResult, age: str, sex: str) -> Rendered:
    assert result.recruitment is not None and result.number is not None
    done = (t.gettext("✅ You have applied.") if result.outcome is ApplyOutcome.APPLIED
            else t.gettext("✅ Your application is updated."))
    until = t.gettext(
        "You can change or withdraw it until {until}. Once you complete the 주민자치학교, "
        "you are in the draw.").format(until=t.deadline(result.recruitment.closes_at))
    return Rendered(f"{done}\n{_application_line(t, result.number, age, sex)}\n{until}",
                    _applied_keyboard(t, result.recruitment.id))


def refusal(t: Translator, result: ApplyResult) -> str:
    area = result.recruitment.area if result.recruitment is not None else ""
    return t.gettext(REFUSALS[result.outcome]).format(area=area)


def ask_withdraw(t: Translator, recruitment_id: int) -> Rendered:
    return Rendered(t.gettext("Withdraw your application?"), _keyboard([
        (t.gettext("Yes, withdraw my application"), CouncilWithdraw(recruitment_id, 1)),
        (t.gettext("No, keep it"), CouncilApply(recruitment_id, Step.CALL))]))


def withdrawn(t: Translator, recruitment: Recruitment) -> Rendered:
    text = t.gettext("Your application is withdrawn. You can apply again until {until}.").format(
        until=t.deadline(recruitment.closes_at))
    return Rendered(text, _keyboard([
        (t.gettext("✍️ Apply again"), CouncilApply(recruitment.id, Step.CONSENT))]))


def not_applied(t: Translator) -> str:
    return t.gettext("You have no application to withdraw.")


def _application_line(t: Translator, number: int, age: str, sex: str) -> str:
    return t.gettext("Your applicant number: <b>{number}</b> · {age} · {sex}").format(
        number=applicant_number(number), age=age, sex=t.gettext(SEX_LABELS[sex]))


def _applied_keyboard(t: Translator, recruitment_id: int) -> InlineKeyboardMarkup:
    return _keyboard([
        (t.gettext("Change my answers"), CouncilApply(recruitment_id, Step.CONSENT)),
        (t.gettext("Withdraw"), CouncilWithdraw(recruitment_id, 0))])


def _keyboard(
    buttons: Sequence[tuple[str, CouncilApply | CouncilWithdraw]]
) -> InlineKeyboardMarkup:
    """One button a row: big enough to hit on a small phone."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data.pack())]
                                 for label, data in buttons])


# ----- staff -----------------------------------------------------------------------------


def open_usage(t: Translator) -> str:
    """HTML: the <placeholders> are escaped."""
    return escape(t.gettext(
        "Usage: /council_new <동> <seats> <reserves> <last day of applications>\n"
        "Example: /council_new 신도림동 50 10 2026-12-31"))


def opened(t: Translator, result: OpenResult) -> str:
    """HTML: the <placeholders> are escaped."""
    assert result.recruitment is not None
    recruitment = result.recruitment
    return escape(t.gettext(
        "🏛 Call {id} for {area} is open until {until}: {seats} members, {reserves} "
        "reserves. Residents apply with /council. When the 주민자치학교 is over, record who "
        "completed it: /council_completed {id} <applicant numbers>"
    )).format(id=recruitment.id, area=escape(recruitment.area), seats=recruitment.seats,
             reserves=recruitment.reserves, until=t.deadline(recruitment.closes_at))


def open_problem(t: Translator, outcome: OpenOutcome, area: str, areas: tuple[str, ...]) -> str:
    text = t.gettext(OPEN_PROBLEMS[outcome]).format(
        area=escape(area), areas=escape(", ".join(areas)), max_seats=MAX_SEATS,
        max_reserves=MAX_RESERVES)
    return f"{text}\n{open_usage(t)}"


def completers_usage(t: Translator) -> str:
    return escape(t.gettext(
        "Usage: /council_completed <call> <applicant numbers, separated by spaces or lines>\n"
        "Example: /council_completed 1 0012 0015 0031"))


def completers_recorded(t: Translator, call: int, result: CompletersResult,
                        not_numbers: list[str]) -> str:
    if not result.found:
        return no_call(t, call)
    if result.prepared:
        return t.gettext("The draw of call {id} is prepared already, with the completers "
                         "recorded until then: nothing was recorded.").format(id=call)
    lines = [t.ngettext("✅ {count} completer recorded.", "✅ {count} completers recorded.",
                        result.recorded).format(count=result.recorded)]
    if result.unknown:
        lines.append(t.gettext("Not applicants of this call (or withdrawn): {numbers}").format(
            numbers=", ".join(applicant_number(n) for n in result.unknown)))
    if not_numbers:
        lines.append(t.gettext("Not numbers: {words}").format(
            words=escape(", ".join(not_numbers[:20]))))
    lines.append(t.gettext(
        "When all are recorded, prepare the draw: /council_prepare {id}").format(id=call))
    return "\n".join(lines)


def pool_usage(t: Translator) -> str:
    return escape(t.gettext("Usage: /council_pool <call>"))


def pool_sent(t: Translator, recruitment: Recruitment, completers: int, applied: int) -> str:
    return escape(t.gettext(
        "📋 {area}, call {id}: {completers} of {applied} applicants completed the "
        "주민자치학교. Above: their table (numbers, age band, sex) and Seoul's rules, for "
        "the record. The draw itself: /council_prepare {id} once applications close, then "
        "/council_draw {id} <numbers drawn in the room>."
    )).format(area=escape(recruitment.area), id=recruitment.id, completers=completers,
              applied=applied)


def no_call(t: Translator, call: int) -> str:
    return t.gettext(NO_CALL).format(id=call)


# ----- the draw ---------------------------------------------------------------------------


@COUNCIL_TEMPLATES.of(CouncilDrawn)
def _drawn(t: Translator, event: CouncilDrawn) -> str:
    head = t.gettext(
        "🏛 The {area} 주민자치회 lottery is drawn (applicant number {number})."
    ).format(area=escape(event.area), number=escape(event.number))
    if event.outcome == Outcome.SELECTED:
        body = t.gettext("🎉 You are selected as one of the {seats} members. Will you take "
                         "the seat? Please answer by {until}; without an answer it is offered "
                         "to a reserve.").format(seats=event.seats,
                                              until=_until(t, event.confirm_by))
    elif event.outcome == Outcome.RESERVE:
        body = t.gettext("You are reserve number {rank}. If a seat is left empty, it goes to "
                         "the reserves in this order, keeping the composition rules.").format(
            rank=event.reserve_rank)
    else:
        body = t.gettext("You were not drawn this time. Thank you for applying and for "
                         "completing the 주민자치학교.")
    return f"{head}\n{body}"


@COUNCIL_KEYBOARDS.of(CouncilDrawn)
def _drawn_buttons(t: Translator, event: CouncilDrawn) -> InlineKeyboardMarkup | None:
    if event.outcome != Outcome.SELECTED:
        return None
    return _offer_buttons(t, int(event.number))


@COUNCIL_TEMPLATES.of(CouncilSeatOffered)
def _seat_offered(t: Translator, event: CouncilSeatOffered) -> str:
    return t.gettext(
        "🏛 A seat on the {area} 주민자치회 is free, and as reserve number {rank} it is "
        "yours if you take it (applicant number {number}). Please answer by {until}; without "
        "an answer it is offered to the next reserve."
    ).format(area=escape(event.area), rank=event.reserve_rank, number=escape(event.number),
             until=_until(t, event.confirm_by))


@COUNCIL_KEYBOARDS.of(CouncilSeatOffered)
def _seat_buttons(t: Translator, event: CouncilSeatOffered) -> InlineKeyboardMarkup:
    return _offer_buttons(t, int(event.number))


@COUNCIL_TEMPLATES.of(CouncilOfferExpired)
def _offer_expired(t: Translator, event: CouncilOfferExpired) -> str:
    return t.gettext(
        "🏛 The seat on the {area} 주민자치회 (applicant number {number}) was not confirmed "
        "in time, so it is offered to a reserve. For questions, please ask your 동 office."
    ).format(area=escape(event.area), number=escape(event.number))


def _offer_buttons(t: Translator, application_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t.gettext("✅ I take the seat"),
                              callback_data=CouncilOfferAnswer(application_id, 1).pack())],
        [InlineKeyboardButton(t.gettext("🙏 I decline"),
                              callback_data=CouncilOfferAnswer(application_id, 0).pack())]])


def _until(t: Translator, confirm_by: datetime | None) -> str:
    return t.deadline(confirm_by) if confirm_by is not None else ""


OFFER_REFUSALS = {
    OfferOutcome.TOO_LATE: N_("The time to answer this offer has passed."),
    OfferOutcome.ALREADY_ANSWERED: N_("You have answered already."),
    OfferOutcome.NOT_YOURS: N_("This button no longer works. Please open the menu again."),
    OfferOutcome.NOT_OFFERED: N_("This button no longer works. Please open the menu again."),
}


def offer_answered(t: Translator, result: OfferResult) -> Rendered:
    if result.outcome is OfferOutcome.ACCEPTED:
        return Rendered(t.gettext(
            "✅ Thank you for taking the seat on the {area} 주민자치회. The 동 office will guide "
            "you through the appointment.").format(area=escape(result.area)))
    return Rendered(t.gettext(
        "🙏 You declined the seat; it is offered to a reserve who keeps the composition "
        "rules, if there is one. Thank you for taking part."))


def offer_refused(t: Translator, result: OfferResult) -> str:
    return t.gettext(OFFER_REFUSALS[result.outcome])


PREPARE_PROBLEMS: dict[PrepareOutcome, str] = {
    PrepareOutcome.NOT_FOUND: NO_CALL,
    PrepareOutcome.STILL_OPEN: N_(
        "Call {id} still takes applications: prepare the draw once it closes."),
    PrepareOutcome.ALREADY_PREPARED: N_(
        "The draw of call {id} is prepared already: /council_files {id}"),
    PrepareOutcome.NO_COMPLETERS: N_("Nobody has completed the 주민자치학교 in call {id} yet: "
                                     "/council_completed {id} <applicant numbers>"),
}
DRAW_PROBLEMS: dict[DrawOutcome, str] = {
    DrawOutcome.NOT_PREPARED: N_("The draw of call {id} is not prepared: /council_prepare {id}"),
    DrawOutcome.ALREADY_DRAWN: N_("Call {id} is drawn already. A draw happens once: "
                                  "/council_files {id}"),
}
RULES_PROBLEMS: dict[RulesOutcome, str] = {
    RulesOutcome.NOT_FOUND: NO_CALL,
    RulesOutcome.PREPARED: N_("The draw of call {id} is prepared: its rules are fixed."),
    RulesOutcome.UNSUITED: N_("These rules cannot be used: {problem}"),
}


def prepare_usage(t: Translator) -> str:
    return escape(t.gettext("Usage: /council_prepare <call>"))


def prepare_problem(t: Translator, outcome: PrepareOutcome, call: int) -> str:
    return escape(t.gettext(PREPARE_PROBLEMS[outcome])).format(id=call)


def prepare_unmet(t: Translator, unmet: Sequence[Unmet]) -> str:
    """The rules the completers cannot meet, each as `describe_unmet` says it (Korean: the
    rules are data, as the office wrote them)."""
    lines = [t.gettext("The completers cannot meet the rules:"),
             *(f"• {describe_unmet(u)}" for u in unmet)]
    return escape("\n".join(lines))


def preparing(t: Translator, call: int) -> str:
    return t.gettext("⏳ Preparing the draw of call {id}: computing every completer's chance "
                     "takes up to a few minutes.").format(id=call)


def public_link(t: Translator, url: str) -> str:
    return t.gettext("Public link: {url}").format(url=escape(url))


def prepared(t: Translator, call: int, announcement: Mapping[str, Any]) -> str:
    chances = list(announcement["chances"].values())
    return escape(t.gettext(
        "🔒 The draw of call {id} is prepared. Publish the announcement above before the "
        "draw: it holds the applicant numbers with age band and sex, the rules, each "
        "chance (from {low} to {high}) and the commitment {commitment}. At the draw, enter "
        "the numbers drawn in the room: /council_draw {id} <numbers>"
    )).format(id=call, low=f"{min(chances):.1%}", high=f"{max(chances):.1%}",
             commitment=escape(str(announcement["commitment"])))


def prepare_failed(t: Translator, call: int, reason: str) -> str:
    return escape(t.gettext("The draw of call {id} cannot be prepared: {reason}").format(
        id=call, reason=reason))


def draw_usage(t: Translator) -> str:
    return escape(t.gettext("Usage: /council_draw <call> <the numbers drawn in the room>\n"
                            "Example: /council_draw 1 7 21 33 40 42"))


def draw_problem(t: Translator, outcome: DrawOutcome, call: int) -> str:
    return t.gettext(DRAW_PROBLEMS[outcome]).format(id=call)


def drawn_summary(t: Translator, call: int, record: LotteryRecord) -> str:
    result = record.result
    counts = "\n".join(
        t.gettext("• {rule}: {count} (allowed {low} to {high})").format(
            rule=escape(describe_rule(c.rule)), count=c.count, low=c.minimum, high=c.maximum)
        for c in result.counts)
    return t.gettext(
        "🎲 Call {id} is drawn with {randomness}.\nSelected: {selected}\n"
        "Reserves, in order: {reserves}\n{counts}\nEvery completer is told in the chat. "
        "Publish the record above: anyone can check it with python -m bot sortition verify."
    ).format(id=call, randomness=t.with_particle(f"「{escape(record.public_randomness)}」",
                                                 "으로/로"),
             selected=" ".join(result.selected), reserves=" ".join(result.reserves) or "-",
             counts=counts)


def files_usage(t: Translator) -> str:
    return escape(t.gettext("Usage: /council_files <call>"))


def rules_usage(t: Translator) -> str:
    return escape(t.gettext(
        "Usage: /council_rules <call>, then one rule a line: feature,categories,comparison,"
        "count,percent\nExample:\n/council_rules 1\nage,20대 이하|30대|40대,이상,,15\n"
        "sex,여,미만,,60\nsex,남,미만,,60"))


def rules_shown(t: Translator, recruitment: Recruitment) -> str:
    lines = "\n".join(f"• {escape(describe_rule(rule))}" for rule in recruitment.rules)
    return t.gettext("Call {id}'s composition rules:\n{rules}").format(
        id=recruitment.id, rules=lines) + "\n\n" + rules_usage(t)


def rules_problem_text(
    t: Translator, call: int, outcome: RulesOutcome, problem: str | None
) -> str:
    return escape(t.gettext(RULES_PROBLEMS[outcome]).format(id=call, problem=problem or ""))
