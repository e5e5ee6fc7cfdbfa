"""The test suite's own machinery: kind markers, Hypothesis profiles, parallel workers and
the rolled-back sessions of `rollback` tests."""

from __future__ import annotations

import importlib.util
import inspect
from collections.abc import Callable
from pathlib import Path, PurePath
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import settings
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.db.models import User
from tests.conftest import START, rolls_back
from tests.support.databases import rolled_back_sessionmaker
from tests.support.factories import make_user
from tests.support.hypothesis_profiles import (
    CI_PROFILE,
    DEV_PROFILE,
    hypothesis_profile,
    register_hypothesis_profiles,
)
from tests.support.kinds import MisplacedTest, kind_of_test


@pytest.mark.parametrize(
    ("path", "fixtures", "kind"),
    [
        ("unit/domain/test_deadlines.py", (), "unit"),
        ("unit/test_callbacks.py", ("clock", "tmp_path"), "unit"),
        ("unit/sandbox/test_client.py", ("client", "state"), "unit"),
        ("integration/test_proposal_services.py", ("clock", "sessionmaker"), "integration"),
        ("integration/test_migrations.py", ("postgres_database",), "integration"),
        ("integration/sandbox/test_bot_api.py", ("bot", "server", "state"), "integration"),
        ("integration/test_email.py", ("tmp_path",), "integration"),
        ("e2e/test_proposals_e2e.py", ("database_url", "engine", "runtime"), "e2e"),
        ("e2e/test_outbox.py", ("sandbox_state", "sessionmaker"), "e2e"),
        ("e2e/test_web.py", (), "e2e"),
        ("browser/test_reply_page.py", ("database_url", "sandbox"), "browser"),
    ],
)
def test_the_kind_is_the_directory(path: str, fixtures: tuple[str, ...], kind: str) -> None:
    assert kind_of_test(PurePath(path), fixtures) == kind


@pytest.mark.parametrize(
    ("path", "fixtures", "declared"),
    [
        ("unit/test_outbox.py", ("sessionmaker",), ()),
        ("unit/sandbox/test_bot_api.py", ("server",), ()),
        ("unit/test_polls_e2e.py", ("residents",), ()),
        ("integration/test_debates_e2e.py", ("runtime",), ()),
        ("unit/test_cli.py", (), ("e2e",)),
        ("integration/test_cli.py", ("tmp_path",), ("parametrize", "e2e")),
        ("test_outbox.py", (), ()),
        ("domain/test_text.py", (), ()),
    ],
)
def test_a_test_lighter_than_its_needs_or_outside_the_four_is_refused(
    path: str, fixtures: tuple[str, ...], declared: tuple[str, ...]
) -> None:
    with pytest.raises(MisplacedTest):
        kind_of_test(PurePath(path), fixtures, declared)


def test_collected_tests_carry_their_directory_s_kind(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("integration") is not None
    assert request.node.get_closest_marker("unit") is None


@pytest.mark.parametrize(
    ("environ", "profile"),
    [
        ({}, DEV_PROFILE),
        ({"CI": "true"}, CI_PROFILE),
        ({"CI": "TRUE"}, CI_PROFILE),
        ({"CI": "false"}, DEV_PROFILE),
        ({"CI": "true", "HYPOTHESIS_PROFILE": DEV_PROFILE}, DEV_PROFILE),
        ({"HYPOTHESIS_PROFILE": CI_PROFILE}, CI_PROFILE),
    ],
)
def test_hypothesis_profile_follows_the_environment(
    environ: dict[str, str], profile: str
) -> None:
    assert hypothesis_profile(environ) == profile


@pytest.mark.parametrize("name", [CI_PROFILE, DEV_PROFILE])
def test_profiles_have_no_wall_clock_deadline(name: str) -> None:
    register_hypothesis_profiles()
    assert settings.get_profile(name).deadline is None


def test_the_loaded_profile_has_no_wall_clock_deadline() -> None:
    assert settings.default.deadline is None


def load_dev_script() -> ModuleType:
    """dev.py is a script beside the packages, not an importable module: load it by path."""
    spec = importlib.util.spec_from_file_location(
        "dev", Path(__file__).resolve().parents[2] / "dev.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("arguments", "environ", "added"),
    [
        ([], {}, ["-n", "2"]),
        (["-k", "deadline", "-x"], {}, ["-n", "2"]),
        ([], {"TEST_WORKERS": "4"}, ["-n", "4"]),
        ([], {"TEST_WORKERS": "0"}, ["-n", "0"]),
        (["-n", "3"], {"TEST_WORKERS": "4"}, []),
        (["-n0"], {}, []),
        (["--numprocesses=auto"], {}, []),
        (["-p", "no:xdist"], {}, []),
    ],
)
def test_dev_test_runs_two_workers_unless_told_otherwise(
    arguments: list[str], environ: dict[str, str], added: list[str]
) -> None:
    assert load_dev_script().parallel_args(arguments, environ) == added


async def user_count(connection_or_session: AsyncConnection | AsyncSession) -> int:
    return int((await connection_or_session.execute(select(func.count(User.id)))).scalar_one())


@pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_rolled_back_sessions_see_each_others_commits_and_leave_nothing(
    engine: AsyncEngine,
) -> None:
    async with rolled_back_sessionmaker(engine) as sessionmaker:
        async with sessionmaker() as session, session.begin():
            await make_user(session, 4242, START)
        async with sessionmaker() as session:
            assert await user_count(session) == 1
        async with sessionmaker() as session:
            await make_user(session, 4343, START)
            await session.rollback()
        async with sessionmaker() as session:
            assert await user_count(session) == 1
        async with engine.connect() as outside:
            assert await user_count(outside) == 0
    async with engine.connect() as afterwards:
        assert await user_count(afterwards) == 0


def fake_request(marked: bool, test: Callable[..., object]) -> Any:
    """The two things `rolls_back` reads from pytest's request: the marker and the test."""
    marker = object() if marked else None
    return SimpleNamespace(
        node=SimpleNamespace(
            get_closest_marker=lambda name: marker if name == "rollback" else None
        ),
        function=test,
    )


def stand_in_test(*fixtures: str) -> Callable[..., None]:
    """A stand-in test function whose parameters are these fixtures."""

    def test(*args: object) -> None: ...

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    test.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, kind) for name in fixtures]
    )
    return test


def test_only_marked_tests_roll_back() -> None:
    assert rolls_back(fake_request(True, stand_in_test("sessionmaker", "clock")))
    assert not rolls_back(fake_request(False, stand_in_test("sessionmaker", "clock")))


@pytest.mark.parametrize("fixture", ["engine", "database_url", "runtime", "postgres_database"])
def test_a_rollback_test_may_not_reach_the_database_another_way(fixture: str) -> None:
    test = stand_in_test("sessionmaker", fixture)
    with pytest.raises(pytest.fail.Exception, match=fixture):
        rolls_back(fake_request(True, test))
    assert not rolls_back(fake_request(False, test))
