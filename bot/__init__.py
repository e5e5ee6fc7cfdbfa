"""공감 (Gonggam): a Telegram bot for residents' proposals, debates and participatory budgets."""
