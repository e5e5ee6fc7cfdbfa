"""Texts and files of verification codes: the admin's batch (CSV, printable page) and /verify."""

from __future__ import annotations

from html import escape

from bot.domain.spreadsheet import excel_csv
from bot.i18n import N_, Translator
from bot.rendering.templates import html_templates
from bot.services.verification import (
    MAX_BATCH,
    MAX_DAYS,
    BatchOutcome,
    IssuedBatch,
    RedeemOutcome,
    RedeemResult,
)

BATCH_PROBLEMS: dict[BatchOutcome, str] = {
    BatchOutcome.UNKNOWN_AREA: N_("There is no 동 called {area}. Choose one of: {areas}"),
    BatchOutcome.BAD_COUNT: N_("The number of codes must be from 1 to {max_count}."),
    BatchOutcome.BAD_DAYS: N_("The codes must be valid for 1 to {max_days} days."),
}


def codes_usage(t: Translator) -> str:
    """HTML: the <placeholders> are escaped."""
    return escape(t.gettext(
        "Usage: /codes_new <동> <number of codes> <days valid>\nExample: /codes_new 신도림동 50 30"
    ))


def batch_problem(t: Translator, outcome: BatchOutcome, area: str, areas: tuple[str, ...]) -> str:
    text = t.gettext(BATCH_PROBLEMS[outcome]).format(
        area=escape(area), areas=escape(", ".join(areas)), max_count=MAX_BATCH, max_days=MAX_DAYS)
    return f"{text}\n{codes_usage(t)}"


def batch_created(t: Translator, batch: IssuedBatch) -> str:
    ready = t.ngettext(
        "🔑 {count} code for {area} is ready, valid until {until}.",
        "🔑 {count} codes for {area} are ready, valid until {until}.",
        len(batch.codes),
    ).format(count=len(batch.codes), area=escape(batch.area), until=t.deadline(batch.expires_at))
    shown_once = t.gettext(
        "The codes are shown only in these two files: print the page and cut out the slips. "
        "They cannot be shown again."
    )
    return f"{ready} {shown_once}"


def batch_file_stem(batch: IssuedBatch) -> str:
    return f"verification-codes-{batch.batch_id}"


def batch_csv(t: Translator, batch: IssuedBatch) -> bytes:
    header = (t.gettext("No."), t.gettext("동"), t.gettext("Code"), t.gettext("Valid until"))
    until = t.deadline(batch.expires_at)
    return excel_csv(header, ((n, batch.area, code, until)
                              for n, code in enumerate(batch.codes, start=1)))


def batch_printable(t: Translator, batch: IssuedBatch, bot_username: str | None) -> bytes:
    """An A4 page of cut-out slips, one per code, each saying how to use it."""
    page = html_templates(t).get_template("codes_print.html").render(
        batch=batch, until=t.deadline(batch.expires_at), bot_username=bot_username)
    return page.encode("utf-8")


def verify_usage(t: Translator) -> str:
    return t.gettext(
        "Please enter the code from your slip after /verify, for example: /verify K7QM-3XWD\n"
        "You can get a code at your 동 community centre (주민센터)."
    )


def redeem_reply(t: Translator, result: RedeemResult) -> str:
    area = escape(result.area or "")
    if result.outcome is RedeemOutcome.VERIFIED:
        return t.gettext("✅ Done! As a resident of {area} you can now vote in the participatory "
                         "budget.").format(area=area)
    if result.outcome is RedeemOutcome.ALREADY_YOURS:
        return t.gettext("✅ You already used this code. You are a verified resident of {area}."
                         ).format(area=area)
    if result.outcome is RedeemOutcome.USED:
        return t.gettext("⛔ This code has already been used. Please ask your 동 community centre "
                         "for a new one.")
    if result.outcome is RedeemOutcome.EXPIRED:
        return t.gettext("⌛ This code has expired. Please ask your 동 community centre for a new "
                         "one.")
    if result.outcome is RedeemOutcome.RATE_LIMITED:
        assert result.retry_at is not None
        return t.gettext("⏳ Too many wrong codes. Please try again after {when}.").format(
            when=t.moment(result.retry_at))
    text = t.gettext("❓ We could not find this code. Please check it and type it again "
                     "(letters and numbers, for example K7QM-3XWD).")
    if result.tries_left:
        text += "\n" + t.ngettext(
            "After {n} more wrong code you cannot enter codes for an hour.",
            "After {n} more wrong codes you cannot enter codes for an hour.",
            result.tries_left).format(n=result.tries_left)
    return text
