"""Comments on contacts and organizations (seed 000 Comment)."""
