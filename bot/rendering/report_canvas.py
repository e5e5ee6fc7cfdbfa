"""The yearly report's charts drawn with matplotlib's Agg canvas, imported only to draw one.

It draws with `bot.rendering.canvas`'s Korean font and sizes: the same look as the other
charts, one figure and canvas per call (safe in a worker thread).
"""

from __future__ import annotations

import io
import warnings

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator

from bot.rendering.canvas import (
    DPI,
    LABEL_SIZE,
    TEXT,
    WIDTH_INCHES,
    korean_font,
    sized_font,
)
from bot.rendering.yearly_report import GroupedBars

GROUP_HEIGHT = 0.8  # of the space between two groups' centres
MAX_HEIGHT_INCHES = 40.0


def grouped_bars_png(chart: GroupedBars) -> bytes:
    """One row per group, top to bottom in the given order; its series side by side (or
    stacked), each bar labelled with its value; the legend under the axes."""
    font = korean_font()
    figure = Figure(figsize=(WIDTH_INCHES, _height(chart)), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if chart.groups:
        _bars(axes, chart, font)
        figure.legend(prop=sized_font(font, LABEL_SIZE), loc="outside lower center",
                      ncols=len(chart.series), frameon=False)
    else:
        axes.set_axis_off()
        axes.text(0.5, 0.5, chart.empty_note, ha="center", va="center", color=TEXT,
                  fontproperties=sized_font(font, LABEL_SIZE), transform=axes.transAxes)
    figure.suptitle(chart.title, fontproperties=sized_font(font, 14, bold=True), color=TEXT)
    out = io.BytesIO()
    with warnings.catch_warnings():
        if font is None:  # already said once (no Korean font); not once per missing glyph
            warnings.simplefilter("ignore", UserWarning)
        figure.savefig(out, format="png")
    return out.getvalue()


def _bars(axes: Axes, chart: GroupedBars, font: FontProperties | None) -> None:
    count = len(chart.groups)
    centres = [count - 1 - index for index in range(count)]  # the first group on top
    thickness = GROUP_HEIGHT if chart.stacked else GROUP_HEIGHT / len(chart.series)
    left = [0] * count
    for number, series in enumerate(chart.series):
        offset = 0.0 if chart.stacked else GROUP_HEIGHT / 2 - thickness * (number + 0.5)
        drawn = axes.barh([c + offset for c in centres], list(series.values), thickness,
                          left=left if chart.stacked else None, color=series.color,
                          label=series.label)
        labels = [f"{v:,}" if v or not chart.stacked else "" for v in series.values]
        axes.bar_label(drawn, labels, label_type="center" if chart.stacked else "edge",
                       padding=0 if chart.stacked else 3,
                       color="white" if chart.stacked else TEXT,
                       fontproperties=sized_font(font, 10))
        if chart.stacked:
            left = [a + b for a, b in zip(left, series.values, strict=True)]
    axes.set_yticks(centres, list(chart.groups), fontproperties=sized_font(font, LABEL_SIZE))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.12)
    axes.spines[["top", "right"]].set_visible(False)


def _height(chart: GroupedBars) -> float:
    per_group = 0.45 if chart.stacked else 0.3 + 0.25 * len(chart.series)
    return min(2.2 + per_group * max(len(chart.groups), 2), MAX_HEIGHT_INCHES)
