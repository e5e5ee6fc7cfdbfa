"""Texts of /stats: one short summary under the weekly chart, the full page on the web."""

from __future__ import annotations

from html import escape

from bot.domain.lifecycle import ProposalStatus
from bot.i18n import Translator
from bot.rendering.labels import status_label
from bot.services.stats import DepartmentRow, RoundTurnout, Stats

SUMMARY_DEPARTMENTS = 5  # the chat shows the busiest; the page and open data show them all


def summary(t: Translator, stats: Stats, page_url: str) -> str:
    lines = [
        t.gettext("📈 <b>공감 statistics</b> ({when})").format(when=t.moment(stats.generated_at)),
        t.ngettext("{n} proposal", "{n} proposals", stats.proposals).format(n=stats.proposals),
        *(f" · {escape(status_text(t, status))} {count}"
          for status, count in sorted(stats.by_status.items(), key=lambda item: -item[1])),
        answer_time(t, stats),
        on_time_line(t, stats),
        t.ngettext("❗ Overdue answers: {n} proposal", "❗ Overdue answers: {n} proposals",
                   stats.overdue).format(n=stats.overdue),
        *department_lines(t, stats.departments[:SUMMARY_DEPARTMENTS]),
        t.gettext("💬 Debates: {opinions} opinions · {people} participants").format(
            opinions=stats.opinions, people=stats.debaters),
        *turnout_lines(t, stats.rounds),
        satisfaction_line(t, stats),
        t.gettext("All figures: {url}").format(url=page_url),
    ]
    return "\n".join(lines)


def status_text(t: Translator, status: str) -> str:
    try:
        return status_label(t, ProposalStatus(status))
    except ValueError:
        return status


def answer_time(t: Translator, stats: Stats) -> str:
    if stats.answer_median_days is None:
        return t.gettext("⏱ Time to the final answer: no final answers yet")
    return t.gettext(
        "⏱ Time to the final answer: median {median} days · 90% within {p90} days "
        "({n} answered)"
    ).format(median=stats.answer_median_days, p90=stats.answer_p90_days, n=stats.answered)


def on_time_line(t: Translator, stats: Stats) -> str:
    if stats.on_time_percent is None:
        return t.gettext("⏰ Answered on time: –")
    return t.gettext("⏰ Answered on time: {on_time} of {n} ({percent}%)").format(
        on_time=stats.answered_on_time, n=stats.answered, percent=f"{stats.on_time_percent:g}")


def department_lines(t: Translator, rows: tuple[DepartmentRow, ...]) -> list[str]:
    if not rows:
        return []
    return [t.gettext("🏛 By department (answered · on time · overdue now · interim):"),
            *(f" · {escape(row.department)}: {row.answered} · {row.on_time} · {row.overdue}"
              f" · {row.interim}" for row in rows)]


def turnout_lines(t: Translator, rounds: tuple[RoundTurnout, ...]) -> list[str]:
    if not rounds:
        return []
    lines = [t.gettext("🗳 Participatory budget turnout:")]
    for row in rounds:
        if row.percent is None:
            figure = t.gettext("{ballots} of {eligible} voted")
        else:
            figure = t.gettext("{ballots} of {eligible} voted ({percent}%)")
        figure = figure.format(ballots=row.ballots, eligible=row.eligible,
                               percent=f"{row.percent:g}" if row.percent is not None else "")
        lines.append(f" · {escape(row.name)}: {figure}")
    return lines


def satisfaction_line(t: Translator, stats: Stats) -> str:
    if stats.satisfaction_percent is None:
        return t.gettext("🙂 Satisfaction with answers: no votes yet")
    return t.gettext("🙂 Satisfaction with answers: satisfied {yes} · dissatisfied {no} "
                     "({percent}% satisfied)").format(
        yes=stats.satisfied, no=stats.dissatisfied, percent=stats.satisfaction_percent)


def chart_caption(t: Translator) -> str:
    return t.gettext("공감 and participants in the last 12 weeks")
