"""A local stand-in for the Telegram Bot API: state, HTTP server, chat page and test client."""

from sandbox.client import Group, Resident, SandboxClient, SentMessage
from sandbox.server import SandboxControls, SandboxServer, create_sandbox_app
from sandbox.state import BotApiError, SandboxState

__all__ = [
    "BotApiError",
    "Group",
    "Resident",
    "SandboxClient",
    "SandboxControls",
    "SandboxServer",
    "SandboxState",
    "SentMessage",
    "create_sandbox_app",
]
