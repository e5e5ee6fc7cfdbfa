"""The weekly chart of /stats and the public page: 공감 and participants per KST week (PNG).

Reuses the Korean font lookup of `bot.rendering.charts` (Noto Sans CJK through matplotlib's
font manager, Agg backend) and, like it, builds its own Figure (safe in a worker thread).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.i18n import Translator
from bot.rendering.charts import HIGHLIGHT, PLAIN, TEXT, korean_font, sized_font
from bot.services.stats import WeekRow

BAR_WIDTH = 0.4


def weekly_chart_png(t: Translator, weeks: Sequence[WeekRow]) -> bytes:
    """Two bars per week, oldest week on the left; labelled with each week's Monday."""
    font = korean_font()
    figure = Figure(figsize=(6.4, 3.6), dpi=140, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    axes.bar([p - BAR_WIDTH / 2 for p in positions], [w.endorsements for w in weeks],
             BAR_WIDTH, color=HIGHLIGHT, label=t.gettext("공감"))
    axes.bar([p + BAR_WIDTH / 2 for p in positions], [w.participants for w in weeks],
             BAR_WIDTH, color=PLAIN, label=t.gettext("Participants"))
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

