"""The sandbox's state and in-process client; no server (that is tests/integration/sandbox)."""

from tests.support.sandbox_fixtures import client, state

__all__ = ["client", "state"]
