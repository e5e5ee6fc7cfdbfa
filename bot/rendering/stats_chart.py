"""The weekly chart of /stats and the public page: 공감 and participants per KST week (PNG).

Drawn by `bot.rendering.canvas` (matplotlib), imported by the first chart drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Translator
from bot.services.stats import WeekRow


def weekly_chart_png(t: Translator, weeks: Sequence[WeekRow]) -> bytes:
    """Two bars per week, oldest week on the left; labelled with each week's Monday."""
    from bot.rendering import canvas  # matplotlib, loaded by the first chart drawn

    return canvas.weekly_chart_png(t, weeks)
