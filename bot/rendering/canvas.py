"""Charts drawn as PNG with matplotlib's Agg canvas (no pyplot), imported only to draw one.

Korean labels need a CJK font: Noto Sans CJK (Debian's fonts-noto-cjk) is looked up through
matplotlib's font manager and, if its cache predates the install, by file name. Without it
the chart is still drawn (Hangul shows as boxes) and a warning says what to install.

The functions build their own `Figure` and canvas, so they are safe to call from a worker
thread (pyplot's global state is never touched).
"""

from __future__ import annotations

import io
import logging
import textwrap
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.i18n import Translator
from bot.rendering.charts import BarChart, BudgetStrip
from bot.services.stats import WeekRow

log = logging.getLogger(__name__)

KOREAN_FAMILIES = ("Noto Sans CJK KR", "Noto Sans KR", "Noto Sans CJK JP", "NanumGothic")
KOREAN_FILE_MARKS = ("NotoSansCJK", "NotoSansKR", "NanumGothic")
HIGHLIGHT = "#1f4e79"
BUDGET_LINE = "#c0392b"
STRIP_INCHES = 1.1
PLAIN = "#b8c4d2"
TEXT = "#1b2430"
LABEL_WIDTH = 14  # characters per label line
LABEL_SIZE = 12
WIDTH_INCHES = 6.0
DPI = 150
WEEK_BAR_WIDTH = 0.4


@cache
def korean_font() -> FontProperties | None:
    """A font with Hangul, found once per process; None (and a warning) when there is none."""
    for family in KOREAN_FAMILIES:
        try:
            path = font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        return FontProperties(fname=path)
    candidates = [path for path in font_manager.findSystemFonts()
                  if any(mark in Path(path).name for mark in KOREAN_FILE_MARKS)]
    if candidates:  # the regular weight first, then a stable order
        return FontProperties(fname=min(candidates, key=lambda p: ("Regular" not in p, p)))
    log.warning("no Korean font found for charts: install fonts-noto-cjk (Hangul shows as boxes)")
    return None


def horizontal_bars_png(chart: BarChart, font: FontProperties | None = None) -> bytes:
    """The chart as PNG bytes: one bar per item, top to bottom in the given order.

    Sized for a phone: a narrow figure with large type, so the labels stay readable when a
    messenger or a 390-pixel page shrinks the image to the screen's width.
    """
    font = font if font is not None else korean_font()
    strip_inches = STRIP_INCHES if chart.budget is not None else 0.0
    figure = Figure(figsize=(WIDTH_INCHES, _height(len(chart.bars)) + strip_inches), dpi=DPI,
                    layout="constrained")
    FigureCanvasAgg(figure)
    if chart.budget is None:
        axes = figure.add_subplot()
    else:
        axes, strip = figure.subplots(
            2, 1, height_ratios=[_height(len(chart.bars)), strip_inches])
        _budget_strip(strip, chart.budget, font)
    bars = list(reversed(chart.bars))  # matplotlib draws the first bar at the bottom
    positions = range(len(bars))
    drawn = axes.barh(list(positions), [b.value for b in bars],
                      color=[HIGHLIGHT if b.highlighted else PLAIN for b in bars])
    axes.set_yticks(list(positions), [_wrapped(b.label) for b in bars],
                    fontproperties=sized_font(font, LABEL_SIZE))
    axes.bar_label(drawn, [_number(b.value) for b in bars], padding=3,
                   fontproperties=sized_font(font, LABEL_SIZE), color=TEXT)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(chart.value_axis, fontproperties=sized_font(font, LABEL_SIZE))
    axes.margins(x=0.18)
    axes.spines[["top", "right"]].set_visible(False)
    _titles(figure, chart, font)
    if chart.legend is not None:
        handles = [Patch(color=HIGHLIGHT, label=chart.legend[0]),
                   Patch(color=PLAIN, label=chart.legend[1])]
        figure.legend(handles=handles, prop=sized_font(font, LABEL_SIZE),
                      loc="outside lower center",  # below the axes: it never covers a bar
                      ncols=2, frameon=False)
    out = io.BytesIO()
    with warnings.catch_warnings():
        if font is None:  # already said once (no Korean font); not once per missing glyph
            warnings.simplefilter("ignore", UserWarning)
        figure.savefig(out, format="png")
    return out.getvalue()


def _budget_strip(axes: Axes, strip: BudgetStrip, font: FontProperties | None) -> None:
    """One horizontal bar of the funded costs, segment by segment, and a line at the budget."""
    left = 0
    for cost in strip.costs:
        axes.barh([0], [cost], left=[left], color=HIGHLIGHT, edgecolor="white", height=0.6)
        left += cost
    axes.axvline(strip.budget, color=BUDGET_LINE, linewidth=2.5)
    axes.set_xlim(0, max(strip.budget, left) * 1.05 or 1)
    axes.set_yticks([])
    axes.set_xticks([])
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.text(strip.budget, 0.55, strip.budget_label, transform=axes.get_xaxis_transform(),
              ha="right", va="bottom", color=BUDGET_LINE, fontproperties=sized_font(font, 11))
    axes.set_xlabel(strip.used_label, fontproperties=sized_font(font, LABEL_SIZE), color=TEXT)


def _titles(figure: Figure, chart: BarChart, font: FontProperties | None) -> None:
    """The title in bold above the chart, the note in normal type under it."""
    figure.suptitle(chart.title, fontproperties=sized_font(font, 15, bold=True), color=TEXT)
    if chart.note is not None:
        figure.axes[0].set_title(
            chart.note, fontproperties=sized_font(font, LABEL_SIZE), color=TEXT
        )


def sized_font(
    font: FontProperties | None, size: float, *, bold: bool = False
) -> FontProperties:
    """A copy of `font` (or the default) at `size`, bold if asked."""
    sized = font.copy() if font is not None else FontProperties()
    sized.set_size(size)
    if bold:
        sized.set_weight("bold")
    return sized


def _height(count: int) -> float:
    return min(2.4 + 0.75 * max(count, 1), 40.0)


def _wrapped(label: str) -> str:
    """Each line of a label in at most two short lines, so long titles do not squeeze the bars."""
    return "\n".join(_two_lines(line) for line in label.split("\n"))


def _two_lines(line: str) -> str:
    lines = textwrap.wrap(line, LABEL_WIDTH) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: LABEL_WIDTH - 1] + "…"]
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def weekly_chart_png(t: Translator, weeks: Sequence[WeekRow]) -> bytes:
    """Two bars per week, oldest week on the left; labelled with each week's Monday."""
    font = korean_font()
    figure = Figure(figsize=(6.4, 3.6), dpi=140, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    axes.bar([p - WEEK_BAR_WIDTH / 2 for p in positions], [w.endorsements for w in weeks],
             WEEK_BAR_WIDTH, color=HIGHLIGHT, label=t.gettext("공감"))
    axes.bar([p + WEEK_BAR_WIDTH / 2 for p in positions], [w.participants for w in weeks],
             WEEK_BAR_WIDTH, color=PLAIN, label=t.gettext("Participants"))
    axes.set_xticks(positions, [f"{w.starts.month}/{w.starts.day}" for w in weeks],
                    fontproperties=sized_font(font, 9))
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="y", labelsize=9)
    locator = axes.yaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one: whole counts only
        locator.set_params(integer=True)
    axes.legend(prop=sized_font(font, 11), frameon=False, ncols=2, loc="lower left",
                bbox_to_anchor=(0, 1.0))
    figure.suptitle(t.gettext("공감 and participants per week (weeks start on Monday)"),
                    fontproperties=sized_font(font, 12, bold=True), color=TEXT)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()

