"""Use cases: one async function per verb; each takes a session and `now`, never Telegram."""
