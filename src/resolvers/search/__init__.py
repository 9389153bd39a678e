"""Ranked free-text search across contacts, accounts and leads."""
