"""Exporting a closed round: the anonymised ballots as a Pabulib `.pb` file and a CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BudgetRound, RoundPhase
from bot.domain.pb.pbfile import format_pb
from bot.domain.spreadsheet import excel_csv
from bot.services.audit import record_audit
from bot.services.budget.counting import build_election
from bot.services.budget.queries import CountData, load_count_data


class ExportOutcome(StrEnum):
    READY = "ready"
    UNKNOWN_ROUND = "unknown_round"
    NOT_CLOSED = "not_closed"


@dataclass(frozen=True)
class Export:
    outcome: ExportOutcome
    pb_text: str = ""
    csv_bytes: bytes = b""
    ballots: int = 0


async def export_round(
    session: AsyncSession, round_id: int, *, now: datetime, actor: str
) -> Export:
    """The anonymised ballots as a `.pb` file and a CSV (UTF-8 with BOM), after the close.

    Before the close the export is refused, even for admins: partial counts must not leave
    the system while people are still voting. Every export is in the audit log.
    """
    row = await session.get(BudgetRound, round_id)
    if row is None:
        return Export(ExportOutcome.UNKNOWN_ROUND)
    if row.phase not in (RoundPhase.COUNTING, RoundPhase.PUBLISHED):
        return Export(ExportOutcome.NOT_CLOSED)
    data = await load_count_data(session, row)
    record_audit(session, now, actor, "budget.export", f"budget_round:{round_id}",
                 after={"ballots": len(data.ballots)})
    return Export(ExportOutcome.READY, format_pb(build_election(data)), ballots_csv(data),
                  len(data.ballots))


def ballots_csv(data: CountData) -> bytes:
    """One row per ballot (anonymous number), one column per project with its points."""
    return excel_csv(
        ["voter_id", *[f"{p.id} {p.title}" for p in data.projects]],
        ([number, *[choices.get(str(p.id), 0) for p in data.projects]]
         for number, choices in enumerate(data.ballots, start=1)))
