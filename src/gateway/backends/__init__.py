"""Data backends. Resolvers and loaders see only the protocols in ``base``."""
