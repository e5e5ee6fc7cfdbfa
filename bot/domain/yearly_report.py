"""The yearly 이행상황 report: what came of the proposals received in one year.

The 조례 asks the district to publish every year how residents' proposals were carried out.
The figures, as the page, the open data and `python -m bot report yearly <year>` state them:

- a proposal belongs to year Y when it was received (`created_at`) in Y, Korea time;
  proposals never published (awaiting moderation, rejected by it) and hidden ones are left out;
- received: all of them, online or offline (entered by staff from paper, a visit or a call),
  and how many the district itself put forward (「구 제안」);
- answered: the department's final answer came; on time when it came by the answer deadline,
  late when after it (an answer without a deadline is neither);
- accepted: that answer accepted the proposal, wholly or in part;
- implemented: the work was reported complete;
- overdue now, when the report is made: reviews and answers past their deadline, and steps of
  a promised plan whose day has passed without being reached;
- budget: promised is the sum the accepting answers named; spent is the part of it whose
  proposals are complete.

Rates are whole percents of a stated denominator: on time of the answers with a deadline,
accepted of the answered, implemented of the accepted. Everything here is pure: the service
reads one row of counts per (department, 동) and this module adds them up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, tzinfo

FIRST_YEAR = 2000
LAST_YEAR = 2100


def report_year(text: str) -> int | None:
    """The year in `text` (ASCII digits, 2000–2100); None for anything else."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    year = int(value)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next one, in the zone `tz` (Korea time)."""
    return (datetime.combine(date(year, 1, 1), time(0), tzinfo=tz),
            datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=tz))


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`, shown as a whole percent with the denominator beside it."""

    part: int
    whole: int

    @property
    def percent(self) -> int | None:
        """Rounded half up (2 of 3 is 67 %); None when there is nothing to divide."""
        if not self.whole:
            return None
        return (200 * self.part + self.whole) // (2 * self.whole)


@dataclass(frozen=True)
class Figures:
    """The counts of one group of proposals (a year, a department's, a 동's)."""

    received: int = 0
    online: int = 0
    offline: int = 0
    district: int = 0  # 「구 제안」, put forward by the district itself
    answered: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    accepted: int = 0
    implemented: int = 0
    overdue_answers: int = 0  # reviews and answers past their deadline now
    late_steps: int = 0  # plan steps whose day passed without being reached
    budget_promised_krw: int = 0
    budget_spent_krw: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def on_time(self) -> Rate:
        """Of the answers that had a deadline."""
        return Rate(self.answered_on_time, self.answered_on_time + self.answered_late)

    @property
    def acceptance(self) -> Rate:
        return Rate(self.accepted, self.answered)

    @property
    def implementation(self) -> Rate:
        return Rate(self.implemented, self.accepted)

    @property
    def overdue(self) -> int:
        return self.overdue_answers + self.late_steps


@dataclass(frozen=True)
class Cell:
    """One row the database returns: the figures of one department in one 동.

    None stands for no department assigned yet, or no 동 given."""

    department: str | None
    area: str | None
    figures: Figures


@dataclass(frozen=True)
class Row:
    """A department's or a 동's figures; `name` None: none assigned, or none given."""

    name: str | None
    figures: Figures


@dataclass(frozen=True)
class YearlyReport:
    year: int
    generated_at: datetime  # "overdue now" means at this instant
    overall: Figures
    departments: tuple[Row, ...]
    areas: tuple[Row, ...]

    @property
    def empty(self) -> bool:
        return self.overall.received == 0


def build_report(year: int, generated_at: datetime, cells: Iterable[Cell]) -> YearlyReport:
    """The year's report from its cells: the whole, per department and per 동."""
    listed = tuple(cells)
    return YearlyReport(
        year=year,
        generated_at=generated_at,
        overall=sum((cell.figures for cell in listed), Figures()),
        departments=rows_by(listed, lambda cell: cell.department),
        areas=rows_by(listed, lambda cell: cell.area),
    )


def rows_by(cells: Iterable[Cell], key: Callable[[Cell], str | None]) -> tuple[Row, ...]:
    """The cells added up per key, the most proposals received first, then by name (the
    group without a name last among equals)."""
    totals: dict[str | None, Figures] = {}
    for cell in cells:
        name = key(cell)
        totals[name] = totals.get(name, Figures()) + cell.figures
    rows = [Row(name, figures) for name, figures in totals.items()]
    return tuple(sorted(rows, key=lambda row: (-row.figures.received, row.name is None,
                                               row.name or "")))
