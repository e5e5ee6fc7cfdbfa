"""Thin PTB adapters: parse the update, call one service, render the result.

Nothing is imported here, so that `bot.handlers.callbacks` (the button codec, which the
rendering modules use) can be imported without pulling in every handler; the composition
root uses `bot.handlers.registry.register_all`.
"""
