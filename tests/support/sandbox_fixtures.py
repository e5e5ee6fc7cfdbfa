"""The sandbox's state and its in-process client, for the sandbox tests at every level."""

import pytest

from sandbox import SandboxClient, SandboxState


@pytest.fixture
def state() -> SandboxState:
    return SandboxState()


@pytest.fixture
def client(state: SandboxState) -> SandboxClient:
    return SandboxClient(state)
