"""aiohttp application: Telegram webhook, health and metrics (and later the public pages)."""
