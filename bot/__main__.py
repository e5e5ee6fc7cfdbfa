"""`python -m bot …`: see `bot.cli`."""

import sys

from bot.cli import main

if __name__ == "__main__":  # not when a spawned child process imports it as its main
    sys.exit(main())
