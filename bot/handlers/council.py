"""The 주민자치회 recruitment: /council and its application screens (residents), and
/council_new, /council_completed, /council_pool (admins).

The application keeps nothing between taps: each button carries the answers so far
(`CouncilApply`), and only the last screen writes. Every screen re-checks the window and the
resident's verified 동, so a button kept from yesterday says at once what changed.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from datetime import date

from telegram import InputFile
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.buttons import CouncilApply, CouncilOfferAnswer, CouncilWithdraw
from bot.domain import council as rules
from bot.domain.council import Step
from bot.domain.lottery import (
    SECRET_BYTES,
    LotteryError,
    Prepared,
    QuotaRule,
    normalised_randomness,
)
from bot.domain.lottery_tables import RULE_COLUMNS, parse_rules, rule_row
from bot.domain.permissions import Action
from bot.domain.spreadsheet import excel_csv
from bot.handlers.access import permitted
from bot.handlers.common import actor_of
from bot.handlers.shape import Press, Said, on_message, on_press
from bot.lottery_draw import find_distribution
from bot.rendering import Answer, Rendered
from bot.rendering import council as view
from bot.services import council, council_draw
from bot.services.council import (
    ApplyOutcome,
    RecruitmentRequest,
    RulesOutcome,
    WithdrawOutcome,
)
from bot.services.council_draw import DrawOutcome, OfferOutcome, PrepareOutcome

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


@permitted(Action.APPLY_COUNCIL)
@on_message
async def show_call(said: Said) -> None:
    """/council: the open call of the resident's 동, with their application if any."""
    async with said.context.transaction() as session:
        standing = await council.standing(session, said.user_id, said.now)
    await said.send(view.standing_view(said.t, standing))


@permitted(Action.APPLY_COUNCIL)
@on_press(CouncilApply)
async def application_step(press: Press[CouncilApply]) -> None:
    """One screen of the application; the last one applies."""
    target = press.data
    if target.step == Step.SUBMIT:
        await _submit(press)
        return
    if target.step == Step.CALL:
        await _show_call(press)
        return
    async with press.context.transaction() as session:
        allowed = await council.may_apply(session, recruitment_id=target.recruitment_id,
                                          user_id=press.user_id, now=press.now)
    if allowed.outcome is not ApplyOutcome.APPLIED or allowed.recruitment is None:
        await press.alert(view.refusal(press.t, allowed))
        return
    await _show_step(press, allowed.recruitment)


async def _show_call(press: Press[CouncilApply]) -> None:
    """「뒤로」 and 「아니요」: the call as /council shows it, in place."""
    async with press.context.transaction() as session:
        standing = await council.standing(session, press.user_id, press.now)
    await press.show(view.standing_view(press.t, standing))


async def _show_step(press: Press[CouncilApply], recruitment: council.Recruitment) -> None:
    target, t = press.data, press.t
    screens: dict[int, Callable[[], Rendered]] = {
        Step.CONSENT: lambda: view.consent(t, recruitment),
        Step.AGE: lambda: view.ask_age(t, target.recruitment_id),
        Step.SEX: lambda: view.ask_sex(t, target.recruitment_id, target.age),
        Step.REVIEW: lambda: view.review(t, target.recruitment_id, target.age, target.sex),
    }
    screen = screens.get(target.step)
    if screen is None or not _answers_so_far_known(target):
        await press.alert(view.refusal(t, council.ApplyResult(ApplyOutcome.BAD_CHOICE)))
        return
    await press.show(screen())


def _answers_so_far_known(target: CouncilApply) -> bool:
    """A forged press names an answer no button offers; a step past the answers is stale."""
    age_needed = target.step in (Step.SEX, Step.REVIEW, Step.SUBMIT)
    sex_needed = target.step in (Step.REVIEW, Step.SUBMIT)
    return ((not age_needed or rules.age_band(target.age) is not None)
            and (not sex_needed or rules.sex(target.sex) is not None))


async def _submit(press: Press[CouncilApply]) -> None:
    target = press.data
    age, sex = rules.age_band(target.age), rules.sex(target.sex)
    async with press.context.transaction() as session:
        result = await council.apply(session, recruitment_id=target.recruitment_id,
                                     user_id=press.user_id, age_band=age, sex=sex,
                                     now=press.now)
    log.info("council application to call %s: %s", target.recruitment_id, result.outcome)
    if result.outcome not in (ApplyOutcome.APPLIED, ApplyOutcome.UPDATED) or not (age and sex):
        await press.alert(view.refusal(press.t, result))
        return
    await press.show(view.receipt(press.t, result, age, sex))


@permitted(Action.APPLY_COUNCIL)
@on_press(CouncilWithdraw)
async def withdraw(press: Press[CouncilWithdraw]) -> None:
    """「신청 취소」: asked once, then done."""
    target = press.data
    if not target.confirmed:
        await press.show(view.ask_withdraw(press.t, target.recruitment_id))
        return
    async with press.context.transaction() as session:
        outcome = await council.withdraw(session, recruitment_id=target.recruitment_id,
                                         user_id=press.user_id, now=press.now)
        standing = await council.standing(session, press.user_id, press.now)
    log.info("council withdrawal from call %s: %s", target.recruitment_id, outcome)
    await _after_withdrawal(press, outcome, standing)


async def _after_withdrawal(
    press: Press[CouncilWithdraw], outcome: WithdrawOutcome, standing: council.Standing
) -> None:
    if outcome is WithdrawOutcome.CLOSED or standing.recruitment is None:
        await press.alert(view.refusal(press.t, council.ApplyResult(ApplyOutcome.CLOSED)))
        return
    if outcome is WithdrawOutcome.NOT_APPLIED:
        await press.answer(Answer(view.not_applied(press.t), alert=True,
                                  redraw=view.standing_view(press.t, standing)))
        return
    await press.show(view.withdrawn(press.t, standing.recruitment))


# ----- admins ----------------------------------------------------------------------------


def parse_open_command(text: str) -> RecruitmentRequest | None:
    """`/council_new <동> <seats> <reserves> <YYYY-MM-DD>`; None when the shape is wrong."""
    parts = text.split()
    if len(parts) != 5:
        return None
    seats, reserves = rules.as_number(parts[2]), rules.as_number(parts[3])
    if seats is None or reserves is None:
        return None
    try:
        last_day = date.fromisoformat(parts[4])
    except ValueError:
        return None
    return RecruitmentRequest(parts[1], seats, reserves, last_day)


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def open_call(said: Said) -> None:
    request = parse_open_command(said.message.text or "")
    if request is None:
        await said.reply_html(view.open_usage(said.t))
        return
    settings = said.context.services.settings
    async with said.context.transaction() as session:
        result = await council.open_recruitment(
            session, request, areas=settings.areas, tz=settings.policy.timezone,
            actor=actor_of(said.update), now=said.now)
    if result.recruitment is None:
        await said.reply_html(view.open_problem(said.t, result.outcome, request.area,
                                                settings.areas))
        return
    await said.reply_html(view.opened(said.t, result))


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def record_completers(said: Said) -> None:
    """`/council_completed <call> <numbers…>`, the numbers as pasted from a sign-in sheet."""
    words = (said.message.text or "").split()  # the numbers may come one a line
    call = rules.as_number(words[1]) if len(words) > 1 else None
    numbers, not_numbers = rules.parse_numbers(" ".join(words[2:]))
    if call is None or not numbers or len(numbers) > rules.MAX_NUMBERS:
        await said.reply_html(view.completers_usage(said.t))
        return
    async with said.context.transaction() as session:
        result = await council.record_completers(
            session, recruitment_id=call, numbers=numbers, actor=actor_of(said.update),
            now=said.now)
    await said.reply_html(view.completers_recorded(said.t, call, result, not_numbers))


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def send_pool(said: Said) -> None:
    """`/council_pool <call>`: the completers' table and Seoul's rules, for the lottery."""
    call = _call_argument(said)
    if call is None:
        await said.reply_html(view.pool_usage(said.t))
        return
    async with said.context.transaction() as session:
        recruitment, done, applied = await council.completers(session, call)
    if recruitment is None:
        await said.reply_html(view.no_call(said.t, call))
        return
    pool = excel_csv(rules.POOL_HEADER, rules.pool_rows(done))
    seoul = excel_csv(RULE_COLUMNS, [rule_row(rule) for rule in recruitment.rules])
    await said.message.reply_document(InputFile(pool, filename=f"council-{call}-pool.csv"))
    await said.message.reply_document(InputFile(seoul, filename=f"council-{call}-rules.csv"))
    await said.reply_html(view.pool_sent(said.t, recruitment, len(done), applied))


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def set_rules(said: Said) -> None:
    """`/council_rules <call>` shows the call's rules; with rule lines after it, sets them."""
    call, lines = _call_argument(said), (said.message.text or "").splitlines()[1:]
    if call is None:
        await said.reply_html(view.rules_usage(said.t))
        return
    if not any(line.strip() for line in lines):
        await _show_rules(said, call)
        return
    try:
        quotas = parse_rules("\n".join([",".join(RULE_COLUMNS), *lines]))
    except LotteryError as error:
        await said.reply_html(view.rules_problem_text(said.t, call, RulesOutcome.UNSUITED,
                                                      str(error)))
        return
    await _store_rules(said, call, quotas)


async def _show_rules(said: Said, call: int) -> None:
    async with said.context.transaction() as session:
        found = await council.recruitment(session, call)
    await said.reply_html(view.rules_shown(said.t, found) if found is not None
                          else view.no_call(said.t, call))


async def _store_rules(said: Said, call: int, quotas: tuple[QuotaRule, ...]) -> None:
    async with said.context.transaction() as session:
        result = await council.set_rules(session, recruitment_id=call, rules=quotas,
                                         actor=actor_of(said.update), now=said.now)
    if result.outcome is not RulesOutcome.SET or result.recruitment is None:
        await said.reply_html(view.rules_problem_text(said.t, call, result.outcome,
                                                      result.problem))
        return
    await said.reply_html(view.rules_shown(said.t, result.recruitment))


# ----- the draw ---------------------------------------------------------------------------


def _call_argument(said: Said) -> int | None:
    """The call number, the first word after the command."""
    words = (said.message.text or "").split()
    return rules.as_number(words[1]) if len(words) > 1 else None


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def prepare_draw(said: Said) -> None:
    """`/council_prepare <call>`: the completers under Seoul's rules; the chances are computed
    apart (minutes for a large pool), then the announcement comes as a file."""
    call = _call_argument(said)
    if call is None:
        await said.reply_html(view.prepare_usage(said.t))
        return
    async with said.context.transaction() as session:
        start = await council_draw.draw_inputs(session, call, said.now)
    if start.outcome is PrepareOutcome.UNMET:
        await said.reply_html(view.prepare_unmet(said.t, start.unmet))
    elif start.outcome is not PrepareOutcome.READY:
        await said.reply_html(view.prepare_problem(said.t, start.outcome, call))
    else:
        await said.reply_html(view.preparing(said.t, call))
        said.context.application.create_task(_prepare_apart(said, call, start))


async def _prepare_apart(said: Said, call: int, start: council_draw.PrepareStart) -> None:
    """Compute the distribution in its own process, keep it with a fresh secret, send the
    announcement; the update itself was answered already."""
    assert start.inputs is not None
    try:
        found = await find_distribution(start.inputs)
        prepared = Prepared(start.title, start.inputs, secrets.token_bytes(SECRET_BYTES),
                            found.distribution, found.library)
        async with said.context.services.sessionmaker() as session, session.begin():
            await council_draw.store_prepared(session, call, prepared,
                                              actor=actor_of(said.update), now=said.now)
    except Exception as error:  # the admin must hear of any failure, not wait on "⏳"
        log.exception("preparing the draw of council call %s failed", call)
        await said.reply_html(view.prepare_failed(said.t, call, str(error)))
        return
    await _send_files(said, call)


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def draw(said: Said) -> None:
    """`/council_draw <call> <numbers drawn in the room>`: once."""
    call, words = _call_argument(said), (said.message.text or "").split()[2:]
    if call is None or not words:
        await said.reply_html(view.draw_usage(said.t))
        return
    drawn = await _conduct(said, call, " ".join(words))
    if drawn is None:
        await said.reply_html(view.draw_usage(said.t))
    elif drawn.outcome is not DrawOutcome.DRAWN or drawn.record is None:
        await said.reply_html(view.draw_problem(said.t, drawn.outcome, call))
    else:
        await _send_files(said, call)
        await said.reply_html(view.drawn_summary(said.t, call, drawn.record))


async def _conduct(said: Said, call: int, randomness: str) -> council_draw.Drawn | None:
    """The draw; None when the words are no randomness (only separators)."""
    try:
        normalised_randomness(randomness)
    except LotteryError:
        return None
    async with said.context.transaction() as session:
        return await council_draw.conduct_draw(
            session, call, randomness, actor=actor_of(said.update), now=said.now,
            tz=said.context.services.settings.policy.timezone)


@permitted(Action.COUNCIL_ADMIN)
@on_message
async def send_files(said: Said) -> None:
    """`/council_files <call>`: the announcement, and the record once drawn."""
    call = _call_argument(said)
    if call is None:
        await said.reply_html(view.files_usage(said.t))
        return
    if not await _send_files(said, call):
        await said.reply_html(view.draw_problem(said.t, DrawOutcome.NOT_PREPARED, call))


async def _send_files(said: Said, call: int) -> bool:
    """The draw's files as they are published; False when it is not prepared."""
    async with said.context.services.sessionmaker() as session:
        announcement, record = await council_draw.prepared_files(session, call)
    if announcement is None:
        return False
    for name, data in (("announcement", announcement), ("record", record)):
        if data is not None:
            body = json.dumps(data, ensure_ascii=False, indent=2).encode()
            await said.message.reply_document(
                InputFile(body, filename=f"council-{call}-{name}.json"))
    link = _public_link(said, call, "announcement" if record is None else "record")
    await said.reply_html(link if record is not None else
                          f"{view.prepared(said.t, call, announcement)}\n{link}")
    return True


def _public_link(said: Said, call: int, name: str) -> str:
    base_url = said.context.services.settings.venues.public_base_url
    return view.public_link(said.t, council_draw.council_file_url(base_url, call, name))


@on_press(CouncilOfferAnswer)
async def answer_offer(press: Press[CouncilOfferAnswer]) -> None:
    """✅ or 🙏 on a seat offered: a declined seat goes to the next reserve at once."""
    target = press.data
    async with press.context.transaction() as session:
        result = await council_draw.answer_offer(
            session, application_id=target.application_id, user_id=press.user_id,
            accept=bool(target.accept), now=press.now,
            tz=press.context.services.settings.policy.timezone)
    log.info("council offer %s answered: %s", target.application_id, result.outcome)
    if result.outcome in (OfferOutcome.ACCEPTED, OfferOutcome.DECLINED):
        await press.show(view.offer_answered(press.t, result))
        return
    await press.alert(view.offer_refused(press.t, result))


def register(application: Application) -> None:
    """Before the fallbacks, whose catch-all answers unknown buttons as stale."""
    application.add_handler(CommandHandler("council", show_call, filters=PRIVATE))
    application.add_handler(CommandHandler("council_new", open_call, filters=PRIVATE))
    application.add_handler(CommandHandler("council_completed", record_completers,
                                           filters=PRIVATE))
    application.add_handler(CommandHandler("council_pool", send_pool, filters=PRIVATE))
    application.add_handler(CommandHandler("council_rules", set_rules, filters=PRIVATE))
    application.add_handler(CommandHandler("council_prepare", prepare_draw, filters=PRIVATE))
    application.add_handler(CommandHandler("council_draw", draw, filters=PRIVATE))
    application.add_handler(CommandHandler("council_files", send_files, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(application_step,
                                                 pattern=CouncilApply.matches))
    application.add_handler(CallbackQueryHandler(withdraw, pattern=CouncilWithdraw.matches))
    application.add_handler(CallbackQueryHandler(answer_offer,
                                                 pattern=CouncilOfferAnswer.matches))
