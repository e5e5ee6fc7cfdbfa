"""Persistence: SQLAlchemy 2 async models, engine and session factory (SQLite or PostgreSQL)."""
