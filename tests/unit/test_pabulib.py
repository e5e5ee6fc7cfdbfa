"""Our rules against pabutools' outcomes and the cities' real outcomes on ten real Pabulib files.

The files live outside the repository, in ``../shared/pabulib`` (licence: research data,
not shipped); the tests skip when that folder is absent.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from bot.domain.pb import Election, file_selected, format_pb, parse_pb, tally

PABULIB = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
pytestmark = pytest.mark.skipif(
    not (PABULIB / "expected.json").is_file(),
    reason=f"the shared Pabulib fixtures are not at {PABULIB}",
)

EXPECTED_KEYS = {
    "greedy": "greedy_cost",
    "greedy-ratio": "greedy_card",
    "greedy-points": "greedy_points",
    "mes": "mes_cost",
    "mes-add1": "mes_cost_add1_greedy",
    "mes-add1-full": "mes_cost_add1full_greedy",
}
FILES = sorted(path.name for path in PABULIB.glob("*.pb")) if PABULIB.is_dir() else []

# (file prefix, rule, tie-break) that reproduce the city's `selected` column (README.md)
CITY_OUTCOMES = [
    ("Poland_Krakow_2020", "greedy", "id"),
    ("Poland_Krakow_2020", "greedy-points", "id"),
    ("Poland_Katowice_2023", "greedy-points", "id"),
    ("Poland_Warszawa_2017_Grochow", "greedy", "id"),
    ("Poland_Warszawa_2020_Rembertow", "greedy", "cheapest"),
    ("Poland_Swiecie_2023", "mes-add1", "id"),
    ("Poland_Swiecie_2023", "mes-add1-full", "id"),
    ("Poland_Wieliczka_2023", "mes-add1-full", "id"),
]


@cache
def election(name: str) -> Election:
    return parse_pb((PABULIB / name).read_bytes().decode("utf-8"))


@cache
def expected() -> dict[str, dict[str, list[str]]]:
    data: dict[str, dict[str, list[str]]] = json.loads((PABULIB / "expected.json").read_text())
    return data


def file_named(prefix: str) -> str:
    (name,) = [name for name in FILES if name.startswith(prefix)]
    return name


CASES = [
    pytest.param(name, rule, id=f"{name[:30]}-{rule}")
    for name in FILES
    for rule in EXPECTED_KEYS
]


@pytest.mark.parametrize(("name", "rule"), CASES)
def test_rule_selects_what_pabutools_selects_with_id_tie_break(name: str, rule: str) -> None:
    key = EXPECTED_KEYS[rule]
    if key not in expected()[name]:
        pytest.skip(f"{key} is defined for cumulative and ordinal files only")
    outcome = tally(election(name), rule, tie_break="id")
    assert list(outcome.selected_sorted) == expected()[name][key]
    assert outcome.total_cost <= election(name).budget


@pytest.mark.parametrize(("prefix", "rule", "tie_break"), CITY_OUTCOMES)
def test_rule_reproduces_the_city_outcome(prefix: str, rule: str, tie_break: str) -> None:
    name = file_named(prefix)
    outcome = tally(election(name), rule, tie_break=tie_break)
    assert outcome.selected_sorted == file_selected(election(name))


def test_rembertow_tie_is_decided_by_the_cheaper_project_as_warsaw_did() -> None:
    rembertow = election(file_named("Poland_Warszawa_2020_Rembertow"))
    by_id = tally(rembertow, "greedy", tie_break="id")
    by_cost = tally(rembertow, "greedy", tie_break="cheapest")
    assert "2072" in by_id.selected and "2146" not in by_id.selected
    assert {"2146", "1509"} <= set(by_cost.selected) and "2072" not in by_cost.selected
    assert ("2146", "2072") in by_cost.ties and ("2072", "2146") in by_id.ties


def test_wieliczka_differs_between_the_two_add1_variants() -> None:
    wieliczka = election(file_named("Poland_Wieliczka_2023"))
    first_exhaustive = tally(wieliczka, "mes-add1", tie_break="id")
    full = tally(wieliczka, "mes-add1-full", tie_break="id")
    assert first_exhaustive.voter_share == wieliczka.budget / len(wieliczka.ballots) + 150
    assert first_exhaustive.selected_sorted != full.selected_sorted
    assert full.selected_sorted == file_selected(wieliczka)


@pytest.mark.parametrize("name", FILES)
def test_write_then_read_gives_the_same_election(name: str) -> None:
    original = election(name)
    assert parse_pb(format_pb(original)) == original


@pytest.mark.parametrize("name", FILES)
def test_votes_and_score_columns_match_a_recount(name: str) -> None:
    e = election(name)
    votes = {project.id: 0 for project in e.projects}
    score = {project.id: 0 for project in e.projects}
    for ballot in e.ballots:
        for project_id, points in e.ballot_points(ballot):
            votes[project_id] += 1
            score[project_id] += points
    for project in e.projects:
        if project.column("votes") is not None:
            assert int(project.column("votes") or "") == votes[project.id]
        if project.column("score") is not None:
            assert int(project.column("score") or "") == score[project.id]


def test_grochow_budget_is_kept_exact() -> None:
    grochow = election(file_named("Poland_Warszawa_2017_Grochow"))
    assert grochow.budget.numerator == 9093372 and grochow.budget.denominator == 25
