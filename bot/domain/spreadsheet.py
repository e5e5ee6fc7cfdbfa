"""CSV that spreadsheet programs open safely: Korean intact, and no cell run as a formula.

Excel reads UTF-8 only with a byte-order mark, and it evaluates a cell that starts with
``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) as a formula — a resident's title such
as ``=HYPERLINK(...)`` in the public open data would otherwise run on a reader's machine
(OWASP's "CSV injection"). Such text cells get a leading apostrophe, which Excel hides; numbers
are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write: None as empty, formula-like text defused, anything else unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, CRLF lines, every text cell made safe."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue().encode("utf-8")
