"""Texts of participatory-budget rounds for admins, the results notice and the results chart.

The resident's ballot texts are in `bot/rendering/ballots.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import BallotPage, BudgetNewsOptIn
from bot.db.models import RoundPhase
from bot.domain.events import BudgetResults, BudgetRoundOpened, BudgetVoteOpen
from bot.domain.pb.ballot import BallotType, Eligibility
from bot.domain.pb.reasons import Unfunded
from bot.domain.pb.rounds import FormProblem, Problem, RoundSpec
from bot.i18n import N_, Translator
from bot.rendering import Rendered
from bot.rendering.charts import Bar, BarChart, BudgetStrip
from bot.rendering.registry import EventRegistry
from bot.services.budget import ExportOutcome, ProjectOutcome, ProjectResult, RoundSummary

CAPTION_LIMIT = 1000  # Telegram allows 1024 characters in a photo caption
MESSAGE_LIMIT = 4000  # and 4096 in a message
BUDGET_START = "budget"  # `/start budget`: the deep link of the channel's vote button

PHASES: dict[str, str] = {
    RoundPhase.PREPARING: N_("Preparing"),
    RoundPhase.VOTING: N_("Voting"),
    RoundPhase.COUNTING: N_("Counting"),
    RoundPhase.PUBLISHED: N_("Results published"),
}
BALLOT_TYPES: dict[str, str] = {
    BallotType.APPROVAL_BUDGET: N_("choose projects within the budget"),
    BallotType.CHOOSE_K: N_("choose up to {k} projects"),
    BallotType.CUMULATIVE: N_("share {n} points, at most {m} per project"),
}
RULES: dict[str, str] = {
    "greedy": N_("most votes first, within the budget"),
    "greedy-no-skip": N_("most votes first, stopping at the first project that does not fit"),
    "greedy-points": N_("most points first, within the budget"),
    "greedy-ratio": N_("most votes per won first, within the budget"),
    "mes": N_("method of equal shares"),
    "mes-add1": N_("method of equal shares, with completion"),
    "mes-add1-full": N_("method of equal shares, with full completion"),
}
TIE_BREAKS: dict[str, str] = {
    "cheapest": N_("the cheaper project first"),
    "id": N_("the lower project number first"),
}
ELIGIBILITY: dict[str, str] = {
    Eligibility.EVERYONE: N_("everyone"),
    Eligibility.CONTACT: N_("residents who shared a phone number"),
    Eligibility.VERIFIED: N_("verified residents"),
}
PROBLEMS: dict[Problem, str] = {
    Problem.NO_COLON: N_("Write it as “key: value”."),
    Problem.UNKNOWN_KEY: N_("Unknown item “{key}”."),
    Problem.DUPLICATE: N_("This item appears twice."),
    Problem.MISSING: N_("“{key}” is missing."),
    Problem.TOO_LONG: N_("This is too long."),
    Problem.BAD_AMOUNT: N_("Write an amount such as 3억, 1억 2,000만 or 50000000."),
    Problem.ZERO_AMOUNT: N_("The amount must be more than 0 won."),
    Problem.BAD_DATE: N_("Write a date and time such as 2026-12-01 09:00."),
    Problem.OPENS_IN_PAST: N_("The start has already passed."),
    Problem.CLOSE_BEFORE_OPEN: N_("The end must come after the start."),
    Problem.BAD_BALLOT: N_("Choose one: 예산 (within the budget), 선택 (up to k), 점수 (points)."),
    Problem.BAD_NUMBER: N_("Write a whole number of 1 or more."),
    Problem.NEEDS_K: N_("A “선택” ballot needs “선택 수: k” (how many projects at most)."),
    Problem.NEEDS_POINTS: N_("A “점수” ballot needs “총점: n” (points per resident)."),
    Problem.PER_PROJECT_TOO_BIG: N_("The points per project cannot exceed the total points."),
    Problem.BAD_ELIGIBILITY: N_("Choose one: 누구나, 전화번호, 인증."),
    Problem.BAD_AREA: N_("This 동 is not one of the district's."),
    Problem.AREA_NEEDS_VERIFIED: N_("A 동 limit needs “자격: 인증” (verified residents)."),
    Problem.BAD_RULE: N_("Choose one: greedy, greedy-no-skip, greedy-points, greedy-ratio, mes, "
                         "mes-add1, mes-add1-full."),
    Problem.BAD_TIE_BREAK: N_("Choose one: 저렴한 순 (cheapest), 번호순 (id)."),
    Problem.BAD_PERCENT: N_("Write a percentage from 0 to 100."),
    Problem.BAD_YES_NO: N_("Write 예 or 아니오."),
}
KEY_NAMES: dict[str, str] = {
    "name": "이름", "budget": "예산", "opens": "시작", "closes": "마감", "ballot": "방식",
    "k": "선택 수", "points": "총점", "per_project": "사업당 최대", "eligibility": "자격",
    "area": "동", "rule": "집계", "tie_break": "동점", "min_support": "최소 지지율",
    "changeable": "변경 가능", "title": "제목", "description": "설명", "cost": "비용",
    "category": "분야",
}
ROUND_EXAMPLE = (
    "/round_new\n"
    "이름: 2027 구로 주민참여예산\n"
    "예산: 3억\n"
    "시작: 2026-12-01 09:00\n"
    "마감: 2026-12-14\n"
    "방식: 예산\n"
    "자격: 누구나\n"
    "집계: greedy\n"
    "최소 지지율: 0\n"
    "변경 가능: 예"
)
ROUND_OPTIONS = (
    "방식: 예산 | 선택 (선택 수: 3) | 점수 (총점: 10, 사업당 최대: 5)\n"
    "자격: 누구나 | 전화번호 | 인증 (동: 구로1동)\n"
    "집계: 다득표순(greedy) | 다득표순, 넘치면 멈춤(greedy-no-skip)\n"
    "      | 점수순(greedy-points) | 비용 대비 득표순(greedy-ratio)\n"
    "      | 균등 배분(mes) | 균등 배분+보완(mes-add1) | 균등 배분+최대 보완(mes-add1-full)\n"
    "동점: 저렴한 순 | 번호순"
)
PROJECT_EXAMPLE = (
    "/project_add {round_id}\n"
    "제목: 어린이공원 가로등 설치\n"
    "설명: 둘레길에 LED 가로등 6개\n"
    "비용: 3,000만\n"
    "동: 구로1동\n"
    "분야: 안전·방범"
)


# ----- admin replies --------------------------------------------------------------------------


def round_usage(t: Translator) -> str:
    intro = t.gettext("Send /round_new with the round on the following lines, one “key: value” "
                      "per line. For example:")
    options = t.gettext("Options:")
    return (f"{intro}\n<pre>{escape(ROUND_EXAMPLE)}</pre>\n"
            f"{options}\n<pre>{escape(ROUND_OPTIONS)}</pre>")


def project_usage(t: Translator, round_id: int | None) -> str:
    intro = t.gettext("Send /project_add with the round number and the project on the following "
                      "lines. For example:")
    example = PROJECT_EXAMPLE.format(round_id=round_id if round_id is not None else 1)
    return f"{intro}\n<pre>{escape(example)}</pre>"


def form_problems(t: Translator, problems: Sequence[FormProblem], usage: str) -> str:
    """Each problem with the line it is on, then the example to copy."""
    lines = [t.gettext("⚠️ Please fix the form:")]
    for problem in problems:
        key = KEY_NAMES.get(problem.key, problem.key)
        reason = t.gettext(PROBLEMS[problem.problem]).format(key=escape(key))
        if problem.line is None:
            lines.append(f"• {reason}")
        else:
            where = t.gettext("Line {n}").format(n=problem.line)
            lines.append(f"• {where} <code>{escape(problem.text)}</code>: {reason}")
    return "\n".join(lines) + "\n\n" + usage


def ballot_label(t: Translator, ballot_type: str, k: int | None, n: int | None,
                 m: int | None) -> str:
    return t.gettext(BALLOT_TYPES[ballot_type]).format(k=k, n=n, m=m)


def rule_label(t: Translator, rule: str) -> str:
    return t.gettext(RULES[rule]) if rule in RULES else rule


def tie_break_label(t: Translator, tie_break: str) -> str:
    return t.gettext(TIE_BREAKS[tie_break]) if tie_break in TIE_BREAKS else tie_break


def eligibility_label(t: Translator, eligibility: str, area: str | None) -> str:
    label = t.gettext(ELIGIBILITY[eligibility])
    return f"{label} ({escape(area)})" if area else label


def round_created(t: Translator, round_id: int, spec: RoundSpec) -> str:
    lines = [
        t.gettext("✅ Round no. {id} 「{name}」 is ready.").format(id=round_id,
                                                                   name=escape(spec.name)),
        t.gettext("Budget: {money}").format(money=t.money(spec.budget_krw)),
        t.gettext("Voting: {opens} – {closes}").format(opens=t.moment(spec.opens_at),
                                                      closes=t.deadline(spec.closes_at)),
        t.gettext("Ballot: {ballot}").format(ballot=ballot_label(
            t, spec.ballot.value, spec.max_choices, spec.points_total, spec.points_per_project)),
        t.gettext("Who can vote: {who}").format(
            who=eligibility_label(t, spec.eligibility.value, spec.area)),
        t.gettext("Counting: {rule}, ties: {tie_break}, minimum support: {support}").format(
            rule=f"{rule_label(t, spec.rule.value)} ({spec.rule.value})",
            tie_break=tie_break_label(t, spec.tie_break.value),
            support=f"{spec.min_support_percent}%" if spec.min_support_percent else "—"),
        (t.gettext("Residents can change their ballot until the end.") if spec.changeable
         else t.gettext("A submitted ballot cannot be changed.")),
        "",
        t.gettext("Next: add projects with /project_add {id} or import accepted proposals with "
                  "/round_import {id}, before voting opens.").format(id=round_id),
    ]
    return "\n".join(lines)


def rounds_list(t: Translator, rounds: Sequence[RoundSummary], page_url: Callable[[int], str]
                ) -> str:
    """Newest first; a published round links to its results page."""
    if not rounds:
        return t.gettext("There are no budget rounds yet. Create one with /round_new.")
    lines = [t.gettext("🗳 Budget rounds")]
    for item in rounds:
        phase = t.gettext(PHASES[item.phase])
        lines.append(
            f"\n<b>#{item.id} {escape(item.name)}</b> · {phase}\n"
            + t.gettext("{opens} – {closes} · {money}").format(
                opens=t.moment(item.opens_at), closes=t.deadline(item.closes_at),
                money=t.money(item.budget_krw))
            + "\n"
            + t.ngettext("{n} project", "{n} projects", item.projects).format(n=item.projects)
            + " · "
            + t.ngettext("{n} ballot", "{n} ballots", item.ballots).format(n=item.ballots)
            + (f"\n{page_url(item.id)}" if item.phase is RoundPhase.PUBLISHED else "")
        )
    return "\n".join(lines)


def unknown_round(t: Translator, round_id: int) -> str:
    return t.gettext("There is no round no. {id}. See /rounds.").format(id=round_id)


def not_preparing(t: Translator) -> str:
    return t.gettext("Voting has already opened for this round, so its projects can no longer "
                     "change.")


def project_added(t: Translator, round_id: int, project_id: int, title: str,
                  over_budget: bool) -> str:
    text = t.gettext("✅ Project no. {project} 「{title}」 was added to round no. {id}.").format(
        project=project_id, title=escape(title), id=round_id)
    if over_budget:
        text += "\n" + t.gettext("⚠️ It costs more than the whole budget, so it cannot be funded.")
    return text


def imported(t: Translator, round_id: int, added: int, already: int) -> str:
    text = t.ngettext("✅ {n} accepted proposal was added to round no. {id}.",
                      "✅ {n} accepted proposals were added to round no. {id}.",
                      added).format(n=added, id=round_id)
    if already:
        text += "\n" + t.ngettext("{n} was already there.", "{n} were already there.",
                                  already).format(n=already)
    return text


def export_not_closed(t: Translator) -> str:
    return t.gettext("The ballots can be exported once voting has closed.")


def project_refusal(t: Translator, round_id: int, result: ProjectResult) -> str:
    """Why projects could not be added to the round."""
    if result.outcome is ProjectOutcome.UNKNOWN_ROUND:
        return unknown_round(t, round_id)
    return not_preparing(t)


def project_reply(t: Translator, round_id: int, title: str, result: ProjectResult) -> str:
    """/project_add: the project added (with a warning if it costs more than the budget)."""
    if result.outcome is ProjectOutcome.ADDED:
        assert result.project_id is not None
        return project_added(t, round_id, result.project_id, title, result.over_budget)
    return project_refusal(t, round_id, result)


def import_reply(t: Translator, round_id: int, result: ProjectResult) -> str:
    """/round_import: how many accepted proposals became projects."""
    if result.outcome is ProjectOutcome.ADDED:
        return imported(t, round_id, result.added, result.already)
    return project_refusal(t, round_id, result)


EXPORT_REFUSALS: dict[ExportOutcome, Callable[[Translator, int], str]] = {
    ExportOutcome.UNKNOWN_ROUND: unknown_round,
    ExportOutcome.NOT_CLOSED: lambda t, _round_id: export_not_closed(t),
}


def export_refusal(t: Translator, round_id: int, outcome: ExportOutcome) -> str | None:
    """Why /round_export sends no files; None when it sends them."""
    refuse = EXPORT_REFUSALS.get(outcome)
    return None if refuse is None else refuse(t, round_id)


def export_caption(t: Translator, round_id: int, ballots: int) -> str:
    return t.ngettext("Round no. {id}: {n} anonymous ballot",
                      "Round no. {id}: {n} anonymous ballots", ballots).format(id=round_id,
                                                                               n=ballots)


def round_usage_id(t: Translator, command: str) -> str:
    """HTML: the <placeholder> is escaped."""
    return escape(t.gettext("Usage: /{command} <round number>").format(command=command))


# ----- notices --------------------------------------------------------------------------------


BUDGET_TEMPLATES: EventRegistry[str] = EventRegistry()
BUDGET_KEYBOARDS: EventRegistry[InlineKeyboardMarkup | None] = EventRegistry()


@BUDGET_TEMPLATES.of(BudgetRoundOpened)
def round_opened(t: Translator, event: BudgetRoundOpened) -> str:
    """The channel post; a command cannot be tapped there, so it points at the vote button
    (or, when the bot's username is unknown and there is no button, at /budget)."""
    if not event.bot_username:
        return t.gettext(
            "🗳 Participatory budget vote 「{name}」 is open until {closes}: {projects} projects "
            "for {money}. Vote in the bot with /budget.\n{url}"
        ).format(name=escape(event.name), closes=t.deadline(event.closes_at),
                 projects=event.projects, money=t.money(event.budget), url=event.url)
    return t.gettext(
        "🗳 Participatory budget vote 「{name}」 is open until {closes}: {projects} projects "
        "for {money}.\nTap the button below to vote in the bot.\nAll projects: {url}"
    ).format(name=escape(event.name), closes=t.deadline(event.closes_at),
             projects=event.projects, money=t.money(event.budget), url=event.url)


def vote_link(bot_username: str) -> str:
    """The deep link that opens /budget in a private chat with the bot."""
    return f"https://t.me/{bot_username}?start={BUDGET_START}"


@BUDGET_KEYBOARDS.of(BudgetRoundOpened)
def round_opened_keyboard(t: Translator, event: BudgetRoundOpened) -> InlineKeyboardMarkup | None:
    if not event.bot_username:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("🗳 Go vote"), url=vote_link(event.bot_username))]])


@BUDGET_TEMPLATES.of(BudgetVoteOpen)
def vote_open(t: Translator, event: BudgetVoteOpen) -> str:
    """The push to a resident who asked for budget news."""
    return "\n".join([
        t.gettext("🗳 A new participatory budget vote is open: 「{name}」").format(
            name=escape(event.name)),
        t.ngettext("Choose among {n} project for {money} until {deadline}.",
                   "Choose among {n} projects for {money} until {deadline}.",
                   event.projects).format(n=event.projects, money=t.money(event.budget),
                                          deadline=t.deadline(event.closes_at)),
        t.gettext("You asked to hear of new budget votes; /budget_news turns this off."),
    ])


@BUDGET_KEYBOARDS.of(BudgetVoteOpen)
def vote_open_keyboard(t: Translator, event: BudgetVoteOpen) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        t.gettext("🗳 Open the ballot"),
        callback_data=BallotPage(event.round_id, 0, -1, 0).pack())]])


def budget_news_view(t: Translator, opted_in: bool) -> Rendered:
    """/budget_news, and the offer under the 💰 screen when no vote is open."""
    if opted_in:
        text = t.gettext("🔔 We will tell you when a new participatory budget vote opens. "
                         "You can stop at any time.")
        label = t.gettext("🔕 Stop budget vote news")
    else:
        text = t.gettext("🔔 Shall we tell you when a new participatory budget vote opens?")
        label = t.gettext("🔔 Yes, tell me")
    button = InlineKeyboardButton(label, callback_data=BudgetNewsOptIn(int(not opted_in),
                                                                       0).pack())
    return Rendered(text, InlineKeyboardMarkup([[button]]))


def turnout_text(t: Translator, ballots: int, eligible: int) -> str:
    if eligible <= 0:
        return t.ngettext("{n} resident voted.", "{n} residents voted.", ballots).format(n=ballots)
    return t.gettext("{n} of {eligible} eligible residents voted ({percent}%).").format(
        n=f"{ballots:,}", eligible=f"{eligible:,}", percent=round(100 * ballots / eligible))


UNSENT_NOTES: dict[str, str] = {
    "draft": N_("Your ballot was not submitted before the vote closed, so it was not counted. "
                "Here are the results."),
    "changes": N_("Your last changes were not submitted before the vote closed, so your "
                  "earlier ballot is the one that counted."),
}
REASONS: dict[str, str] = {
    Unfunded.NO_VOTES: N_("nobody chose it"),
    Unfunded.LOW_SUPPORT: N_("below the minimum support"),
    Unfunded.OVER_BUDGET: N_("costs more than the whole budget"),
    Unfunded.DID_NOT_FIT: N_("more than the {left} left"),
    Unfunded.LOST_TIE: N_("tied, placed after by the tie-break; more than the {left} left"),
    Unfunded.STOPPED: N_("the count stopped at an earlier project that did not fit"),
    Unfunded.SHARES: N_("its supporters' equal shares could not pay for it"),
}


def unfunded_reason(t: Translator, reason: str | None, left: int | None) -> str:
    """Why a project was not funded, in a few words ('' for results counted before reasons)."""
    if reason not in REASONS:
        return ""
    return t.gettext(REASONS[reason]).format(left=t.money(int(left or 0)))


@BUDGET_TEMPLATES.of(BudgetResults)
def results_notice(t: Translator, event: BudgetResults) -> str:
    """Every project, funded first, then the rest with why, then the money left. As a photo
    caption when it fits (see `results_photo`), else as a message cut to Telegram's limit."""
    chosen = len(event.funded)
    head = [
        t.gettext("🗳 Results of 「{name}」").format(name=escape(event.name)),
        t.ngettext("{n} project was chosen ({used} of the {budget} budget).",
                   "{n} projects were chosen ({used} of the {budget} budget).", chosen).format(
            n=chosen, used=t.money(int(event.total_cost)), budget=t.money(int(event.budget))),
        turnout_text(t, int(event.ballots), int(event.eligible)),
    ]
    if event.unsent in UNSENT_NOTES:
        head.insert(0, t.gettext(UNSENT_NOTES[event.unsent]) + "\n")
    points = event.ballot_type == BallotType.CUMULATIVE
    funded = [_funded_line(t, item, points) for item in event.funded]
    if not funded:
        funded = [t.gettext("No project was funded.")]
    lines = funded + [_unfunded_line(t, item, points) for item in event.unfunded or ()]
    tail = [t.gettext("All results: {url}").format(url=event.url)]
    if event.unfunded is not None:
        left = int(event.budget) - int(event.total_cost)
        tail.insert(0, t.gettext("💰 Left unspent: {money}").format(money=t.money(left)))
    return _fit("\n".join(head), lines, "\n".join(tail), t, MESSAGE_LIMIT)


def results_photo(event: BudgetResults, text: str) -> str | None:
    """The chart goes with the results when the text fits in a photo caption."""
    return event.photo_url if len(text) <= CAPTION_LIMIT else None


def _count_text(t: Translator, n: int, points: bool) -> str:
    return (t.ngettext("{n} point", "{n} points", n) if points
            else t.ngettext("{n} vote", "{n} votes", n)).format(n=f"{n:,}")


def _funded_line(t: Translator, item: Sequence[Any], points: bool) -> str:
    """`✅ 공원 화장실 개선 — 12표 · 1,800만 원`; notices queued before the counts were added
    carry only the title and the cost."""
    title, cost = escape(str(item[0])), t.money(int(item[1]))
    if len(item) < 3:
        return f"✅ {title} — {cost}"
    return f"✅ {title} — {_count_text(t, int(item[2]), points)} · {cost}"


def _unfunded_line(t: Translator, item: Sequence[Any], points: bool) -> str:
    """`▫️ 도서관 책 구입 — 1표 · 4,000만 원 (남은 1,000만 원보다 많아요)`."""
    title, cost = escape(str(item[0])), t.money(int(item[1]))
    why = unfunded_reason(t, item[3], item[4])
    line = f"▫️ {title} — {_count_text(t, int(item[2]), points)} · {cost}"
    return f"{line} ({why})" if why else line


def _fit(head: str, items: list[str], tail: str, t: Translator, limit: int) -> str:
    """As many items as fit in `limit` characters, then “…and n more”."""
    for shown in range(len(items), -1, -1):
        rest = len(items) - shown
        more = [t.gettext("…and {n} more").format(n=rest)] if rest else []
        text = "\n\n".join([head, "\n".join(items[:shown] + more), tail])
        if len(text) <= limit:
            return text
    return f"{head}\n\n{tail}"[:limit]


# ----- the chart ------------------------------------------------------------------------------


def results_chart(t: Translator, name: str, results: dict[str, Any]) -> BarChart:
    """Votes (or points) per project, funded ones highlighted, the budget used in the note."""
    points = results.get("ballot_type") == BallotType.CUMULATIVE
    unit = t.gettext("points") if points else t.gettext("votes")
    bars = tuple(
        Bar(f"{p['title']}\n{t.money(int(p['cost']))}",
            float(p["points"] if points else p["votes"]), bool(p["selected"]))
        for p in results["projects"])
    budget = int(results["budget"])
    used = int(results["total_cost"])
    note = t.gettext("{used} of the {budget} budget is funded ({percent}%)").format(
        used=t.money(used), budget=t.money(budget),
        percent=round(100 * used / budget) if budget else 0)
    strip = BudgetStrip(
        budget=budget, costs=_funded_costs(results),
        budget_label=t.gettext("Budget {amount}").format(amount=t.money(budget)),
        used_label=t.gettext("Funded {amount}").format(amount=t.money(used)))
    return BarChart(
        title=t.gettext("{name}: results").format(name=name), bars=bars, value_axis=unit,
        note=note, legend=(t.gettext("Funded"), t.gettext("Not funded")), budget=strip,
    )


def _funded_costs(results: dict[str, Any]) -> tuple[int, ...]:
    """The funded projects' costs in the order the rule funded them (the stored selection)."""
    costs = {str(p["id"]): int(p["cost"]) for p in results["projects"] if p["selected"]}
    order = [str(pid) for pid in results.get("selected", []) if str(pid) in costs]
    order += [pid for pid in costs if pid not in order]
    return tuple(costs[pid] for pid in order)
