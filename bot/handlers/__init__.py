"""Thin PTB adapters: parse the update, call one service, render the result.

Nothing is imported here: the composition root uses `bot.handlers.registry.register_all`.
"""
