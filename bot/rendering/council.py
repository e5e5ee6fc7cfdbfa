"""Texts and buttons of the 주민자치회 recruitment: the call, the consent, the answers, the
receipt, withdrawing; and the staff's replies (opening a call, completers, the table)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import CouncilApply, CouncilWithdraw
from bot.domain.council import AGE_BANDS, MAX_RESERVES, MAX_SEATS, SEXES, Step, applicant_number
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.services.council import (
    ApplyOutcome,
    ApplyResult,
    CompletersResult,
    OpenOutcome,
    OpenResult,
    Recruitment,
    Standing,
)

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
    if application is None or application.withdrawn:
        return Rendered(_call(t, recruitment), _keyboard([
            (t.gettext("✍️ Apply"), CouncilApply(recruitment.id, Step.CONSENT))]))
    line = _application_line(t, application.number, application.age_band, application.sex)
    return Rendered(f"{_call(t, recruitment)}\n\n{line}", _applied_keyboard(t, recruitment.id))


def consent(t: Translator, recruitment_id: int) -> Rendered:
    """Personal information protection: what is asked, what for, who sees it (PIPA §15)."""
    text = t.gettext(
        "To apply, please agree to how your answers are used.\n"
        "• Asked: your age band and your sex.\n"
        "• Used for: this lottery's composition rules only (at least 15 % aged 40s or "
        "under; under 60 % of one sex), and nothing else.\n"
        "• Seen by: the 동 office staff. The published draw shows only your applicant "
        "number with your age band and sex: no name, no contact.\n"
        "• If you withdraw, your application leaves the draw.")
    return Rendered(text, _keyboard([
        (t.gettext("✅ Agree and continue"), CouncilApply(recruitment_id, Step.AGE)),
        (t.gettext("Back"), CouncilApply(recruitment_id, Step.CALL))]))


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
        return t.gettext("There is no call {id}.").format(id=call)
    lines = [t.ngettext("✅ {count} completer recorded.", "✅ {count} completers recorded.",
                        result.recorded).format(count=result.recorded)]
    if result.unknown:
        lines.append(t.gettext("Not applicants of this call (or withdrawn): {numbers}").format(
            numbers=", ".join(applicant_number(n) for n in result.unknown)))
    if not_numbers:
        lines.append(t.gettext("Not numbers: {words}").format(
            words=escape(", ".join(not_numbers[:20]))))
    lines.append(t.gettext("The table for the lottery: /council_pool {id}").format(id=call))
    return "\n".join(lines)


def pool_usage(t: Translator) -> str:
    return escape(t.gettext("Usage: /council_pool <call>"))


def pool_sent(t: Translator, recruitment: Recruitment, completers: int, applied: int) -> str:
    return t.gettext(
        "📋 {area}, call {id}: {completers} of {applied} applicants completed the "
        "주민자치학교. Above: their table (numbers, age band, sex) and Seoul's rules. For "
        "the public draw: python -m bot sortition prepare --pool POOL.csv --rules RULES.csv "
        "--seats {seats} --reserves {reserves} --out ANNOUNCEMENT.json --secret-out "
        "SECRET.json (publish the announcement, keep the secret until the draw), then "
        "sortition draw with the randomness drawn in the room."
    ).format(area=escape(recruitment.area), id=recruitment.id, completers=completers,
             applied=applied, seats=recruitment.seats, reserves=recruitment.reserves)


def no_call(t: Translator, call: int) -> str:
    return t.gettext("There is no call {id}.").format(id=call)
