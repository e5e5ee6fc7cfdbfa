"""Test helpers: databases per backend, the bot harness on the sandbox, factories."""
