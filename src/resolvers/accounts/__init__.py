"""Accounts: organizations (seed 004 Account, seed 000 Organization, seed 003 COMPANY)."""
