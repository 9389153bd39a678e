"""Leads: sales opportunities moving through stages (seed 004 Connection and Lead)."""
