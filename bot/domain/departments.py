"""Finding a department by what a moderator types: a number, or its name as people say it.

Staff type 「도로과」, 「도로 과」, 「도로」 or 「안전총괄」 for 「안전총괄과」: the match ignores
spacing, width and case, and the unit suffix (과, 팀, 실, 국, 단, 센터) when the rest is long
enough to mean something. A name that matches exactly wins; otherwise every department whose
name holds what was typed is a candidate, and the moderator picks among them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

UNIT_SUFFIXES = ("센터", "과", "팀", "실", "국", "단")


@dataclass(frozen=True)
class Named:
    id: int
    name: str


def department_key(name: str) -> str:
    """The form names are compared in: NFKC, no spaces or dots, lower case, no unit suffix."""
    folded = "".join(unicodedata.normalize("NFKC", name).lower().split()).replace("·", "")
    for suffix in UNIT_SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 2:
            return folded[: -len(suffix)]
    return folded


def match_departments(typed: str, departments: Sequence[Named]) -> list[Named]:
    """The departments `typed` names: one for a number or an exact name, else every name
    that contains it (in the given order); empty when nothing fits."""
    typed = typed.strip()
    if typed.isdigit():
        return [d for d in departments if d.id == int(typed)]
    key = department_key(typed)
    if not key:
        return []
    exact = [d for d in departments if department_key(d.name) == key]
    return exact or [d for d in departments if key in department_key(d.name)]


def default_first(departments: Sequence[Named], default_id: int | None) -> list[Named]:
    """The category's default department first, the others in their order."""
    return sorted(departments, key=lambda d: d.id != default_id)
