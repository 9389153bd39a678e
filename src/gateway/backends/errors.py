"""Failures a backend reports in neutral terms, so resolvers need not know SQL or HTTP errors."""


class IdempotencyRace(Exception):
    """Another request stored the same idempotency key first; its result is the answer."""
