"""Publishing a counted round: the results, with the chart as a photo, go to every voter,
the public channel and the round's creator; the links point at the public round page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import BudgetRound
from bot.domain.events import BudgetResults, Event
from bot.domain.pb.ballot import BallotType
from bot.domain.venues import Venues
from bot.services.audit import record_audit
from bot.services.ballots import LatestBallot, ballot_fates
from bot.services.outbox import enqueue, enqueue_for_users

SCHEDULER = "scheduler"
# Whose ballot gets the results, and what the message adds about it (None: it counted).
UNSENT: dict[LatestBallot, str | None] = {
    LatestBallot.COUNTED: None,
    LatestBallot.CHANGES_UNSENT: "changes",
    LatestBallot.DRAFT_ONLY: "draft",
}


def round_url(public_base_url: str, round_id: int) -> str:
    return f"{public_base_url.rstrip('/')}/budget/{round_id}"


def chart_url(public_base_url: str, round_id: int) -> str:
    return f"{round_url(public_base_url, round_id)}/chart.png"


async def publish_results(
    session: AsyncSession, row: BudgetRound, results: dict[str, Any], now: datetime,
    venues: Venues,
) -> None:
    """The results, with the chart as a photo, to every voter and to the public channel;
    the owner of a ballot the count did not take hears why in the same message."""
    notice = results_notice(row, results, venues)
    fates = await ballot_fates(session, row.id)
    for fate, unsent in UNSENT.items():
        owners = [user_id for user_id, found in fates.items() if found is fate]
        await enqueue_for_users(session, owners, notice.replace(unsent=unsent), now)
    if venues.public_channel_id is not None:
        await enqueue(session, chat_id=venues.public_channel_id, notice=notice, now=now)
    await tell_creator(session, row, notice, now)
    record_audit(session, now, SCHEDULER, "budget.publish", f"budget_round:{row.id}",
                 after={"selected": results["selected"], "total_cost": results["total_cost"],
                        "ballots": results["ballots"]})


def results_notice(row: BudgetRound, results: dict[str, Any], venues: Venues) -> BudgetResults:
    """Every project: the funded ones in the order funded, then the rest with the reason."""
    by_id = {p["id"]: p for p in results["projects"]}
    count = "points" if results["ballot_type"] == BallotType.CUMULATIVE else "votes"
    unfunded = [p for p in results["projects"] if not p["selected"]]
    return BudgetResults(
        row.id, row.name, results["budget"], results["total_cost"], results["ballots"],
        results["eligible"],
        # [title, cost, votes (or points on a cumulative ballot)], in the order funded
        [[by_id[i]["title"], by_id[i]["cost"], by_id[i][count]] for i in results["selected"]],
        round_url(venues.public_base_url, row.id), ballot_type=results["ballot_type"],
        photo_url=chart_url(venues.public_base_url, row.id), key=str(row.id),
        unfunded=[[p["title"], p["cost"], p[count], p.get("reason"), p.get("left")]
                  for p in unfunded],
    )


async def tell_creator(
    session: AsyncSession, row: BudgetRound, notice: Event, now: datetime
) -> None:
    """The admin who made the round hears what the scheduler did with it (once: a creator who
    also voted already has the results, and the outbox's dedupe key sees that)."""
    kind, _, telegram_id = row.created_by.partition(":")
    if kind == "telegram" and telegram_id.isdigit():
        await enqueue(session, chat_id=int(telegram_id), notice=notice, now=now)
