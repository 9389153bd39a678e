"""Failures a backend reports in neutral terms, so resolvers need not know SQL or HTTP errors."""


class IdempotencyRace(Exception):
    """Another request stored the same idempotency key first; its result is the answer."""


class InvalidValue(ValueError):
    """A value the store cannot keep for that field: too long, or null where one is required."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
