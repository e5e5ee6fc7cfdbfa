"""Multi-step ConversationHandler wizards (the proposal wizard, the budget ballot)."""
