"""File formats shared by the downloads: CSV that Excel opens in Korean, and JSON."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.spreadsheet import excel_csv
from bot.i18n import Translator


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


# ----- open data: the datasets of bot.services.exports as files ------------------------------

FORMATS = ("csv", "json")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "proposals": ("id", "hidden", "title", "problem", "solution", "effect", "area", "category",
                  "status", "endorsements", "department", "published_at", "collect_until",
                  "review_due", "debate_closes_at", "answer_due"),
    "answers": ("id", "proposal_id", "department", "kind", "decision", "text",
                "expected_completion", "budget_krw", "percent", "published_at"),
    "debates": ("proposal_id", "title", "closed_at", "participants", "opinions", "for",
                "against", "neutral", "for_percent", "against_percent", "neutral_percent",
                "keywords", "top_for", "top_against", "top_neutral"),
    "rounds": ("round_id", "round_name", "phase", "budget_krw", "ballot_type", "rule", "area",
               "opens_at", "closes_at", "ballots", "eligible", "total_cost_krw", "project_id",
               "project_title", "cost_krw", "votes", "points", "selected"),
    "departments": ("department", "answered", "on_time", "on_time_percent", "overdue_now",
                    "interim_answers"),
}


def dataset_csv(dataset: str, records: list[dict[str, Any]]) -> bytes:
    """One row per record; rounds get one row per project, debates flatten their lists."""
    columns = _COLUMNS[dataset]
    flat = _round_rows(records) if dataset == "rounds" else (
        [_debate_row(r) for r in records] if dataset == "debates" else records)
    return excel_csv(columns, ([_cell(row.get(c)) for c in columns] for row in flat))


def dataset_json(dataset: str, records: list[dict[str, Any]], generated_at: str) -> bytes:
    return json_bytes({"dataset": dataset, "generated_at": generated_at, "records": records})


def file_name(dataset: str, fmt: str, generated_at: str) -> str:
    return f"gonggam-{dataset}-{generated_at[:10]}.{fmt}"


def export_usage(t: Translator) -> str:
    """Plain text: the <placeholders> are not HTML."""
    return t.gettext("Usage: /export <proposals|answers|debates|rounds|departments> [csv|json]\n"
                     "Example: /export proposals csv")


def export_caption(t: Translator, count: int) -> str:
    return t.ngettext("{n} record, without personal data.",
                      "{n} records, without personal data.", count).format(n=count)


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _debate_row(record: dict[str, Any]) -> dict[str, Any]:
    top = record.get("top_opinions", {})
    return record | {
        "keywords": ", ".join(record.get("keywords", [])),
        **{f"top_{stance}": " | ".join(top.get(stance, [])) for stance in ("for", "against",
                                                                             "neutral")},
    }


def _round_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        head = {"round_id": record["id"], "round_name": record["name"]} | {
            key: record.get(key) for key in _COLUMNS["rounds"][2:12]}
        for project in record["projects"] or [{}]:
            rows.append(head | {
                "project_id": project.get("id"), "project_title": project.get("title"),
                "cost_krw": project.get("cost_krw"), "votes": project.get("votes"),
                "points": project.get("points"), "selected": project.get("selected"),
            })
    return rows
