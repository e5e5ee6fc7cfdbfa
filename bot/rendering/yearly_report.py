"""The yearly 이행상황 report as people and programs read it: labels, the plain-text table of
`python -m bot report yearly`, the open-data files (JSON and CSV) and the charts' contents.

The charts are drawn by `bot.rendering.report_canvas` (matplotlib), imported by the first
chart drawn, as `bot.rendering.charts` does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

from bot.domain.spreadsheet import excel_csv
from bot.domain.yearly_report import Figures, Row, YearlyReport
from bot.i18n import N_, Translator
from bot.rendering.exports import json_bytes

NO_DEPARTMENT = N_("Not assigned yet")
NO_AREA = N_("No 동 given")
CHART_NAMES = ("departments", "areas", "answers")
BLUE, GREEN, GREY, RED = "#1f4e79", "#2e7d4f", "#b8c4d2", "#c0392b"
# (figure, column label) of the tables: the page's, the command line's and the chart's
COLUMNS: tuple[tuple[str, str], ...] = (
    ("received", N_("Received")),
    ("online", N_("Online")),
    ("offline", N_("Offline")),
    ("answered", N_("Answered")),
    ("answered_on_time", N_("On time")),
    ("accepted", N_("Accepted")),
    ("implemented", N_("Implemented")),
    ("overdue", N_("Overdue now")),
    ("budget_promised_krw", N_("Budget promised")),
    ("budget_spent_krw", N_("Budget spent")),
)
MONEY_COLUMNS = frozenset({"budget_promised_krw", "budget_spent_krw"})


def department_name(t: Translator, row: Row) -> str:
    return row.name if row.name is not None else t.gettext(NO_DEPARTMENT)


def area_name(t: Translator, row: Row) -> str:
    return row.name if row.name is not None else t.gettext(NO_AREA)


def percent_text(percent: int | None) -> str:
    return "–" if percent is None else f"{percent}%"


def cell_text(t: Translator, figures: Figures, column: str) -> str:
    value = getattr(figures, column)
    return t.money(value) if column in MONEY_COLUMNS else f"{value:,}"


# ----- open data ---------------------------------------------------------------------------

def figures_record(figures: Figures) -> dict[str, Any]:
    """Every count, the rates as whole percents and the denominators they are of."""
    return asdict(figures) | {
        "answered_with_deadline": figures.on_time.whole,
        "on_time_percent": figures.on_time.percent,
        "accepted_percent": figures.acceptance.percent,
        "implemented_percent": figures.implementation.percent,
    }


def report_record(report: YearlyReport) -> dict[str, Any]:
    """The report as open data: departments and 동 named as they are, null for none."""
    return {
        "dataset": "yearly_report",
        "year": report.year,
        "generated_at": report.generated_at.isoformat(),
        "overall": figures_record(report.overall),
        "departments": [{"department": row.name} | figures_record(row.figures)
                        for row in report.departments],
        "areas": [{"area": row.name} | figures_record(row.figures) for row in report.areas],
    }


def report_json(report: YearlyReport) -> bytes:
    return json_bytes(report_record(report))


CSV_FIGURES = (*(f.name for f in fields(Figures)), "answered_with_deadline", "on_time_percent",
               "accepted_percent", "implemented_percent")


def report_csv(report: YearlyReport) -> bytes:
    """One row for the year, then one per department and one per 동 (`group` says which;
    `name` is empty for no department assigned, or no 동 given)."""
    rows: list[tuple[str, str | None, Figures]] = [("overall", None, report.overall)]
    rows += [("department", row.name, row.figures) for row in report.departments]
    rows += [("area", row.name, row.figures) for row in report.areas]
    header = ("year", "group", "name", *CSV_FIGURES)
    return excel_csv(header, (
        [report.year, group, name, *(figures_record(figures)[key] for key in CSV_FIGURES)]
        for group, name, figures in rows))


def report_file_name(year: int, fmt: str) -> str:
    return f"gonggam-yearly-report-{year}.{fmt}"


# ----- the command line's plain text ---------------------------------------------------------

def plain_report(t: Translator, report: YearlyReport) -> str:
    """The report as a plain-text table for a terminal (Hangul takes two columns)."""
    title = t.gettext("Implementation report {year}").format(year=report.year)
    lines = [title, t.gettext("As of {when} (KST).").format(when=t.moment(report.generated_at))]
    if report.empty:
        return "\n".join([*lines, "", empty_text(t, report.year)])
    lines += ["", *summary_lines(t, report.overall), ""]
    lines += [t.gettext("By department"),
              *table(t, t.gettext("Department"), report.departments, department_name), ""]
    lines += [t.gettext("By 동"), *table(t, t.gettext("동"), report.areas, area_name)]
    return "\n".join(lines)


def empty_text(t: Translator, year: int) -> str:
    return t.gettext("No proposals were received in {year}.").format(year=year)


def summary_lines(t: Translator, figures: Figures) -> list[str]:
    """The year's figures, one a line, each with its rate and what the rate is of."""
    pairs = [
        (t.gettext("Received"), t.gettext("{total} (online {online}, offline {offline}; "
                                           "district proposals {district})").format(
            total=figures.received, online=figures.online, offline=figures.offline,
            district=figures.district)),
        (t.gettext("Answered"), t.gettext("{n} (on time {on_time} of {due}, {percent}; "
                                           "late {late})").format(
            n=figures.answered, on_time=figures.answered_on_time, due=figures.on_time.whole,
            percent=percent_text(figures.on_time.percent), late=figures.answered_late)),
        (t.gettext("Accepted"), rate_text(t, figures.accepted, figures.answered,
                                          figures.acceptance.percent)),
        (t.gettext("Implemented"), rate_text(t, figures.implemented, figures.accepted,
                                             figures.implementation.percent)),
        (t.gettext("Overdue now"), t.gettext("answers {answers}, plan steps {steps}").format(
            answers=figures.overdue_answers, steps=figures.late_steps)),
        (t.gettext("Budget"), t.gettext("promised {promised}, spent {spent}").format(
            promised=t.money(figures.budget_promised_krw),
            spent=t.money(figures.budget_spent_krw))),
    ]
    width = max(text_width(label) for label, _ in pairs)
    return [f"{padded(label, width)}  {value}" for label, value in pairs]


def rate_text(t: Translator, part: int, whole: int, percent: int | None) -> str:
    return t.gettext("{part} of {whole} ({percent})").format(
        part=part, whole=whole, percent=percent_text(percent))


def table(t: Translator, first: str, rows: Sequence[Row], name_of: Any) -> list[str]:
    header = [first, *(t.gettext(label) for _, label in COLUMNS)]
    body = [[name_of(t, row), *(cell_text(t, row.figures, column) for column, _ in COLUMNS)]
            for row in rows]
    widths = [max(text_width(line[i]) for line in [header, *body]) for i in range(len(header))]
    return [aligned(line, widths) for line in [header, *body]]


def aligned(cells: Sequence[str], widths: Sequence[int]) -> str:
    """The first cell on the left, the figures on the right."""
    first, *rest = cells
    return "  ".join([padded(first, widths[0]),
                      *(padded(cell, width, right=True) for cell, width in zip(rest, widths[1:],
                                                                                 strict=True))])


def text_width(text: str) -> int:
    """Columns a terminal gives `text`: two for each wide (Hangul, CJK) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def padded(text: str, width: int, *, right: bool = False) -> str:
    space = " " * max(width - text_width(text), 0)
    return space + text if right else text + space


# ----- charts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int, ...]
    color: str


@dataclass(frozen=True)
class GroupedBars:
    """Horizontal bars per group (a department, a 동), side by side or stacked."""

    title: str
    groups: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool = False
    empty_note: str = ""  # drawn instead of bars when there is nothing to show


def outcome_chart(t: Translator, report: YearlyReport, by_area: bool) -> GroupedBars:
    """Received, accepted and implemented, per department or per 동."""
    rows = report.areas if by_area else report.departments
    name = area_name if by_area else department_name
    title = (t.gettext("Received, accepted and implemented per 동 ({year})") if by_area
             else t.gettext("Received, accepted and implemented per department ({year})"))
    return GroupedBars(
        title=title.format(year=report.year),
        groups=tuple(name(t, row) for row in rows),
        series=(Series(t.gettext("Received"), _values(rows, "received"), GREY),
                Series(t.gettext("Accepted"), _values(rows, "accepted"), BLUE),
                Series(t.gettext("Implemented"), _values(rows, "implemented"), GREEN)),
        empty_note=empty_text(t, report.year),
    )


def answers_chart(t: Translator, report: YearlyReport) -> GroupedBars:
    """Answers on time and late, per department that answered."""
    rows = [row for row in report.departments if row.figures.on_time.whole]
    return GroupedBars(
        title=t.gettext("Final answers on time and late ({year})").format(year=report.year),
        groups=tuple(department_name(t, row) for row in rows),
        series=(Series(t.gettext("On time"), _values(rows, "answered_on_time"), BLUE),
                Series(t.gettext("Late"), _values(rows, "answered_late"), RED)),
        stacked=True,
        empty_note=t.gettext("No final answers yet."),
    )


def chart_png(t: Translator, report: YearlyReport, name: str) -> bytes:
    """The chart `name` (one of CHART_NAMES) as PNG bytes."""
    from bot.rendering.report_canvas import grouped_bars_png  # matplotlib: the first chart

    chart = (answers_chart(t, report) if name == "answers"
             else outcome_chart(t, report, by_area=name == "areas"))
    return grouped_bars_png(chart)


def _values(rows: Sequence[Row], figure: str) -> tuple[int, ...]:
    return tuple(int(getattr(row.figures, figure)) for row in rows)
