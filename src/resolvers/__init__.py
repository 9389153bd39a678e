"""The GraphQL layer: one package per domain area, shared pieces in ``common``."""
