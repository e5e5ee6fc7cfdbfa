"""PNG charts from plain data: what a chart shows, reusable by any area.

The drawing is `bot.rendering.canvas` (matplotlib), imported by the first chart drawn, not
when this module is: matplotlib and numpy hold about 45 MB and take 0.4 s to import, and most
processes (a bot that nobody asked for a chart yet, the command line) never draw one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, its value and whether it stands out (e.g. funded)."""

    label: str
    value: float
    highlighted: bool = False


@dataclass(frozen=True)
class BudgetStrip:
    """The money under the bars: the funded items' costs laid end to end, against a line at
    the budget, so one can see at a glance how much of it was spent."""

    budget: int
    costs: tuple[int, ...]  # the funded items, in the order they were funded
    budget_label: str  # e.g. "예산 3억 원"
    used_label: str  # e.g. "선정 2억 8,000만 원"


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    value_axis: str = ""
    note: str | None = None  # a line under the title, e.g. how much of the budget was used
    legend: tuple[str, str] | None = None  # (highlighted, plain)
    budget: BudgetStrip | None = None




def horizontal_bars_png(chart: BarChart) -> bytes:
    """The chart as PNG bytes: one bar per item, top to bottom in the given order, sized for
    a phone (`bot.rendering.canvas.horizontal_bars_png`)."""
    from bot.rendering import canvas  # matplotlib, loaded by the first chart drawn

    return canvas.horizontal_bars_png(chart)
