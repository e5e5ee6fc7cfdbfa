"""Why residents report a text, and why moderators hide one: one list for both.

The order matters: report and reject buttons carry a reason's position in this tuple.
"""

from __future__ import annotations

REPORT_REASONS: tuple[str, ...] = ("spam", "abuse", "personal", "offtopic", "duplicate")
