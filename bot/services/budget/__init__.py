"""Participatory-budget rounds, the admin's side: rounds, projects, import, phases, count, export.

A round goes 준비 → 투표 중 → 집계 → 결과 공개 (preparing → voting → counting → published).
Admins create it and its projects while it is preparing (`rounds`, `projects`); the deadline
machine opens it at `opens_at`, closes it at `closes_at` and then counts it once (`phases`,
`counting`, `publishing`). The SQL the use cases share is in `queries`.

The resident's ballot (drafts, submission, receipts) is `bot.services.ballots`; a ballot
counts here when its `submitted_at` is set, with its `choices` ({project id: points}).

The use cases are re-exported here, so callers write `budget.create_round(...)`.
"""

from __future__ import annotations

from bot.services.budget.counting import (
    RESULTS_VERSION,
    build_election,
    compute_results,
    count_outcome,
)
from bot.services.budget.export import Export, ExportOutcome, ballots_csv, export_round
from bot.services.budget.news import budget_news_opt_in, set_budget_news, tell_subscribers
from bot.services.budget.phases import (
    CLOSINGS,
    COUNTS,
    OPENINGS,
    close_round,
    count_round,
    due_closings,
    due_counts,
    due_openings,
    open_round,
)
from bot.services.budget.projects import (
    AcceptedProposal,
    ProjectOutcome,
    ProjectResult,
    accepted_with_budget,
    add_project,
    import_accepted,
)
from bot.services.budget.public_page import RoundPage, load_round_page
from bot.services.budget.publishing import chart_url, round_url
from bot.services.budget.queries import (
    CountData,
    ProjectRow,
    count_eligible,
    eligible_condition,
    load_count_data,
    round_projects,
)
from bot.services.budget.rounds import RoundSummary, create_round, list_rounds

__all__ = [
    "CLOSINGS",
    "COUNTS",
    "OPENINGS",
    "RESULTS_VERSION",
    "AcceptedProposal",
    "CountData",
    "Export",
    "ExportOutcome",
    "ProjectOutcome",
    "ProjectResult",
    "ProjectRow",
    "RoundPage",
    "RoundSummary",
    "accepted_with_budget",
    "add_project",
    "ballots_csv",
    "budget_news_opt_in",
    "build_election",
    "chart_url",
    "close_round",
    "compute_results",
    "count_eligible",
    "count_outcome",
    "count_round",
    "create_round",
    "due_closings",
    "due_counts",
    "due_openings",
    "eligible_condition",
    "export_round",
    "import_accepted",
    "list_rounds",
    "load_count_data",
    "load_round_page",
    "open_round",
    "round_projects",
    "round_url",
    "set_budget_news",
    "tell_subscribers",
]
