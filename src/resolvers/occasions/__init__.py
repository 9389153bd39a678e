"""Occasions (seed 000 Occasion): important dates of contacts and accounts."""
